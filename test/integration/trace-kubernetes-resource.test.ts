import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import {
  failedStatus,
  gitRepository,
  helmChart,
  helmRelease,
  helmRepository,
  kustomization,
  readyStatus,
} from '../support/flux.js';
import { deployment, runningPod } from '../support/workloads.js';

const REVISION = 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let sourceNs: string;

interface Step {
  kind: string;
  namespace: string;
  name: string;
  visibility: string;
  state?: string;
  reason?: string;
  revision?: string;
  sources: { role: string; kind: string; namespace: string; name: string; url?: string; revision?: string }[];
}

const byKustomization = (name: string, namespace: string) => ({
  'kustomize.toolkit.fluxcd.io/name': name,
  'kustomize.toolkit.fluxcd.io/namespace': namespace,
});

function ownedBy(owner: TestObject): Record<string, unknown>[] {
  return [
    {
      apiVersion: owner.apiVersion,
      kind: owner.kind,
      name: owner.metadata.name,
      uid: owner.metadata.uid as string,
      controller: true,
    },
  ];
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'trace');
  sourceNs = await testNamespace(api, 'trace-src');
  const fleetSource = { kind: 'GitRepository', name: 'fleet', namespace: sourceNs };

  await api.apply({
    ...gitRepository('fleet', sourceNs),
    status: readyStatus(1, {
      artifact: {
        digest: 'sha256:0',
        lastUpdateTime: '2026-03-01T00:00:00Z',
        path: 'x',
        revision: REVISION,
        url: 'http://x',
      },
    }),
  });
  await api.apply({
    ...kustomization('flux-system', ns, {
      labels: byKustomization('flux-system', ns),
      spec: { sourceRef: fleetSource },
    }),
    status: readyStatus(1, { lastAppliedRevision: REVISION }),
  });
  await api.apply({
    ...kustomization('apps', ns, {
      labels: byKustomization('flux-system', ns),
      spec: { sourceRef: fleetSource },
    }),
    status: failedStatus(
      1,
      'HealthCheckFailed',
      'health check failed after 5m0s: Deployment/podinfo not ready',
      {
        lastAppliedRevision: REVISION,
      },
    ),
  });
  await api.apply({ ...helmRepository('charts', ns), status: readyStatus(1) });
  await api.apply({
    ...helmChart(`${ns}-podinfo`, ns),
    status: readyStatus(1, {
      artifact: {
        digest: 'sha256:0',
        lastUpdateTime: '2026-03-01T00:00:00Z',
        path: 'x',
        revision: '6.5.0',
        url: 'http://x',
      },
    }),
  });
  await api.apply({
    ...helmRelease('podinfo', ns, { labels: byKustomization('apps', ns) }),
    status: readyStatus(1, {
      history: [
        {
          chartName: 'podinfo',
          chartVersion: '6.5.0',
          configDigest: 'sha256:1',
          digest: 'sha256:2',
          firstDeployed: '2026-03-01T00:00:00Z',
          lastDeployed: '2026-03-01T00:00:00Z',
          name: 'podinfo',
          namespace: ns,
          status: 'deployed',
          version: 1,
        },
      ],
    }),
  });
  const dep = await api.apply(
    deployment('podinfo', ns, {
      image: 'ghcr.io/stefanprodan/podinfo:6.5.0',
      labels: { 'helm.toolkit.fluxcd.io/name': 'podinfo', 'helm.toolkit.fluxcd.io/namespace': ns },
    }),
  );
  const rs = await api.apply({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'podinfo-7d9', namespace: ns, ownerReferences: ownedBy(dep) },
    spec: {
      selector: { matchLabels: { app: 'podinfo' } },
      template: {
        metadata: { labels: { app: 'podinfo' } },
        spec: { containers: [{ name: 'podinfo', image: 'podinfo' }] },
      },
    },
  });
  const pod = runningPod('podinfo-7d9-x2x7q', ns, { labels: { app: 'podinfo' } });
  await api.apply({ ...pod, metadata: { ...pod.metadata, ownerReferences: ownedBy(rs) } });
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'plain', namespace: ns },
    data: {},
  });
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'orphan', namespace: ns, labels: byKustomization('gone', ns) },
    data: {},
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function trace(args: Record<string, unknown>) {
  return callTool(server.client, 'trace_kubernetes_resource', args);
}

