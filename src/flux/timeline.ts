// What Flux changed or saw in a window, as one timeline: the changes read from events
// (src/flux/change-events.ts) and from statuses, histories, annotations and Helm storage
// (src/flux/change-status.ts), merged so that one change is one line, newest first; and for every failure
// that started in the window, the changes that came before it on its path (docs/flux-changes.md).
import type { KubeObject } from '../kube/types.js';
import { eventChanges } from './change-events.js';
import { statusChanges } from './change-status.js';
import type { StoredRelease } from './helm-records.js';
import { findFluxKind, type FluxKind } from './kinds.js';
import { dependencies, sourceChain, type FluxRef } from './refs.js';
import { stringField } from './status.js';

export const CHANGE_KINDS = [
  /** A source stored a new artifact: a commit, a tag, a chart version, an index. */
  'revision',
  /** A Kustomization (or Flux Operator object) applied a revision. */
  'applied',
  /** Objects a Kustomization created, changed or pruned. */
  'objects',
  /** Started failing (one line per run of the same reason). */
  'failing',
  /** Ready again after failing. */
  'recovered',
  /** Waiting for its dependencies. */
  'waiting',
  'installed',
  'upgraded',
  /** helm-controller remediated a failed release: rollback or uninstall. */
  'remediated',
  'tested',
  /** A Helm release revision written outside helm-controller: a rollback (helm CLI, rollback_flux_helmrelease). */
  'outside',
  /** Drift detected or corrected. */
  'drift',
  'suspended',
  'resumed',
  /** A reconcile, force or reset request. */
  'requested',
  /** The Flux object was created. */
  'created',
  /** helm-controller created or changed the HelmChart of a HelmRelease. */
  'chart',
  'other',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Where a line comes from: events, or what the objects keep of their past. */
export const CHANGE_ORIGINS = [
  'event',
  'status',
  'history',
  'helm-storage',
  'annotation',
  'managed-fields',
  'metadata',
] as const;

export type ChangeOrigin = (typeof CHANGE_ORIGINS)[number];

export interface Change {
  /** When it happened (RFC 3339); for a run of failures, when the run started. */
  at: string;
  ref: FluxRef;
  what: ChangeKind;
  origin: ChangeOrigin;
  /** The revision it is about: the new artifact, the revision applied or failing. */
  revision?: string;
  /** The revision before. */
  previous?: string;
  /** A commit message, or the message of a failure or of another event. */
  message?: string;
  reason?: string;
  /** Who or what made the change: a person, a field manager, a controller. */
  by?: string;
  /** Helm: the release revision, the chart (name@version) and the chart before. */
  release?: number;
  chart?: string;
  previousChart?: string;
  /** A Helm rollback: the revision rolled back to. */
  target?: number;
  /** Repeated: how many times, and when last. */
  count?: number;
  last?: string;
  /** A failing or waiting run that ended in the window: when it recovered. */
  until?: string;
  /** Objects changes: `Kind/namespace/name action` lines as the controller wrote them. */
  objects?: string[];
  /** A request: which annotation, and whether the controller has handled it. */
  request?: 'reconcile' | 'force' | 'reset';
  handled?: boolean;
  /** Drift: detected or corrected. */
  drift?: 'detected' | 'corrected';
  /** Identifies the same change seen from two origins (a release revision, a source revision). */
  key?: string;
}

export interface Window {
  /** Milliseconds since the epoch. */
  from: number;
  to: number;
}

/** What a failure was preceded by on its path. */
export interface Failure {
  change: Change;
  /** The objects on its path: its sources, chart, dependencies and the Kustomization that applies it. */
  path: FluxRef[];
  /** Changes on the path before it in the window, newest first. */
  preceded: Change[];
}

export interface TimelineInput {
  /** Every Flux object read, `kind` set. */
  objects: KubeObject[];
  /** core/v1 Events of Flux objects, any age. */
  events: KubeObject[];
  /** Helm storage records by HelmRelease (`namespace/name`), oldest first. */
  releases: Map<string, StoredRelease[]>;
  window: Window;
}

export interface Timeline {
  /** Newest first. */
  changes: Change[];
  failures: Failure[];
  /** When the oldest Flux event read happened: events reach back no further. */
  eventsSince?: string;
}

/** Changes of the same thing seen from two origins this close together are one change. */
const SAME_CHANGE_MS = 10_000;
/** Changes shown before each failure, besides the newest source revision. */
const PRECEDED_MAX = 3;
/** How far up the path goes: source, chart source, dependencies, the Kustomization that applies it. */
const PATH_DEPTH = 4;

export function refKey(ref: FluxRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function timeOf(iso: string | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export function inWindow(iso: string | undefined, w: Window): boolean {
  const t = timeOf(iso);
  return t !== 0 && t >= w.from && t <= w.to;
}

/** Changes that tell the same thing belong to one family. */
function family(what: ChangeKind): string {
  switch (what) {
    case 'applied':
    case 'objects':
    case 'recovered':
      return 'applied';
    case 'installed':
    case 'upgraded':
    case 'remediated':
    case 'tested':
      return 'release';
    default:
      return what;
  }
}

function sameChange(a: Change, b: Change): boolean {
  if (refKey(a.ref) !== refKey(b.ref) || family(a.what) !== family(b.what)) return false;
  if (a.key && b.key) return a.key === b.key;
  return Math.abs(timeOf(a.at) - timeOf(b.at)) <= SAME_CHANGE_MS;
}

const ORIGIN_RANK: Record<ChangeOrigin, number> = {
  event: 0,
  'helm-storage': 1,
  history: 2,
  annotation: 3,
  'managed-fields': 4,
  status: 5,
  metadata: 6,
};

/**
 * One line per change: events first, then what statuses, histories and annotations add that no event
 * told (events expire after an hour; the objects keep only their latest of each kind).
 */
export function mergeChanges(changes: Change[]): Change[] {
  const sorted = [...changes].sort((a, b) => ORIGIN_RANK[a.origin] - ORIGIN_RANK[b.origin]);
  const kept: Change[] = [];
  for (const c of sorted) {
    // Events never hide each other: each is something the controller said.
    if (c.origin !== 'event' && kept.some((k) => sameChange(k, c))) continue;
    kept.push(c);
  }
  return kept;
}

/** Within one second, the later steps of a delivery come first (newest first). */
const STAGE: Partial<Record<ChangeKind, number>> = {
  requested: 0,
  suspended: 0,
  resumed: 0,
  created: 0,
  revision: 1,
  chart: 2,
  objects: 3,
  applied: 4,
  installed: 4,
  upgraded: 4,
  outside: 4,
  drift: 4,
  tested: 5,
  failing: 6,
  waiting: 6,
  remediated: 7,
  recovered: 8,
};

export function newestFirst(a: Change, b: Change): number {
  const seconds = (c: Change) => Math.floor(timeOf(c.at) / 1000);
  return (
    seconds(b) - seconds(a) ||
    (STAGE[b.what] ?? 4) - (STAGE[a.what] ?? 4) ||
    timeOf(b.at) - timeOf(a.at) ||
    refKey(a.ref).localeCompare(refKey(b.ref))
  );
}

/** A Flux object read, with its kind. */
export interface KnownObject {
  obj: KubeObject;
  flux: FluxKind;
}

function indexObjects(objects: KubeObject[]): Map<string, KnownObject> {
  const map = new Map<string, KnownObject>();
  for (const obj of objects) {
    const flux = findFluxKind(obj.kind ?? '');
    if (!flux) continue;
    const ref = { kind: flux.kind, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
    map.set(refKey(ref), { obj, flux });
  }
  return map;
}

/** The Kustomization or HelmRelease that applied an object, from the labels the controllers put on it. */
export function appliedBy(obj: KubeObject): FluxRef | undefined {
  const labels = obj.metadata?.labels ?? {};
  for (const [kind, group] of [
    ['Kustomization', 'kustomize.toolkit.fluxcd.io'],
    ['HelmRelease', 'helm.toolkit.fluxcd.io'],
  ] as const) {
    const name = labels[`${group}/name`];
    const namespace = labels[`${group}/namespace`];
    if (name && namespace) return { kind, namespace, name };
  }
  return undefined;
}

/** The objects directly upstream of one: sources, chart, dependencies, and the object that applies it. */
export function upstreamOf(obj: KubeObject, flux: FluxKind): FluxRef[] {
  const out: FluxRef[] = [];
  const chain = sourceChain(obj, flux);
  if (Array.isArray(chain)) out.push(...chain);
  // helm-controller records the HelmChart it made; the rule of sourceChain names the same one.
  const helmChart = flux.kind === 'HelmRelease' ? stringField(obj, 'status', 'helmChart') : undefined;
  if (helmChart) {
    const [namespace, name] = helmChart.split('/');
    if (namespace && name && !out.some((r) => r.kind === 'HelmChart' && r.name === name))
      out.push({ kind: 'HelmChart', namespace, name });
  }
  out.push(...dependencies(obj, flux));
  const parent = appliedBy(obj);
  if (parent) out.push(parent);
  return out;
}

/** Everything upstream of `ref`, nearest first, as far as the objects read tell. */
export function pathOf(ref: FluxRef, objects: Map<string, KnownObject>): FluxRef[] {
  const seen = new Set([refKey(ref)]);
  const path: FluxRef[] = [];
  let frontier = [ref];
  for (let depth = 0; depth < PATH_DEPTH && frontier.length > 0; depth++) {
    const next: FluxRef[] = [];
    for (const r of frontier) {
      const known = objects.get(refKey(r));
      if (!known) continue;
      for (const up of upstreamOf(known.obj, known.flux)) {
        const key = refKey(up);
        if (seen.has(key)) continue;
        seen.add(key);
        path.push(up);
        next.push(up);
      }
    }
    frontier = next;
  }
  return path;
}

/** Changes that say nothing about why something failed after them. */
const NOT_PRECEDING: readonly ChangeKind[] = ['requested', 'waiting', 'other', 'created'];

/**
 * The changes before a failure on its path, newest first: at most PRECEDED_MAX, and the newest source
 * revision on the path whenever there is one, since a commit is what is most often reverted.
 */
export function precededBy(failure: Change, path: FluxRef[], changes: Change[], w: Window): Change[] {
  const on = new Set([refKey(failure.ref), ...path.map(refKey)]);
  const t = timeOf(failure.at);
  const before = changes.filter(
    (c) =>
      c !== failure &&
      on.has(refKey(c.ref)) &&
      !NOT_PRECEDING.includes(c.what) &&
      timeOf(c.at) <= t &&
      timeOf(c.at) >= w.from &&
      // The same object failing again is the same failure, not what preceded it.
      !(c.what === 'failing' && refKey(c.ref) === refKey(failure.ref)),
  );
  before.sort(newestFirst);
  const shown = before.slice(0, PRECEDED_MAX);
  const revision = before.find((c) => c.what === 'revision');
  if (revision && !shown.includes(revision)) shown.push(revision);
  return shown;
}

/**
 * The chart an upgrade moved from is that of the release before it in Helm storage when it was read:
 * helm-controller's own records miss the releases it did not make, such as a rollback by hand.
 */
function chartBeforeFromStorage(c: Change, releases: Map<string, StoredRelease[]>): void {
  if (c.what !== 'upgraded' || c.release === undefined) return;
  const before = releases.get(`${c.ref.namespace}/${c.ref.name}`)?.find((r) => r.revision === c.release! - 1);
  if (before?.chartName && before.chartVersion)
    c.previousChart = `${before.chartName}@${before.chartVersion}`;
}

/** The timeline of a window from what was read: pure, so that it can be checked against fixed inputs. */
export function assembleTimeline(input: TimelineInput): Timeline {
  const objects = indexObjects(input.objects);
  const w = input.window;
  const fromEvents = eventChanges(input.events, objects, w);
  const fromStatus = [...objects.values()].flatMap(({ obj, flux }) =>
    statusChanges(obj, flux, w, {
      releases: input.releases.get(`${obj.metadata?.namespace}/${obj.metadata?.name}`),
      consumers: [...objects.values()],
    }),
  );
  const changes = mergeChanges([...fromEvents.changes, ...fromStatus])
    .filter((c) => inWindow(c.at, w))
    .sort(newestFirst);
  for (const c of changes) chartBeforeFromStorage(c, input.releases);
  const failures = changes
    .filter((c) => c.what === 'failing')
    .map((change) => {
      const path = pathOf(change.ref, objects);
      return { change, path, preceded: precededBy(change, path, changes, w) };
    });
  return {
    changes,
    failures,
    ...(fromEvents.oldest ? { eventsSince: fromEvents.oldest } : {}),
  };
}
