import { describe, expect, it } from 'vitest';
import { installationProblems, type CrdInfo, type Installation } from '../../src/flux/installation.js';

const crd = (over: Partial<CrdInfo> = {}): CrdInfo => ({
  name: 'kustomizations.kustomize.toolkit.fluxcd.io',
  group: 'kustomize.toolkit.fluxcd.io',
  kind: 'Kustomization',
  storageVersion: 'v1',
  served: ['v1', 'v1beta2'],
  deprecated: ['v1beta2'],
  storedVersions: ['v1'],
  ...over,
});

function install(over: Partial<Omit<Installation, 'problems'>> = {}): Omit<Installation, 'problems'> {
  return {
    context: 'prod',
    namespace: 'flux-system',
    controllers: [
      { name: 'source-controller', namespace: 'flux-system', ready: true, message: 'ready 1/1', images: [] },
    ],
    crds: [crd()],
    operator: [],
    notVisible: [],
    ...over,
  };
}

describe('installationProblems', () => {
  it('finds nothing wrong with a healthy installation', () => {
    expect(installationProblems(install())).toEqual([]);
  });

  it('says objects stored in a version that is no longer served need migrating', () => {
    const problems = installationProblems(
      install({ crds: [crd({ served: ['v1'], deprecated: [], storedVersions: ['v1beta1', 'v1'] })] }),
    );
    expect(problems).toEqual([
      'Kustomization objects may still be stored in v1beta1 (no longer served): migrate them to v1 (flux migrate) before an upgrade drops that version',
    ]);
  });

  it('says a CRD without stored versions is unusable', () => {
    expect(installationProblems(install({ crds: [crd({ storedVersions: [] })] }))[0]).toMatch(
      /has no stored versions/,
    );
  });

  it('compares controller and CRD release labels', () => {
    const problems = installationProblems(
      install({
        controllers: [
          {
            name: 'source-controller',
            namespace: 'flux-system',
            ready: true,
            message: '',
            images: [],
            distribution: 'v2.7.0',
          },
        ],
        crds: [crd({ distribution: 'v2.6.2' })],
      }),
    );
    expect(problems[0]).toMatch(
      /^mixed Flux versions \(app.kubernetes.io\/version\): v2.7.0: source-controller; v2.6.2: CRD Kustomization;/,
    );
  });

  it('flags a Kubernetes version older than the Flux release supports', () => {
    const problems = installationProblems(
      install({ kubernetesVersion: 'v1.30.2', distribution: { version: 'v2.7.1', from: 'CRD label' } }),
    );
    expect(problems).toEqual(['Kubernetes v1.30.2 is older than 1.32, the oldest Flux v2.7.1 supports']);
  });

  it('knows the Kubernetes minimum of every supported Flux release', () => {
    for (const [flux, k8s, min] of [
      ['v2.7.5', 'v1.31.9', '1.32'],
      ['v2.8.0', 'v1.32.4', '1.33'],
      ['v2.9.5', 'v1.32.4', '1.33'],
    ] as const) {
      expect(
        installationProblems(install({ kubernetesVersion: k8s, distribution: { version: flux, from: '' } })),
      ).toEqual([`Kubernetes ${k8s} is older than ${min}, the oldest Flux ${flux} supports`]);
    }
  });

  it('does not judge Kubernetes versions for Flux releases it has no minimum for', () => {
    expect(
      installationProblems(
        install({ kubernetesVersion: 'v1.20.0', distribution: { version: 'v2.5.0', from: '' } }),
      ),
    ).toEqual([]);
  });

  it('flags a FluxInstance that is not ready', () => {
    const problems = installationProblems(
      install({
        operator: [
          {
            kind: 'FluxInstance',
            namespace: 'flux-system',
            name: 'flux',
            ready: 'False',
            message: 'apply failed',
          },
        ],
      }),
    );
    expect(problems).toEqual(['FluxInstance flux-system/flux is not ready: apply failed']);
  });
});
