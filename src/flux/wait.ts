// Waiting for a controller to answer one reconcile request, as the flux CLI reads the controllers
// (docs/flux-semantics.md, When a wait ends), reason by reason as docs/reconcile-reasons.md says: a watch
// on that one object, ended by the controller's answer, the deadline, or the caller's cancellation. A state
// that only says "not yet" (a dependency not ready, a source without its artifact) is followed to the
// object it waits for; when that is ready, the request is made again where the controller would otherwise
// wait for its own requeue, and when that fails, the wait ends naming it. The watch outlives dropped
// connections (cluster.ts watchObject); only a deadline that passes while the API server cannot be reached
// says so.
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import { isTransient } from '../kube/reconnect.js';
import type { Condition, KubeObject, ResourceType } from '../kube/types.js';
import type { FluxKind } from './kinds.js';
import { NOT_READY_READ_MS, notReadyObjects } from './not-ready.js';
import {
  attemptedRevision,
  FINAL_WHILE_RECONCILING,
  IN_PROGRESS_REASONS,
  remediationAhead,
  waitingOn,
  waitsForAnother,
  type WaitingOn,
} from './reasons.js';
import { refString, resolveFluxKind, type FluxRef } from './refs.js';
import { RequestOrder } from './request-order.js';
import {
  computeKStatus,
  field,
  findCondition,
  fluxRevision,
  isCurrent,
  isSuspended,
  RECONCILE_REQUEST_ANNOTATION,
  stalledCause,
  stalledMessage,
  stringField,
} from './status.js';
import { newToken } from './token.js';

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
  /** The token whose reconcile gave the answer, when it is not the caller's: a later request covered it. */
  coveredBy?: string;
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
  /** The requestedAt annotation before our request: a reconcile that handled it does not answer ours. */
  previousToken?: string;
  /**
   * The merge patch of a new request with `token`, for requesting again once what the object waited for is
   * ready (default: requestedAt alone). A HelmRelease force or reset request carries forceAt/resetAt again.
   */
  requestPatch?: (token: string) => Record<string, unknown>;
  /** Annotations besides requestedAt that a reconcile must have handled to answer this request. */
  requires?: { force?: boolean; reset?: boolean };
  /**
   * The revision a source step of the same request just fetched (with_source): a Kustomization that answers
   * with an older revision read its source from a cache that had not seen the new artifact yet.
   */
  sourceRevision?: { source: FluxRef; revision: string };
}

/** How often a wait requests again after an answer from a revision older than its source step fetched. */
const STALE_RETRIES = 3;

/** The last read after a timeout is bounded: the deadline has passed already. */
const FINAL_READ_MS = 5_000;
/** How deep the wait follows an object that waits for another that waits for a third, and so on. */
const FOLLOW_DEPTH = 5;

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
 * generation fails with the controller's reason and message, unless the controller is still at work: a
 * Reconciling condition other than ProgressingWithRetry, a reason that means "in progress" or "waiting for
 * another object" (docs/reconcile-reasons.md), or a HelmRelease whose remediation runs next. Anything else
 * is still in progress. With the request's token, a HelmRelease whose retries are exhausted also gets what
 * to do about it.
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
  if (ready.status !== 'False' || !isCurrent(obj, ready)) return undefined;
  const reason = ready.reason ?? '';
  const reconciling = findCondition(obj, 'Reconciling');
  const working = reconciling?.status === 'True' && reconciling.reason !== RETRYING;
  if (working && !FINAL_WHILE_RECONCILING.has(reason)) return undefined;
  if (IN_PROGRESS_REASONS.has(reason) || waitsForAnother(obj, kind) || remediationAhead(obj, kind))
    return undefined;
  const message = ready.message ?? `${kind.kind} reconciliation failed`;
  return ready.reason
    ? { result: 'failed', reason: ready.reason, message: `${ready.reason}: ${message}` }
    : { result: 'failed', message };
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

/** Shared by the watches of one wait: the deadline, cancellation, and what the API server connection does. */
interface WaitContext {
  cluster: Cluster;
  options: WaitOptions;
  signal: AbortSignal;
  /** While the API server cannot be reached: since when, and the latest error. */
  lost?: { since: number; error: KubeError };
  /** The state last reported through onChange, and the object it describes. */
  lastState: string;
}

