// Stale objects: the controller should have reconciled them by now and did not. Only evidence that moves on
// every run counts: `status.history[].lastReconciled` (Kustomization since Flux 2.7, Flux Operator kinds),
// and reconcile requests (`reconcile.fluxcd.io/requestedAt`) that stay unhandled. Conditions and artifacts
// change only when something changes, so a quiet, healthy object is never called stale on their account.
import type { KubeObject } from '../kube/types.js';
import { parseDuration } from './duration.js';
import type { FluxKind } from './kinds.js';
import { field, isSuspended, RECONCILE_REQUEST_ANNOTATION, stringField } from './status.js';
import { lastWriterOf } from './suspension.js';

/** Missed runs before an object counts as stale. */
export const STALE_INTERVALS = 3;
/** Never stale sooner than this: controllers queue, jitter and back off. */
export const STALE_FLOOR_MS = 15 * 60_000;

export interface Staleness {
  /** The newest evidence that the controller handled the object. */
  lastHandled?: string;
  /** `spec.interval` as written. */
  interval?: string;
  /** A reconcile request the controller has not handled, and since when. */
  requestPendingSince?: string;
  /** How old the evidence may get before the object is stale. */
  thresholdMs: number;
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** The newest `lastReconciled` of `status.history`; undefined when the kind keeps no such history. */
function lastReconciled(obj: KubeObject): number | undefined {
  const history = field(obj, 'status', 'history');
  if (!Array.isArray(history)) return undefined;
  let newest: number | undefined;
  for (const h of history) {
    const t = time(field(h, 'lastReconciled'));
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

/** The newest of every timestamp that shows the controller at work on the object. */
function lastEvidence(obj: KubeObject): number | undefined {
  const candidates = [
    lastReconciled(obj),
    time(field(obj, 'status', 'lastHandledReconcileAt')),
    time(field(obj, 'status', 'artifact', 'lastUpdateTime')),
  ];
  const conditions = field(obj, 'status', 'conditions');
  if (Array.isArray(conditions))
    for (const c of conditions) candidates.push(time(field(c, 'lastTransitionTime')));
  const known = candidates.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

/** When a pending reconcile request was made: the token is a timestamp when the flux CLI or we set it. */
function requestTime(obj: KubeObject): number | undefined {
  const token = obj.metadata?.annotations?.[RECONCILE_REQUEST_ANNOTATION];
  if (!token || token === stringField(obj, 'status', 'lastHandledReconcileAt')) return undefined;
  return (
    time(token) ??
    time(lastWriterOf(obj, ['f:metadata', 'f:annotations', `f:${RECONCILE_REQUEST_ANNOTATION}`])?.time)
  );
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Whether the object is stale at `now`, and the facts that say so; undefined when it is not (or we cannot tell). */
export function staleness(
  obj: KubeObject,
  kind: FluxKind | undefined,
  now: number = Date.now(),
): Staleness | undefined {
  if (obj.metadata?.deletionTimestamp || isSuspended(obj, kind)) return undefined;
  const interval = stringField(obj, 'spec', 'interval');
  const intervalMs = interval ? parseDuration(interval) : undefined;
  const timeout = stringField(obj, 'spec', 'timeout');
  const timeoutMs = (timeout ? parseDuration(timeout) : undefined) ?? 0;
  const thresholdMs = Math.max(
    intervalMs !== undefined ? STALE_INTERVALS * intervalMs + timeoutMs : 0,
    STALE_FLOOR_MS,
  );
  const evidence = lastEvidence(obj);
  const requested = requestTime(obj);
  const base = {
    ...(evidence !== undefined ? { lastHandled: iso(evidence) } : {}),
    ...(interval ? { interval } : {}),
    thresholdMs,
  };
  if (requested !== undefined && now - requested > thresholdMs) {
    return { ...base, requestPendingSince: iso(requested) };
  }
  const periodic = lastReconciled(obj);
  if (
    periodic !== undefined &&
    intervalMs !== undefined &&
    evidence !== undefined &&
    now - evidence > thresholdMs
  ) {
    return base;
  }
  return undefined;
}
