// The changes the controllers' events tell, object by object in the order they happened: a new artifact
// with the revision before it, a revision applied, objects created, changed or pruned, a Helm install,
// upgrade, test or remediation, and runs of failures (one line per run of the same reason, with how many
// times and until when). The reasons and messages are the controllers' own (docs/flux-changes.md, Events):
// source-controller's NewArtifact "stored artifact for commit '<subject>'", kustomize-controller's change
// set "<Kind>/<namespace>/<name> configured" and "Reconciliation finished in ...", helm-controller's
// "Helm upgrade succeeded for release <ns>/<name>.v<N> with chart <chart>@<version>".
import type { KubeObject } from '../kube/types.js';
import { findFluxKind, groupOf, isFluxGroup, type FluxKind } from './kinds.js';
import type { FluxRef } from './refs.js';
import { field, stringField } from './status.js';
import { refKey, timeOf, type Change, type KnownObject, type Window } from './timeline.js';

/** A Flux event as this module reads it: times in milliseconds, the revision Flux attached. */
export interface FluxEvent {
  ref: FluxRef;
  flux: FluxKind;
  type: string;
  reason: string;
  message: string;
  first: string;
  last: string;
  count: number;
  revision?: string;
}

function text(obj: unknown, ...path: string[]): string | undefined {
  return stringField(obj, ...path);
}

/** A core/v1 Event about a Flux object, or undefined for any other event. */
export function readFluxEvent(e: KubeObject): FluxEvent | undefined {
  const apiVersion = text(e, 'involvedObject', 'apiVersion');
  const kindName = text(e, 'involvedObject', 'kind') ?? '';
  const flux = findFluxKind(kindName);
  if (!flux || flux.kind !== kindName) return undefined;
  if (apiVersion && !isFluxGroup(groupOf(apiVersion))) return undefined;
  const first =
    text(e, 'firstTimestamp') ?? text(e, 'eventTime') ?? e.metadata?.creationTimestamp ?? undefined;
  const last = text(e, 'series', 'lastObservedTime') ?? text(e, 'lastTimestamp') ?? first;
  if (!first || !last) return undefined;
  const annotations = e.metadata?.annotations ?? {};
  const revisionKey = Object.keys(annotations).find((k) => k.endsWith('/revision'));
  const count = field(e, 'series', 'count') ?? field(e, 'count');
  return {
    ref: {
      kind: flux.kind,
      namespace: text(e, 'involvedObject', 'namespace') ?? '',
      name: text(e, 'involvedObject', 'name') ?? '',
    },
    flux,
    type: text(e, 'type') ?? 'Normal',
    reason: text(e, 'reason') ?? '',
    message: text(e, 'message') ?? '',
    first,
    last,
    count: typeof count === 'number' && count > 0 ? count : 1,
    ...(revisionKey && annotations[revisionKey] ? { revision: annotations[revisionKey] } : {}),
  };
}

type Partial = Omit<Change, 'at' | 'ref' | 'origin'>;

type Signal =
  | { type: 'fail' | 'wait'; reason: string; message: string; revision?: string; chart?: string }
  | { type: 'ok'; change?: Partial }
  | { type: 'change'; change: Partial }
  | { type: 'ignore' };

/** Trace events the controllers record as Normal events on every run: not changes. */
const NOISE = new Set([
  'GarbageCollectionSucceeded',
  'ArtifactUpToDate',
  'HealthCheckCanceled',
  'ReconciliationSkipped',
]);

/** `<Kind>/<namespace>/<name> <action>` lines, as fluxcd/pkg/ssa writes a change set. */
const CHANGE_SET_LINE = /^\S+\/\S+ (created|configured|deleted|unchanged|skipped)$/;

export function changeSetLines(message: string): string[] | undefined {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 && lines.every((l) => CHANGE_SET_LINE.test(l)) ? lines : undefined;
}