describe('trace_kubernetes_resource', () => {
  it('follows a Pod through its owners to the HelmRelease and up the Kustomizations to the root', async () => {
    const { structured } = await trace({ kind: 'Pod', name: 'podinfo-7d9-x2x7q', namespace: ns });
    expect(structured.owners).toEqual([
      { kind: 'ReplicaSet', namespace: ns, name: 'podinfo-7d9' },
      { kind: 'Deployment', namespace: ns, name: 'podinfo' },
    ]);
    expect((structured.chain as Step[]).map((s) => `${s.kind}/${s.name}`)).toEqual([
      'HelmRelease/podinfo',
      'Kustomization/apps',
      'Kustomization/flux-system',
    ]);
    expect(structured.managed).toBe(true);
  });

  it("gives each Flux object's status and revision, and its chart and source", async () => {
    const { structured } = await trace({ kind: 'Deployment', name: 'podinfo', namespace: ns });
    const [hr, apps] = structured.chain as Step[];
    expect(hr).toMatchObject({ state: 'Ready', revision: '6.5.0' });
    expect(hr!.sources).toEqual([
      expect.objectContaining({
        role: 'chart',
        kind: 'HelmChart',
        namespace: ns,
        name: `${ns}-podinfo`,
        revision: '6.5.0',
      }),
      expect.objectContaining({
        role: 'source',
        kind: 'HelmRepository',
        name: 'charts',
        url: 'https://charts.example.com/charts',
      }),
    ]);
    expect(apps).toMatchObject({ state: 'Failing', reason: 'HealthCheckFailed', revision: REVISION });
    expect(apps!.sources).toEqual([
      expect.objectContaining({
        role: 'source',
        kind: 'GitRepository',
        namespace: sourceNs,
        name: 'fleet',
        revision: REVISION,
      }),
    ]);
  });

  it('writes the chain one object per line, nearest first, with messages of objects that are not ready', async () => {
    const { text } = await trace({ kind: 'Deployment', name: 'podinfo', namespace: ns });
    expect(text.split('\n')).toEqual([
      `Deployment ${ns}/podinfo (context admin) is delivered by HelmRelease ${ns}/podinfo:`,
      `  1. HelmRelease ${ns}/podinfo  Ready  rev 6.5.0`,
      `     chart HelmChart ${ns}/${ns}-podinfo  Ready  rev 6.5.0`,
      `     source HelmRepository ${ns}/charts  Ready  https://charts.example.com/charts`,
      expect.stringMatching(
        new RegExp(
          `^  2\\. Kustomization ${ns}/apps  Failing HealthCheckFailed for \\S+  rev main@sha1:3f2a9c1e$`,
        ),
      ),
      '       health check failed after 5m0s: Deployment/podinfo not ready',
      `     source GitRepository ${sourceNs}/fleet  Ready  rev main@sha1:3f2a9c1e  https://example.com/fleet.git`,
      `  3. Kustomization ${ns}/flux-system  Ready  rev main@sha1:3f2a9c1e`,
      `     source GitRepository ${sourceNs}/fleet  Ready  rev main@sha1:3f2a9c1e  https://example.com/fleet.git`,
    ]);
  });

  it('traces a Flux object to the Flux objects above it', async () => {
    const { structured } = await trace({ kind: 'HelmRelease', name: 'podinfo', namespace: ns });
    expect((structured.chain as Step[]).map((s) => s.name)).toEqual(['apps', 'flux-system']);
  });

  it('says plainly that an object without owner labels is not managed by Flux, without an error', async () => {
    const { structured, text, result } = await trace({ kind: 'ConfigMap', name: 'plain', namespace: ns });
    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({ managed: false, chain: [] });
    expect(text).toBe(
      `ConfigMap ${ns}/plain (context admin) is not managed by Flux: it carries no kustomize.toolkit.fluxcd.io, helm.toolkit.fluxcd.io or Flux Operator owner labels.`,
    );
  });

  it('reports a manager named by labels that no longer exists, and what that likely means', async () => {
    const { structured, text } = await trace({ kind: 'ConfigMap', name: 'orphan', namespace: ns });
    expect(structured.chain).toEqual([
      expect.objectContaining({ kind: 'Kustomization', name: 'gone', visibility: 'not-found' }),
    ]);
    expect(text).toContain(
      "the object's labels name it, but it does not exist: the object may be left over from a deleted Kustomization",
    );
  });

  it('is an error when the object does not exist', async () => {
    const { result, text } = await trace({ kind: 'Deployment', name: 'nope', namespace: ns });
    expect(result.isError).toBe(true);
    expect(text).toBe(`Deployment ${ns}/nope not found in context admin`);
  });

  it('marks Flux objects the user cannot read as not visible', async () => {
    await api.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'trace-team-a',
        namespace: RESTRICTED_NAMESPACE,
        labels: byKustomization('apps', ns),
      },
      data: {},
    });
    try {
      const { structured, text } = await trace({
        kind: 'ConfigMap',
        name: 'trace-team-a',
        namespace: RESTRICTED_NAMESPACE,
        context: 'restricted',
      });
      expect(structured.chain).toEqual([
        expect.objectContaining({ kind: 'Kustomization', name: 'apps', visibility: 'not-visible' }),
      ]);
      expect(text).toContain(`  1. Kustomization ${ns}/apps  not visible (forbidden)`);
    } finally {
      await api.delete('v1', 'ConfigMap', RESTRICTED_NAMESPACE, 'trace-team-a');
    }
  });
});
