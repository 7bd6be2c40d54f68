// One valid object of every Flux kind, for tests that go over all of them.
import type { TestObject } from './api.js';
import { apiVersionFor } from './controller.js';
import { FLUX_KINDS } from '../../src/flux/kinds.js';
import {
  bucket,
  gitRepository,
  helmChart,
  helmRelease,
  helmRepository,
  kustomization,
  ociRepository,
} from './flux.js';

const SPECS: Record<string, Record<string, unknown>> = {
  ExternalArtifact: {},
  Receiver: {
    type: 'generic',
    resources: [{ kind: 'GitRepository', name: 'repo' }],
    secretRef: { name: 'token' },
  },
  Alert: { eventSources: [{ kind: 'Kustomization', name: '*' }], providerRef: { name: 'slack' } },
  Provider: { type: 'slack' },
  ImageRepository: { image: 'ghcr.io/example/app', interval: '5m' },
  ImagePolicy: { imageRepositoryRef: { name: 'app' }, policy: { semver: { range: '>=1.0.0' } } },
  ImageUpdateAutomation: { interval: '5m', sourceRef: { kind: 'GitRepository', name: 'repo' } },
  ArtifactGenerator: {
    sources: [{ alias: 'repo', kind: 'GitRepository', name: 'repo' }],
    artifacts: [{ name: 'out', copy: [{ from: '@repo/**', to: '@artifact/' }] }],
  },
  FluxInstance: { distribution: { registry: 'ghcr.io/fluxcd', version: '2.7.x' } },
  FluxReport: { distribution: { entitlement: 'oss', status: 'Installed' } },
  ResourceSet: { resources: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }] },
  ResourceSetInputProvider: { type: 'Static' },
};

export function objectOfKind(kind: string, name: string, namespace: string): TestObject {
  switch (kind) {
    case 'GitRepository':
      return gitRepository(name, namespace);
    case 'OCIRepository':
      return ociRepository(name, namespace);
    case 'HelmRepository':
      return helmRepository(name, namespace);
    case 'HelmChart':
      return helmChart(name, namespace);
    case 'Bucket':
      return bucket(name, namespace);
    case 'Kustomization':
      return kustomization(name, namespace);
    case 'HelmRelease':
      return helmRelease(name, namespace);
  }
  const flux = FLUX_KINDS.find((k) => k.kind === kind);
  if (!flux) throw new Error(`no such Flux kind ${kind}`);
  return { apiVersion: apiVersionFor(flux), kind, metadata: { name, namespace }, spec: SPECS[kind] ?? {} };
}
