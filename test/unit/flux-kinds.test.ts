import { describe, expect, it } from 'vitest';
import { FLUX_KINDS, findFluxKind, fluxKindOf, isFluxGroup } from '../../src/flux/kinds.js';

describe('the Flux kind catalogue', () => {
  it('finds a kind by name, plural or short name, in any case', () => {
    expect(findFluxKind('kustomization')?.kind).toBe('Kustomization');
    expect(findFluxKind('helmreleases')?.kind).toBe('HelmRelease');
    expect(findFluxKind('HR')?.kind).toBe('HelmRelease');
    expect(findFluxKind('imgpol')?.kind).toBe('ImagePolicy');
  });

  it('does not know kinds outside Flux', () => {
    expect(findFluxKind('Deployment')).toBeUndefined();
  });

  it('matches a kind only in its own group', () => {
    expect(fluxKindOf('kustomize.toolkit.fluxcd.io', 'Kustomization')?.plural).toBe('kustomizations');
    expect(fluxKindOf('kustomize.config.k8s.io', 'Kustomization')).toBeUndefined();
  });

  it('suspends toolkit kinds through spec.suspend and operator kinds through an annotation', () => {
    expect(findFluxKind('GitRepository')?.suspend).toEqual({ type: 'spec' });
    expect(findFluxKind('FluxInstance')?.suspend).toMatchObject({
      type: 'annotation',
      key: 'fluxcd.controlplane.io/reconcile',
    });
    expect(findFluxKind('ExternalArtifact')?.suspend).toEqual({ type: 'none' });
  });

  it('marks Alert, Provider and ExternalArtifact as not reconcilable', () => {
    const notReconcilable = FLUX_KINDS.filter((k) => !k.reconcilable).map((k) => k.kind);
    expect(notReconcilable.sort()).toEqual(['Alert', 'ExternalArtifact', 'Provider']);
  });

  it('has unique names across kinds, plurals and short names', () => {
    const names = FLUX_KINDS.flatMap((k) => [k.kind.toLowerCase(), k.plural, ...k.shortNames]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('recognises Flux API groups', () => {
    expect(isFluxGroup('source.toolkit.fluxcd.io')).toBe(true);
    expect(isFluxGroup('fluxcd.controlplane.io')).toBe(true);
    expect(isFluxGroup('apps')).toBe(false);
  });
});
