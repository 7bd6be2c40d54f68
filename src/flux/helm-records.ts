// Every revision of a Helm release as Helm stores it (docs/flux-semantics.md, Helm storage): the Secrets
// labelled owner=helm,name=<release> in the storage namespace, each decoded to the release JSON as Helm
// wrote it. Helm 3 writes empty times as "" and no apply_method; Helm 4 leaves zero times out and records
// apply_method "ssa" or "csa" (helm.sh/helm/v4 pkg/release/v1).
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { decodeReleaseJson, encodeReleaseJson } from './helm-storage.js';
import { field, stringField } from './status.js';

/** The labels Helm's storage driver owns; any other label is the release's own (Release.Labels). */
export const HELM_SYSTEM_LABELS = ['name', 'owner', 'status', 'version', 'createdAt', 'modifiedAt'];

export const ROLLBACK_HOOK_EVENTS = ['pre-rollback', 'post-rollback'];

export interface HelmHook {
  name: string;
  kind: string;
  events: string[];
}

export interface StoredRelease {
  /** The storage Secret's name. */
  secret: string;
  /** Every label of the Secret, system labels included. */
  labels: Record<string, string>;
  /** The release JSON as stored; fields this server does not know are kept. */
  json: Record<string, unknown>;
  name: string;
  namespace: string;
  revision: number;
  status: string;
  description?: string;
  firstDeployed?: string;
  lastDeployed?: string;
  chartName?: string;
  chartVersion?: string;
  appVersion?: string;
  /** The record embeds its chart (Helm copies it into a rollback record). */
  hasChart: boolean;
  /** `ssa` or `csa` in Helm 4 records; absent in Helm 3 records. */
  applyMethod?: string;
  manifest: string;
  hooks: HelmHook[];
  /** The field manager that first wrote the storage Secret: helm-controller, helm, flux-ops-mcp... */
  writer?: string;
}

/** The manager of the oldest managedFields entry: whoever created the object. */
function creatorOf(obj: KubeObject): string | undefined {
  const entries = (obj.metadata?.managedFields ?? []) as { manager?: string; time?: string }[];
  let first: { manager?: string; time?: string } | undefined;
  for (const e of entries) if (!first || (e.time ?? '') < (first.time ?? '')) first = e;
  return first?.manager;
}

export function releaseSelector(release: string): string {
  return `owner=helm,name=${release}`;
}

/** A storage Secret read into a record; throws a FluxError when its data cannot be decoded. */
export function readStoredRelease(secret: KubeObject): StoredRelease {
  const data = stringField(secret, 'data', 'release') ?? '';
  const decoded = decodeReleaseJson(data);
  const json = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as Record<string, unknown>;
  const version = field(json, 'version');
  const labels = secret.metadata?.labels ?? {};
  const hooks = field(json, 'hooks');
  const optional = (key: keyof StoredRelease, v: string | undefined) => (v ? { [key]: v } : {});
  return {
    secret: secret.metadata?.name ?? '',
    labels: { ...labels },
    json,
    name: stringField(json, 'name') ?? labels.name ?? '',
    namespace: stringField(json, 'namespace') ?? '',
    revision: typeof version === 'number' ? version : Number(labels.version ?? 0),
    status: stringField(json, 'info', 'status') ?? labels.status ?? 'unknown',
    ...optional('description', stringField(json, 'info', 'description')),
    ...optional('firstDeployed', stringField(json, 'info', 'first_deployed')),
    ...optional('lastDeployed', stringField(json, 'info', 'last_deployed')),
    ...optional('chartName', stringField(json, 'chart', 'metadata', 'name')),
    ...optional('chartVersion', stringField(json, 'chart', 'metadata', 'version')),
    ...optional('appVersion', stringField(json, 'chart', 'metadata', 'appVersion')),
    hasChart: stringField(json, 'chart', 'metadata', 'name') !== undefined,
    ...optional('applyMethod', stringField(json, 'apply_method')),
    ...optional('writer', creatorOf(secret)),
    manifest: stringField(json, 'manifest') ?? '',
    hooks: Array.isArray(hooks)
      ? hooks.map((h) => ({
          name: stringField(h, 'name') ?? '',
          kind: stringField(h, 'kind') ?? '',
          events: (Array.isArray(field(h, 'events')) ? (field(h, 'events') as unknown[]) : []).filter(
            (e): e is string => typeof e === 'string',
          ),
        }))
      : [],
  } as StoredRelease;
}

