import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  fluxAtLeast,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { helmRelease, kustomization, readyStatus, V } from '../support/flux.js';
import { helmStorageSecret, historySnapshot, type ReleaseRecord } from '../support/helm.js';
import { deployment } from '../support/workloads.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let clusterRole: string;

interface Node {
  depth: number;
  kind: string;
  namespace?: string;
  name: string;
  status: string;
  message?: string;
  note?: string;
}

const inv = (id: string, v = 'v1') => ({ id, v });

function withInventory(entries: { id: string; v: string }[], revision = 'main@sha1:1') {
  return readyStatus(1, { lastAppliedRevision: revision, inventory: { entries } });
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'tree');
  clusterRole = `flux-tree:${ns}`;

  await api.apply(deployment('podinfo', ns, { image: 'ghcr.io/stefanprodan/podinfo:6.5.0' }));
  await api.apply(deployment('broken', ns, { image: 'ghcr.io/stefanprodan/podinfo:6.5.0', ready: false }));
  await api.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'podinfo', namespace: ns },
    spec: { ports: [{ port: 80 }] },
  });
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'infra-cm', namespace: ns },
    data: {},
  });
  await api.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: clusterRole },
    rules: [],
  });
  await api.apply({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'redis-master', namespace: ns },
    spec: {
      replicas: 1,
      serviceName: 'redis-headless',
      selector: { matchLabels: { app: 'redis' } },
      template: {
        metadata: { labels: { app: 'redis' } },
        spec: { containers: [{ name: 'redis', image: 'redis:7' }] },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      readyReplicas: 1,
      currentRevision: 'r1',
      updateRevision: 'r1',
    },
  });

  const release: ReleaseRecord = {
    name: 'redis',
    namespace: ns,
    revision: 2,
    chart: { name: 'redis', version: '18.1.0' },
    manifest: [
      '---',
      '# Source: redis/templates/headless-svc.yaml',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: redis-headless',
      '---',
      '# Source: redis/templates/master/statefulset.yaml',
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      'metadata:',
      '  name: redis-master',
      '',
    ].join('\n'),
  };
  await api.create(helmStorageSecret(ns, release));
  await api.apply({
    ...helmRelease('redis', ns),
    status: readyStatus(1, { storageNamespace: ns, history: [historySnapshot(release)] }),
  });

  await api.apply({
    ...kustomization('infra', ns),
    status: withInventory([
      inv(`${ns}_infra-cm__ConfigMap`),
      // The parent again: a loop that must not be followed.
      inv(`${ns}_apps_kustomize.toolkit.fluxcd.io_Kustomization`),
    ]),
  });
  await api.apply({
    ...kustomization('apps', ns),
    status: withInventory(
      [
        inv(`${ns}_apps_kustomize.toolkit.fluxcd.io_Kustomization`),
        inv(`${ns}_podinfo_apps_Deployment`),
        inv(`${ns}_podinfo__Service`),
        inv(`${ns}_podinfo-config__ConfigMap`),
        inv(`${ns}_broken_apps_Deployment`),
        inv(`_flux-tree__${ns}_rbac.authorization.k8s.io_ClusterRole`),
        inv(`${ns}_widget_example.com_Widget`),
        inv(`${ns}_infra_kustomize.toolkit.fluxcd.io_Kustomization`),
        inv(`${ns}_redis_helm.toolkit.fluxcd.io_HelmRelease`, 'v2'),
      ],
      'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef',
    ),
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.delete('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, clusterRole);
  await api?.close();
});

async function tree(args: Record<string, unknown>) {
  return callTool(server.client, 'get_flux_tree', args);
}

function line(nodes: Node[], kind: string, name: string): Node {
  const n = nodes.find((x) => x.kind === kind && x.name === name);
  if (!n) throw new Error(`no ${kind} ${name} in the tree`);
  return n;
}

describe('get_flux_tree', () => {
  it('lists the inventory in order, under the root, without the root itself', async () => {
    const { structured } = await tree({ name: 'apps', namespace: ns });
    const nodes = structured.nodes as Node[];
    expect(nodes.filter((n) => n.depth === 1).map((n) => `${n.kind}/${n.name}`)).toEqual([
      'Deployment/podinfo',
      'Service/podinfo',
      'ConfigMap/podinfo-config',
      'Deployment/broken',
      `ClusterRole/${clusterRole}`,
      'Widget/widget',
      'Kustomization/infra',
      'HelmRelease/redis',
    ]);
    expect(nodes[0]).toMatchObject({ depth: 0, kind: 'Kustomization', name: 'apps', status: 'ready' });
  });

  it('tells present, ready, not ready and missing objects apart', async () => {
    const { structured } = await tree({ name: 'apps', namespace: ns });
    const nodes = structured.nodes as Node[];
    expect(line(nodes, 'Deployment', 'podinfo').status).toBe('ready');
    expect(line(nodes, 'Service', 'podinfo').status).toBe('present');
    expect(line(nodes, 'ConfigMap', 'podinfo-config').status).toBe('missing');
    expect(line(nodes, 'Deployment', 'broken')).toMatchObject({
      status: 'not-ready',
      message: expect.stringMatching(/^ready 0\/1/),
    });
    expect(line(nodes, 'Widget', 'widget').status).toBe('unknown-kind');
  });

  it('reads a cluster-scoped object whose inventory name has a colon', async () => {
    const { structured } = await tree({ name: 'apps', namespace: ns });
    expect(line(structured.nodes as Node[], 'ClusterRole', clusterRole)).toMatchObject({ status: 'present' });
    expect(line(structured.nodes as Node[], 'ClusterRole', clusterRole).namespace).toBeUndefined();
  });

  it('recurses into a child Kustomization and does not follow a loop back to its parent', async () => {
    const { structured } = await tree({ name: 'apps', namespace: ns });
    const nodes = structured.nodes as Node[];
    const i = nodes.findIndex((n) => n.kind === 'Kustomization' && n.name === 'infra');
    expect(nodes.slice(i + 1, i + 3)).toEqual([
      expect.objectContaining({ depth: 2, kind: 'ConfigMap', name: 'infra-cm', status: 'present' }),
      expect.objectContaining({ depth: 2, kind: 'Kustomization', name: 'apps', note: 'already shown above' }),
    ]);
  });

  it('reads the objects of a HelmRelease from its Helm storage record, in the release namespace', async () => {
    const { structured } = await tree({ name: 'apps', namespace: ns });
    const nodes = structured.nodes as Node[];
    expect(line(nodes, 'HelmRelease', 'redis').note).toBe(
      `from Helm release redis revision 2 (Secret ${ns}/sh.helm.release.v1.redis.v2)`,
    );
    expect(
      nodes.filter((n) => n.depth === 2 && (n.name === 'redis-headless' || n.name === 'redis-master')),
    ).toEqual([
      expect.objectContaining({ kind: 'Service', namespace: ns, name: 'redis-headless', status: 'missing' }),
      expect.objectContaining({ kind: 'StatefulSet', namespace: ns, name: 'redis-master', status: 'ready' }),
    ]);
  });

  it('takes a HelmRelease as the root', async () => {
    const { structured } = await tree({ kind: 'HelmRelease', name: 'redis', namespace: ns });
    expect((structured.nodes as Node[]).map((n) => n.name)).toEqual([
      'redis',
      'redis-headless',
      'redis-master',
    ]);
  });

  it('counts the problems of the whole tree in its first line and indents children under their parent', async () => {
    const { text, structured } = await tree({ name: 'apps', namespace: ns });
    expect(structured.counts).toEqual({ total: 12, missing: 2, notReady: 1, notVisible: 0, unknownKind: 1 });
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      `Kustomization ${ns}/apps manages 12 objects (context admin): 2 missing, 1 not ready, 1 of a kind the cluster does not serve.`,
    );
    expect(lines[1]).toBe(`Kustomization ${ns}/apps  ready  rev main@sha1:3f2a9c1e`);
    expect(lines).toContain(`  ConfigMap ${ns}/podinfo-config  MISSING`);
    expect(lines).toContain(`    StatefulSet ${ns}/redis-master  ready`);
  });

  it('shows only objects with problems and the Flux objects above them when asked', async () => {
    const { structured } = await tree({ name: 'apps', namespace: ns, problems_only: true });
    expect((structured.nodes as Node[]).map((n) => `${n.depth} ${n.kind}/${n.name}`)).toEqual([
      '0 Kustomization/apps',
      '1 ConfigMap/podinfo-config',
      '1 Deployment/broken',
      '1 Widget/widget',
      '1 HelmRelease/redis',
      '2 Service/redis-headless',
    ]);
  });

  it('pages with offset and limit and says what is left, with how many problems', async () => {
    const first = await tree({ name: 'apps', namespace: ns, limit: 4 });
    expect(first.structured).toMatchObject({ remaining: 9, nextOffset: 4 });
    expect(first.text).toContain(
      '9 more objects not shown (3 of them with problems): call again with offset: 4, or problems_only: true',
    );
    const second = await tree({ name: 'apps', namespace: ns, offset: 4, limit: 100 });
    expect((second.structured.nodes as { index: number }[])[0]!.index).toBe(4);
    expect(second.structured.remaining).toBe(0);
  });

  it('is an error naming the object when the root does not exist', async () => {
    const { result, text } = await tree({ name: 'nope', namespace: ns });
    expect(result.isError).toBe(true);
    expect(text).toMatch(new RegExp(`^Kustomization ${ns}/nope not found in context admin \\(`));
  });
});

