// What `flux check` and `flux version` look at (docs/flux-semantics.md, flux check and flux version): the
// controller Deployments labelled app.kubernetes.io/part-of=flux, their images and readiness, the Flux CRDs
// and their versions, the Kubernetes version, and the Flux Operator's FluxInstance and FluxReport when
// present.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import { deploymentHealth } from '../kube/health.js';
import { imageVersion, parseImage } from '../kube/images.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { findFluxKind, isFluxGroup, OPERATOR_GROUP } from './kinds.js';
import { field, stringField, summarizeFlux } from './status.js';

export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const VERSION_LABEL = 'app.kubernetes.io/version';
const FLUX_SELECTOR = `${PART_OF_LABEL}=flux`;
/** The CRD `flux check` reads the distribution version from. */
const VERSION_CRD = 'gitrepositories.source.toolkit.fluxcd.io';
/** Set on objects a Kustomization applied: the Flux installation is bootstrapped (managed from Git). */
const KUSTOMIZE_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
const KUSTOMIZE_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

/** Oldest Kubernetes each Flux minor supports (`flux check --pre`); minors not listed are not checked. */
const MIN_KUBERNETES: Record<string, string> = { '2.6': '1.31', '2.7': '1.32', '2.8': '1.33', '2.9': '1.33' };

export const controllerSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  ready: z.boolean(),
  message: z.string(),
  images: z.array(
    z.object({
      container: z.string(),
      image: z.string(),
      /** Last path segment of the image, e.g. source-controller. */
      name: z.string(),
      version: z.string(),
    }),
  ),
  /** The `app.kubernetes.io/version` label: the Flux distribution the manifest came from. */
  distribution: z.string().optional(),
});

export const crdInfoSchema = z.object({
  name: z.string(),
  group: z.string(),
  kind: z.string(),
  storageVersion: z.string().optional(),
  served: z.array(z.string()),
  deprecated: z.array(z.string()),
  /** `status.storedVersions`: versions objects may still be stored in. */
  storedVersions: z.array(z.string()),
  distribution: z.string().optional(),
});

export const operatorObjectSchema = z.object({
  kind: z.enum(['FluxInstance', 'FluxReport']),
  namespace: z.string(),
  name: z.string(),
  ready: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  revision: z.string().optional(),
  distribution: z.string().optional(),
});

export const installationSchema = z.object({
  context: z.string(),
  namespace: z.string(),
  kubernetesVersion: z.string().optional(),
  distribution: z.object({ version: z.string(), from: z.string() }).optional(),
  managedBy: z.string().optional(),
  controllers: z.array(controllerSchema),
  /** Undefined when the user may not list CRDs. */
  crds: z.array(crdInfoSchema).optional(),
  operator: z.array(operatorObjectSchema),
  problems: z.array(z.string()),
  /** What could not be read, and why. */
  notVisible: z.array(z.string()),
});

export type ControllerImage = Controller['images'][number];
export type Controller = z.infer<typeof controllerSchema>;
export type CrdInfo = z.infer<typeof crdInfoSchema>;
export type OperatorObject = z.infer<typeof operatorObjectSchema>;
export type Installation = z.infer<typeof installationSchema>;

async function kubernetesVersion(cluster: Cluster, signal: AbortSignal): Promise<string | undefined> {
  const v = await cluster.client.request<{ gitVersion?: string }>('GET', '/version', {
    signal,
    describe: { verb: 'get', resource: 'version' },
  });
  return v.gitVersion;
}

function controllerOf(dep: KubeObject): Controller {
  const health = deploymentHealth(dep);
  const containers = field(dep, 'spec', 'template', 'spec', 'containers');
  const images: ControllerImage[] = (Array.isArray(containers) ? containers : []).map((c: unknown) => {
    const image = stringField(c, 'image') ?? '';
    const ref = parseImage(image);
    return { container: stringField(c, 'name') ?? '', image, name: ref.name, version: imageVersion(ref) };
  });
  const distribution = dep.metadata?.labels?.[VERSION_LABEL];
  return {
    name: dep.metadata?.name ?? '',
    namespace: dep.metadata?.namespace ?? '',
    ready: health.ready === true,
    message: health.message,
    images,
    ...(distribution ? { distribution } : {}),
  };
}

