// What Helm's kube client does when it moves a release from one manifest to another
// (helm.sh/helm/v4 pkg/kube/client.go Update): each object of the new manifest is created when missing and
// updated otherwise, server-side applied or merged three ways (old manifest, live object, new manifest);
// then each object only the old manifest has is deleted, unless it says helm.sh/resource-policy: keep.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import { diffObjects, type FieldChange } from '../kube/json-diff.js';
import { labelOwner, managedFields, upgradeClientSideManager } from '../kube/managed-fields.js';
import {
  applyMergePatch,
  createMergePatch,
  isObject,
  threeWayMerge,
  type Json,
  type JsonObject,
} from '../kube/merge.js';
import { retryOnConflict } from '../kube/retry.js';
import type { KubeObject } from '../kube/types.js';
import {
  annotationOf,
  describeObject,
  MANAGED_BY_LABEL,
  objectKey,
  RESOURCE_POLICY_ANNOTATION,
  type ManifestObject,
} from './helm-manifest.js';

/** The field manager of helm-controller (its controller name). */
export const HELM_CONTROLLER_MANAGER = 'helm-controller';

/**
 * API groups client-go's scheme knows (k8s.io/client-go/kubernetes/scheme) plus apiextensions, which Helm
 * adds: objects of these get a strategic merge; any other kind a JSON merge patch (pkg/kube/converter.go).
 */
const NATIVE_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'internal.apiserver.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
  'apiextensions.k8s.io',
]);

export const OBJECT_ACTIONS = ['create', 'update', 'unchanged', 'delete', 'keep', 'gone'] as const;
export const OBJECT_RESULTS = ['done', 'dry-run', 'failed', 'not-run'] as const;

export const fieldChangeSchema = z.object({
  path: z.string(),
  op: z.enum(['add', 'remove', 'replace']),
  /** Short JSON of the value before and after; left out for Secret data. */
  before: z.string().optional(),
  after: z.string().optional(),
});

export const objectOutcomeSchema = z.object({
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  /** What happens to it: created, updated (or found unchanged), deleted, kept by its resource policy, already gone. */
  action: z.enum(OBJECT_ACTIONS),
  result: z.enum(OBJECT_RESULTS),
  changes: z.array(fieldChangeSchema).optional(),
  message: z.string().optional(),
});

export type ObjectOutcome = z.infer<typeof objectOutcomeSchema>;
export type ShownChange = z.infer<typeof fieldChangeSchema>;

const VALUE_MAX = 100;

function shortJson(v: Json | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = JSON.stringify(v);
  return s.length > VALUE_MAX ? `${s.slice(0, VALUE_MAX)}...` : s;
}

function isSecretData(kind: string, path: string): boolean {
  return kind === 'Secret' && /^(data|stringData)\b/.test(path);
}

/** Changes fit to show: values cut short, Secret values never. */
export function showChanges(kind: string, changes: FieldChange[]): ShownChange[] {
  return changes.map((c) => {
    const masked = isSecretData(kind, c.path);
    const before = masked ? undefined : shortJson(c.before);
    const after = masked ? undefined : shortJson(c.after);
    return { path: c.path, op: c.op, ...(before ? { before } : {}), ...(after ? { after } : {}) };
  });
}

export interface ReleaseApply {
  /** Server-side apply (Helm 4 `ssa`), else the three-way merge. */
  serverSideApply: boolean;
  /** Take over fields other managers own (helm-controller always forces; helm rollback only with --force-conflicts). */
  forceConflicts: boolean;
  dryRun: boolean;
  signal?: AbortSignal;
}

export interface ApplyResult {
  objects: ObjectOutcome[];
  /** Objects this run created (for cleanupOnFail). */
  created: ManifestObject[];
  /** The failures, joined as Helm joins them; undefined when everything went through. */
  error?: string;
  /** The field manager the changes were made under. */
  fieldManager: string;
}