/** The subject of the commit in a GitRepository's NewArtifact message, when it carries one. */
export function commitSubject(message: string): string | undefined {
  const m = /^stored artifact for commit '([\s\S]*)'$/.exec(message);
  if (!m?.[1]) return undefined;
  // A commit the controller did not clone again is named by its reference, not by its subject.
  return /^\S+@sha(1|256):[0-9a-f]+$/.test(m[1]) ? undefined : m[1];
}

/** helm-controller's "... release <ns>/<name>.v<N> with chart <name>@<version>". */
function releaseOf(message: string): { release?: number; chart?: string } {
  const m = /release \S+?\.v(\d+) with chart (\S+?)(?::| succeeded| failed|$)/.exec(message);
  if (m) return { release: Number(m[1]), chart: m[2]! };
  const chart = /with chart (\S+?)(?::|$)/.exec(message)?.[1];
  return chart ? { chart } : {};
}

const KUSTOMIZE_LIKE = new Set(['Kustomization', 'FluxInstance', 'ResourceSet']);

function classify(ev: FluxEvent): Signal {
  if (NOISE.has(ev.reason)) return { type: 'ignore' };
  const kind = ev.flux.kind;
  if (ev.reason === 'DriftDetected')
    return { type: 'change', change: { what: 'drift', drift: 'detected', message: ev.message } };
  if (ev.type === 'Warning') {
    return {
      type: 'fail',
      reason: ev.reason,
      message: ev.message,
      ...(ev.revision && kind !== 'HelmRelease' ? { revision: ev.revision } : {}),
      ...(kind === 'HelmRelease' && releaseOf(ev.message).chart
        ? { chart: releaseOf(ev.message).chart }
        : {}),
    };
  }
  if (ev.reason === 'DependencyNotReady') return { type: 'wait', reason: ev.reason, message: ev.message };
  if (ev.flux.source) {
    if (ev.reason === 'NewArtifact' || ev.reason.startsWith('Chart')) {
      const subject = commitSubject(ev.message);
      return {
        type: 'ok',
        change: {
          what: 'revision',
          ...(ev.revision ? { revision: ev.revision } : {}),
          ...(subject ? { message: subject } : {}),
        },
      };
    }
    if (ev.reason === 'Succeeded') return { type: 'ok' };
  }
  if (KUSTOMIZE_LIKE.has(kind)) {
    const lines = changeSetLines(ev.message);
    if (lines)
      return {
        type: 'change',
        change: { what: 'objects', objects: lines, ...(ev.revision ? { revision: ev.revision } : {}) },
      };
    if (ev.reason === 'ReconciliationSucceeded' || ev.message.startsWith('Reconciliation finished'))
      return { type: 'ok', change: { what: 'applied', ...(ev.revision ? { revision: ev.revision } : {}) } };
    // Part of a run the success event reports.
    if (ev.message.startsWith('Health check passed') || ev.reason === 'Progressing')
      return { type: 'ignore' };
  }
  if (kind === 'HelmRelease') {
    const r = releaseOf(ev.message);
    switch (ev.reason) {
      case 'InstallSucceeded':
        return { type: 'ok', change: { what: 'installed', ...r } };
      case 'UpgradeSucceeded':
        return { type: 'ok', change: { what: 'upgraded', ...r } };
      case 'TestSucceeded':
        return { type: 'ok', change: { what: 'tested', ...r, message: ev.message } };
      case 'RollbackSucceeded':
        return {
          type: 'change',
          change: {
            what: 'remediated',
            ...(r.release !== undefined ? { target: r.release } : {}),
            ...(r.chart ? { chart: r.chart } : {}),
            reason: ev.reason,
          },
        };
      case 'UninstallSucceeded':
        return { type: 'change', change: { what: 'remediated', reason: ev.reason, message: ev.message } };
      case 'DriftCorrected':
        return { type: 'change', change: { what: 'drift', drift: 'corrected', message: ev.message } };
      case 'HelmChartCreated':
      case 'HelmChartConfigured':
      case 'HelmChartDeleted':
        return { type: 'change', change: { what: 'chart', reason: ev.reason, message: ev.message } };
    }
  }
  // An image repository reports every scan: not a change.
  if (kind === 'ImageRepository') return { type: 'ignore' };
  return { type: 'change', change: { what: 'other', reason: ev.reason, message: ev.message } };
}