describe('get_flux_tree pages cut by size', () => {
  beforeAll(async () => {
    await api.apply({
      ...kustomization('big', ns),
      status: withInventory(
        Array.from({ length: 200 }, (_, i) => inv(`${ns}_big-${String(i).padStart(3, '0')}__ConfigMap`)),
      ),
    });
  });

  it('pages through a tree larger than the text budget: every object once, each page within about 3 KB', async () => {
    const seen: string[] = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const { structured, text } = await tree({ name: 'big', namespace: ns, offset });
      pages += 1;
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
      const nodes = structured.nodes as (Node & { index: number })[];
      expect(nodes[0]!.index).toBe(offset);
      seen.push(...nodes.map((n) => n.name));
      offset = structured.nextOffset as number | undefined;
      if (offset !== undefined) {
        expect(text.split('\n').at(-1)).toBe(
          `${structured.remaining} more objects not shown (${structured.remaining} of them with problems): call again with offset: ${offset}, or problems_only: true`,
        );
      }
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual([
      'big',
      ...Array.from({ length: 200 }, (_, i) => `big-${String(i).padStart(3, '0')}`),
    ]);
  });

  it('shows as many objects as limit asks for, past the size a page would otherwise keep to', async () => {
    const { structured } = await tree({ name: 'big', namespace: ns, limit: 201 });
    expect(structured.nodes).toHaveLength(201);
    expect(structured.remaining).toBe(0);
  });
});