export interface ReleaseHistory {
  /** Oldest first. */
  records: StoredRelease[];
  /** Storage Secrets of the release whose data could not be decoded, with why. */
  undecodable: { secret: string; reason: string }[];
}

export async function secretResource(cluster: Cluster, signal?: AbortSignal): Promise<ResourceType> {
  return cluster.discovery.resolve({ kind: 'Secret', apiVersion: 'v1' }, signal);
}

/** Every stored revision of a release, oldest first, as Helm's History query finds them. */
export async function readReleaseHistory(
  cluster: Cluster,
  storageNamespace: string,
  release: string,
  signal?: AbortSignal,
): Promise<ReleaseHistory> {
  const secrets = await secretResource(cluster, signal);
  const items = await cluster.listAll(secrets, {
    namespace: storageNamespace,
    labelSelector: releaseSelector(release),
    ...(signal ? { signal } : {}),
  });
  const records: StoredRelease[] = [];
  const undecodable: ReleaseHistory['undecodable'] = [];
  for (const item of items) {
    try {
      records.push(readStoredRelease(item));
    } catch (err) {
      undecodable.push({
        secret: item.metadata?.name ?? '',
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
  records.sort((a, b) => a.revision - b.revision);
  return { records, undecodable };
}

/**
 * The release history of a HelmRelease for a tool that cannot work without it: a storage the caller may
 * not read is an error that names the HelmRelease, the namespace of the Secrets, and `consequence` (what
 * that means for the call).
 */
export async function requireReleaseHistory(
  cluster: Cluster,
  where: { storageNamespace: string; release: string },
  ref: string,
  consequence: string,
  signal?: AbortSignal,
): Promise<ReleaseHistory> {
  try {
    return await readReleaseHistory(cluster, where.storageNamespace, where.release, signal);
  } catch (err) {
    if (isKubeError(err, 'Forbidden'))
      throw new FluxError(
        `the Helm storage of ${ref} (secrets in namespace ${where.storageNamespace}) is not readable: ${err.message}; ${consequence}`,
      );
    throw err;
  }
}

/** The Secret Helm's storage driver writes for a release record (pkg/storage/driver/secrets.go). */
export function storageSecret(
  name: string,
  namespace: string,
  release: Record<string, unknown>,
  labels: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels },
    type: 'helm.sh/release.v1',
    data: { release: encodeReleaseJson(release) },
  };
}

export function userLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !HELM_SYSTEM_LABELS.includes(k)));
}

/**
 * Which Helm writes a record: Helm 4 records the apply method and leaves zero times out; Helm 3 records no
 * apply method and writes zero times as "".
 */
export type RecordFlavor = 'helm3' | 'helm4';