function report(ctx: WaitContext, state: string): void {
  if (state === ctx.lastState) return;
  ctx.lastState = state;
  ctx.options.onChange?.(state);
}

/**
 * Watches one object from `resourceVersion` until `decide` returns an answer. Returns the answer and the
 * last object seen, or no answer when the deadline passed or the caller cancelled.
 */
async function watchUntil<T>(
  ctx: WaitContext,
  r: ResourceType,
  obj: KubeObject,
  decide: (o: KubeObject) => T | undefined,
  what: string,
): Promise<{ answer?: T; last: KubeObject }> {
  const namespace = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  let last = obj;
  let answer: T | undefined;
  try {
    await ctx.cluster.watchObject(
      r,
      namespace,
      name,
      obj.metadata?.resourceVersion,
      (o, type) => {
        if (type === 'DELETED') {
          throw new KubeError('NotFound', `${what} was deleted while waiting for it`);
        }
        last = o;
        answer = decide(o);
        return answer !== undefined;
      },
      {
        signal: ctx.signal,
        onConnection: (error) => {
          if (error && !ctx.lost)
            ctx.options.onChange?.(`lost the connection to the API server (${error.message}); reconnecting`);
          if (!error && ctx.lost) ctx.options.onChange?.(`reconnected to the API server; ${ctx.lastState}`);
          ctx.lost = error ? { since: ctx.lost?.since ?? Date.now(), error } : undefined;
        },
      },
    );
  } catch (err) {
    if (!isKubeError(err, 'Cancelled') || !ctx.signal.aborted) throw err;
  }
  return answer === undefined ? { last } : { answer, last };
}

/**
 * How a followed object ended: ready for its waiter, failed (named with its reason; `message` follows
 * "which", e.g. "failed: BuildFailed: ..." or "does not exist"), or not in time.
 */
type Followed =
  | { result: 'ready'; waitedMs: number; refs: FluxRef[] }
  | { result: 'failed'; ref: FluxRef; reason?: string; message: string }
  | { result: 'timeout' | 'cancelled'; ref: FluxRef; state: string };

type Settle =
  | { kind: 'ready' }
  | { kind: 'failed'; reason?: string; message: string }
  | { kind: 'blocked'; waiting: WaitingOn };

function generationObserved(o: KubeObject): boolean {
  return field(o, 'status', 'observedGeneration') === o.metadata?.generation;
}

/** The revision of a source's artifact now, or undefined when it has none or cannot be read. */
async function artifactRevision(ctx: WaitContext, ref: FluxRef): Promise<string | undefined> {
  try {
    const resolved = await resolveFluxKind(ctx.cluster, ref.kind, undefined, ctx.signal);
    const source = await ctx.cluster.get(resolved.resource, ref.namespace, ref.name, ctx.signal);
    return stringField(source, 'status', 'artifact', 'revision');
  } catch {
    return undefined;
  }
}

function sourceRef(o: KubeObject): FluxRef | undefined {
  const kind = stringField(o, 'spec', 'sourceRef', 'kind');
  const name = stringField(o, 'spec', 'sourceRef', 'name');
  if (!kind || !name) return undefined;
  return {
    kind,
    name,
    namespace: stringField(o, 'spec', 'sourceRef', 'namespace') ?? o.metadata?.namespace ?? '',
  };
}

/**
 * Follows what `waiter` waits for until each object is ready for it, as its controller checks
 * (kustomize-controller and helm-controller checkDependencies: the generation observed and Ready=True, and
 * for a Kustomization on the same source, the source's revision applied; a source: Ready with an
 * artifact), or one of them fails. `unchangedSince` holds the resourceVersions of objects that were already
 * ready when the waiter was last requested again: those must change before they count again.
 */
async function follow(
  ctx: WaitContext,
  waiter: KubeObject,
  waiting: WaitingOn,
  depth: number,
  unchangedSince: Map<string, string>,
): Promise<Followed> {
  const started = Date.now();
  for (const ref of waiting.refs) {
    const settled = await settle(ctx, ref, waiting, waiter, depth, unchangedSince);
    if (settled.result !== 'ready') return settled;
  }
  return { result: 'ready', waitedMs: Date.now() - started, refs: waiting.refs };
}

