// Kubernetes events (core/v1) of any object, as `kubectl events --for` reads them, newest first: selected
// by involvedObject, or every event of a namespace. A workload brings the events of what it runs: a
// Deployment its ReplicaSets and newest Pods, a StatefulSet, DaemonSet, ReplicaSet or Job its newest Pods,
// a CronJob its newest Jobs, since an image that cannot be pulled is reported on the Pod, not on the
// Deployment.
import { z } from 'zod';
import type { Cluster } from './cluster.js';
import { isKubeError } from './errors.js';
import { selectorOf } from './pods.js';
import { mapPool } from './pool.js';
import type { KubeObject, ResourceType } from './types.js';

/** The object an event is about; namespace is '' for cluster-scoped objects. */
export const eventObjectSchema = z.object({ kind: z.string(), namespace: z.string(), name: z.string() });

export const eventRecordSchema = z.object({
  /** When it last happened. */
  time: z.string().optional(),
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  count: z.number(),
  object: eventObjectSchema,
  /** The component that reported it. */
  source: z.string().optional(),
  /** The revision Flux attached to the event (`<group>/revision` annotation). */
  revision: z.string().optional(),
});

export type EventObject = z.infer<typeof eventObjectSchema>;
export type EventRecord = z.infer<typeof eventRecordSchema>;

function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function text(obj: unknown, ...path: string[]): string | undefined {
  const v = at(obj, ...path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** When an event last happened: series, then lastTimestamp, eventTime, firstTimestamp, creation. */
export function eventTime(e: KubeObject): string | undefined {
  return (
    text(e, 'series', 'lastObservedTime') ??
    text(e, 'lastTimestamp') ??
    text(e, 'eventTime') ??
    text(e, 'firstTimestamp') ??
    e.metadata?.creationTimestamp
  );
}

export function toEventRecord(e: KubeObject): EventRecord {
  const annotations = e.metadata?.annotations ?? {};
  const revisionKey = Object.keys(annotations).find((k) => k.endsWith('/revision'));
  const count = at(e, 'series', 'count') ?? at(e, 'count');
  const time = eventTime(e);
  const source = text(e, 'reportingComponent') ?? text(e, 'source', 'component');
  return {
    ...(time ? { time } : {}),
    type: text(e, 'type') ?? 'Normal',
    reason: text(e, 'reason') ?? '',
    message: text(e, 'message') ?? '',
    count: typeof count === 'number' ? count : 1,
    object: {
      kind: text(e, 'involvedObject', 'kind') ?? '',
      // A cluster-scoped object's events are kept in the default namespace: not the object's namespace.
      namespace: text(e, 'involvedObject', 'namespace') ?? '',
      name: text(e, 'involvedObject', 'name') ?? '',
    },
    ...(source ? { source } : {}),
    ...(revisionKey && annotations[revisionKey] ? { revision: annotations[revisionKey] } : {}),
  };
}

export function newestFirst(a: EventRecord, b: EventRecord): number {
  const t = (r: EventRecord) => (r.time ? Date.parse(r.time) || 0 : 0);
  return t(b) - t(a);
}

/** An object whose events are read, and what it is to the object asked about. */
export const eventSubjectSchema = eventObjectSchema.extend({
  role: z.enum(['object', 'replica set', 'job', 'pod']),
});

export type EventSubject = z.infer<typeof eventSubjectSchema>;

export interface EventQuery {
  apiVersion?: string;
  kind?: string;
  name?: string;
  /** Omitted: all namespaces. */
  namespace?: string;
  type?: 'Normal' | 'Warning';
  /** Only events newer than this many milliseconds. */
  sinceMs?: number;
  /** Only events whose reason, message or object contain this text (case-insensitive, plain text). */
  grep?: string;
}

export interface EventAnswer {
  /** The objects whose events were read (with a name); empty when reading a namespace. */
  subjects: EventSubject[];
  events: EventRecord[];
  /** The scan stopped at SCAN_LIMIT events: older ones were not read. */
  truncated: boolean;
  /** Related objects whose events could not be read. */
  notVisible: string[];
}

/** Events read at most, as the Flux Operator's get_kubernetes_events caps its scan. */
export const SCAN_LIMIT = 5_000;
/** Pods and owned objects of a workload whose events are read, newest first. */
export const RELATED_MAX = 10;
const CONCURRENCY = 8;

/** What a workload's events are read with, by `group/kind`. */
const WORKLOADS: Record<string, readonly EventSubject['role'][]> = {
  'apps/Deployment': ['replica set', 'pod'],
  'apps/StatefulSet': ['pod'],
  'apps/DaemonSet': ['pod'],
  'apps/ReplicaSet': ['pod'],
  'batch/Job': ['pod'],
  'batch/CronJob': ['job'],
};

function newestObjects(items: KubeObject[]): KubeObject[] {
  return [...items]
    .sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))
    .slice(0, RELATED_MAX);
}

function ownedBy(owner: KubeObject) {
  return (o: KubeObject) => (o.metadata?.ownerReferences ?? []).some((r) => r.uid === owner.metadata?.uid);
}