export function flavorOf(r: StoredRelease): RecordFlavor {
  return r.applyMethod ? 'helm4' : 'helm3';
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const INFO_TIMES = ['first_deployed', 'last_deployed', 'deleted'];
const HOOK_TIMES = ['started_at', 'completed_at'];

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/**
 * The record as that Helm's Go structs would write it back after reading it: Helm 4 drops empty times,
 * writes the chart's schemamodtime and drops zero modtimes; Helm 3 writes empty times as "" and drops the
 * fields it does not know (apply_method, modtimes). A record of the same flavor comes back unchanged.
 */
export function normalizeRecord(
  json: Record<string, unknown>,
  flavor: RecordFlavor,
): Record<string, unknown> {
  const out = structuredClone(json);
  const info = obj(out.info);
  const times = (o: Record<string, unknown>, keys: string[]) => {
    for (const k of keys) {
      if (flavor === 'helm4' && (o[k] === '' || o[k] === null)) delete o[k];
      if (flavor === 'helm3' && (o[k] === undefined || o[k] === null)) o[k] = '';
    }
  };
  if (info) times(info, INFO_TIMES);
  if (Array.isArray(out.hooks)) {
    for (const h of out.hooks) {
      const hook = obj(h);
      if (!hook) continue;
      const lastRun = obj(hook.last_run) ?? {};
      times(lastRun, HOOK_TIMES);
      if (lastRun.phase === undefined) lastRun.phase = '';
      hook.last_run = lastRun;
    }
  }
  const chart = obj(out.chart);
  if (chart) {
    const files = [chart.templates, chart.files].flatMap((l) => (Array.isArray(l) ? l : []));
    if (flavor === 'helm4') {
      if (chart.schemamodtime === undefined) chart.schemamodtime = ZERO_TIME;
      if (chart.modtime === ZERO_TIME) delete chart.modtime;
      for (const f of files) if (obj(f)?.modtime === ZERO_TIME) delete obj(f)!.modtime;
    } else {
      delete chart.schemamodtime;
      delete chart.modtime;
      for (const f of files) delete obj(f)?.modtime;
    }
  }
  if (flavor === 'helm3') delete out.apply_method;
  return out;
}

/** A time as Go's time.Time marshals it (RFC 3339, fraction without trailing zeros). */
export function goTime(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

export interface RollbackRecordInput {
  current: StoredRelease;
  target: StoredRelease;
  flavor: RecordFlavor;
  /** The apply method the rollback uses (written by Helm 4 only). */
  serverSideApply: boolean;
  now: Date;
}

/**
 * The record `helm rollback` creates before it touches the cluster (pkg/action/rollback.go
 * prepareRollback): the target's chart, values, manifest, hooks and notes under revision current + 1,
 * pending-rollback, "Rollback to <target>", first deployed when the current revision was.
 */
export function rollbackRecord(input: RollbackRecordInput): Record<string, unknown> {
  const { current, target, flavor } = input;
  const info: Record<string, unknown> = {
    first_deployed: field(current.json, 'info', 'first_deployed') ?? '',
    last_deployed: goTime(input.now),
    description: `Rollback to ${target.revision}`,
    status: 'pending-rollback',
  };
  const notes = stringField(target.json, 'info', 'notes');
  if (notes) info.notes = notes;
  const record: Record<string, unknown> = { name: current.name, info };
  const copy = (key: string) => {
    const v = target.json[key];
    const empty =
      v === undefined ||
      v === null ||
      v === '' ||
      (Array.isArray(v) && v.length === 0) ||
      (obj(v) !== undefined && Object.keys(obj(v)!).length === 0);
    if (!empty) record[key] = structuredClone(v);
  };
  copy('chart');
  copy('config');
  copy('manifest');
  copy('hooks');
  record.version = current.revision + 1;
  if (current.namespace) record.namespace = current.namespace;
  if (flavor === 'helm4') record.apply_method = input.serverSideApply ? 'ssa' : 'csa';
  return normalizeRecord(record, flavor);
}

/** The record with a new status, and a new description when given (Release.SetStatus). */
export function withStatus(
  json: Record<string, unknown>,
  status: string,
  description?: string,
): Record<string, unknown> {
  const out = structuredClone(json);
  const info = obj(out.info) ?? {};
  info.status = status;
  if (description !== undefined) info.description = description;
  out.info = info;
  return out;
}

function unix(d: Date): string {
  return String(Math.floor(d.getTime() / 1000));
}

function systemLabels(json: Record<string, unknown>): Record<string, string> {
  return {
    name: String(json.name ?? ''),
    owner: 'helm',
    status: stringField(json, 'info', 'status') ?? '',
    version: String(json.version ?? ''),
  };
}

/** Labels of a record Helm creates: the release's own labels, createdAt, and the system labels. */
export function createLabels(
  json: Record<string, unknown>,
  releaseLabels: Record<string, string>,
  now: Date,
): Record<string, string> {
  return { ...userLabels(releaseLabels), createdAt: unix(now), ...systemLabels(json) };
}

/**
 * Labels of a record Helm updates. Helm sets modifiedAt, then copies the labels the record was read with
 * over it: a record read by a label query (Last, DeployedAll) keeps all its labels, an older modifiedAt and
 * createdAt included; one read by Get keeps only the release's own labels.
 */
export function updateLabels(
  json: Record<string, unknown>,
  readLabels: Record<string, string>,
  now: Date,
): Record<string, string> {
  return { modifiedAt: unix(now), ...readLabels, ...systemLabels(json) };
}