function crdOf(crd: KubeObject): CrdInfo {
  const versions = field(crd, 'spec', 'versions');
  const list = Array.isArray(versions) ? versions : [];
  const served = list.filter((v) => field(v, 'served') === true).map((v) => String(field(v, 'name')));
  const deprecated = list.filter((v) => field(v, 'deprecated') === true).map((v) => String(field(v, 'name')));
  const storage = list.find((v) => field(v, 'storage') === true);
  const stored = field(crd, 'status', 'storedVersions');
  const distribution = crd.metadata?.labels?.[VERSION_LABEL];
  return {
    name: crd.metadata?.name ?? '',
    group: stringField(crd, 'spec', 'group') ?? '',
    kind: stringField(crd, 'spec', 'names', 'kind') ?? '',
    ...(storage ? { storageVersion: String(field(storage, 'name')) } : {}),
    served,
    deprecated,
    storedVersions: Array.isArray(stored) ? stored.map(String) : [],
    ...(distribution ? { distribution } : {}),
  };
}

function operatorObjectOf(obj: KubeObject, kind: OperatorObject['kind']): OperatorObject {
  const s = summarizeFlux(obj, findFluxKind(kind));
  // Both kinds name the Flux version in spec.distribution.version (a semver range for FluxInstance).
  const distribution = stringField(obj, 'spec', 'distribution', 'version');
  return {
    kind,
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    ready: s.ready,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.message ? { message: s.message } : {}),
    ...(s.revision ? { revision: s.revision } : {}),
    ...(distribution ? { distribution } : {}),
  };
}

