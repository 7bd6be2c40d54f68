// Waiting for a controller to handle one reconcile request: a watch on that one object, ended by the
// controller's answer, the deadline, or the caller's cancellation. The watch outlives dropped connections
// (cluster.ts watchObject); only a deadline that passes while the API server cannot be reached says so.
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import { isTransient } from '../kube/reconnect.js';
import type { Condition, KubeObject, ResourceType } from '../kube/types.js';
import type { FluxKind } from './kinds.js';
import { NOT_READY_READ_MS, notReadyObjects } from './not-ready.js';
import {
  computeKStatus,
  findCondition,
  fluxRevision,
  isCurrent,
  isSuspended,
  stalledCause,
  stalledMessage,
  stringField,
} from './status.js';

export type WaitResult = 'ready' | 'failed' | 'timeout' | 'cancelled';

export interface WaitOutcome {
  result: WaitResult;
  object: KubeObject;
  message: string;
  /** The controller's reason for a failure (BuildFailed, ArtifactFailed, RetriesExceeded, ...). */
  reason?: string;
  revision?: string;
  /** Timed out while the API server could not be reached: what the controller did is unknown. */
  unreachable?: true;
}

export interface WaitOptions {
  /** Absolute time (ms since epoch) to give up at. */
  deadline: number;
  signal: AbortSignal;
  /** Called when what the object says about itself changes. */
  onChange?: (state: string) => void;
  /** Called every `heartbeatMs` while nothing changes, so clients with request timeouts keep waiting. */
  onHeartbeat?: (state: string) => void;
  heartbeatMs?: number;
}

/** The last read after a timeout is bounded: the deadline has passed already. */
const FINAL_READ_MS = 5_000;

/**
 * Ready=False reasons that are not an answer: the controller is still at work and will write again.
 * HealthCheckCanceled: a newer reconcile took over. SourceNotReady: helm-controller waits for the HelmChart
 * it just changed to be rebuilt (on every chart version change) and is woken when it is.
 */
const NOT_FINAL = new Set(['Progressing', 'HealthCheckCanceled', 'SourceNotReady']);

/**
 * The Reconciling reason of a failed reconcile that will be retried later: the failure is the answer. Any
 * other reason beside Ready=False means the controller is still writing (helm-controller writes
 * Ready=False UpgradeFailed with Reconciling=True Progressing, and Stalled only in its next write).
 */
const RETRYING = 'ProgressingWithRetry';

function conditionText(c: Condition): string {
  return `${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`;
}

/** What the object is doing now, in a few words: the condition that matters most. */
export function currentState(obj: KubeObject): string {
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status === 'True') return `Stalled (${stalled.reason ?? ''}): ${stalledMessage(obj) ?? ''}`;
  const reconciling = findCondition(obj, 'Reconciling');
  const ready = findCondition(obj, 'Ready');
  // A failed object keeps Reconciling=True beside Ready=False: the failure says more.
  if (ready?.status === 'False') {
    const busy = reconciling?.status === 'True' && reconciling.reason !== RETRYING;
    return `Ready=False${conditionText(ready)}${busy ? ' (still reconciling)' : ''}`;
  }
  if (reconciling?.status === 'True')
    return `Reconciling: ${reconciling.message ?? reconciling.reason ?? ''}`;
  if (ready) return `Ready=${ready.status}${conditionText(ready)}`;
  return 'no status yet: the controller has not reconciled it';
}

export interface Verdict {
  result: 'ready' | 'failed';
  message: string;
  reason?: string;
}

/**
 * What to do about a HelmRelease whose retries are exhausted: helm-controller handles a plain request on it
 * (copies the token) without trying again; only a reset request, or a change of chart or values, does.
 */
function stalledAdvice(obj: KubeObject, kind: FluxKind, token: string | undefined): string | undefined {
  if (kind.kind !== 'HelmRelease' || token === undefined) return undefined;
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status !== 'True' || stalled.reason !== 'RetriesExceeded') return undefined;
  if (stringField(obj, 'status', 'lastHandledResetAt') === token)
    return 'The reset was handled: helm-controller tried again and the release failed again; fix the cause, then reset again.';
  return 'A plain reconcile request does not retry a release whose retries are exhausted (helm-controller handles it and does nothing): reconcile with reset to try again, or change the chart or values.';
}

