// Flux objects for tests, in API versions that every supported Flux release (2.7 to 2.9) serves.
import type { TestObject } from './api.js';

/**
 * The controller images `flux install` deploys for each release whose CRDs the test cluster can serve
 * (fluxcd/flux2 manifests/bases/<controller>/kustomization.yaml at the release tag).
 */
export const FLUX_CONTROLLERS: Record<string, Record<string, string>> = {
  'v2.7.5': {
    'source-controller': 'v1.7.4',
    'kustomize-controller': 'v1.7.3',
    'helm-controller': 'v1.4.5',
    'notification-controller': 'v1.7.5',
  },
  'v2.9.5': {
    'source-controller': 'v1.9.5',
    'kustomize-controller': 'v1.9.5',
    'helm-controller': 'v1.6.4',
    'notification-controller': 'v1.9.4',
  },
};

/** The labels `flux install` puts on every object it applies (fluxcd/flux2 pkg/manifestgen/install). */
export function fluxInstallLabels(release: string): Record<string, string> {
  return {
    'app.kubernetes.io/instance': 'flux-system',
    'app.kubernetes.io/part-of': 'flux',
    'app.kubernetes.io/version': release,
  };
}

export const V = {
  kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  helmRelease: 'helm.toolkit.fluxcd.io/v2',
  source: 'source.toolkit.fluxcd.io/v1',
  notification: 'notification.toolkit.fluxcd.io/v1',
  notificationBeta: 'notification.toolkit.fluxcd.io/v1beta3',
  image: 'image.toolkit.fluxcd.io/v1',
  sourceExtensions: 'source.extensions.fluxcd.io/v1beta1',
  operator: 'fluxcd.controlplane.io/v1',
} as const;

type Extra = {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec?: Record<string, unknown>;
};

function meta(name: string, namespace: string, extra: Extra) {
  return {
    name,
    namespace,
    ...(extra.labels ? { labels: extra.labels } : {}),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  };
}

export function gitRepository(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.source,
    kind: 'GitRepository',
    metadata: meta(name, namespace, extra),
    spec: { url: `https://example.com/${name}.git`, interval: '10m', ref: { branch: 'main' }, ...extra.spec },
  };
}

export function ociRepository(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.source,
    kind: 'OCIRepository',
    metadata: meta(name, namespace, extra),
    spec: { url: `oci://ghcr.io/example/${name}`, interval: '10m', ref: { tag: 'latest' }, ...extra.spec },
  };
}

export function bucket(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.source,
    kind: 'Bucket',
    metadata: meta(name, namespace, extra),
    spec: { bucketName: name, endpoint: 'minio.example.com', interval: '10m', ...extra.spec },
  };
}

export function helmRepository(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.source,
    kind: 'HelmRepository',
    metadata: meta(name, namespace, extra),
    spec: { url: `https://charts.example.com/${name}`, interval: '1h', ...extra.spec },
  };
}

export function helmChart(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.source,
    kind: 'HelmChart',
    metadata: meta(name, namespace, extra),
    spec: {
      chart: 'podinfo',
      version: '*',
      sourceRef: { kind: 'HelmRepository', name: 'charts' },
      interval: '10m',
      ...extra.spec,
    },
  };
}

export function kustomization(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.kustomization,
    kind: 'Kustomization',
    metadata: meta(name, namespace, extra),
    spec: {
      interval: '10m',
      path: `./apps/${name}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'repo' },
      ...extra.spec,
    },
  };
}

export function helmRelease(name: string, namespace: string, extra: Extra = {}): TestObject {
  return {
    apiVersion: V.helmRelease,
    kind: 'HelmRelease',
    metadata: meta(name, namespace, extra),
    spec: {
      interval: '10m',
      chart: { spec: { chart: name, version: '*', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
      ...extra.spec,
    },
  };
}

/** The status a Flux controller writes after a successful reconciliation. */
export function readyStatus(
  generation: number,
  extra: { revision?: string; message?: string; handled?: string } & Record<string, unknown> = {},
): Record<string, unknown> {
  const { revision, message, handled, ...rest } = extra;
  return {
    observedGeneration: generation,
    ...(handled ? { lastHandledReconcileAt: handled } : {}),
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'ReconciliationSucceeded',
        message: message ?? (revision ? `Applied revision: ${revision}` : 'Ready'),
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        observedGeneration: generation,
      },
    ],
    ...rest,
  };
}

/** The status a Flux controller writes after a failed reconciliation. */
export function failedStatus(
  generation: number,
  reason: string,
  message: string,
  extra: { since?: string } & Record<string, unknown> = {},
): Record<string, unknown> {
  const { since, ...rest } = extra;
  return {
    observedGeneration: generation,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason,
        message,
        lastTransitionTime: since ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        observedGeneration: generation,
      },
    ],
    ...rest,
  };
}