describe('get_flux_tree for a user who cannot read everything', () => {
  beforeAll(async () => {
    await api.apply({
      ...kustomization('tree-team-a', RESTRICTED_NAMESPACE),
      status: withInventory([inv(`${ns}_podinfo_apps_Deployment`)]),
    });
  });

  afterAll(async () => {
    await api.delete(V.kustomization, 'Kustomization', RESTRICTED_NAMESPACE, 'tree-team-a');
  });

  it('marks objects in namespaces the user cannot read as not visible, not missing', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_tree', {
      name: 'tree-team-a',
      namespace: RESTRICTED_NAMESPACE,
      context: 'restricted',
    });
    expect((structured.nodes as Node[])[1]).toMatchObject({
      kind: 'Deployment',
      namespace: ns,
      status: 'not-visible',
    });
    expect(text).toContain(`  Deployment ${ns}/podinfo  not visible (forbidden)`);
    expect(text.split('\n')[0]).toContain('1 not visible');
  });
});

// helm-controller writes status.inventory from Flux 2.8 (Helm 4); the Flux 2.7 CRD has no such field.
describe.runIf(fluxAtLeast('2.8'))('get_flux_tree on a HelmRelease with status.inventory', () => {
  beforeAll(async () => {
    const release: ReleaseRecord = {
      name: 'cache',
      namespace: ns,
      revision: 1,
      manifest: ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: cache', ''].join('\n'),
    };
    await api.create(helmStorageSecret(ns, release));
    await api.apply({
      ...helmRelease('cache', ns),
      status: readyStatus(1, {
        storageNamespace: ns,
        history: [historySnapshot(release)],
        inventory: { entries: [inv(`${ns}_infra-cm__ConfigMap`)] },
      }),
    });
  });

  it('reads the objects from status.inventory rather than the Helm storage record', async () => {
    const { structured } = await tree({ kind: 'HelmRelease', name: 'cache', namespace: ns });
    const nodes = structured.nodes as Node[];
    expect(nodes[0]).toMatchObject({ kind: 'HelmRelease', name: 'cache', note: 'from status.inventory' });
    expect(nodes.slice(1)).toEqual([
      expect.objectContaining({
        depth: 1,
        kind: 'ConfigMap',
        namespace: ns,
        name: 'infra-cm',
        status: 'present',
      }),
    ]);
  });
});

describe('get_flux_tree on a HelmRelease whose first install is still running', () => {
  beforeAll(async () => {
    // helm-controller records the release in status.history when the action ends; until then Helm's
    // storage already has it, pending-install.
    const release: ReleaseRecord = {
      name: 'first',
      namespace: ns,
      revision: 1,
      status: 'pending-install',
      manifest: ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: first-settings', ''].join('\n'),
    };
    await api.create(helmStorageSecret(ns, release));
    await api.apply(helmRelease('first', ns));
  });

  it('reads the objects from the newest record in Helm storage, and says it is not in status.history yet', async () => {
    const { structured } = await tree({ kind: 'HelmRelease', name: 'first', namespace: ns });
    const nodes = structured.nodes as Node[];
    expect(nodes[0]!.note).toBe(
      `from Helm release first revision 1 (pending-install, Secret ${ns}/sh.helm.release.v1.first.v1; not yet in status.history)`,
    );
    expect(nodes.slice(1)).toEqual([
      expect.objectContaining({
        kind: 'ConfigMap',
        namespace: ns,
        name: 'first-settings',
        status: 'missing',
      }),
    ]);
  });
});
