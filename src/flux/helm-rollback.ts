// The operations guide's emergency Helm rollback in one call, through the API: suspend the HelmRelease with
// the reason, then roll its Helm release back as `helm rollback <release> [revision] --force-conflicts
// --history-max <spec.maxHistory>` does (helm.sh/helm/v4 pkg/action/rollback.go, v3 likewise): a new
// pending-rollback record, the target's objects applied, objects only the current revision has deleted, the
// deployed revisions superseded, the new one deployed. Hooks are not run.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import type { KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';
import { applyRelease, objectOutcomeSchema, type ApplyResult } from './helm-apply.js';
import { getHelmReleaseObject, isRollbackCandidate } from './helm-history.js';
import { buildManifest, withOwnership } from './helm-manifest.js';
import {
  createLabels,
  flavorOf,
  normalizeRecord,
  requireReleaseHistory,
  readStoredRelease,
  releaseSelector,
  rollbackRecord,
  ROLLBACK_HOOK_EVENTS,
  secretResource,
  storageSecret,
  updateLabels,
  userLabels,
  withStatus,
  type RecordFlavor,
  type StoredRelease,
} from './helm-records.js';
import { helmReleaseCoordinates, historySnapshots, upgradesUnrecordedRevision } from './helm-release.js';
import { helmStorageSecretName } from './helm-storage.js';
import { HELM_GROUP } from './kinds.js';
import { stringField } from './status.js';
import { suspend } from './suspend.js';

export const rollbackOutcomeSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  release: z.string(),
  releaseNamespace: z.string(),
  storageNamespace: z.string(),
  result: z.enum(['rolled-back', 'failed', 'dry-run']),
  fromRevision: z.number(),
  targetRevision: z.number(),
  /** The revision the rollback writes: fromRevision + 1. */
  newRevision: z.number(),
  /** No revision was asked for: the previous one, as helm rollback picks it. */
  defaultTarget: z.boolean(),
  applyMethod: z.enum(['server-side apply', 'three-way merge']),
  fieldManager: z.string(),
  suspend: z.object({
    result: z.enum(['suspended', 'already-suspended', 'dry-run']),
    message: z.string(),
  }),
  objects: z.array(objectOutcomeSchema),
  storage: z.object({
    /** The new record's Secret. */
    record: z.string(),
    /** Its status now: deployed, failed, or pending-rollback when the run stopped half way. */
    status: z.string(),
    superseded: z.array(z.number()),
    pruned: z.array(z.number()),
  }),
  hooks: z.object({
    /** The target's pre-rollback and post-rollback hooks, not run. */
    skipped: z.array(z.string()),
    /** Its other hooks (install, upgrade, test...), which a rollback does not run anyway. */
    others: z.number(),
  }),
  error: z.string().optional(),
  /** What resuming the HelmRelease will do. */
  resume: z.string(),
});

export type RollbackOutcome = z.infer<typeof rollbackOutcomeSchema>;

export interface RollbackRequest {
  namespace: string;
  name: string;
  revision?: number;
  reason?: string;
  who: string;
  dryRun: boolean;
}

function targetList(records: StoredRelease[], current: StoredRelease): string {
  const good = records
    .filter((r) => r.revision !== current.revision && isRollbackCandidate(r))
    .map((r) => `v${r.revision} (${r.status}${r.chartVersion ? `, chart ${r.chartVersion}` : ''})`)
    .reverse();
  return good.length > 0
    ? `Roll back to one of these with revision: ${good.join(', ')}.`
    : 'No stored revision is a rollback target (deployed or superseded, with its chart).';
}