/**
 * The verdict once the controller has handled our token. A suspended object is a failure (the controllers
 * copy the token while suspended but do nothing). A Stalled condition of the current generation fails, with
 * the condition that caused it; Ready=True on the current generation succeeds; Ready=False of the current
 * generation fails with the controller's reason and message, unless the reason or a Reconciling condition
 * other than ProgressingWithRetry says the controller is still at work. Anything else is still in progress. With the request's token, a HelmRelease whose retries are
 * exhausted also gets what to do about it.
 */
export function verdict(obj: KubeObject, kind: FluxKind, token?: string): Verdict | undefined {
  if (isSuspended(obj, kind)) {
    return {
      result: 'failed',
      reason: 'Suspended',
      message:
        'the object is suspended: the controller recorded the request but reconciled nothing (it does that for suspended objects)',
    };
  }
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status === 'True' && isCurrent(obj, stalled)) {
    const head = `Stalled${stalled.reason ? ` (${stalled.reason})` : ''}: ${stalled.message ?? 'stalled'}`;
    const cause = stalledCause(obj);
    const why = cause ? `${cause.reason ? `${cause.reason}: ` : ''}${cause.message}` : undefined;
    const advice = stalledAdvice(obj, kind, token);
    // The advice goes before the controller's message, which can be long and is cut in short answers.
    const message = advice
      ? `${head}. ${advice}${why ? ` The failure: ${why}` : ''}`
      : `${head}${why ? `; ${why}` : ''}`;
    return { result: 'failed', ...(stalled.reason ? { reason: stalled.reason } : {}), message };
  }
  const ready = findCondition(obj, 'Ready');
  if (!ready) return undefined;
  if (ready.status === 'True') {
    return computeKStatus(obj).status === 'Current'
      ? { result: 'ready', message: ready.message ?? 'Ready' }
      : undefined;
  }
  const reconciling = findCondition(obj, 'Reconciling');
  const working = reconciling?.status === 'True' && reconciling.reason !== RETRYING;
  if (ready.status === 'False' && isCurrent(obj, ready) && !working && !NOT_FINAL.has(ready.reason ?? '')) {
    const message = ready.message ?? `${kind.kind} reconciliation failed`;
    return ready.reason
      ? { result: 'failed', reason: ready.reason, message: `${ready.reason}: ${message}` }
      : { result: 'failed', message };
  }
  return undefined;
}

function handled(obj: KubeObject, token: string): boolean {
  return stringField(obj, 'status', 'lastHandledReconcileAt') === token;
}

/** What the flux CLI prints on success, per kind (`successMessage()` in flux2 cmd/flux). */
export function successMessage(obj: KubeObject, kind: FluxKind): string {
  const revision = fluxRevision(obj, kind);
  switch (kind.kind) {
    case 'Kustomization':
    case 'HelmRelease':
    case 'FluxInstance':
    case 'ResourceSet':
      return revision ? `applied revision ${revision}` : (findCondition(obj, 'Ready')?.message ?? 'Ready');
    case 'ImageRepository':
      return revision ? `scan fetched ${revision}` : 'scan done';
    case 'ImagePolicy':
      return revision ? `selected ref ${revision}` : 'Ready';
    default:
      return kind.source && revision
        ? `fetched revision ${revision}`
        : (findCondition(obj, 'Ready')?.message ?? 'Ready');
  }
}

/**
 * Waits until the controller has handled `token` on this object and says Ready or failed. Watches from
 * `resourceVersion` (the one our patch returned), so an answer that came before the watch started is seen.
 */