async function getLive(
  cluster: Cluster,
  o: ManifestObject,
  signal?: AbortSignal,
): Promise<KubeObject | undefined> {
  try {
    return await cluster.get(o.resource, o.namespace, o.name, signal);
  } catch (err) {
    if (isKubeError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/**
 * The manager the release's objects are applied under: the one that owns their Helm ownership label, so a
 * field the new manifest drops is released by the manager that set it (helm-controller for releases Flux
 * made; helm after a manual helm upgrade). helm-controller when no object says.
 */
export function releaseFieldManager(live: (KubeObject | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const obj of live) {
    const owner = obj ? labelOwner(obj, MANAGED_BY_LABEL) : undefined;
    if (owner) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [m, n] of counts) if (best === undefined || n > counts.get(best)!) best = m;
  return best ?? HELM_CONTROLLER_MANAGER;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The object the three-way merge (or, for other kinds, the two-way JSON merge patch) leaves on the server. */
async function mergedObject(
  cluster: Cluster,
  target: ManifestObject,
  original: JsonObject,
  live: JsonObject,
  signal?: AbortSignal,
): Promise<JsonObject> {
  const modified = target.obj;
  if (!NATIVE_GROUPS.has(target.group)) {
    return applyMergePatch(live, createMergePatch(original, modified)) as JsonObject;
  }
  const schema = await cluster.openapi.patchSchema(
    target.resource.group,
    target.resource.version,
    target.resource.kind,
    signal,
  );
  return threeWayMerge(original, modified, live, schema);
}

/** The target applied server-side, as Helm 4 applies a release whose records say `ssa`. */
function serverSideApply(
  cluster: Cluster,
  target: ManifestObject,
  manager: string,
  opts: ReleaseApply,
): Promise<KubeObject> {
  return cluster.apply(target.resource, target.namespace, target.obj, {
    fieldManager: manager,
    force: opts.forceConflicts,
    fieldValidation: 'Strict',
    dryRun: opts.dryRun,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

interface Updated {
  /** The object as read before the attempt that went through. */
  before: KubeObject;
  /** What the server answered; undefined when there was nothing to change. */
  after?: KubeObject;
  /** Writes refused because the object changed since it was read, then read, merged and sent again. */
  conflicts: number;
}

/**
 * Updates one object as Helm does. The writes that carry the resourceVersion they were computed from (the
 * three-way merge patch, the managedFields upgrade before a server-side apply) fail with 409 when something
 * else changed the object in between (a controller writing a busy Deployment); they are then read, merged
 * and sent again, as client-go's retry.RetryOnConflict with retry.DefaultRetry does (src/kube/retry.ts).
 */
async function updateOne(
  cluster: Cluster,
  target: ManifestObject,
  original: JsonObject,
  first: KubeObject,
  manager: string,
  opts: ReleaseApply,
): Promise<Updated> {
  const signal = opts.signal;
  let conflicts = 0;
  const retry = { ...(signal ? { signal } : {}), onConflict: () => void (conflicts += 1) };
  /** The object as it is now: the one read before the first attempt, read again before each retry. */
  const read = async (n: number): Promise<KubeObject> => {
    if (n === 0) return first;
    const live = await getLive(cluster, target, signal);
    if (!live) throw new KubeError('NotFound', `${describeObject(target)} was deleted during the update`);
    return live;
  };
  if (opts.serverSideApply) {
    let before = first;
    if (!opts.dryRun) {
      await retryOnConflict(async (n) => {
        before = await read(n);
        const upgraded = upgradeClientSideManager(managedFields(before), manager);
        if (!upgraded) return;
        await cluster.patch(
          target.resource,
          target.namespace,
          target.name,
          [
            { op: 'replace', path: '/metadata/managedFields', value: upgraded },
            { op: 'replace', path: '/metadata/resourceVersion', value: before.metadata?.resourceVersion },
          ],
          { type: 'json', fieldManager: manager, ...(signal ? { signal } : {}) },
        );
      }, retry);
    }
    return { before, after: await serverSideApply(cluster, target, manager, opts), conflicts };
  }
  return retryOnConflict(async (n) => {
    const live = await read(n);
    const liveJson = live as unknown as JsonObject;
    const result = await mergedObject(cluster, target, original, liveJson, signal);
    const patch = createMergePatch(liveJson, result);
    if (Object.keys(patch).length === 0) return { before: live, conflicts };
    // The live object's version guards the patch: a change made since it was read fails it with a conflict.
    const meta = isObject(patch.metadata) ? patch.metadata : {};
    patch.metadata = { ...meta, resourceVersion: live.metadata?.resourceVersion ?? null };
    const after = await cluster.patch(target.resource, target.namespace, target.name, patch, {
      type: 'merge',
      fieldManager: manager,
      dryRun: opts.dryRun,
      ...(signal ? { signal } : {}),
    });
    return { before: live, after, conflicts };
  }, retry);
}

async function createOne(
  cluster: Cluster,
  target: ManifestObject,
  manager: string,
  opts: ReleaseApply,
): Promise<KubeObject> {
  const signal = opts.signal;
  if (opts.serverSideApply) return serverSideApply(cluster, target, manager, opts);
  return cluster.create(target.resource, target.namespace, target.obj as KubeObject, {
    fieldManager: manager,
    dryRun: opts.dryRun,
    ...(signal ? { signal } : {}),
  });
}

function outcome(
  o: ManifestObject,
  action: ObjectOutcome['action'],
  result: ObjectOutcome['result'],
  extra: Partial<ObjectOutcome> = {},
): ObjectOutcome {
  return {
    kind: o.kind,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    name: o.name,
    action,
    result,
    ...extra,
  };
}

/**
 * Moves the cluster from the `current` manifest's objects to the `target` manifest's, as Helm's Update does.
 * A failed create stops the run; failed updates are collected and stop the deletions; failed deletions are
 * collected. With dryRun, every request is a server-side dry run and nothing changes.
 */
export async function applyRelease(
  cluster: Cluster,
  current: ManifestObject[],
  target: ManifestObject[],
  opts: ReleaseApply,
): Promise<ApplyResult> {
  const signal = opts.signal;
  const originals = new Map(current.map((o) => [objectKey(o), o]));
  const targetKeys = new Set(target.map(objectKey));
  const liveCurrent = await Promise.all(current.map((o) => getLive(cluster, o, signal)));
  const fieldManager = releaseFieldManager(liveCurrent);
  const objects: ObjectOutcome[] = [];
  const created: ManifestObject[] = [];
  const errors: string[] = [];
  const done = opts.dryRun ? 'dry-run' : 'done';

  for (const t of target) {
    let live: KubeObject | undefined;
    try {
      live = await getLive(cluster, t, signal);
    } catch (err) {
      errors.push(`could not get information about ${describeObject(t)}: ${errorMessage(err)}`);
      objects.push(outcome(t, 'update', 'failed', { message: errorMessage(err) }));
      return { objects, created, error: errors.join(' && '), fieldManager };
    }
    const manager = (live && labelOwner(live, MANAGED_BY_LABEL)) || fieldManager;
    if (!live) {
      created.push(t);
      try {
        await createOne(cluster, t, manager, opts);
        objects.push(outcome(t, 'create', done));
      } catch (err) {
        objects.push(outcome(t, 'create', 'failed', { message: errorMessage(err) }));
        errors.push(`failed to create ${describeObject(t)}: ${errorMessage(err)}`);
        return { objects, created, error: errors.join(' && '), fieldManager };
      }
      continue;
    }
    // An object the old manifest did not have is merged against its live state (Helm 4).
    const original = originals.get(objectKey(t))?.obj ?? (live as unknown as JsonObject);
    try {
      const { before, after, conflicts } = await updateOne(cluster, t, original, live, manager, opts);
      const changes = after ? diffObjects(before as unknown as Json, after as unknown as Json) : [];
      const retried =
        conflicts > 0
          ? {
              message: `changed by someone else while this ran: read, merged and sent again ${conflicts === 1 ? 'once' : `${conflicts} times`}`,
            }
          : {};
      objects.push(
        changes.length === 0
          ? outcome(t, 'unchanged', done, retried)
          : outcome(t, 'update', done, { changes: showChanges(t.kind, changes), ...retried }),
      );
    } catch (err) {
      objects.push(outcome(t, 'update', 'failed', { message: errorMessage(err) }));
      errors.push(`failed to update ${describeObject(t)}: ${errorMessage(err)}`);
    }
  }
  const leaving = current.filter((o) => !targetKeys.has(objectKey(o)));
  if (errors.length > 0) {
    for (const o of leaving) objects.push(outcome(o, 'delete', 'not-run'));
    return { objects, created, error: errors.join(' && '), fieldManager };
  }
  for (const o of leaving) {
    let live: KubeObject | undefined;
    try {
      live = await getLive(cluster, o, signal);
    } catch (err) {
      // Helm skips an object it cannot read.
      objects.push(outcome(o, 'delete', 'failed', { message: `not read, left alone: ${errorMessage(err)}` }));
      continue;
    }
    if (!live) {
      objects.push(outcome(o, 'gone', done));
      continue;
    }
    if (annotationOf(live, RESOURCE_POLICY_ANNOTATION) === 'keep') {
      objects.push(outcome(o, 'keep', done, { message: `${RESOURCE_POLICY_ANNOTATION}: keep` }));
      continue;
    }
    try {
      await cluster.delete(o.resource, o.namespace, o.name, {
        propagationPolicy: 'Background',
        dryRun: opts.dryRun,
        ...(signal ? { signal } : {}),
      });
      objects.push(outcome(o, 'delete', done));
    } catch (err) {
      if (isKubeError(err, 'NotFound')) {
        objects.push(outcome(o, 'gone', done));
        continue;
      }
      objects.push(outcome(o, 'delete', 'failed', { message: errorMessage(err) }));
      errors.push(`failed to delete ${describeObject(o)}: ${errorMessage(err)}`);
    }
  }
  return { objects, created, ...(errors.length > 0 ? { error: errors.join(' && ') } : {}), fieldManager };
}

/** Deletes what a failed run created (spec.rollback.cleanupOnFail). */
export async function deleteCreated(
  cluster: Cluster,
  created: ManifestObject[],
  signal?: AbortSignal,
): Promise<string[]> {
  const errors: string[] = [];
  for (const o of created) {
    try {
      await cluster.delete(o.resource, o.namespace, o.name, {
        propagationPolicy: 'Background',
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 'NotFound'))
        errors.push(`${describeObject(o)}: ${errorMessage(err)}`);
    }
  }
  return errors;
}
