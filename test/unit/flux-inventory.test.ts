import { describe, expect, it } from 'vitest';
import { parseInventoryId, readInventory } from '../../src/flux/inventory.js';
import type { KubeObject } from '../../src/kube/types.js';

describe('parseInventoryId', () => {
  it('splits a namespaced object of a named group', () => {
    expect(parseInventoryId('apps_podinfo_apps_Deployment', 'v1')).toEqual({
      namespace: 'apps',
      name: 'podinfo',
      group: 'apps',
      kind: 'Deployment',
      version: 'v1',
    });
  });

  it('reads an empty group as the core group', () => {
    expect(parseInventoryId('default_podinfo__Service')).toEqual({
      namespace: 'default',
      name: 'podinfo',
      group: '',
      kind: 'Service',
    });
  });

  it('reads an empty namespace as a cluster-scoped object', () => {
    expect(parseInventoryId('_podinfo__Namespace')).toEqual({
      namespace: '',
      name: 'podinfo',
      group: '',
      kind: 'Namespace',
    });
  });

  it('decodes double underscores in the name to colons', () => {
    expect(parseInventoryId('_system__controller__flux_rbac.authorization.k8s.io_ClusterRole')).toMatchObject(
      {
        name: 'system:controller:flux',
        group: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
      },
    );
  });

  it('keeps dots and dashes of names and groups', () => {
    expect(parseInventoryId('flux-system_my.app-1_kustomize.toolkit.fluxcd.io_Kustomization')).toMatchObject({
      namespace: 'flux-system',
      name: 'my.app-1',
      group: 'kustomize.toolkit.fluxcd.io',
    });
  });

  it('rejects ids with too few fields or a single underscore in the name', () => {
    expect(parseInventoryId('podinfo')).toBeUndefined();
    expect(parseInventoryId('apps_Deployment')).toBeUndefined();
    expect(parseInventoryId('apps_pod_info_apps_Deployment')).toBeUndefined();
  });
});

describe('readInventory', () => {
  it('parses every entry and keeps the ones it cannot parse apart', () => {
    const ks: KubeObject = {
      status: {
        inventory: {
          entries: [
            { id: 'apps_podinfo_apps_Deployment', v: 'v1' },
            { id: 'garbage', v: 'v1' },
          ],
        },
      },
    };
    expect(readInventory(ks)).toEqual({
      objects: [{ namespace: 'apps', name: 'podinfo', group: 'apps', kind: 'Deployment', version: 'v1' }],
      invalid: ['garbage'],
    });
  });

  it('is undefined for an object without inventory', () => {
    expect(readInventory({ status: {} })).toBeUndefined();
  });
});
