import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyTransforms,
  selects,
  strategicMerge,
} from '../../src/flux/kustomize-transforms.js';
import type { KubeObject } from '../../src/kube/types.js';

const deploy = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'ghcr.io/x/proxy@sha256:abc' },
        ],
      },
    },
  },
});
const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } };
const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } };

describe('JSON 6902 patches', () => {
  it('adds, replaces, removes, moves and copies', () => {
    const out = applyJsonPatch({ a: { b: 1 }, list: [1, 2] }, [
      { op: 'replace', path: '/a/b', value: 2 },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'move', from: '/c/b', path: '/d' },
      { op: 'remove', path: '/list/1' },
      { op: 'add', path: '/e~1f', value: true },
    ]);
    expect(out).toEqual({ a: { b: 2 }, list: [0, 2, 3], c: {}, d: 2, 'e/f': true });
  });

  it('refuses to replace what does not exist, and a failed test', () => {
    expect(() => applyJsonPatch({}, [{ op: 'replace', path: '/x', value: 1 }])).toThrow('/x does not exist');
    expect(() => applyJsonPatch({ x: 1 }, [{ op: 'test', path: '/x', value: 2 }])).toThrow('test failed');
  });
});

describe('strategic merge without the schema', () => {
  it('merges maps, lists of named items by name, and replaces other lists', () => {
    const out = strategicMerge(deploy(), {
      metadata: { labels: { tier: 'web' } },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'B', value: '2' }] }],
          },
        },
      },
    }) as KubeObject;
    const containers = (out.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
      .template.spec.containers;
    expect(out.metadata?.labels).toEqual({ app: 'web', tier: 'web' });
    expect(containers.map((c) => c.image)).toEqual(['nginx:1.27', 'ghcr.io/x/proxy@sha256:abc']);
    expect(containers[0]!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
  });

  it('deletes with null and $patch: delete', () => {
    const out = strategicMerge(deploy(), {
      metadata: { labels: null },
      spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    }) as KubeObject;
    expect(out.metadata?.labels).toBeUndefined();
    expect(JSON.stringify(out)).not.toContain('sidecar');
  });
});

describe('selectors', () => {
  it('match anchored regular expressions and label selectors', () => {
    const d = deploy();
    expect(selects({ kind: 'Deploy.*', group: 'apps' }, d)).toBe(true);
    expect(selects({ kind: 'Deploy' }, d)).toBe(false);
    expect(selects({ labelSelector: 'app=web' }, d)).toBe(true);
    expect(selects({ labelSelector: 'app!=web' }, d)).toBe(false);
    expect(selects({ group: '' }, configMap)).toBe(true);
  });
});

describe('the Kustomization transforms', () => {
  const namespaced = (o: KubeObject) => o.kind !== 'Namespace';

  it('set the target namespace on namespaced objects only, and prefix names but not namespaces', () => {
    const out = applyTransforms(
      [deploy(), namespace],
      { targetNamespace: 'apps', namePrefix: 'p-', nameSuffix: '-s', patches: [], images: [] },
      namespaced,
    );
    expect(out.map((o) => [o.metadata?.namespace, o.metadata?.name])).toEqual([
      ['apps', 'p-web-s'],
      [undefined, 'apps'],
    ]);
  });

  it('apply patches with and without targets, and refuse a patch whose object is not in the build', () => {
    const out = applyTransforms(
      [deploy(), configMap],
      {
        patches: [
          {
            patch: '[{"op": "replace", "path": "/spec/replicas", "value": 3}]',
            target: { kind: 'Deployment' },
          },
          { patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "1"\n' },
        ],
        images: [],
      },
      namespaced,
    );
    expect((out[0]!.spec as { replicas: number }).replicas).toBe(3);
    expect(out[1]!.data).toEqual({ a: '1' });
    expect(() =>
      applyTransforms(
        [configMap],
        { patches: [{ patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n' }], images: [] },
        namespaced,
      ),
    ).toThrow('no object of the build matches the strategic merge patch of ConfigMap other');
  });

  it('set images by name, with a new name, tag or digest', () => {
    const out = applyTransforms(
      [deploy()],
      {
        patches: [],
        images: [
          { name: 'nginx', newTag: '1.27' },
          { name: 'ghcr.io/x/proxy', newName: 'registry.local/proxy', digest: 'sha256:def' },
        ],
      },
      namespaced,
    );
    expect(JSON.stringify(out)).toContain('"image":"nginx:1.27"');
    expect(JSON.stringify(out)).toContain('"image":"registry.local/proxy@sha256:def"');
  });
});