/**
 * What a Kustomization applied before `t`, from status.history (one entry per manifest digest and result,
 * newest first): the revision of the newest successful entry first reconciled before it.
 */
export function appliedBefore(obj: KubeObject | undefined, t: number): string | undefined {
  const history = field(obj, 'status', 'history');
  if (!Array.isArray(history)) return undefined;
  let best: { at: number; revision: string } | undefined;
  for (const h of history) {
    const at = timeOf(stringField(h, 'firstReconciled'));
    const revision = stringField(h, 'metadata', 'revision');
    const ok = stringField(h, 'lastReconciledStatus') === 'ReconciliationSucceeded';
    if (!ok || !revision || at === 0 || at >= t - 1000) continue;
    if (!best || at > best.at) best = { at, revision };
  }
  return best?.revision;
}

/**
 * The revision a source had before `t`, as the Kustomizations that read it applied it (their
 * status.history), when no earlier event of the source is left: events expire, histories do not.
 */
export function sourceRevisionBefore(
  source: FluxRef,
  t: number,
  revision: string | undefined,
  objects: Map<string, KnownObject>,
): string | undefined {
  let best: { at: number; revision: string } | undefined;
  for (const { obj, flux } of objects.values()) {
    if (flux.kind !== 'Kustomization') continue;
    const ref = field(obj, 'spec', 'sourceRef');
    if (
      stringField(ref, 'kind') !== source.kind ||
      stringField(ref, 'name') !== source.name ||
      (stringField(ref, 'namespace') ?? obj.metadata?.namespace) !== source.namespace
    )
      continue;
    const history = field(obj, 'status', 'history');
    if (!Array.isArray(history)) continue;
    for (const h of history) {
      const at = timeOf(stringField(h, 'firstReconciled'));
      const r = stringField(h, 'metadata', 'revision');
      if (!r || r === revision || at === 0 || at >= t) continue;
      if (!best || at > best.at) best = { at, revision: r };
    }
  }
  return best?.revision;
}

/** The chart (name@version) of the newest release helm-controller recorded before release `n`. */
function chartBefore(obj: KubeObject | undefined, n: number | undefined): string | undefined {
  const history = field(obj, 'status', 'history');
  if (!Array.isArray(history) || n === undefined) return undefined;
  for (const s of history) {
    const version = field(s, 'version');
    if (typeof version !== 'number' || version >= n) continue;
    const name = stringField(s, 'chartName');
    const chartVersion = stringField(s, 'chartVersion');
    if (name && chartVersion) return `${name}@${chartVersion}`;
  }
  return undefined;
}

/** An object created less than this before a success is applying for the first time. */
const FIRST_APPLY_MS = 10 * 60_000;

function createdShortlyBefore(obj: KubeObject | undefined, t: number): boolean {
  const created = timeOf(obj?.metadata?.creationTimestamp);
  // Events older than the object are those of an object of the same name deleted before.
  return created !== 0 && t >= created - 1000 && t - created <= FIRST_APPLY_MS;
}

interface State {
  run?: Change;
  revision?: string;
  applied?: string;
  chart?: string;
}

