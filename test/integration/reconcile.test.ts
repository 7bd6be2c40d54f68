import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi, TestObject } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import {
  bucket,
  gitRepository,
  helmChart,
  helmRelease,
  helmRepository,
  kustomization,
  ociRepository,
  V,
} from '../support/flux.js';

const REQUESTED = 'reconcile.fluxcd.io/requestedAt';

let api: TestApi;
let server: ServerHandle;
let controller: FakeFluxController;
let ns: string;
let shared: string;

async function annotations(obj: TestObject): Promise<Record<string, string>> {
  const live = await api.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
  return live.metadata.annotations ?? {};
}

function order(): string[] {
  return controller.handled.map((h) => `${h.kind}/${h.name}`);
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'rec');
  shared = await testNamespace(api, 'rec-shared');
  controller = new FakeFluxController(api, [ns, shared]);
  controller.start();
  server = await startServer();
});

afterAll(async () => {
  expect(controller.errors).toEqual([]);
  controller?.stop();
  await server?.close();
  await api?.close();
});

describe('reconcile_flux_kustomization', () => {
  it('requests a reconcile, waits for the controller, and reports the applied revision', async () => {
    const ks = kustomization('podinfo', ns);
    await api.apply(gitRepository('repo', ns));
    await api.apply(ks);
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'podinfo',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({
      context: 'admin',
      object: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        namespace: ns,
        name: 'podinfo',
      },
      action: 'reconcile',
      result: 'ready',
      revision: 'main@sha1:1111111111111111111111111111111111111111',
    });
    expect(text).toMatch(
      new RegExp(
        `^Reconciled Kustomization ${ns}/podinfo in [0-9.]+m?s: Ready, applied revision main@sha1:11111111\\.$`,
      ),
    );
    const live = await api.get(V.kustomization, 'Kustomization', ns, 'podinfo');
    expect(live.metadata.annotations?.[REQUESTED]).toBe(structured.token);
    expect(live.status?.lastHandledReconcileAt).toBe(structured.token);
    expect(controller.handledFor('Kustomization', ns, 'podinfo')).toHaveLength(1);
  });

  it('gives two concurrent requests for one object different tokens', async () => {
    await api.apply(kustomization('twins', ns));
    const calls = await Promise.all(
      [1, 2].map(() =>
        callTool(server.client, 'reconcile_flux_kustomization', {
          name: 'twins',
          namespace: ns,
          wait: false,
        }),
      ),
    );
    const [a, b] = calls.map((c) => c.structured.token);
    expect(a).toEqual(expect.any(String));
    expect(a).not.toBe(b);
  });

  it('patches with its own field manager', async () => {
    await api.apply(kustomization('managed', ns));
    await callTool(server.client, 'reconcile_flux_kustomization', { name: 'managed', namespace: ns });
    const live = await api.get(V.kustomization, 'Kustomization', ns, 'managed');
    const managers = (live.metadata.managedFields as { manager: string }[]).map((m) => m.manager);
    expect(managers).toContain('flux-ops-mcp');
  });

  it('reconciles the GitRepository first with with_source', async () => {
    await api.apply(gitRepository('git-src', ns));
    await api.apply(
      kustomization('from-git', ns, { spec: { sourceRef: { kind: 'GitRepository', name: 'git-src' } } }),
    );
    const { structured, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'from-git',
      namespace: ns,
      with_source: true,
    });
    expect(structured.result).toBe('ready');
    const steps = structured.steps as { kind: string; name: string; role: string; result: string }[];
    expect(steps.map((s) => `${s.role} ${s.kind}/${s.name} ${s.result}`)).toEqual([
      'source GitRepository/git-src ready',
      'target Kustomization/from-git ready',
    ]);
    expect(text).toContain(`1. GitRepository ${ns}/git-src: fetched revision main@sha1:11111111`);
    const gitHandled = controller.handledFor('GitRepository', ns, 'git-src')[0]!;
    const ksHandled = controller.handledFor('Kustomization', ns, 'from-git')[0]!;
    expect(gitHandled.at).toBeLessThanOrEqual(ksHandled.at);
    expect(gitHandled.token).toBe(ksHandled.token);
  });

  it('follows an OCIRepository source', async () => {
    await api.apply(ociRepository('oci-src', ns));
    await api.apply(
      kustomization('from-oci', ns, { spec: { sourceRef: { kind: 'OCIRepository', name: 'oci-src' } } }),
    );
    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'from-oci',
      namespace: ns,
      with_source: true,
    });
    expect((structured.steps as { kind: string }[]).map((s) => s.kind)).toEqual([
      'OCIRepository',
      'Kustomization',
    ]);
  });

  it('follows a Bucket source', async () => {
    await api.apply(bucket('bucket-src', ns));
    await api.apply(
      kustomization('from-bucket', ns, { spec: { sourceRef: { kind: 'Bucket', name: 'bucket-src' } } }),
    );
    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'from-bucket',
      namespace: ns,
      with_source: true,
    });
    expect((structured.steps as { kind: string }[]).map((s) => s.kind)).toEqual(['Bucket', 'Kustomization']);
  });

  it('finds a source in another namespace', async () => {
    await api.apply(gitRepository('platform', shared));
    await api.apply(
      kustomization('cross', ns, {
        spec: { sourceRef: { kind: 'GitRepository', name: 'platform', namespace: shared } },
      }),
    );
    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'cross',
      namespace: ns,
      with_source: true,
    });
    expect(structured.result).toBe('ready');
    expect((structured.steps as { namespace: string; name: string }[])[0]).toMatchObject({
      namespace: shared,
      name: 'platform',
    });
    expect(controller.handledFor('GitRepository', shared, 'platform')).toHaveLength(1);
  });

  it('reconciles a three-level dependsOn chain parents first', async () => {
    await api.apply(kustomization('infra', ns));
    await api.apply(kustomization('db', ns, { spec: { dependsOn: [{ name: 'infra' }] } }));
    await api.apply(kustomization('app', ns, { spec: { dependsOn: [{ name: 'db', namespace: ns }] } }));
    const before = controller.handled.length;
    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'app',
      namespace: ns,
      with_dependencies: true,
    });
    expect(structured.result).toBe('ready');
    expect((structured.steps as { name: string; role: string }[]).map((s) => `${s.role}:${s.name}`)).toEqual([
      'dependency:infra',
      'dependency:db',
      'target:app',
    ]);
    expect(order().slice(before)).toEqual(['Kustomization/infra', 'Kustomization/db', 'Kustomization/app']);
  });

  it('refuses a dependsOn cycle, names it, and changes nothing', async () => {
    await api.apply(kustomization('cyc-a', ns, { spec: { dependsOn: [{ name: 'cyc-c' }] } }));
    await api.apply(kustomization('cyc-b', ns, { spec: { dependsOn: [{ name: 'cyc-a' }] } }));
    await api.apply(kustomization('cyc-c', ns, { spec: { dependsOn: [{ name: 'cyc-b' }] } }));
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'cyc-c',
      namespace: ns,
      with_dependencies: true,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `dependsOn cycle: ${ns}/cyc-c -> ${ns}/cyc-b -> ${ns}/cyc-a -> ${ns}/cyc-c; nothing was changed`,
    );
    for (const name of ['cyc-a', 'cyc-b', 'cyc-c']) {
      expect(await annotations(kustomization(name, ns))).not.toHaveProperty(REQUESTED);
    }
  });

  it('stops at a failed parent, names it, and leaves the children alone', async () => {
    controller.script('Kustomization', ns, 'broken-db', {
      outcome: 'fail',
      reason: 'HealthCheckFailed',
      message: 'health check failed after 5m0s: StatefulSet/db not ready',
    });
    await api.apply(kustomization('broken-db', ns));
    await api.apply(kustomization('needs-db', ns, { spec: { dependsOn: [{ name: 'broken-db' }] } }));
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'needs-db',
      namespace: ns,
      with_dependencies: true,
    });
    expect(result.isError).toBe(true);
    expect(structured.result).toBe('failed');
    expect(structured.message).toBe(
      `Kustomization ${ns}/broken-db failed: HealthCheckFailed: health check failed after 5m0s: StatefulSet/db not ready; Kustomization ${ns}/needs-db was not reconciled`,
    );
    expect(text).toContain(`failed after`);
    expect(structured.reason).toBe('HealthCheckFailed');
    expect(structured.steps).toContainEqual(
      expect.objectContaining({ name: 'broken-db', result: 'failed', reason: 'HealthCheckFailed' }),
    );
    expect(await annotations(kustomization('needs-db', ns))).not.toHaveProperty(REQUESTED);
  });

  it('fails fast with the Stalled reason and message', async () => {
    controller.script('Kustomization', ns, 'stalled', {
      outcome: 'stall',
      message: 'invalid CEL expression in healthCheckExprs',
    });
    await api.apply(kustomization('stalled', ns));
    const { result, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'stalled',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(structured).toMatchObject({
      result: 'failed',
      reason: 'InvalidCELExpression',
      message: 'Stalled (InvalidCELExpression): invalid CEL expression in healthCheckExprs',
    });
  });

  it('refuses a suspended Kustomization, says who suspended it and why, and changes nothing', async () => {
    await api.apply(
      kustomization('paused', ns, {
        spec: { suspend: true },
        annotations: {
          'flux-ops-mcp.io/suspended-by': 'jane',
          'flux-ops-mcp.io/suspend-reason': 'db migration INC-4411',
        },
      }),
    );
    const before = await api.get(V.kustomization, 'Kustomization', ns, 'paused');
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'paused',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `Kustomization ${ns}/paused is suspended (by jane: "db migration INC-4411"); nothing was changed.\nResume it with resume_flux_reconciliation, or reconcile another object.`,
    );
    const after = await api.get(V.kustomization, 'Kustomization', ns, 'paused');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('refuses when a source in the chain is suspended, before changing anything', async () => {
    await api.apply(gitRepository('paused-src', ns, { spec: { suspend: true } }));
    await api.apply(
      kustomization('on-paused-src', ns, {
        spec: { sourceRef: { kind: 'GitRepository', name: 'paused-src' } },
      }),
    );
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'on-paused-src',
      namespace: ns,
      with_source: true,
    });
    expect(result.isError).toBe(true);
    expect(text).toContain(`GitRepository ${ns}/paused-src is suspended`);
    expect(text).toContain(`Kustomization ${ns}/on-paused-src was not reconciled; nothing was changed`);
    expect(await annotations(kustomization('on-paused-src', ns))).not.toHaveProperty(REQUESTED);
  });

  it('refuses an object that is being deleted', async () => {
    await api.apply({
      ...kustomization('leaving', ns),
      metadata: { name: 'leaving', namespace: ns, finalizers: ['test/hold'] },
    });
    await api.delete(V.kustomization, 'Kustomization', ns, 'leaving');
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'leaving',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(`Kustomization ${ns}/leaving is being deleted; nothing was changed.`);
    await api.mergePatch(kustomization('leaving', ns), { metadata: { finalizers: null } });
  });

  it('reports a missing object, and the namespaces that have objects of its kind', async () => {
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'ghost',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      new RegExp(
        `^Kustomization ${ns}/ghost not found in context admin \\(namespaces with Kustomization objects: `,
      ),
    );
  });

  it('reports a missing object with the namespace where an object of that name is', async () => {
    await api.apply(kustomization('moved-away', shared));
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'moved-away',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `Kustomization ${ns}/moved-away not found in context admin (Kustomization moved-away is in namespace ${shared})`,
    );
  });

  it('does a dry run that shows the patch and leaves the resourceVersion unchanged', async () => {
    await api.apply(kustomization('dry', ns));
    const before = await api.get(V.kustomization, 'Kustomization', ns, 'dry');
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'dry',
      namespace: ns,
      dry_run: true,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.result).toBe('dry-run');
    expect(text).toContain(`"reconcile.fluxcd.io/requestedAt":"${structured.token as string}"`);
    const after = await api.get(V.kustomization, 'Kustomization', ns, 'dry');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.annotations ?? {}).not.toHaveProperty(REQUESTED);
  });

  it('returns at the timeout with what the object is doing now, leaving the request in place', async () => {
    controller.script('Kustomization', ns, 'silent', { outcome: 'ignore' });
    await api.apply(kustomization('silent', ns));
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'silent',
      namespace: ns,
      timeout: '2s',
    });
    expect(result.isError).toBe(true);
    expect(structured.result).toBe('timeout');
    expect(text).toMatch(
      new RegExp(
        `^Timed out after 2(\\.\\d)?s waiting for Kustomization ${ns}/silent: it is now no status yet`,
      ),
    );
    expect(text).toContain('the reconcile request stays in place');
    expect((await annotations(kustomization('silent', ns)))[REQUESTED]).toBe(structured.token);
  });

  it("without a timeout, waits as long as the server's --wait-timeout", async () => {
    controller.script('Kustomization', ns, 'silent-default', { outcome: 'ignore' });
    await api.apply(kustomization('silent-default', ns));
    const short = await startServer(['--wait-timeout', '1s']);
    try {
      const { structured, text } = await callTool(short.client, 'reconcile_flux_kustomization', {
        name: 'silent-default',
        namespace: ns,
      });
      expect(structured.result).toBe('timeout');
      expect(text).toMatch(
        new RegExp(`^Timed out after 1(\\.\\d)?s waiting for Kustomization ${ns}/silent-default`),
      );
    } finally {
      await short.close();
    }
  });

  it('requests without waiting when wait is false', async () => {
    controller.script('Kustomization', ns, 'nowait', { outcome: 'ignore' });
    await api.apply(kustomization('nowait', ns));
    const { structured, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'nowait',
      namespace: ns,
      wait: false,
    });
    expect(structured.result).toBe('requested');
    expect(text).toContain('not waiting');
  });

  it('sends progress notifications to a client that asked for them', async () => {
    controller.script('Kustomization', ns, 'slow', { outcome: 'succeed', delayMs: 700 });
    await api.apply(kustomization('slow', ns));
    const messages: string[] = [];
    const { structured } = await callTool(
      server.client,
      'reconcile_flux_kustomization',
      { name: 'slow', namespace: ns },
      { onprogress: (p) => messages.push(p.message ?? '') },
    );
    expect(structured.result).toBe('ready');
    expect(messages).toContain(`1/1 Kustomization ${ns}/slow: requesting reconciliation`);
    expect(messages).toContain(`1/1 Kustomization ${ns}/slow: Reconciling: Building manifests`);
    // The SDK client drops progress that arrives in the same read as the result, so the last steps are not asserted.
    for (const m of messages) expect(m.startsWith(`1/1 Kustomization ${ns}/slow: `)).toBe(true);
  });

  it('stops waiting when the client cancels', async () => {
    controller.script('Kustomization', ns, 'cancel-me', { outcome: 'succeed', delayMs: 60_000 });
    await api.apply(kustomization('cancel-me', ns));
    const debug = await startServer(['--log-level', 'debug']);
    try {
      const abort = new AbortController();
      const call = callTool(
        debug.client,
        'reconcile_flux_kustomization',
        { name: 'cancel-me', namespace: ns, timeout: '5m' },
        {
          signal: abort.signal,
          onprogress: (p) => {
            if (p.message?.includes('Reconciling')) abort.abort('operator changed their mind');
          },
        },
      );
      await expect(call).rejects.toThrow();
      await expect.poll(() => debug.stderr(), { timeout: 10_000 }).toContain('"outcome":"cancelled"');
      const next = await callTool(debug.client, 'get_kubeconfig_contexts');
      expect(next.result.isError).toBeFalsy();
    } finally {
      await debug.close();
    }
  });

  it('gives the restricted user a clear forbidden error and changes nothing', async () => {
    await api.apply(kustomization('readable', RESTRICTED_NAMESPACE));
    const before = await api.get(V.kustomization, 'Kustomization', RESTRICTED_NAMESPACE, 'readable');
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'readable',
      namespace: RESTRICTED_NAMESPACE,
      context: 'restricted',
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `forbidden: user jane cannot patch kustomizations.kustomize.toolkit.fluxcd.io in namespace ${RESTRICTED_NAMESPACE} (context restricted); ask a cluster admin for RBAC access or use another context`,
    );
    const after = await api.get(V.kustomization, 'Kustomization', RESTRICTED_NAMESPACE, 'readable');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('rejects names that are not Kubernetes names before any API call', async () => {
    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'Pod Info',
      namespace: ns,
      context: 'no-such-context',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('must be a valid Kubernetes name');
    expect(text).not.toContain('no-such-context');
  });
});

