// Readiness of Flux objects: kstatus as the flux CLI computes it (fluxcd/cli-utils pkg/kstatus/status),
// and the per-kind facts an operator looks at first (docs/flux-semantics.md, sections Readiness (kstatus)
// and What flux get shows).
import type { Condition, KubeObject } from '../kube/types.js';
import type { FluxKind } from './kinds.js';

export type KStatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating';

export interface KStatusResult {
  status: KStatus;
  message: string;
}

export const RECONCILE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';
export const FORCE_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/forceAt';
export const RESET_REQUEST_ANNOTATION = 'reconcile.fluxcd.io/resetAt';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads a nested field by path, returning undefined when any step is missing. */
export function field(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    const r = record(cur);
    if (!r) return undefined;
    cur = r[key];
  }
  return cur;
}

export function stringField(obj: unknown, ...path: string[]): string | undefined {
  return str(field(obj, ...path));
}

export function conditions(obj: KubeObject): Condition[] {
  const list = field(obj, 'status', 'conditions');
  if (!Array.isArray(list)) return [];
  return list.filter((c): c is Condition => typeof record(c)?.type === 'string');
}

export function findCondition(obj: KubeObject, type: string): Condition | undefined {
  // Called several times for every object of every listing: a loop, not conditions().find.
  const list = field(obj, 'status', 'conditions');
  if (!Array.isArray(list)) return undefined;
  for (const c of list as unknown[]) if (record(c)?.type === type) return c as Condition;
  return undefined;
}

/**
 * Whether a condition speaks about the generation the object has now. Flux controllers stamp each condition
 * with the generation they were working on; a condition left from an older generation (a Stalled kept while
 * helm-controller waits for a rebuilt chart) no longer describes the object.
 */
export function isCurrent(obj: KubeObject, condition: Condition): boolean {
  const generation = obj.metadata?.generation;
  return (
    condition.observedGeneration === undefined ||
    generation === undefined ||
    condition.observedGeneration === generation
  );
}

/**
 * What made a Stalled object stall: the failed condition with its own message (for a HelmRelease whose
 * retries are exhausted, Ready or Released False with the Helm error, while Stalled only counts attempts).
 */
export function stalledCause(obj: KubeObject): Condition | undefined {
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status !== 'True') return undefined;
  for (const type of ['Ready', 'Released', 'Remediated', 'TestSuccess']) {
    const c = findCondition(obj, type);
    if (c?.status === 'False' && c.message && c.message !== stalled.message) return c;
  }
  return undefined;
}

/** A Stalled condition's message followed by the failure that caused it, when another condition names it. */
export function stalledMessage(obj: KubeObject): string | undefined {
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status !== 'True') return undefined;
  const cause = stalledCause(obj);
  const own = stalled.message ?? stalled.reason ?? 'stalled';
  return cause ? `${own}; ${cause.reason ? `${cause.reason}: ` : ''}${cause.message}` : own;
}

/** kstatus.Compute for custom resources. */
export function computeKStatus(obj: KubeObject): KStatusResult {
  if (obj.metadata?.deletionTimestamp)
    return { status: 'Terminating', message: 'Resource scheduled for deletion' };
  const observed = field(obj, 'status', 'observedGeneration');
  const generation = obj.metadata?.generation;
  if (typeof observed === 'number' && generation !== undefined && observed !== generation) {
    return {
      status: 'InProgress',
      message: `${obj.kind ?? 'Resource'} generation is ${generation}, but latest observed generation is ${observed}`,
    };
  }
  const reconciling = findCondition(obj, 'Reconciling');
  if (reconciling?.status === 'True') return { status: 'InProgress', message: reconciling.message ?? '' };
  const stalled = findCondition(obj, 'Stalled');
  if (stalled?.status === 'True') return { status: 'Failed', message: stalled.message ?? '' };
  const ready = findCondition(obj, 'Ready');
  if (ready) {
    return ready.status === 'True'
      ? { status: 'Current', message: ready.message ?? 'Resource is Ready' }
      : { status: 'InProgress', message: ready.message ?? '' };
  }
  return { status: 'Current', message: 'Resource is current' };
}

export function isSuspended(obj: KubeObject, kind: FluxKind | undefined): boolean {
  if (!kind || kind.suspend.type === 'spec') return field(obj, 'spec', 'suspend') === true;
  if (kind.suspend.type === 'annotation') {
    return obj.metadata?.annotations?.[kind.suspend.key]?.toLowerCase() === kind.suspend.disabled;
  }
  return false;
}