/** `1.32` of `v1.32.4+k3s1`, as numbers for comparison. */
function minor(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function older(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** Problems an operator should act on, each a sentence that says what to do. */
export function installationProblems(i: Omit<Installation, 'problems'>): string[] {
  const problems: string[] = [];
  if (i.controllers.length === 0) {
    problems.push(
      `no Flux controllers in namespace ${i.namespace} (Deployments labelled ${FLUX_SELECTOR}); if Flux runs in another namespace, pass it as namespace`,
    );
  }
  for (const c of i.controllers.filter((c) => !c.ready)) {
    problems.push(`${c.name} is not ready (${c.message}); check its pods and get_kubernetes_logs`);
  }
  const labels = new Map<string, string[]>();
  for (const c of i.controllers)
    if (c.distribution) labels.set(c.distribution, [...(labels.get(c.distribution) ?? []), c.name]);
  for (const crd of i.crds ?? [])
    if (crd.distribution)
      labels.set(crd.distribution, [...(labels.get(crd.distribution) ?? []), `CRD ${crd.kind}`]);
  if (labels.size > 1) {
    const parts = [...labels].map(
      ([v, who]) =>
        `${v}: ${who.slice(0, 4).join(', ')}${who.length > 4 ? ` and ${who.length - 4} more` : ''}`,
    );
    problems.push(
      `mixed Flux versions (${VERSION_LABEL}): ${parts.join('; ')}; finish the upgrade so all components come from one release`,
    );
  }
  for (const crd of i.crds ?? []) {
    if (crd.storedVersions.length === 0) {
      problems.push(`CRD ${crd.name} has no stored versions; it is not usable (reinstall it)`);
      continue;
    }
    const old = crd.storedVersions.filter((v) => v !== crd.storageVersion);
    if (old.length > 0) {
      const why = old.map(
        (v) =>
          `${v} (${crd.served.includes(v) ? (crd.deprecated.includes(v) ? 'deprecated' : 'served') : 'no longer served'})`,
      );
      problems.push(
        `${crd.kind} objects may still be stored in ${why.join(', ')}: migrate them to ${crd.storageVersion ?? 'the storage version'} (flux migrate) before an upgrade drops that version`,
      );
    }
  }
  if (i.kubernetesVersion && i.distribution) {
    const fluxMinor = minor(i.distribution.version);
    const required = fluxMinor ? MIN_KUBERNETES[`${fluxMinor[0]}.${fluxMinor[1]}`] : undefined;
    const k8s = minor(i.kubernetesVersion);
    const min = required ? minor(required) : undefined;
    if (k8s && min && older(k8s, min)) {
      problems.push(
        `Kubernetes ${i.kubernetesVersion} is older than ${required}, the oldest Flux ${i.distribution.version} supports`,
      );
    }
  }
  for (const o of i.operator.filter((o) => o.ready === 'False')) {
    problems.push(`${o.kind} ${o.namespace}/${o.name} is not ready${o.message ? `: ${o.message}` : ''}`);
  }
  return problems;
}

async function listOrForbidden(
  cluster: Cluster,
  r: ResourceType,
  opts: { namespace?: string; labelSelector?: string },
  signal: AbortSignal,
): Promise<KubeObject[] | undefined> {
  try {
    return await cluster.listAll(r, { ...opts, signal });
  } catch (err) {
    if (isKubeError(err, 'Forbidden')) return undefined;
    throw err;
  }
}

async function operatorObjects(
  cluster: Cluster,
  namespace: string,
  signal: AbortSignal,
  notVisible: string[],
): Promise<OperatorObject[]> {
  const out: OperatorObject[] = [];
  for (const kind of ['FluxInstance', 'FluxReport'] as const) {
    let r: ResourceType;
    try {
      r = await cluster.discovery.resolve({ kind, group: OPERATOR_GROUP }, signal);
    } catch (err) {
      if (isKubeError(err, 'UnknownKind')) continue;
      throw err;
    }
    const items =
      (await listOrForbidden(cluster, r, {}, signal)) ??
      (await listOrForbidden(cluster, r, { namespace }, signal));
    if (!items) notVisible.push(`${kind} objects (forbidden)`);
    for (const item of items ?? []) out.push(operatorObjectOf(item, kind));
  }
  return out;
}

function distributionOf(
  crds: CrdInfo[] | undefined,
  controllers: Controller[],
  operator: OperatorObject[],
): Installation['distribution'] {
  const fromCrd =
    crds?.find((c) => c.name === VERSION_CRD)?.distribution ??
    crds?.find((c) => c.distribution)?.distribution;
  if (fromCrd) return { version: fromCrd, from: `CRD label ${VERSION_LABEL}` };
  const labels = [...new Set(controllers.map((c) => c.distribution).filter((v): v is string => Boolean(v)))];
  if (labels.length === 1) return { version: labels[0]!, from: `controller label ${VERSION_LABEL}` };
  const report = operator.find((o) => o.kind === 'FluxReport' && o.distribution);
  if (report?.distribution)
    return { version: report.distribution, from: `FluxReport ${report.namespace}/${report.name}` };
  return undefined;
}

export async function inspectInstallation(
  cluster: Cluster,
  namespace: string,
  signal: AbortSignal,
): Promise<Installation> {
  const notVisible: string[] = [];
  const [deploymentsType, crdType] = await Promise.all([
    cluster.discovery.resolve({ kind: 'Deployment', apiVersion: 'apps/v1' }, signal),
    cluster.discovery.resolve(
      { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1' },
      signal,
    ),
  ]);
  const [deployments, crdObjects, k8s, operator] = await Promise.all([
    cluster.listAll(deploymentsType, { namespace, labelSelector: FLUX_SELECTOR, signal }),
    listOrForbidden(cluster, crdType, {}, signal),
    kubernetesVersion(cluster, signal).catch((err: unknown) => {
      if (isKubeError(err, 'Forbidden')) return undefined;
      throw err;
    }),
    operatorObjects(cluster, namespace, signal, notVisible),
  ]);
  if (!crdObjects) notVisible.push('CustomResourceDefinitions (forbidden: the user may not list them)');
  if (k8s === undefined) notVisible.push('the Kubernetes version (forbidden)');
  const crds = crdObjects
    ?.filter(
      (c) =>
        isFluxGroup(stringField(c, 'spec', 'group') ?? '') || c.metadata?.labels?.[PART_OF_LABEL] === 'flux',
    )
    .map(crdOf)
    .sort((a, b) => a.group.localeCompare(b.group) || a.kind.localeCompare(b.kind));
  const controllers = deployments.map(controllerOf).sort((a, b) => a.name.localeCompare(b.name));
  if (controllers.length === 0 && crds && crds.length === 0 && operator.length === 0) {
    throw new FluxError(
      `Flux is not installed in context ${cluster.context}: no Flux CRDs, and no Flux controllers in namespace ${namespace}`,
    );
  }
  const versionCrd = crdObjects?.find((c) => c.metadata?.name === VERSION_CRD);
  const managedName = versionCrd?.metadata?.labels?.[KUSTOMIZE_NAME_LABEL];
  const managedNs = versionCrd?.metadata?.labels?.[KUSTOMIZE_NAMESPACE_LABEL];
  const base = {
    context: cluster.context,
    namespace,
    ...(k8s ? { kubernetesVersion: k8s } : {}),
    ...(managedName ? { managedBy: `Kustomization ${managedNs ?? ''}/${managedName}` } : {}),
    controllers,
    ...(crds ? { crds } : {}),
    operator,
    notVisible,
  };
  const distribution = distributionOf(crds, controllers, operator);
  const withDistribution = { ...base, ...(distribution ? { distribution } : {}) };
  return { ...withDistribution, problems: installationProblems(withDistribution) };
}
