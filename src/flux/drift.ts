// Drift: how the live objects differ from what Flux would make them (docs/flux-semantics.md, Drift).
// HelmRelease: computed as helm-controller computes it (internal/action/diff.go with fluxcd/pkg
// ssa/jsondiff): each object of the latest release manifest, with Helm's ownership metadata and the release
// namespace, server-side applied in a dry run by helm-controller with force, and the result compared with
// the live object. Kustomization: the desired objects are not in the cluster, so only what the API shows:
// inventory objects that are missing, and fields other field managers own.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import { getNamed } from '../kube/get-named.js';
import { diffObjects, type FieldChange } from '../kube/json-diff.js';
import { fieldPaths, managedFields } from '../kube/managed-fields.js';
import type { Json, JsonObject } from '../kube/merge.js';
import { mapPool } from '../kube/pool.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { ignoredPaths, ignoreRuleSchema, removePaths, type IgnoreRule } from './drift-ignore.js';
import { FluxError } from './errors.js';
import { collectEvents } from './events.js';
import { fieldChangeSchema, HELM_CONTROLLER_MANAGER, showChanges } from './helm-apply.js';
import { getHelmReleaseObject } from './helm-history.js';
import { parseManifest, withOwnership } from './helm-manifest.js';
import { requireReleaseHistory } from './helm-records.js';
import { helmReleaseCoordinates } from './helm-release.js';
import { apiVersionFor, readInventory } from './inventory.js';
import { groupOf, versionOf } from './kinds.js';
import { resolveFluxKind } from './refs.js';
import { field, findCondition, stringField } from './status.js';

export const DRIFT_DETECTION_KEY = 'helm.toolkit.fluxcd.io/driftDetection';
const KUSTOMIZE_MANAGER = 'kustomize-controller';
const KUSTOMIZE_RECONCILE = 'kustomize.toolkit.fluxcd.io/reconcile';
const KUSTOMIZE_SSA = 'kustomize.toolkit.fluxcd.io/ssa';
const LAST_APPLIED = 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]';
const CONCURRENCY = 8;
const CHANGES_KEPT = 50;

export const DRIFT_STATES = ['in-sync', 'drifted', 'missing', 'excluded', 'not-checked'] as const;

export const fieldOwnerSchema = z.object({
  manager: z.string(),
  operation: z.string(),
  time: z.string().optional(),
  fields: z.array(z.string()),
  /** kustomize-controller takes these fields over at its next reconcile (kubectl, before-first-apply). */
  revertedByFlux: z.boolean(),
});

export const driftObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  state: z.enum(DRIFT_STATES),
  /** HelmRelease: field by field, what helm-controller's correction would change. */
  changes: z.array(fieldChangeSchema).optional(),
  /** Changes beyond those listed. */
  moreChanges: z.number().optional(),
  /** Kustomization: fields field managers other than kustomize-controller own. */
  owners: z.array(fieldOwnerSchema).optional(),
  message: z.string().optional(),
});

export const driftReportSchema = z.object({
  kind: z.enum(['HelmRelease', 'Kustomization']),
  namespace: z.string(),
  name: z.string(),
  /** What the live objects were compared with. */
  source: z.string(),
  /** HelmRelease: spec.driftDetection.mode (disabled when unset). */
  mode: z.string().optional(),
  ignoreRules: z.number(),
  counts: z.object({
    objects: z.number(),
    drifted: z.number(),
    missing: z.number(),
    excluded: z.number(),
    notChecked: z.number(),
  }),
  /** Objects that are not in sync (in-sync ones are only counted). */
  objects: z.array(driftObjectSchema),
  /** The Drifted condition helm-controller reports (Flux 2.9+). */
  condition: z
    .object({ status: z.string(), reason: z.string().optional(), message: z.string().optional() })
    .optional(),
  /** The newest DriftDetected events. */
  events: z.array(z.object({ time: z.string().optional(), message: z.string() })),
  notes: z.array(z.string()),
});