/** The static HelmRepository (type oci) has no reconciler: source-controller leaves it alone. */
export function isStatic(obj: KubeObject, kind: FluxKind | undefined): boolean {
  return kind?.kind === 'HelmRepository' && field(obj, 'spec', 'type') === 'oci';
}

/** The revision the flux CLI shows in `flux get` for this kind. */
export function fluxRevision(obj: KubeObject, kind: FluxKind | undefined): string | undefined {
  switch (kind?.kind) {
    case 'Kustomization':
      return stringField(obj, 'status', 'lastAppliedRevision');
    case 'HelmRelease': {
      const history = field(obj, 'status', 'history');
      const latest = Array.isArray(history) ? history[0] : undefined;
      return stringField(latest, 'chartVersion') ?? stringField(obj, 'status', 'lastAttemptedRevision');
    }
    case 'ImagePolicy': {
      const image = stringField(obj, 'status', 'latestRef', 'name');
      const tag = stringField(obj, 'status', 'latestRef', 'tag');
      if (image && tag) return `${image}:${tag}`;
      return stringField(obj, 'status', 'latestImage');
    }
    case 'ImageRepository': {
      const count = field(obj, 'status', 'lastScanResult', 'tagCount');
      return typeof count === 'number' ? `${count} tags` : undefined;
    }
    case 'FluxInstance':
    case 'ResourceSet':
      return stringField(obj, 'status', 'lastAppliedRevision');
    default:
      return stringField(obj, 'status', 'artifact', 'revision');
  }
}

export type Readiness = 'True' | 'False' | 'Unknown';

export const FLUX_STATES = [
  'Ready',
  'Failing',
  'Progressing',
  'Stalled',
  'Suspended',
  'Terminating',
  'Static',
] as const;

export interface FluxSummary {
  ready: Readiness;
  state: (typeof FLUX_STATES)[number];
  reason?: string;
  message?: string;
  suspended: boolean;
  revision?: string;
  /** The revision the controller last tried (`status.lastAttemptedRevision`), where it is not `revision`. */
  attemptedRevision?: string;
  lastHandledReconcileAt?: string;
  /** When the Ready condition last changed, the start of the current state. */
  since?: string;
}

/** The one-line facts about a Flux object: ready, why, which revision, suspended. */
export function summarizeFlux(obj: KubeObject, kind: FluxKind | undefined): FluxSummary {
  const ready = findCondition(obj, 'Ready');
  const stalled = findCondition(obj, 'Stalled');
  const suspended = isSuspended(obj, kind);
  const kstatus = computeKStatus(obj);
  const staticRepo = isStatic(obj, kind);
  const alwaysReady = staticRepo || kind?.kind === 'Alert' || kind?.kind === 'Provider';
  let readiness: Readiness =
    ready?.status === 'True' ? 'True' : ready?.status === 'False' ? 'False' : 'Unknown';
  if (!ready && alwaysReady) readiness = 'True';

  let state: FluxSummary['state'];
  if (kstatus.status === 'Terminating') state = 'Terminating';
  else if (suspended) state = 'Suspended';
  else if (stalled?.status === 'True') state = 'Stalled';
  else if (readiness === 'False') state = 'Failing';
  else if (readiness === 'True' && kstatus.status === 'Current') state = staticRepo ? 'Static' : 'Ready';
  else state = 'Progressing';

  const reason = stalled?.status === 'True' ? stalled.reason : ready?.reason;
  let message = stalled?.status === 'True' ? stalledMessage(obj) : ready?.message;
  if (!ready && !alwaysReady && !message) message = 'waiting to be reconciled';
  // Built by assignment rather than by spreading optional parts: this runs for every object of a listing.
  const summary: FluxSummary = { ready: readiness, state, suspended };
  if (reason) summary.reason = reason;
  if (message) summary.message = message;
  const revision = fluxRevision(obj, kind);
  if (revision) summary.revision = revision;
  // A Kustomization that fails on a new commit still has the last good one as its applied revision.
  const attempted = stringField(obj, 'status', 'lastAttemptedRevision');
  if (attempted && attempted !== revision) summary.attemptedRevision = attempted;
  const handled = stringField(obj, 'status', 'lastHandledReconcileAt');
  if (handled) summary.lastHandledReconcileAt = handled;
  const since = (stalled?.status === 'True' ? stalled : ready)?.lastTransitionTime;
  if (since) summary.since = since;
  return summary;
}
