import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { failedStatus, gitRepository, helmRelease, kustomization, readyStatus, V } from '../support/flux.js';
import { namespaceReader, type TestUser } from '../support/users.js';

const HEX = '3f2a9c1e0123456789abcdef0123456789abcdef';
const REVISION = `main@sha1:${HEX}`;
const LONG_MESSAGE = `Helm upgrade failed: ${'template rendering failed because a value is missing; '.repeat(12)}`;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

function history(lastReconciled: string) {
  return [
    {
      digest: 'sha256:abc',
      firstReconciled: lastReconciled,
      lastReconciled,
      lastReconciledDuration: '1s',
      lastReconciledStatus: 'ReconciliationSucceeded',
      totalReconciliations: 10,
    },
  ];
}

let api: TestApi;
let server: ServerHandle;
let ns: string;
let otherNs: string;

interface Failing {
  kind: string;
  namespace: string;
  name: string;
  stalled: boolean;
  reason?: string;
  message?: string;
  revision?: string;
  blockedBy?: string;
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'status');
  otherNs = await testNamespace(api, 'status-other');

  await api.apply({
    ...gitRepository('repo', ns),
    status: readyStatus(1, { artifact: artifact('main@sha1:1') }),
  });
  await api.apply({
    ...gitRepository('infra', ns),
    status: failedStatus(
      1,
      'GitOperationFailed',
      'failed to checkout and determine revision: authentication required',
      {
        since: minutesAgo(12.5),
      },
    ),
  });
  await api.apply({
    ...kustomization('podinfo', ns),
    status: failedStatus(
      1,
      'HealthCheckFailed',
      'health check failed after 5m0s: Deployment/apps/podinfo not ready',
      {
        since: minutesAgo(42.5),
        lastAppliedRevision: REVISION,
      },
    ),
  });
  await api.apply({
    ...kustomization('apps', ns, { spec: { sourceRef: { kind: 'GitRepository', name: 'infra' } } }),
    status: failedStatus(1, 'ArtifactFailed', 'Source artifact not found, retrying in 30s', {
      since: minutesAgo(5.5),
    }),
  });
  await api.apply({
    ...helmRelease('kube-prometheus-stack', ns),
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Stalled',
          status: 'True',
          reason: 'RetriesExceeded',
          message: LONG_MESSAGE,
          lastTransitionTime: minutesAgo(180.5),
        },
        {
          type: 'Ready',
          status: 'False',
          reason: 'UpgradeFailed',
          message: LONG_MESSAGE,
          lastTransitionTime: minutesAgo(180.5),
        },
      ],
      history: [
        {
          chartName: 'kube-prometheus-stack',
          chartVersion: '58.2.1',
          configDigest: 'sha256:1',
          digest: 'sha256:2',
          firstDeployed: minutesAgo(500),
          lastDeployed: minutesAgo(190),
          name: 'kube-prometheus-stack',
          namespace: ns,
          status: 'failed',
          version: 4,
        },
      ],
    },
  });
  await api.apply(
    kustomization('payments', ns, {
      spec: { suspend: true },
      annotations: {
        'flux-ops-mcp.io/suspended-by': 'jane',
        'flux-ops-mcp.io/suspended-at': minutesAgo(2 * 24 * 60 + 30),
        'flux-ops-mcp.io/suspend-reason': 'db migration INC-4411',
      },
    }),
  );
  await api.apply(helmRelease('redis', ns, { spec: { suspend: true } }));
  await api.apply({
    ...kustomization('cert-manager', ns),
    status: readySince(minutesAgo(3 * 24 * 60), { history: history(minutesAgo(6 * 60 + 30)) }),
  });
  await api.apply({
    ...kustomization('fresh', ns),
    status: readyStatus(1, { revision: 'main@sha1:2', history: history(minutesAgo(1)) }),
  });
  await api.apply(kustomization('waiting', ns));

  await api.apply({
    ...kustomization('status-elsewhere', otherNs),
    status: failedStatus(1, 'BuildFailed', 'kustomize build failed'),
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

/** Ready since `since`, as a controller leaves an object whose state has not changed since then. */
function readySince(since: string, extra: Record<string, unknown>) {
  const status = readyStatus(1, extra);
  for (const c of status.conditions as { lastTransitionTime: string }[]) c.lastTransitionTime = since;
  return status;
}

function artifact(revision: string) {
  return {
    digest: 'sha256:0',
    lastUpdateTime: minutesAgo(1),
    path: 'x',
    revision,
    url: 'http://source-controller/x',
  };
}

async function status(args: Record<string, unknown>, handle: ServerHandle = server) {
  return callTool(handle.client, 'get_flux_status', args);
}

describe('get_flux_status in one namespace', () => {
  it('counts every kind as ready, failing, progressing, suspended or stale', async () => {
    const { structured } = await status({ namespace: ns });
    const kinds = structured.kinds as { kind: string; total: number }[];
    expect(kinds.find((k) => k.kind === 'Kustomization')).toEqual({
      kind: 'Kustomization',
      total: 6,
      ready: 1,
      failing: 2,
      progressing: 1,
      suspended: 1,
      stale: 1,
    });
    expect(kinds.find((k) => k.kind === 'HelmRelease')).toMatchObject({ total: 2, failing: 1, suspended: 1 });
    expect(kinds.find((k) => k.kind === 'GitRepository')).toMatchObject({ total: 2, ready: 1, failing: 1 });
    expect(structured.totals).toEqual({
      total: 10,
      ready: 2,
      failing: 4,
      progressing: 1,
      suspended: 2,
      stale: 1,
    });
  });

  it('opens with one line of totals', async () => {
    const { text } = await status({ namespace: ns });
    expect(text.split('\n')[0]).toBe(
      `Flux in namespace ${ns} of context admin: 10 objects: 2 ready, 4 failing, 1 progressing, 2 suspended, 1 stale.`,
    );
  });

  it('lists failing objects newest first, with reason, how long, and revision', async () => {
    const { structured, text } = await status({ namespace: ns });
    const failing = structured.failing as Failing[];
    expect(failing.map((f) => `${f.kind}/${f.name}`)).toEqual([
      'Kustomization/apps',
      'GitRepository/infra',
      'Kustomization/podinfo',
      'HelmRelease/kube-prometheus-stack',
    ]);
    expect(text).toContain(
      `  Kustomization ${ns}/podinfo  HealthCheckFailed for 42m  rev main@sha1:3f2a9c1e\n`,
    );
    expect(text).toContain('    health check failed after 5m0s: Deployment/apps/podinfo not ready');
    expect(failing[2]).toMatchObject({ reason: 'HealthCheckFailed', revision: REVISION });
  });

  it('marks stalled objects and shows the chart version of a HelmRelease', async () => {
    const { structured, text } = await status({ namespace: ns });
    const hr = (structured.failing as Failing[]).find((f) => f.kind === 'HelmRelease')!;
    expect(hr).toMatchObject({ stalled: true, reason: 'RetriesExceeded', revision: '58.2.1' });
    expect(text).toContain(
      `  HelmRelease ${ns}/kube-prometheus-stack  Stalled RetriesExceeded for 3h  chart 58.2.1`,
    );
  });

  it('cuts long messages in text with a marker that says where the rest is', async () => {
    const { text, structured } = await status({ namespace: ns });
    expect(text).toMatch(
      /Helm upgrade failed: template rendering .* \[\d+ more characters: get_flux_events for the rest\]/,
    );
    const hr = (structured.failing as Failing[]).find((f) => f.kind === 'HelmRelease')!;
    expect(hr.message).toBe(LONG_MESSAGE.trim());
  });

  it('names the failing source that a failing Kustomization is blocked by', async () => {
    const { structured, text } = await status({ namespace: ns });
    const apps = (structured.failing as Failing[]).find((f) => f.name === 'apps')!;
    expect(apps.blockedBy).toBe(`GitRepository ${ns}/infra`);
    expect(text).toContain(
      `Kustomization ${ns}/apps  ArtifactFailed for 5m  blocked by failing GitRepository ${ns}/infra`,
    );
  });

  it('says who suspended an object, since when and why', async () => {
    const { structured, text } = await status({ namespace: ns });
    expect(structured.suspended).toContainEqual(
      expect.objectContaining({
        kind: 'Kustomization',
        name: 'payments',
        by: 'jane',
        reason: 'db migration INC-4411',
      }),
    );
    expect(text).toContain(`  Kustomization ${ns}/payments  for 2d by jane: "db migration INC-4411"`);
  });

  it('says when no reason was recorded, naming the field manager that suspended it', async () => {
    const { structured, text } = await status({ namespace: ns });
    expect(structured.suspended).toContainEqual(
      expect.objectContaining({ kind: 'HelmRelease', name: 'redis', manager: 'test' }),
    );
    expect(text).toMatch(
      new RegExp(`  HelmRelease ${ns}/redis  for \\S+ via field manager test, no reason recorded`),
    );
  });

  it('lists stale objects with when they were last handled and their interval', async () => {
    const { structured, text } = await status({ namespace: ns });
    expect((structured.stale as { name: string }[]).map((s) => s.name)).toEqual(['cert-manager']);
    expect(text).toContain(
      `Stale (not reconciled for several intervals):\n  Kustomization ${ns}/cert-manager  last handled 6h ago, interval 10m`,
    );
  });

  it('bounds each list and says how many were left out', async () => {
    const { structured, text } = await status({ namespace: ns, limit: 1 });
    expect((structured.failing as unknown[]).length).toBe(1);
    expect(structured.omitted).toEqual({ failing: 3, suspended: 1, stale: 0 });
    expect(text).toContain('  3 more failing: narrow with namespace or kind, or raise limit');
  });

  it('narrows to one kind', async () => {
    const { structured } = await status({ namespace: ns, kind: 'hr' });
    expect((structured.kinds as { kind: string }[]).map((k) => k.kind)).toEqual(['HelmRelease']);
    expect(structured.totals).toMatchObject({ total: 2 });
  });

  it('reports an unknown kind as an error that names the Flux kinds', async () => {
    const { result, text } = await status({ kind: 'Deployment' });
    expect(result.isError).toBe(true);
    expect(text).toMatch(/^Deployment is not a Flux kind \(Flux kinds: GitRepository, OCIRepository/);
  });
});

describe('get_flux_status of an object suspended while failing', () => {
  it('counts it as failing and as suspended, says so, and lists it in both', async () => {
    const held = await testNamespace(api, 'status-held');
    await api.apply({
      ...helmRelease('podinfo', held, {
        spec: { suspend: true },
        annotations: {
          'flux-ops-mcp.io/suspended-by': 'jane',
          'flux-ops-mcp.io/suspend-reason': 'rolled back, INC-7',
        },
      }),
      status: failedStatus(1, 'UpgradeFailed', 'Helm upgrade failed: timed out waiting for the condition'),
    });
    await api.apply({ ...kustomization('ok', held), status: readyStatus(1) });

    const { structured, text } = await status({ namespace: held });

    expect(structured.totals).toEqual({
      total: 2,
      ready: 1,
      failing: 1,
      progressing: 0,
      suspended: 1,
      stale: 0,
      suspendedFailing: 1,
    });
    expect(structured.failing).toEqual([
      expect.objectContaining({
        kind: 'HelmRelease',
        name: 'podinfo',
        reason: 'UpgradeFailed',
        suspended: true,
      }),
    ]);
    expect(structured.suspended).toEqual([
      expect.objectContaining({
        kind: 'HelmRelease',
        name: 'podinfo',
        by: 'jane',
        reason: 'rolled back, INC-7',
      }),
    ]);
    expect(text.split('\n')[0]).toBe(
      `Flux in namespace ${held} of context admin: 2 objects: 1 ready, 1 failing (1 of them suspended), 1 suspended.`,
    );
    expect(text).toContain(`HelmRelease ${held}/podinfo  UpgradeFailed`);
    expect(text).toContain('(suspended)');
  });
});

describe('get_flux_status across namespaces', () => {
  it('covers every namespace when none is given', async () => {
    // Other test files fail objects of their own in the shared cluster: list them all.
    const { structured, text } = await status({ limit: 500 });
    const failing = structured.failing as Failing[];
    expect(failing).toContainEqual(expect.objectContaining({ namespace: otherNs, name: 'status-elsewhere' }));
    expect(failing).toContainEqual(expect.objectContaining({ namespace: ns, name: 'podinfo' }));
    expect(text).toMatch(/^Flux in context admin: \d+ objects: /);
    expect((structured.visibility as { complete: boolean }).complete).toBe(true);
  });
});

describe('get_flux_status for users who cannot read everything', () => {
  let reader: TestUser;
  let readerServer: ServerHandle;

  beforeAll(async () => {
    await api.apply({
      ...kustomization('status-team-a', RESTRICTED_NAMESPACE),
      status: failedStatus(1, 'BuildFailed', 'kustomize build failed in team-a'),
    });
    reader = await namespaceReader(api, ns, [ns]);
    readerServer = await startServer([], { kubeconfig: reader.kubeconfig });
  });

  afterAll(async () => {
    await readerServer?.close();
    await reader?.cleanup();
    await api.delete(V.kustomization, 'Kustomization', RESTRICTED_NAMESPACE, 'status-team-a');
  });

  it('names the namespaces the user cannot read and leaves their objects out of the counts', async () => {
    const { structured, text } = await status({}, readerServer);
    const visibility = structured.visibility as {
      complete: boolean;
      unreadableNamespaces: string[];
      user: string;
    };
    expect(visibility.complete).toBe(false);
    expect(visibility.unreadableNamespaces).toContain(otherNs);
    expect(visibility.unreadableNamespaces).not.toContain(ns);
    expect(visibility.user).toBe(reader.name);
    expect(text.split('\n')[1]).toMatch(
      /^Not visible: namespaces you cannot read \(user system:serviceaccount:.*\): /,
    );
    const failing = structured.failing as Failing[];
    expect(failing.map((f) => f.namespace)).not.toContain(otherNs);
    expect(failing).toContainEqual(expect.objectContaining({ namespace: ns, name: 'podinfo' }));
  });

  it('reads only the default namespace of a user who can list neither across namespaces nor namespaces, and says so', async () => {
    const { structured, text } = await status({ context: 'restricted' });
    expect((structured.visibility as { onlyNamespaces: string[] }).onlyNamespaces).toEqual([
      RESTRICTED_NAMESPACE,
    ]);
    expect(text).toContain(
      `Not visible: user jane cannot list Flux objects across namespaces nor list namespaces, so only namespace ${RESTRICTED_NAMESPACE} was read`,
    );
    expect(structured.failing).toContainEqual(
      expect.objectContaining({ namespace: RESTRICTED_NAMESPACE, name: 'status-team-a' }),
    );
  });

  it('is a forbidden error, not an empty answer, for a namespace the user cannot read', async () => {
    const { result, text } = await status({ namespace: ns, context: 'restricted' });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `forbidden: user jane cannot list Flux objects in namespace ${ns} (context restricted); ask a cluster admin for read access or use another context`,
    );
  });
});