describe('reconcile_flux_helmrelease', () => {
  beforeAll(async () => {
    await api.apply(helmRepository('charts', ns));
  });

  it('with_source reconciles the HelmRepository, the generated HelmChart, then the HelmRelease', async () => {
    await api.apply(helmRelease('podinfo', ns));
    await api.apply(
      helmChart(`${ns}-podinfo`, ns, {
        spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
      }),
    );
    const { structured } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'podinfo',
      namespace: ns,
      with_source: true,
    });
    expect(structured.result).toBe('ready');
    expect((structured.steps as { kind: string; name: string }[]).map((s) => `${s.kind}/${s.name}`)).toEqual([
      'HelmRepository/charts',
      `HelmChart/${ns}-podinfo`,
      'HelmRelease/podinfo',
    ]);
  });

  it('with_source on a new HelmRelease fetches the chart source and says the HelmChart does not exist yet', async () => {
    await api.apply(helmRelease('fresh', ns));
    const { result, structured, text } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'fresh',
      namespace: ns,
      with_source: true,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.steps).toEqual([
      expect.objectContaining({ kind: 'HelmRepository', name: 'charts', result: 'ready' }),
      expect.objectContaining({
        kind: 'HelmChart',
        name: `${ns}-fresh`,
        result: 'skipped',
        message: `does not exist yet: helm-controller creates it when it reconciles HelmRelease ${ns}/fresh`,
      }),
      expect.objectContaining({ kind: 'HelmRelease', name: 'fresh', result: 'ready' }),
    ]);
    expect(text).toContain(`HelmChart ${ns}/${ns}-fresh: skipped: does not exist yet`);
  });

  it('finds the generated HelmChart in the namespace of the chart source', async () => {
    await api.apply(helmRepository('shared-charts', shared));
    await api.apply(
      helmRelease('remote', ns, {
        spec: {
          chart: {
            spec: {
              chart: 'remote',
              sourceRef: { kind: 'HelmRepository', name: 'shared-charts', namespace: shared },
            },
          },
        },
      }),
    );
    await api.apply(
      helmChart(`${ns}-remote`, shared, {
        spec: { chart: 'remote', sourceRef: { kind: 'HelmRepository', name: 'shared-charts' } },
      }),
    );
    const { structured } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'remote',
      namespace: ns,
      with_source: true,
    });
    expect(
      (structured.steps as { kind: string; namespace: string }[]).map((s) => `${s.kind}@${s.namespace}`),
    ).toEqual([`HelmRepository@${shared}`, `HelmChart@${shared}`, `HelmRelease@${ns}`]);
  });

  it('with_source follows a chartRef to an OCIRepository', async () => {
    await api.apply(ociRepository('chart-oci', ns));
    await api.apply({
      ...helmRelease('by-ref', ns),
      spec: { interval: '10m', chartRef: { kind: 'OCIRepository', name: 'chart-oci' } },
    });
    const { structured } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'by-ref',
      namespace: ns,
      with_source: true,
    });
    expect((structured.steps as { kind: string }[]).map((s) => s.kind)).toEqual([
      'OCIRepository',
      'HelmRelease',
    ]);
  });

  it('with_source follows a chartRef to a HelmChart and its source', async () => {
    await api.apply(helmChart('shared-chart', ns));
    await api.apply({
      ...helmRelease('by-chart-ref', ns),
      spec: { interval: '10m', chartRef: { kind: 'HelmChart', name: 'shared-chart' } },
    });
    const { structured } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'by-chart-ref',
      namespace: ns,
      with_source: true,
    });
    expect((structured.steps as { kind: string }[]).map((s) => s.kind)).toEqual([
      'HelmRepository',
      'HelmChart',
      'HelmRelease',
    ]);
  });

  it('skips a static OCI HelmRepository in the chain and says so', async () => {
    await api.apply(
      helmRepository('oci-charts', ns, { spec: { type: 'oci', url: 'oci://ghcr.io/example/charts' } }),
    );
    await api.apply(
      helmRelease('on-oci', ns, {
        spec: {
          chart: { spec: { chart: 'on-oci', sourceRef: { kind: 'HelmRepository', name: 'oci-charts' } } },
        },
      }),
    );
    await api.apply(
      helmChart(`${ns}-on-oci`, ns, {
        spec: { chart: 'on-oci', sourceRef: { kind: 'HelmRepository', name: 'oci-charts' } },
      }),
    );
    const { structured } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'on-oci',
      namespace: ns,
      with_source: true,
    });
    expect(structured.result).toBe('ready');
    expect((structured.steps as { kind: string; result: string }[])[0]).toMatchObject({
      kind: 'HelmRepository',
      result: 'skipped',
      message: 'HelmRepository of type oci is static: nothing to reconcile',
    });
    expect(await annotations(helmRepository('oci-charts', ns))).not.toHaveProperty(REQUESTED);
  });

  it('puts the same token in requestedAt, forceAt and resetAt with force and reset', async () => {
    await api.apply(helmRelease('forced', ns));
    const { structured } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'forced',
      namespace: ns,
      force: true,
      reset: true,
    });
    expect(structured.result).toBe('ready');
    const live = await api.get(V.helmRelease, 'HelmRelease', ns, 'forced');
    const a = live.metadata.annotations ?? {};
    expect(a[REQUESTED]).toBe(structured.token);
    expect(a['reconcile.fluxcd.io/forceAt']).toBe(structured.token);
    expect(a['reconcile.fluxcd.io/resetAt']).toBe(structured.token);
    expect(live.status?.lastHandledForceAt).toBe(structured.token);
  });

  it('does not put forceAt on a HelmRelease without force', async () => {
    await api.apply(helmRelease('gentle', ns));
    await callTool(server.client, 'reconcile_flux_helmrelease', { name: 'gentle', namespace: ns });
    const a = await annotations(helmRelease('gentle', ns));
    expect(a).toHaveProperty(REQUESTED);
    expect(a).not.toHaveProperty('reconcile.fluxcd.io/forceAt');
  });
});

describe('reconcile_flux_source', () => {
  it('reconciles a GitRepository and reports the fetched revision', async () => {
    await api.apply(gitRepository('plain', ns));
    const { text, structured } = await callTool(server.client, 'reconcile_flux_source', {
      kind: 'GitRepository',
      name: 'plain',
      namespace: ns,
    });
    expect(structured.result).toBe('ready');
    expect(text).toContain('fetched revision main@sha1:11111111');
  });

  it('says an OCI HelmRepository is static and changes nothing', async () => {
    await api.apply(
      helmRepository('static-oci', ns, { spec: { type: 'oci', url: 'oci://ghcr.io/example/charts' } }),
    );
    const before = await api.get(V.source, 'HelmRepository', ns, 'static-oci');
    const { result, structured, text } = await callTool(server.client, 'reconcile_flux_source', {
      kind: 'HelmRepository',
      name: 'static-oci',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.result).toBe('not-supported');
    expect(text).toContain('static HelmRepository (type oci)');
    const after = await api.get(V.source, 'HelmRepository', ns, 'static-oci');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('rejects a kind that is not a source', async () => {
    const { result, text } = await callTool(server.client, 'reconcile_flux_source', {
      kind: 'Kustomization',
      name: 'x',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('kind');
  });
});
