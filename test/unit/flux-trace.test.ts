import { describe, expect, it } from 'vitest';
import { managerOf } from '../../src/flux/trace.js';

const labelled = (labels: Record<string, string>) => ({ metadata: { labels } });

describe('managerOf', () => {
  it('prefers the Kustomization labels over the HelmRelease labels, as flux trace does', () => {
    expect(
      managerOf(
        labelled({
          'helm.toolkit.fluxcd.io/name': 'podinfo',
          'helm.toolkit.fluxcd.io/namespace': 'apps',
          'kustomize.toolkit.fluxcd.io/name': 'apps',
          'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
        }),
      ),
    ).toEqual({ kind: 'Kustomization', namespace: 'flux-system', name: 'apps' });
  });

  it('reads the Flux Operator labels of ResourceSets and FluxInstances', () => {
    expect(
      managerOf(
        labelled({
          'resourceset.fluxcd.controlplane.io/name': 'rs',
          'resourceset.fluxcd.controlplane.io/namespace': 'x',
        }),
      ),
    ).toEqual({ kind: 'ResourceSet', namespace: 'x', name: 'rs' });
    expect(
      managerOf(
        labelled({
          'fluxcd.controlplane.io/name': 'flux',
          'fluxcd.controlplane.io/namespace': 'flux-system',
        }),
      ),
    ).toEqual({ kind: 'FluxInstance', namespace: 'flux-system', name: 'flux' });
  });

  it('needs both name and namespace', () => {
    expect(managerOf(labelled({ 'kustomize.toolkit.fluxcd.io/name': 'apps' }))).toBeUndefined();
  });
});