/** The ReplicaSets, Jobs and Pods of a workload whose events explain it. */
async function relatedSubjects(
  cluster: Cluster,
  workload: KubeObject,
  roles: readonly EventSubject['role'][],
  namespace: string,
  signal: AbortSignal,
  notVisible: string[],
): Promise<EventSubject[]> {
  const subjects: EventSubject[] = [];
  const read = async (kind: string, apiVersion: string, selector: string | undefined, owned: boolean) => {
    try {
      const r = await cluster.discovery.resolve({ kind, apiVersion }, signal);
      const items = await cluster.listAll(r, {
        namespace,
        ...(selector ? { labelSelector: selector } : {}),
        signal,
      });
      return newestObjects(owned ? items.filter(ownedBy(workload)) : items);
    } catch (err) {
      if (!isKubeError(err, 'Forbidden')) throw err;
      notVisible.push(`${kind}s of ${workload.kind} ${namespace}/${workload.metadata?.name} (forbidden)`);
      return [];
    }
  };
  const add = (role: EventSubject['role'], items: KubeObject[], kind: string) =>
    subjects.push(...items.map((o) => ({ role, kind, namespace, name: o.metadata?.name ?? '' })));
  const selector = selectorOf(workload);
  if (roles.includes('replica set'))
    add('replica set', await read('ReplicaSet', 'apps/v1', selector, true), 'ReplicaSet');
  if (roles.includes('job')) add('job', await read('Job', 'batch/v1', undefined, true), 'Job');
  if (roles.includes('pod') && selector) add('pod', await read('Pod', 'v1', selector, false), 'Pod');
  return subjects;
}

async function scan(
  cluster: Cluster,
  events: ResourceType,
  namespace: string | undefined,
  fieldSelector: string | undefined,
  signal: AbortSignal,
): Promise<{ items: KubeObject[]; truncated: boolean }> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  do {
    const page = await cluster.list(events, {
      ...(namespace ? { namespace } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      limit: Math.min(500, SCAN_LIMIT - items.length),
      ...(token ? { continue: token } : {}),
      signal,
    });
    items.push(...page.items);
    token = page.metadata?.continue || undefined;
  } while (token && items.length < SCAN_LIMIT);
  return { items, truncated: Boolean(token) };
}

function fieldSelector(parts: (string | undefined)[]): string | undefined {
  return parts.filter(Boolean).join(',') || undefined;
}

/** Reads the events asked for, newest first. */
export async function readEvents(
  cluster: Cluster,
  q: EventQuery,
  signal: AbortSignal,
  now: number = Date.now(),
): Promise<EventAnswer> {
  const eventsType = await cluster.discovery.resolve({ kind: 'Event', apiVersion: 'v1' }, signal);
  const typeTerm = q.type ? `type=${q.type}` : undefined;
  const notVisible: string[] = [];
  let subjects: EventSubject[] = [];
  let raw: KubeObject[];
  let truncated: boolean;

  const r = q.kind
    ? await cluster.discovery.resolve(
        { kind: q.kind, ...(q.apiVersion ? { apiVersion: q.apiVersion } : {}) },
        signal,
      )
    : undefined;
  const namespace = r && !r.namespaced ? undefined : q.namespace;

  if (q.name && r) {
    subjects = [{ role: 'object', kind: r.kind, namespace: namespace ?? '', name: q.name }];
    const roles = WORKLOADS[`${r.group}/${r.kind}`];
    if (roles && namespace) {
      let workload: KubeObject | undefined;
      try {
        workload = await cluster.get(r, namespace, q.name, signal);
      } catch (err) {
        // A deleted workload still has events; there is just nothing to expand.
        if (!isKubeError(err, 'NotFound')) throw err;
      }
      if (workload)
        subjects.push(...(await relatedSubjects(cluster, workload, roles, namespace, signal, notVisible)));
    }
    const lists = await mapPool(subjects, CONCURRENCY, (s) =>
      scan(
        cluster,
        eventsType,
        s.namespace || undefined,
        fieldSelector([`involvedObject.kind=${s.kind}`, `involvedObject.name=${s.name}`, typeTerm]),
        signal,
      ),
    );
    raw = lists.flatMap((l) => l.items);
    truncated = lists.some((l) => l.truncated);
  } else {
    const fs = fieldSelector([
      r ? `involvedObject.kind=${r.kind}` : undefined,
      q.name ? `involvedObject.name=${q.name}` : undefined,
      typeTerm,
    ]);
    ({ items: raw, truncated } = await scan(cluster, eventsType, namespace, fs, signal));
  }

  const cutoff = q.sinceMs !== undefined ? now - q.sinceMs : undefined;
  const needle = q.grep?.toLowerCase();
  const events = raw
    .map(toEventRecord)
    .filter((e) => cutoff === undefined || (e.time !== undefined && Date.parse(e.time) >= cutoff))
    .filter(
      (e) =>
        !needle ||
        [e.reason, e.message, `${e.object.kind}/${e.object.namespace}/${e.object.name}`].some((t) =>
          t.toLowerCase().includes(needle),
        ),
    )
    .sort(newestFirst);
  return { subjects, events, truncated, notVisible };
}