export async function waitForReconcile(
  cluster: Cluster,
  r: ResourceType,
  kind: FluxKind,
  obj: KubeObject,
  token: string,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  const remaining = options.deadline - Date.now();
  const timeout = AbortSignal.timeout(Math.max(remaining, 1));
  const signal = AbortSignal.any([options.signal, timeout]);
  let last = obj;
  let lastState = currentState(obj);
  let outcome: WaitOutcome | undefined;
  /** While the API server cannot be reached: since when, and the latest error. */
  let lost: { since: number; error: KubeError } | undefined;

  const check = (o: KubeObject) => {
    last = o;
    const state = currentState(o);
    if (state !== lastState) {
      lastState = state;
      options.onChange?.(state);
    }
    if (!handled(o, token)) return false;
    const v = verdict(o, kind, token);
    if (!v) return false;
    // A failure is reported with the revision the controller tried, where it records one: a Kustomization's
    // last applied revision is the previous, good commit.
    const revision =
      v.result === 'ready' ? fluxRevision(o, kind) : stringField(o, 'status', 'lastAttemptedRevision');
    outcome = {
      result: v.result,
      object: o,
      message: v.result === 'ready' ? successMessage(o, kind) : v.message,
      ...(v.reason ? { reason: v.reason } : {}),
      ...(revision ? { revision } : {}),
    };
    return true;
  };

  if (check(obj)) return outcome!;
  const heartbeat = options.onHeartbeat
    ? setInterval(() => options.onHeartbeat?.(lastState), options.heartbeatMs ?? 10_000)
    : undefined;
  try {
    await cluster.watchObject(
      r,
      namespace,
      name,
      obj.metadata?.resourceVersion,
      (o, type) => {
        if (type === 'DELETED') {
          throw new KubeError(
            'NotFound',
            `${kind.kind} ${namespace}/${name} was deleted while waiting for it`,
          );
        }
        return check(o);
      },
      {
        signal,
        onConnection: (error) => {
          if (error && !lost)
            options.onChange?.(`lost the connection to the API server (${error.message}); reconnecting`);
          if (!error && lost) options.onChange?.(`reconnected to the API server; ${lastState}`);
          lost = error ? { since: lost?.since ?? Date.now(), error } : undefined;
        },
      },
    );
  } catch (err) {
    if (!isKubeError(err, 'Cancelled') || !signal.aborted) throw err;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
  }
  if (outcome) return outcome;
  if (options.signal.aborted) {
    return { result: 'cancelled', object: last, message: `cancelled while ${lastState}` };
  }
  if (lost) return unreachable(last, lastState, lost);
  // Timed out: read the object once more so the answer says what it is doing now.
  try {
    const [now, waiting] = await Promise.all([
      cluster.get(r, namespace, name, AbortSignal.timeout(FINAL_READ_MS)),
      kind.kind === 'Kustomization' || kind.kind === 'HelmRelease'
        ? notReadyObjects(
            cluster,
            { kind: kind.kind, namespace: namespace ?? '', name },
            AbortSignal.timeout(NOT_READY_READ_MS),
          )
        : '',
    ]);
    const waitingFor = waiting ? `; not ready: ${waiting}` : '';
    return { result: 'timeout', object: now, message: `${currentState(now)}${waitingFor}` };
  } catch (err) {
    if (isTransient(err)) return unreachable(last, lastState, { since: Date.now(), error: err });
    if (isKubeError(err, 'Cancelled')) {
      const error = new KubeError(
        'Timeout',
        `the API server of context ${cluster.context} did not answer within ${FINAL_READ_MS / 1000}s`,
      );
      return unreachable(last, lastState, { since: Date.now(), error });
    }
    return { result: 'timeout', object: last, message: lastState };
  }
}

function unreachable(
  last: KubeObject,
  lastState: string,
  lost: { since: number; error: KubeError },
): WaitOutcome {
  return {
    result: 'timeout',
    object: last,
    message: `the API server could not be reached since ${new Date(lost.since).toISOString()} (${lost.error.message}); last known state: ${lastState}`,
    unreachable: true,
  };
}

/**
 * A timed-out wait in words that follow "the controller has not finished: ": what the object is doing
 * now, or that the API server could not be reached (and so what the controller did is unknown).
 */
export function describeTimeout(outcome: WaitOutcome): string {
  return outcome.unreachable ? outcome.message : `it is now ${outcome.message}`;
}
