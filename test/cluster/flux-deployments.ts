// The Flux controllers that run as local processes (test/cluster/controllers.ts), seen as a cluster shows
// them: the Deployments `flux install` creates in flux-system, whose Pods run on the kwok node
// (test/cluster/pods.ts) and whose container logs are the processes' own output. So get_flux_instance finds
// the controllers Ready with their images, and get_kubernetes_logs reads a controller's log through the API
// server, as on a real cluster. Needs a cluster started with `pods: 'workloads'`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { TestApi, TestObject } from '../support/api.js';
import { fluxInstallLabels } from '../support/flux.js';
import { CONTROLLER_NAMES, type ControllerName, type ControllersInfo } from './controllers.js';
import { servePodLogs } from './pods.js';

const NAMESPACE = 'flux-system';

interface Container {
  name: string;
  image: string;
  args?: string[];
  [key: string]: unknown;
}

/**
 * A controller's Deployment as `flux install` writes it (fluxcd/flux2 manifests/bases/<controller>: the
 * module's config/manager/deployment.yaml, labelled app.kubernetes.io/component and part-of on the
 * Deployment and its Pods, the install labels of the release on the Deployment, the image
 * ghcr.io/fluxcd/<controller>:<version>, its service account, and source, kustomize and helm-controller
 * sending events to notification-controller).
 */
export function controllerDeployment(
  manifests: string,
  name: ControllerName,
  version: string,
  release: string,
): TestObject {
  const doc = parseAllDocuments(readFileSync(join(manifests, `${name}.yaml`), 'utf8'))
    .map((d) => d.toJS() as TestObject)
    .find((o) => o?.kind === 'Deployment');
  if (!doc) throw new Error(`no Deployment in ${join(manifests, `${name}.yaml`)}`);
  const component = { 'app.kubernetes.io/component': name, 'app.kubernetes.io/part-of': 'flux' };
  const spec = doc.spec as {
    template: { metadata: { labels?: Record<string, string> }; spec: { containers: Container[] } };
  };
  const containers = spec.template.spec.containers.map((c) =>
    c.name === 'manager'
      ? {
          ...c,
          image: `ghcr.io/fluxcd/${name}:${version}`,
          args:
            name === 'notification-controller'
              ? c.args
              : [
                  `--events-addr=http://notification-controller.${NAMESPACE}.svc.cluster.local./`,
                  ...(c.args ?? []),
                ],
        }
      : c,
  );
  return {
    ...doc,
    metadata: {
      ...doc.metadata,
      namespace: NAMESPACE,
      labels: { ...doc.metadata.labels, ...component, ...fluxInstallLabels(release) },
    },
    spec: {
      ...doc.spec,
      template: {
        ...spec.template,
        metadata: { ...spec.template.metadata, labels: { ...spec.template.metadata.labels, ...component } },
        spec: { ...spec.template.spec, serviceAccountName: name, containers },
      },
    },
  };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function available(dep: TestObject): boolean {
  const conditions = (dep.status?.conditions ?? []) as { type: string; status: string }[];
  return (
    dep.status?.observedGeneration === dep.metadata.generation &&
    conditions.some((c) => c.type === 'Available' && c.status === 'True') &&
    dep.status?.readyReplicas === (dep.spec?.replicas ?? 1)
  );
}

/**
 * Creates the controllers' Deployments (and service accounts) in flux-system, serves each Pod's `manager`
 * log from its controller's output, and waits until every Deployment is available.
 */
export async function deployControllers(
  api: TestApi,
  controllers: Pick<ControllersInfo, 'versions' | 'containerLogs' | 'release'>,
  manifests: string,
): Promise<void> {
  for (const name of CONTROLLER_NAMES) {
    const labels = { 'app.kubernetes.io/component': name, ...fluxInstallLabels(controllers.release) };
    await api.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace: NAMESPACE, labels },
    });
    await api.apply(controllerDeployment(manifests, name, controllers.versions[name], controllers.release));
  }
  await Promise.all(
    CONTROLLER_NAMES.map(async (name) => {
      const pod = await until(`a Pod of Deployment ${NAMESPACE}/${name}`, 60_000, async () => {
        const pods = await api.list('v1', 'Pod', NAMESPACE, `app=${name}`);
        return pods.find((p) => !p.metadata.deletionTimestamp);
      });
      await servePodLogs(
        api,
        { namespace: NAMESPACE, name: pod.metadata.name },
        { manager: { log: controllers.containerLogs[name] } },
      );
      await until(`Deployment ${NAMESPACE}/${name} to be available`, 60_000, async () =>
        available(await api.get('apps/v1', 'Deployment', NAMESPACE, name)) ? true : undefined,
      );
    }),
  );
}