/** Refuses a target `helm rollback` would take but that is no good: failed, pending, or without its chart. */
function chooseTarget(
  records: StoredRelease[],
  current: StoredRelease,
  revision: number | undefined,
): StoredRelease {
  const wanted = revision ?? current.revision - 1;
  const which =
    revision === undefined
      ? `the previous revision, v${wanted}, which helm rollback picks by default,`
      : `v${wanted}`;
  const target = records.find((r) => r.revision === wanted);
  if (!target)
    throw new FluxError(
      `release ${current.name} has no revision ${wanted} in Helm storage; nothing was changed. ${targetList(records, current)}`,
    );
  if (target.revision === current.revision)
    throw new FluxError(
      `v${wanted} is the newest revision, not a rollback target; nothing was changed. ${targetList(records, current)}`,
    );
  if (!isRollbackCandidate(target)) {
    const why = target.hasChart ? `is ${target.status}` : 'has no chart stored';
    throw new FluxError(
      `${which} ${why}, so rolling back to it would not restore a working release; nothing was changed. ${targetList(records, current)}`,
    );
  }
  return target;
}

function hookSummary(target: StoredRelease): RollbackOutcome['hooks'] {
  const skipped = target.hooks
    .filter((h) => h.events.some((e) => ROLLBACK_HOOK_EVENTS.includes(e)))
    .map((h) => `${h.events.filter((e) => ROLLBACK_HOOK_EVENTS.includes(e)).join(',')} ${h.kind}/${h.name}`);
  return { skipped, others: target.hooks.length - skipped.length };
}

/** What helm-controller does on resume with a revision it did not make (docs/flux-semantics.md, Helm rollback). */
export function resumeEffect(
  hr: KubeObject,
  target: StoredRelease,
  newRevision: number,
  servedHelmVersions: readonly string[],
): string {
  const latest = historySnapshots(hr)[0];
  const fix =
    'Fix Git first (revert the change, or pin spec.chart.spec.version to a good chart), then resume with resume_flux_reconciliation.';
  if (!latest)
    return `helm-controller has not recorded this release (status.history is empty): on resume it takes the release over and upgrades it to the chart and values of the HelmRelease. ${fix}`;
  if (upgradesUnrecordedRevision(latest, servedHelmVersions))
    return `On resume, helm-controller finds revision ${newRevision}, which it did not make (it recorded v${latest.version}), and upgrades the release back to the chart and values of the HelmRelease: resuming before Git is fixed brings the broken version back. ${fix}`;
  const sameChart = latest.chartName === target.chartName && latest.chartVersion === target.chartVersion;
  return sameChart
    ? `helm-controller recorded v${latest.version} before Flux 2.8 (no apiVersion), and this helm-controller (Flux 2.8+) does not check who made a revision against such a record: with the chart version unchanged (${target.chartVersion ?? '?'}) it keeps revision ${newRevision} on resume until the chart or values of the HelmRelease change, and then upgrades. ${fix}`
    : `On resume, helm-controller sees chart ${target.chartName ?? '?'} ${target.chartVersion ?? '?'} where the HelmRelease asks for ${latest.chartVersion ?? '?'} and upgrades back to it. ${fix}`;
}

/** Helm's removeLeastRecent: the oldest records until max - 1 remain before a new one, never the deployed one. */
export function recordsToPrune(records: StoredRelease[], maxHistory: number): StoredRelease[] {
  const maximum = maxHistory - 1;
  if (maxHistory <= 0 || records.length <= maximum) return [];
  const sorted = [...records].sort((a, b) => a.revision - b.revision);
  const deployed = sorted.filter((r) => r.labels.status === 'deployed').at(-1);
  const out: StoredRelease[] = [];
  for (const r of sorted) {
    if (sorted.length - out.length === maximum) break;
    if (!deployed || r.revision !== deployed.revision) out.push(r);
  }
  return out;
}

interface Storage {
  cluster: Cluster;
  namespace: string;
  flavor: RecordFlavor;
  signal?: AbortSignal;
}