async function settle(
  ctx: WaitContext,
  ref: FluxRef,
  waiting: WaitingOn,
  waiter: KubeObject,
  depth: number,
  unchangedSince: Map<string, string>,
): Promise<Followed> {
  const what = refString(ref);
  let resolved;
  let obj: KubeObject;
  try {
    resolved = await resolveFluxKind(ctx.cluster, ref.kind, undefined, ctx.signal);
    obj = await ctx.cluster.get(resolved.resource, ref.namespace, ref.name, ctx.signal);
  } catch (err) {
    if (isKubeError(err, 'NotFound') || isKubeError(err, 'UnknownKind'))
      return { result: 'failed', ref, reason: 'NotFound', message: 'does not exist' };
    if (isKubeError(err, 'Cancelled') && ctx.signal.aborted)
      return { result: ctx.options.signal.aborted ? 'cancelled' : 'timeout', ref, state: 'not read yet' };
    throw err;
  }
  const kind = resolved.flux;
  // kustomize-controller wants a dependency on the same source to have applied the source's revision.
  const waiterSource = sourceRef(waiter);
  const depSource = sourceRef(obj);
  const sameSource =
    waiting.relation === 'dependency' &&
    kind.kind === 'Kustomization' &&
    waiterSource !== undefined &&
    depSource !== undefined &&
    refString(waiterSource) === refString(depSource);
  let revision = sameSource ? await artifactRevision(ctx, waiterSource) : undefined;
  const key = `${what}`;

  const decide = (o: KubeObject): Settle | undefined => {
    const readyCondition = findCondition(o, 'Ready');
    const isReady =
      readyCondition?.status === 'True' &&
      generationObserved(o) &&
      (waiting.relation === 'source'
        ? stringField(o, 'status', 'artifact', 'revision') !== undefined
        : !sameSource ||
          revision === undefined ||
          stringField(o, 'status', 'lastAppliedRevision') === revision);
    if (isReady && unchangedSince.get(key) !== o.metadata?.resourceVersion) return { kind: 'ready' };
    if (isSuspended(o, kind)) {
      return {
        kind: 'failed',
        reason: 'Suspended',
        message: 'is suspended: its controller will not make it ready',
      };
    }
    const v = verdict(o, kind);
    // A Kustomization on the same source that failed on an older commit tries the new one next (the
    // source's watch wakes it): only a failure on the revision the waiter needs is its answer.
    const attempted = v?.result === 'failed' ? attemptedRevision(o, kind, v.reason) : undefined;
    const onOlderCommit =
      sameSource &&
      revision !== undefined &&
      attempted !== undefined &&
      findCondition(o, 'Stalled')?.status !== 'True' &&
      attempted !== revision;
    if (v?.result === 'failed' && !onOlderCommit) {
      return { kind: 'failed', ...(v.reason ? { reason: v.reason } : {}), message: `failed: ${v.message}` };
    }
    const own = waitingOn(o, kind);
    if (own && depth < FOLLOW_DEPTH && isCurrent(o, readyCondition!))
      return { kind: 'blocked', waiting: own };
    return undefined;
  };

  for (;;) {
    report(ctx, `waiting for ${what}: ${currentState(obj)}`);
    let decision = decide(obj);
    if (!decision) {
      const watched = await watchUntil(
        ctx,
        resolved.resource,
        obj,
        (o) => {
          report(ctx, `waiting for ${what}: ${currentState(o)}`);
          return decide(o);
        },
        what,
      );
      obj = watched.last;
      if (!watched.answer) {
        return {
          result: ctx.options.signal.aborted ? 'cancelled' : 'timeout',
          ref,
          state: currentState(obj),
        };
      }
      decision = watched.answer;
    }
    if (decision.kind === 'ready') return { result: 'ready', waitedMs: 0, refs: [ref] };
    if (decision.kind === 'failed') {
      return {
        result: 'failed',
        ref,
        ...(decision.reason ? { reason: decision.reason } : {}),
        message: decision.message,
      };
    }
    // It waits for something itself: follow that, then, where its controller would not look again by
    // itself before its requeue, request it again.
    const inner = await follow(ctx, obj, decision.waiting, depth + 1, unchangedSince);
    if (inner.result === 'failed') {
      return {
        result: 'failed',
        ref,
        ...(inner.reason ? { reason: inner.reason } : {}),
        message: `waits for ${refString(inner.ref)}, which ${inner.message}`,
      };
    }
    if (inner.result !== 'ready') return inner;
    if (decision.waiting.rerequest) {
      const token = newToken();
      ctx.options.onChange?.(`${what}: what it waits for is ready; requesting its reconcile again`);
      obj = await ctx.cluster.mergePatch(
        resolved.resource,
        ref.namespace,
        ref.name,
        { metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: token } } },
        { signal: ctx.signal },
      );
    }
    if (sameSource) revision = await artifactRevision(ctx, waiterSource);
  }
}

