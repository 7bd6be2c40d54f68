import { describe, expect, it } from 'vitest';
import { findFluxKind } from '../../src/flux/kinds.js';
import { dependencies, sourceChain } from '../../src/flux/refs.js';
import type { KubeObject } from '../../src/kube/types.js';

const ks = findFluxKind('Kustomization')!;
const hr = findFluxKind('HelmRelease')!;
const chart = findFluxKind('HelmChart')!;

const obj = (kind: string, spec: Record<string, unknown>): KubeObject => ({
  kind,
  metadata: { name: 'app', namespace: 'apps' },
  spec,
});

describe('sourceChain', () => {
  it('is the sourceRef of a Kustomization, in its own namespace by default', () => {
    expect(
      sourceChain(obj('Kustomization', { sourceRef: { kind: 'GitRepository', name: 'repo' } }), ks),
    ).toEqual([{ kind: 'GitRepository', namespace: 'apps', name: 'repo' }]);
  });

  it('uses the namespace of the sourceRef when it has one', () => {
    expect(
      sourceChain(
        obj('Kustomization', {
          sourceRef: { kind: 'OCIRepository', name: 'repo', namespace: 'flux-system' },
        }),
        ks,
      ),
    ).toEqual([{ kind: 'OCIRepository', namespace: 'flux-system', name: 'repo' }]);
  });

  it('refuses an ExternalArtifact source, which has no reconciler', () => {
    expect(
      sourceChain(obj('Kustomization', { sourceRef: { kind: 'ExternalArtifact', name: 'x' } }), ks),
    ).toEqual({
      error: 'cannot reconcile the source of Kustomization apps/app: kind ExternalArtifact has no reconciler',
    });
  });

  it('is the generated HelmChart <namespace>-<name> for a HelmRelease chart template, in the source namespace', () => {
    const release = obj('HelmRelease', {
      chart: {
        spec: {
          chart: 'podinfo',
          sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' },
        },
      },
    });
    expect(sourceChain(release, hr)).toEqual([
      { kind: 'HelmChart', namespace: 'flux-system', name: 'apps-app' },
    ]);
  });

  it('is the chartRef of a HelmRelease', () => {
    expect(
      sourceChain(obj('HelmRelease', { chartRef: { kind: 'OCIRepository', name: 'podinfo' } }), hr),
    ).toEqual([{ kind: 'OCIRepository', namespace: 'apps', name: 'podinfo' }]);
  });

  it('is the sourceRef of a HelmChart, always in the chart namespace', () => {
    expect(
      sourceChain(obj('HelmChart', { sourceRef: { kind: 'HelmRepository', name: 'charts' } }), chart),
    ).toEqual([{ kind: 'HelmRepository', namespace: 'apps', name: 'charts' }]);
  });
});

describe('dependencies', () => {
  it('defaults the namespace of each dependsOn entry to the object namespace', () => {
    expect(
      dependencies(
        obj('Kustomization', { dependsOn: [{ name: 'infra' }, { name: 'db', namespace: 'data' }] }),
        ks,
      ),
    ).toEqual([
      { kind: 'Kustomization', namespace: 'apps', name: 'infra' },
      { kind: 'Kustomization', namespace: 'data', name: 'db' },
    ]);
  });

  it('is empty without dependsOn', () => {
    expect(dependencies(obj('HelmRelease', {}), hr)).toEqual([]);
  });
});