function objectChanges(
  events: FluxEvent[],
  known: KnownObject | undefined,
  objects: Map<string, KnownObject>,
): Change[] {
  const out: Change[] = [];
  const state: State = {};
  for (const ev of events) {
    const signal = classify(ev);
    const base = { at: ev.first, ref: ev.ref, origin: 'event' as const };
    switch (signal.type) {
      case 'ignore':
        break;
      case 'fail':
      case 'wait': {
        const what = signal.type === 'fail' ? 'failing' : 'waiting';
        const run = state.run;
        if (run && run.what === what && run.reason === signal.reason) {
          run.count = (run.count ?? 1) + ev.count;
          run.last = ev.last;
          break;
        }
        const started: Change = {
          ...base,
          what,
          reason: signal.reason,
          message: signal.message,
          ...(signal.revision ? { revision: signal.revision } : {}),
          ...(signal.chart ? { chart: signal.chart, key: `fail:${signal.chart}` } : {}),
          ...(ev.count > 1 ? { count: ev.count, last: ev.last } : {}),
        };
        out.push(started);
        state.run = started;
        break;
      }
      case 'ok': {
        const change = signal.change
          ? settle({ ...base, ...signal.change }, state, known, objects)
          : undefined;
        if (state.run) {
          state.run.until = ev.first;
          if (!change)
            out.push({ ...base, what: 'recovered', ...(ev.revision ? { revision: ev.revision } : {}) });
          state.run = undefined;
        }
        if (change) out.push(change);
        break;
      }
      case 'change': {
        const change: Change = { ...base, ...signal.change };
        if (change.what === 'objects' && change.revision && change.revision === state.applied) {
          // The revision was applied already: the controller put back what had drifted.
          change.what = 'drift';
          change.drift = 'corrected';
        }
        if (ev.count > 1) Object.assign(change, { count: ev.count, last: ev.last });
        out.push(change);
        break;
      }
    }
  }
  return out;
}

/**
 * A success event as a change, or undefined when nothing changed: a source that stored the artifact it
 * had, a Kustomization that applied the revision it had applied. Sets what came before (`previous`).
 */
function settle(
  change: Change,
  state: State,
  known: KnownObject | undefined,
  objects: Map<string, KnownObject>,
): Change | undefined {
  const t = timeOf(change.at);
  switch (change.what) {
    case 'revision': {
      const rev = change.revision;
      const previous = state.revision ?? sourceRevisionBefore(change.ref, t, rev, objects);
      state.revision = rev;
      if (rev && previous === rev) return undefined;
      if (rev) change.key = `rev:${rev}`;
      return previous ? { ...change, previous } : change;
    }
    case 'applied': {
      const rev = change.revision;
      const previous = state.applied ?? appliedBefore(known?.obj, t);
      state.applied = rev;
      if (!rev || previous === rev) return undefined;
      // With nothing known before it, a success may repeat the revision applied an interval ago: only the
      // first apply of a new object is known to be a change.
      if (!previous && !createdShortlyBefore(known?.obj, t)) return undefined;
      change.key = `applied:${rev}`;
      return previous ? { ...change, previous } : change;
    }
    case 'installed':
    case 'upgraded': {
      const previous = state.chart ?? chartBefore(known?.obj, change.release);
      state.chart = change.chart;
      if (change.release !== undefined) change.key = `release:${change.release}`;
      return previous && change.what === 'upgraded' ? { ...change, previousChart: previous } : change;
    }
    default:
      return change;
  }
}

/** Every change the events tell, in any order, and when the oldest event read happened. */
export function eventChanges(
  raw: KubeObject[],
  objects: Map<string, KnownObject>,
  _w: Window,
): { changes: Change[]; oldest?: string } {
  const byObject = new Map<string, FluxEvent[]>();
  let oldest: string | undefined;
  for (const e of raw) {
    const ev = readFluxEvent(e);
    if (!ev) continue;
    if (!oldest || timeOf(ev.first) < timeOf(oldest)) oldest = ev.first;
    const key = refKey(ev.ref);
    byObject.set(key, [...(byObject.get(key) ?? []), ev]);
  }
  const changes: Change[] = [];
  for (const [key, events] of byObject) {
    // Within one second, a reconcile's change set comes before its success event (the controller records
    // them in that order, but both carry the same second).
    const stage = (e: FluxEvent) => (changeSetLines(e.message) ? 0 : 1);
    events.sort(
      (a, b) => timeOf(a.first) - timeOf(b.first) || stage(a) - stage(b) || timeOf(a.last) - timeOf(b.last),
    );
    changes.push(...objectChanges(events, objects.get(key), objects));
  }
  return { changes, ...(oldest ? { oldest } : {}) };
}