function describeRefs(refs: FluxRef[]): string {
  return refs.map(refString).join(', ');
}

/**
 * Waits until the controller has answered `token` on this object: it handled this request (or a later one,
 * which covers it) and says Ready or failed. Watches from `resourceVersion` (the one our patch returned), so
 * an answer that came before the watch started is seen.
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
  const what = `${kind.kind} ${namespace}/${name}`;
  const remaining = options.deadline - Date.now();
  const timeout = AbortSignal.timeout(Math.max(remaining, 1));
  const ctx: WaitContext = {
    cluster,
    options,
    signal: AbortSignal.any([options.signal, timeout]),
    lastState: currentState(obj),
  };
  const order = new RequestOrder(token, options.previousToken);
  /** What the wait did besides watching, for the answer: followed dependencies, requests made again. */
  const notes: string[] = [];
  /** The waiting state already followed: the same status again is not followed twice. */
  let followedAt: string | undefined;
  /** When the wait ends while following: what it was waiting for. */
  let following = '';
  const unchangedSince = new Map<string, string>();

  /** `stale`: the answer's revision, when it is not the one the source step fetched. */
  type Decision = { outcome: WaitOutcome; stale?: string } | { waiting: WaitingOn; object: KubeObject };
  const decide = (o: KubeObject): Decision | undefined => {
    report(ctx, currentState(o));
    order.observe(o.metadata?.annotations?.[RECONCILE_REQUEST_ANNOTATION]);
    const handled = stringField(o, 'status', 'lastHandledReconcileAt');
    const coverage = order.coverage(handled);
    if (!coverage) return undefined;
    if (coverage === 'later' && !handledAlso(o, handled!, options.requires)) {
      const needs = [options.requires?.force ? 'force' : '', options.requires?.reset ? 'reset' : '']
        .filter(Boolean)
        .join(' and ');
      return {
        outcome: {
          result: 'failed',
          object: o,
          reason: 'Superseded',
          message: `another request (${handled}) replaced this one before the controller read it, without the ${needs}: the controller reconciled without it; request again with ${needs}`,
        },
      };
    }
    const v = verdict(o, kind, handled);
    if (!v) {
      const waiting = waitingOn(o, kind);
      const ready = findCondition(o, 'Ready');
      if (waiting && ready && isCurrent(o, ready) && o.metadata?.resourceVersion !== followedAt)
        return { waiting, object: o };
      return undefined;
    }
    const covered = coverage === 'later' ? handled : undefined;
    // A failure is reported with the revision the controller attempted in that reconcile, where it
    // attempted one: after a failure before the attempt, lastAttemptedRevision still names an older one.
    const revision = v.result === 'ready' ? fluxRevision(o, kind) : attemptedRevision(o, kind, v.reason);
    const base = v.result === 'ready' ? successMessage(o, kind) : v.message;
    const extra = [
      ...notes,
      ...(covered
        ? [
            `the controller handled a later request (${covered}) instead of this one; that reconcile started after this request and covers it`,
          ]
        : []),
    ];
    const expected = kind.kind === 'Kustomization' ? options.sourceRevision?.revision : undefined;
    return {
      outcome: {
        result: v.result,
        object: o,
        message: extra.length > 0 ? `${base} (${extra.join('; ')})` : base,
        ...(v.reason ? { reason: v.reason } : {}),
        ...(revision ? { revision } : {}),
        ...(covered ? { coveredBy: covered } : {}),
      },
      ...(expected && revision && revision !== expected ? { stale: revision } : {}),
    };
  };

  /** Requests the reconcile again with a new token; what it now answers is this request's answer. */
  const requestAgain = async (why: string): Promise<string> => {
    const next = newToken();
    const patch = options.requestPatch?.(next) ?? {
      metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: next } },
    };
    options.onChange?.(`${why}; requesting the reconcile of ${what} again`);
    current = await cluster.mergePatch(r, namespace, name, patch, { signal: ctx.signal });
    order.renew(next);
    return next;
  };
  let staleRetries = 0;

  let current = obj;
  let first: Decision | undefined = decide(obj);
  const heartbeat = options.onHeartbeat
    ? setInterval(() => options.onHeartbeat?.(ctx.lastState), options.heartbeatMs ?? 10_000)
    : undefined;
  try {
    for (;;) {
      let decision = first;
      first = undefined;
      if (!decision) {
        const watched = await watchUntil(ctx, r, current, decide, what);
        current = watched.last;
        decision = watched.answer;
      }
      if (!decision) break;
      if ('outcome' in decision) {
        const stale = decision.stale;
        const source = options.sourceRevision;
        if (stale === undefined || source === undefined || staleRetries >= STALE_RETRIES)
          return decision.outcome;
        // kustomize-controller read the source from its cache before the new artifact reached it; the
        // answer is the old commit's. Unless the source has moved on to that revision since, ask again.
        if ((await artifactRevision(ctx, source.source)) === stale) return decision.outcome;
        staleRetries += 1;
        const next = await requestAgain(`answered from ${stale}, before it saw ${source.revision}`);
        notes.push(
          `the controller first answered from ${stale}, before it saw ${source.revision}; requested the reconcile again (${next})`,
        );
        first = decide(current);
        continue;
      }

      followedAt = decision.object.metadata?.resourceVersion;
      const waiting = decision.waiting;
      const followed = await follow(ctx, decision.object, waiting, 0, unchangedSince);
      if (followed.result === 'failed') {
        const message = `${waiting.reason}: ${what} waits for ${refString(followed.ref)}, which ${followed.message}`;
        return { result: 'failed', object: current, reason: waiting.reason, message };
      }
      if (followed.result !== 'ready') {
        following = `; waiting for ${refString(followed.ref)}, which is now ${followed.state}`;
        ctx.lastState = `${currentState(current)}${following}`;
        break;
      }
      notes.push(
        `${waiting.reason === 'DependencyNotReady' ? 'waited' : `waited (${waiting.reason})`} ${formatSeconds(followed.waitedMs)} for ${describeRefs(followed.refs)}`,
      );
      if (waiting.rerequest) {
        // The controller looks at a waiting dependent again only after --requeue-dependency (30 s by
        // default): request the reconcile again now, with a new token.
        const next = await requestAgain(`${describeRefs(waiting.refs)} ready`);
        notes[notes.length - 1] += `, then requested the reconcile again (${next})`;
        for (const ref of waiting.refs) {
          const rv = await currentResourceVersion(ctx, ref);
          if (rv) unchangedSince.set(refString(ref), rv);
        }
        first = decide(current);
      }
    }
  } catch (err) {
    if (!isKubeError(err, 'Cancelled') || !ctx.signal.aborted) throw err;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
  }
  if (options.signal.aborted) {
    return { result: 'cancelled', object: current, message: `cancelled while ${ctx.lastState}` };
  }
  if (ctx.lost) return unreachable(current, ctx.lastState, ctx.lost);
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
    return { result: 'timeout', object: now, message: `${currentState(now)}${following}${waitingFor}` };
  } catch (err) {
    if (isTransient(err)) return unreachable(current, ctx.lastState, { since: Date.now(), error: err });
    if (isKubeError(err, 'Cancelled')) {
      const error = new KubeError(
        'Timeout',
        `the API server of context ${cluster.context} did not answer within ${FINAL_READ_MS / 1000}s`,
      );
      return unreachable(current, ctx.lastState, { since: Date.now(), error });
    }
    return { result: 'timeout', object: current, message: ctx.lastState };
  }
}

async function currentResourceVersion(ctx: WaitContext, ref: FluxRef): Promise<string | undefined> {
  try {
    const resolved = await resolveFluxKind(ctx.cluster, ref.kind, undefined, ctx.signal);
    return (await ctx.cluster.get(resolved.resource, ref.namespace, ref.name, ctx.signal)).metadata
      ?.resourceVersion;
  } catch {
    return undefined;
  }
}

/** Whether the reconcile that handled `token` also handled the force and reset this request asked for. */
function handledAlso(o: KubeObject, token: string, requires: WaitOptions['requires']): boolean {
  if (requires?.force && stringField(o, 'status', 'lastHandledForceAt') !== token) return false;
  if (requires?.reset && stringField(o, 'status', 'lastHandledResetAt') !== token) return false;
  return true;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
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