async function writeRecord(
  s: Storage,
  json: Record<string, unknown>,
  labels: Record<string, string>,
  how: 'create' | 'replace',
): Promise<void> {
  const secrets = await secretResource(s.cluster, s.signal);
  const name = helmStorageSecretName(String(json.name), Number(json.version));
  const body = storageSecret(name, s.namespace, normalizeRecord(json, s.flavor), labels);
  const opts = s.signal ? { signal: s.signal } : {};
  if (how === 'create') await s.cluster.create(secrets, s.namespace, body, opts);
  else await s.cluster.replace(secrets, s.namespace, body, opts);
}

/** Helm's DeployedAll: the records labelled deployed, read now. */
async function deployedRecords(s: Storage, release: string): Promise<StoredRelease[]> {
  const secrets = await secretResource(s.cluster, s.signal);
  const items = await s.cluster.listAll(secrets, {
    namespace: s.namespace,
    labelSelector: `${releaseSelector(release)},status=deployed`,
    ...(s.signal ? { signal: s.signal } : {}),
  });
  return items.map(readStoredRelease);
}

export async function rollbackHelmRelease(
  cluster: Cluster,
  req: RollbackRequest,
  signal?: AbortSignal,
): Promise<RollbackOutcome> {
  const hr = await getHelmReleaseObject(cluster, req.namespace, req.name, signal);
  const ref = `HelmRelease ${req.namespace}/${req.name}`;
  if (hr.metadata?.deletionTimestamp) throw new FluxError(`${ref} is being deleted; nothing was changed`);
  if (
    stringField(hr, 'spec', 'kubeConfig', 'secretRef', 'name') ||
    stringField(hr, 'spec', 'kubeConfig', 'configMapRef', 'name')
  )
    throw new FluxError(
      `${ref} deploys to another cluster (spec.kubeConfig): its Helm release is not in context ${cluster.context}; nothing was changed`,
    );
  const where = helmReleaseCoordinates(hr);
  const history = await requireReleaseHistory(cluster, where, ref, 'nothing was changed', signal);
  const records = history.records;
  const current = records.at(-1);
  if (!current)
    throw new FluxError(
      `no Helm release ${where.release} in namespace ${where.storageNamespace}; nothing to roll back, nothing was changed`,
    );
  if (current.status.startsWith('pending-'))
    throw new FluxError(
      `revision ${current.revision} of release ${where.release} is ${current.status}: a Helm action is in progress; wait until it ends (or suspend ${ref} and let it finish), then try again. Nothing was changed`,
    );
  const target = chooseTarget(records, current, req.revision);
  const flavor = flavorOf(current);
  // Helm 3 has no server-side apply; Helm 4 reuses the target's method ("auto"), client-side when unset.
  const serverSideApply = flavor === 'helm4' && target.applyMethod === 'ssa';
  const currentObjects = await buildManifest(cluster, current.manifest, where.namespace, signal);
  const targetObjects = (await buildManifest(cluster, target.manifest, where.namespace, signal)).map((o) => ({
    ...o,
    obj: withOwnership(o.obj, where.release, where.namespace),
  }));

  // Everything the rollback will change must be allowed before the first change (--allowed-namespaces).
  const secrets = await secretResource(cluster, signal);
  cluster.assertWritable(secrets, where.storageNamespace);
  for (const o of [...currentObjects, ...targetObjects]) cluster.assertWritable(o.resource, o.namespace);

  const suspended = await suspend(
    cluster,
    {
      kind: 'HelmRelease',
      namespace: req.namespace,
      name: req.name,
      dryRun: req.dryRun,
      reason: req.reason ?? `Helm rollback to revision ${target.revision}`,
      who: req.who,
    },
    signal ?? new AbortController().signal,
  );
  const suspendResult = suspended.objects[0]!;
  const newRevision = current.revision + 1;
  const recordName = helmStorageSecretName(where.release, newRevision);
  const storage: Storage = {
    cluster,
    namespace: where.storageNamespace,
    flavor,
    ...(signal ? { signal } : {}),
  };
  const pruned = recordsToPrune(records, where.maxHistory);
  const helmVersions = await cluster.discovery.versions(HELM_GROUP, signal);
  const base = {
    namespace: req.namespace,
    name: req.name,
    release: where.release,
    releaseNamespace: where.namespace,
    storageNamespace: where.storageNamespace,
    fromRevision: current.revision,
    targetRevision: target.revision,
    newRevision,
    defaultTarget: req.revision === undefined,
    applyMethod: serverSideApply ? ('server-side apply' as const) : ('three-way merge' as const),
    suspend: {
      result: suspendResult.result as RollbackOutcome['suspend']['result'],
      message: suspendResult.message,
    },
    hooks: hookSummary(target),
    resume: resumeEffect(hr, target, newRevision, helmVersions),
  };
  const applyOpts = { serverSideApply, forceConflicts: true, ...(signal ? { signal } : {}) };

  if (req.dryRun) {
    const plan = await applyRelease(cluster, currentObjects, targetObjects, { ...applyOpts, dryRun: true });
    const deployed = records.filter((r) => r.labels.status === 'deployed').map((r) => r.revision);
    return {
      ...base,
      result: 'dry-run',
      fieldManager: plan.fieldManager,
      objects: plan.objects,
      storage: {
        record: recordName,
        status: 'pending-rollback',
        superseded: deployed,
        pruned: pruned.map((r) => r.revision),
      },
      ...(plan.error ? { error: plan.error } : {}),
    };
  }

  const now = new Date();
  const record = rollbackRecord({ current, target, flavor, serverSideApply, now });
  for (const r of pruned)
    await cluster.delete(secrets, where.storageNamespace, r.secret, signal ? { signal } : {});
  try {
    await writeRecord(storage, record, createLabels(record, target.labels, now), 'create');
  } catch (err) {
    if (isKubeError(err, 'AlreadyExists'))
      throw new FluxError(
        `revision ${newRevision} of release ${where.release} appeared meanwhile (another Helm action?); the cluster objects were not changed`,
      );
    throw err;
  }

  const applied: ApplyResult = await applyRelease(cluster, currentObjects, targetObjects, {
    ...applyOpts,
    dryRun: false,
  });
  const releaseLabels = userLabels(target.labels);
  if (applied.error) {
    const failedRecord = withStatus(record, 'failed', `Rollback "${where.release}" failed: ${applied.error}`);
    const supersededCurrent = withStatus(current.json, 'superseded');
    await writeRecord(
      storage,
      supersededCurrent,
      updateLabels(supersededCurrent, current.labels, new Date()),
      'replace',
    );
    await writeRecord(
      storage,
      failedRecord,
      updateLabels(failedRecord, releaseLabels, new Date()),
      'replace',
    );
    return {
      ...base,
      result: 'failed',
      fieldManager: applied.fieldManager,
      objects: applied.objects,
      storage: {
        record: recordName,
        status: 'failed',
        superseded: [current.revision],
        pruned: pruned.map((r) => r.revision),
      },
      error: applied.error,
    };
  }
  const superseded: number[] = [];
  for (const d of await deployedRecords(storage, where.release)) {
    const json = withStatus(d.json, 'superseded');
    await writeRecord(storage, json, updateLabels(json, d.labels, new Date()), 'replace');
    superseded.push(d.revision);
  }
  const deployedRecord = withStatus(record, 'deployed');
  await writeRecord(
    storage,
    deployedRecord,
    updateLabels(deployedRecord, releaseLabels, new Date()),
    'replace',
  );
  return {
    ...base,
    result: 'rolled-back',
    fieldManager: applied.fieldManager,
    objects: applied.objects,
    storage: {
      record: recordName,
      status: 'deployed',
      superseded: superseded.sort((a, b) => a - b),
      pruned: pruned.map((r) => r.revision),
    },
  };
}