export type DriftObject = z.infer<typeof driftObjectSchema>;
export type DriftReport = z.infer<typeof driftReportSchema>;
type FieldOwner = z.infer<typeof fieldOwnerSchema>;

function meta(obj: JsonObject | KubeObject): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const m = (obj.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  return { labels: m.labels ?? {}, annotations: m.annotations ?? {} };
}

function optedOut(obj: JsonObject | KubeObject): boolean {
  const { labels, annotations } = meta(obj);
  return [labels[DRIFT_DETECTION_KEY], annotations[DRIFT_DETECTION_KEY]].some(
    (v) => v !== undefined && v.toLowerCase() === 'disabled',
  );
}

/**
 * fluxcd/pkg ssa/normalize: Secret stringData moved into data, container and Service ports without a
 * protocol given TCP (which the API server would otherwise read as another list key), status dropped.
 */
export function normalizeForDiff(obj: JsonObject): JsonObject {
  const out = structuredClone(obj);
  const kind = out.kind;
  const group = groupOf(typeof out.apiVersion === 'string' ? out.apiVersion : '');
  if (kind === 'Secret' && group === '' && out.stringData && typeof out.stringData === 'object') {
    const data = { ...((out.data ?? {}) as JsonObject) };
    for (const [k, v] of Object.entries(out.stringData as JsonObject))
      data[k] = Buffer.from(String(v)).toString('base64');
    out.data = data;
    delete out.stringData;
  }
  const defaultTcp = (ports: Json | undefined) => {
    if (!Array.isArray(ports)) return;
    for (const p of ports)
      if (p && typeof p === 'object' && !Array.isArray(p) && p.protocol === undefined) p.protocol = 'TCP';
  };
  const podSpec = (spec: Json | undefined) => {
    const containers = spec && typeof spec === 'object' && !Array.isArray(spec) ? spec.containers : undefined;
    if (Array.isArray(containers))
      for (const c of containers) if (c && typeof c === 'object' && !Array.isArray(c)) defaultTcp(c.ports);
  };
  const spec = out.spec as JsonObject | undefined;
  if (kind === 'Pod') podSpec(spec);
  else if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(String(kind)))
    podSpec(field(spec, 'template', 'spec') as Json);
  else if (kind === 'CronJob') podSpec(field(spec, 'jobTemplate', 'spec', 'template', 'spec') as Json);
  else if (kind === 'Service' && group === '') defaultTcp(spec?.ports);
  if (!(kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io')) delete out.status;
  return out;
}

/** jsondiff.Unstructured's comparison: labels and annotations added or changed, and all but metadata and status. */
export function driftChanges(live: JsonObject, dryRun: JsonObject, ignore: string[]): FieldChange[] {
  const a = removePaths(live, ignore);
  const b = removePaths(dryRun, ignore);
  const metaOf = (o: JsonObject) => ({
    labels: (field(o, 'metadata', 'labels') ?? {}) as Json,
    annotations: (field(o, 'metadata', 'annotations') ?? {}) as Json,
  });
  const metadata = diffObjects(
    { metadata: metaOf(a) },
    { metadata: metaOf(b) },
    { ignoreServerFields: false },
  ).filter((c) => c.op !== 'remove');
  const rest = (o: JsonObject) => {
    const { metadata: _m, status: _s, ...r } = o;
    return r;
  };
  return [...metadata, ...diffObjects(rest(a), rest(b), { ignoreServerFields: false })];
}

interface HelmObject {
  obj: JsonObject;
  kind: string;
  name: string;
  namespace?: string;
  resource?: ResourceType;
  problem?: string;
}

async function helmObjects(
  cluster: Cluster,
  manifest: string,
  releaseNamespace: string,
  release: string,
  signal?: AbortSignal,
): Promise<HelmObject[]> {
  const out: HelmObject[] = [];
  for (const raw of await parseManifest(manifest)) {
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
    const kind = typeof raw.kind === 'string' ? raw.kind : '';
    const name = stringField(raw, 'metadata', 'name') ?? '';
    const obj = withOwnership(raw, release, releaseNamespace);
    try {
      const resource = await cluster.discovery.resolve({ kind, apiVersion }, signal);
      let namespace: string | undefined;
      if (resource.namespaced) {
        namespace = stringField(raw, 'metadata', 'namespace') ?? releaseNamespace;
        obj.metadata = { ...(obj.metadata as JsonObject), namespace };
      }
      out.push({ obj: normalizeForDiff(obj), kind, name, ...(namespace ? { namespace } : {}), resource });
    } catch (err) {
      if (!isKubeError(err, 'UnknownKind')) throw err;
      out.push({ obj, kind, name, problem: `kind not served by the cluster: ${err.message}` });
    }
  }
  return out;
}

function driftObject(
  o: { kind: string; name: string; namespace?: string },
  state: DriftObject['state'],
  extra: Partial<DriftObject> = {},
): DriftObject {
  return { kind: o.kind, ...(o.namespace ? { namespace: o.namespace } : {}), name: o.name, state, ...extra };
}

async function helmObjectDrift(
  cluster: Cluster,
  o: HelmObject,
  rules: IgnoreRule[],
  signal?: AbortSignal,
): Promise<DriftObject> {
  if (o.problem || !o.resource)
    return driftObject(o, 'not-checked', { message: o.problem ?? 'unknown kind' });
  if (optedOut(o.obj))
    return driftObject(o, 'excluded', { message: `${DRIFT_DETECTION_KEY}: disabled in the manifest` });
  const apiVersion = String(o.obj.apiVersion ?? '');
  const ignore = ignoredPaths(rules, {
    group: groupOf(apiVersion),
    version: versionOf(apiVersion),
    kind: o.kind,
    name: o.name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...meta(o.obj),
  });
  if (ignore.includes(''))
    return driftObject(o, 'excluded', { message: 'an ignore rule excludes the whole object' });
  let live: KubeObject | undefined;
  try {
    live = await cluster.get(o.resource, o.namespace, o.name, signal);
  } catch (err) {
    if (isKubeError(err, 'Forbidden'))
      return driftObject(o, 'not-checked', { message: `not readable: ${err.message}` });
    if (!isKubeError(err, 'NotFound')) throw err;
  }
  if (live && optedOut(live))
    return driftObject(o, 'excluded', { message: `${DRIFT_DETECTION_KEY}: disabled on the object` });
  let dryRun: KubeObject;
  try {
    dryRun = await cluster.apply(o.resource, o.namespace, o.obj as KubeObject, {
      fieldManager: HELM_CONTROLLER_MANAGER,
      force: true,
      dryRun: true,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (!(err instanceof KubeError) || err.code === 'Cancelled' || err.code === 'Unreachable') throw err;
    const why =
      err.code === 'Forbidden'
        ? `a dry-run apply is forbidden (needs patch): ${err.message}`
        : `the dry-run apply failed: ${err.message}`;
    return driftObject(o, 'not-checked', { message: why });
  }
  if (!live || !dryRun.metadata?.resourceVersion)
    return driftObject(o, 'missing', { message: 'helm-controller would create it' });
  const changes = driftChanges(live as unknown as JsonObject, dryRun as unknown as JsonObject, ignore);
  if (changes.length === 0) return driftObject(o, 'in-sync');
  const shown = showChanges(o.kind, changes.slice(0, CHANGES_KEPT));
  return driftObject(o, 'drifted', {
    changes: shown,
    ...(changes.length > CHANGES_KEPT ? { moreChanges: changes.length - CHANGES_KEPT } : {}),
  });
}

function counts(objects: DriftObject[]): DriftReport['counts'] {
  const n = (s: DriftObject['state']) => objects.filter((o) => o.state === s).length;
  return {
    objects: objects.length,
    drifted: n('drifted'),
    missing: n('missing'),
    excluded: n('excluded'),
    notChecked: n('not-checked'),
  };
}

async function driftEvents(
  cluster: Cluster,
  kind: string,
  namespace: string,
  name: string,
  signal: AbortSignal,
  notes: string[],
): Promise<DriftReport['events']> {
  try {
    const answer = await collectEvents(cluster, { kind, namespace, name }, signal);
    return answer.events
      .filter((e) => e.reason === 'DriftDetected' && e.object.kind === kind && e.object.name === name)
      .slice(0, 5)
      .map((e) => ({ ...(e.time ? { time: e.time } : {}), message: e.message }));
  } catch (err) {
    if (!isKubeError(err, 'Forbidden')) throw err;
    notes.push(`events are not readable: ${err.message}`);
    return [];
  }
}

function ignoreRules(obj: KubeObject, ...path: string[]): IgnoreRule[] {
  const parsed = z.array(ignoreRuleSchema).safeParse(field(obj, ...path) ?? []);
  return parsed.success ? parsed.data : [];
}

export async function helmReleaseDrift(
  cluster: Cluster,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<DriftReport> {
  const hr = await getHelmReleaseObject(cluster, namespace, name, signal);
  const where = helmReleaseCoordinates(hr);
  const history = await requireReleaseHistory(
    cluster,
    where,
    `HelmRelease ${namespace}/${name}`,
    'drift is computed from the release manifest stored there',
    signal,
  );
  const latest = history.records.at(-1);
  if (!latest)
    throw new FluxError(
      `no Helm release ${where.release} in namespace ${where.storageNamespace}: nothing to compare with`,
    );
  const notes: string[] = [];
  if (latest.status !== 'deployed')
    notes.push(
      `the latest revision, v${latest.revision}, is ${latest.status}: helm-controller checks drift only on a deployed release; compared with its manifest anyway`,
    );
  const rules = ignoreRules(hr, 'spec', 'driftDetection', 'ignore');
  const objects = await helmObjects(
    cluster,
    latest.manifest,
    latest.namespace || where.namespace,
    latest.name,
    signal,
  );
  const results = await mapPool(objects, CONCURRENCY, (o) => helmObjectDrift(cluster, o, rules, signal));
  const mode = stringField(hr, 'spec', 'driftDetection', 'mode') ?? 'disabled';
  if (mode === 'disabled')
    notes.push(
      'drift detection is disabled on this HelmRelease: helm-controller neither reports nor corrects drift (set_flux_drift_detection enables it)',
    );
  const drifted = findCondition(hr, 'Drifted');
  return {
    kind: 'HelmRelease',
    namespace,
    name,
    source: `Helm release ${latest.name} v${latest.revision} (${latest.status}) in ${where.storageNamespace}`,
    mode,
    ignoreRules: rules.length,
    counts: counts(results),
    objects: results.filter((o) => o.state !== 'in-sync'),
    ...(drifted
      ? {
          condition: {
            status: drifted.status,
            ...(drifted.reason ? { reason: drifted.reason } : {}),
            ...(drifted.message ? { message: drifted.message } : {}),
          },
        }
      : {}),
    events: await driftEvents(cluster, 'HelmRelease', namespace, name, signal, notes),
    notes,
  };
}

/** The managers whose fields kustomize-controller takes over at its next apply (ApplyCleanupOptions). */
function revertedByKustomize(manager: string, operation: string | undefined): boolean {
  if (manager.startsWith('kubectl')) return true;
  return (
    operation === 'Update' &&
    (manager.startsWith('before-first-apply') || manager.startsWith(KUSTOMIZE_MANAGER))
  );
}

function fieldOwners(live: KubeObject, merge: boolean): FieldOwner[] {
  const owners: FieldOwner[] = [];
  for (const e of managedFields(live)) {
    const manager = e.manager ?? '';
    if (e.subresource === 'status') continue;
    if (manager === KUSTOMIZE_MANAGER && e.operation === 'Apply') continue;
    const fields = fieldPaths(e.fieldsV1 ?? {}).filter((p) => p !== LAST_APPLIED);
    if (fields.length === 0) continue;
    owners.push({
      manager,
      operation: e.operation ?? '',
      ...(e.time ? { time: e.time } : {}),
      fields,
      revertedByFlux: !merge && !e.subresource && revertedByKustomize(manager, e.operation),
    });
  }
  return owners;
}

export async function kustomizationDrift(
  cluster: Cluster,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<DriftReport> {
  const { resource } = await resolveFluxKind(cluster, 'Kustomization', undefined, signal);
  const ks = await getNamed(cluster, resource, namespace, name, signal);
  const notes = [
    'exact drift of a Kustomization needs its source (the manifests kustomize builds from Git or OCI), which the Kubernetes API does not hold: shown are the inventory objects that are missing and the fields other field managers own. kustomize-controller puts back what Git sets at its next reconcile; fields Git does not set and other managers own stay.',
  ];
  const inventory = readInventory(ks);
  if (!inventory)
    throw new FluxError(
      `Kustomization ${namespace}/${name} has no inventory in its status (nothing applied yet): nothing to compare with`,
    );
  if (inventory.invalid.length > 0)
    notes.push(`inventory entries not understood: ${inventory.invalid.join(', ')}`);
  const rules = ignoreRules(ks, 'spec', 'ignore');
  if (rules.length > 0)
    notes.push(`spec.ignore has ${rules.length} rule(s): kustomize-controller leaves those paths alone`);
  const results = await mapPool(inventory.objects, CONCURRENCY, async (o): Promise<DriftObject> => {
    const ref = { kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) };
    let r: ResourceType;
    try {
      const apiVersion = apiVersionFor(o);
      r = await cluster.discovery.resolve(
        apiVersion ? { kind: o.kind, apiVersion } : { kind: o.kind, group: o.group },
        signal,
      );
    } catch (err) {
      if (!isKubeError(err, 'UnknownKind')) throw err;
      return driftObject(ref, 'not-checked', { message: `kind not served by the cluster: ${err.message}` });
    }
    let live: KubeObject;
    try {
      live = await cluster.get(r, o.namespace || undefined, o.name, signal);
    } catch (err) {
      if (isKubeError(err, 'NotFound'))
        return driftObject(ref, 'missing', {
          message: 'kustomize-controller recreates it at its next reconcile',
        });
      if (isKubeError(err, 'Forbidden'))
        return driftObject(ref, 'not-checked', { message: `not readable: ${err.message}` });
      throw err;
    }
    const a = meta(live).annotations;
    if (a[KUSTOMIZE_RECONCILE]?.toLowerCase() === 'disabled')
      return driftObject(ref, 'excluded', {
        message: `${KUSTOMIZE_RECONCILE}: disabled: kustomize-controller leaves it alone`,
      });
    const ssa = a[KUSTOMIZE_SSA];
    if (ssa === 'Ignore' || ssa === 'IfNotPresent')
      return driftObject(ref, 'excluded', {
        message: `${KUSTOMIZE_SSA}: ${ssa}: kustomize-controller does not apply it while it exists`,
      });
    const owners = fieldOwners(live, ssa === 'Merge');
    if (owners.length === 0) return driftObject(ref, 'in-sync');
    return driftObject(ref, 'drifted', {
      owners,
      ...(ssa === 'Merge' ? { message: `${KUSTOMIZE_SSA}: Merge: fields of other managers are kept` } : {}),
    });
  });
  return {
    kind: 'Kustomization',
    namespace,
    name,
    source: `status.inventory (${inventory.objects.length} objects) and the field managers of each`,
    ignoreRules: rules.length,
    counts: counts(results),
    objects: results.filter((o) => o.state !== 'in-sync'),
    events: [],
    notes,
  };
}
