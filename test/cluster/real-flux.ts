// Flux objects that point at the loopback sources, for the real controllers (end-to-end tests and the
// sandbox), and a wait until a controller has made one Ready.
import { stringify } from 'yaml';
import type { TestApi, TestObject } from '../support/api.js';
import { V } from '../support/flux.js';

export function gitRepository(name: string, namespace: string, url: string): TestObject {
  return {
    apiVersion: V.source,
    kind: 'GitRepository',
    metadata: { name, namespace },
    spec: { url, interval: '1h', ref: { branch: 'main' }, timeout: '60s' },
  };
}

export function kustomization(
  name: string,
  namespace: string,
  spec: { path: string; source: string; dependsOn?: string[]; targetNamespace?: string },
): TestObject {
  return {
    apiVersion: V.kustomization,
    kind: 'Kustomization',
    metadata: { name, namespace },
    spec: {
      interval: '1h',
      retryInterval: '1h',
      path: spec.path,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: spec.source },
      ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
      ...(spec.dependsOn ? { dependsOn: spec.dependsOn.map((d) => ({ name: d })) } : {}),
    },
  };
}

export function helmRepository(name: string, namespace: string, url: string): TestObject {
  return {
    apiVersion: V.source,
    kind: 'HelmRepository',
    metadata: { name, namespace },
    spec: { url, interval: '1h' },
  };
}

export function helmRelease(
  name: string,
  namespace: string,
  spec: { chart: string; version: string; repository: string; values?: Record<string, unknown> },
): TestObject {
  return {
    apiVersion: V.helmRelease,
    kind: 'HelmRelease',
    metadata: { name, namespace },
    spec: {
      interval: '1h',
      releaseName: name,
      chart: {
        spec: {
          chart: spec.chart,
          version: spec.version,
          sourceRef: { kind: 'HelmRepository', name: spec.repository },
          interval: '1h',
        },
      },
      ...(spec.values ? { values: spec.values } : {}),
    },
  };
}

/** A ConfigMap manifest for a Git repository or a chart template. */
export function configMapYaml(name: string, data: Record<string, string>, namespace?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    data,
  });
}

export interface DeploymentSpec {
  image: string;
  /** The container's name (default: the Deployment's). */
  container?: string;
  replicas?: number;
  /** Pod annotations: flux-ops-mcp.test/crash-loop, oom-kill or never-ready make kwok fail it (test/cluster/kwok). */
  podAnnotations?: Record<string, string>;
}

/** A Deployment for a Git repository, its Pods labelled app=<name>, with an HTTP readiness probe. */
export function deploymentYaml(name: string, spec: DeploymentSpec): string {
  const container = spec.container ?? name;
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: spec.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          ...(spec.podAnnotations ? { annotations: spec.podAnnotations } : {}),
        },
        spec: {
          containers: [
            {
              name: container,
              image: spec.image,
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
              resources: { limits: { memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  });
}

/** The same Deployment as a chart template, named after the release. */
export function deploymentTemplate(spec: DeploymentSpec & { container: string }): string {
  return deploymentYaml('NAME', spec).replace(/NAME/g, '{{ .Release.Name }}');
}

export function kustomizationYaml(resources: string[]): string {
  return stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

/** For waitForObject: the object has a condition `type` with `status`, e.g. `hasCondition('Stalled', 'True')`. */
export function hasCondition(type: string, status: string): (obj: TestObject) => boolean {
  return (obj) =>
    ((obj.status?.conditions ?? []) as { type: string; status: string }[]).some(
      (c) => c.type === type && c.status === status,
    );
}

function ready(obj: TestObject): boolean {
  return hasCondition('Ready', 'True')(obj) && obj.status?.observedGeneration === obj.metadata.generation;
}

/**
 * Waits (test setup only) until the real controller has made the object Ready, or `until` holds.
 * Gives up after `timeoutMs` with the object's last status in the error.
 */
export async function waitForObject(
  api: TestApi,
  ref: Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'>,
  until: (obj: TestObject) => boolean = ready,
  timeoutMs = 60_000,
): Promise<TestObject> {
  const deadline = Date.now() + timeoutMs;
  let last: TestObject | undefined;
  while (Date.now() < deadline) {
    last = await api
      .get(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name)
      .catch(() => undefined);
    if (last && until(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${ref.kind} ${ref.metadata.namespace}/${ref.metadata.name} did not get there in ${timeoutMs} ms; status: ${JSON.stringify(last?.status)}`,
  );
}
