// Which Ready=False reasons answer a reconcile request, and which say the controller has not done the work
// yet (docs/reconcile-reasons.md has the table, reason by reason, with the controllers' source behind it).
// The rule: a reason is final when the controller tried the object's own work for this request and failed
// on its content (a retry repeats the same input until someone changes Git, the chart, the values or the
// cluster); it is transient when the controller is waiting for something that comes by itself: another
// object (a dependency, a source artifact, a rebuilt chart), a newer reconcile that took over, or a
// remediation it runs at once.
import type { KubeObject } from '../kube/types.js';
import type { FluxKind } from './kinds.js';
import { dependencies, type FluxRef } from './refs.js';
import { field, findCondition, stringField } from './status.js';

/** Ready=False reasons that say the work is still in progress or was handed to a newer reconcile. */
export const IN_PROGRESS_REASONS: ReadonlySet<string> = new Set(['Progressing', 'HealthCheckCanceled']);

/**
 * Ready=False reasons that say the object waits for another one; never an answer, even where the object
 * it waits for cannot be named (waitingOn names it where it can).
 */
export const WAITING_REASONS: ReadonlySet<string> = new Set([
  'DependencyNotReady',
  'SourceNotReady',
  'NoSourceArtifact',
]);

/**
 * helm-controller keeps `Reconciling=True Progressing` ("Fulfilling prerequisites") beside these and retries
 * with controller-runtime's backoff, yet only a change makes them pass: a values reference (ConfigMap,
 * Secret, key) that is missing or invalid.
 */
export const FINAL_WHILE_RECONCILING: ReadonlySet<string> = new Set(['ValuesError']);

/** What a waiting object waits for, and whether its controller is woken when that is there. */
export interface WaitingOn {
  /** The controller's reason, e.g. DependencyNotReady. */
  reason: string;
  relation: 'dependency' | 'source';
  refs: FluxRef[];
  /**
   * The controller is not woken when these become ready (it looks again after --requeue-dependency, 30 s by
   * default): the waiter requests the reconcile again itself. Sources wake their consumers through watches.
   */
  rerequest: boolean;
}

/** kustomize-controller's ArtifactFailed messages that mean "the source has no usable artifact yet". */
const KS_SOURCE_NOT_READY = [
  /^Source artifact not found/,
  /^Source is not ready/,
  // The API server's NotFound for the source itself: `gitrepositories.source.toolkit.fluxcd.io "x" not found`.
  /^\S+\.source\.toolkit\.fluxcd\.io "[^"]*" not found/,
];
/** helm-controller's ArtifactFailed messages of the same meaning. */
const HR_SOURCE_NOT_READY = [/^Source not ready/, /^could not get Source object/];

function sourceRefOf(obj: KubeObject, kind: FluxKind): FluxRef | undefined {
  const ns = obj.metadata?.namespace ?? '';
  if (kind.kind === 'Kustomization' || kind.kind === 'HelmChart') {
    const ref = field(obj, 'spec', 'sourceRef');
    const refKind = stringField(ref, 'kind');
    const name = stringField(ref, 'name');
    if (!refKind || !name) return undefined;
    // A HelmChart's source is always in its own namespace.
    const namespace = kind.kind === 'HelmChart' ? ns : (stringField(ref, 'namespace') ?? ns);
    return { kind: refKind, namespace, name };
  }
  if (kind.kind === 'HelmRelease') {
    const chartRef = field(obj, 'spec', 'chartRef');
    if (chartRef) {
      const refKind = stringField(chartRef, 'kind');
      const name = stringField(chartRef, 'name');
      if (!refKind || !name) return undefined;
      return { kind: refKind, namespace: stringField(chartRef, 'namespace') ?? ns, name };
    }
    const chart = stringField(obj, 'status', 'helmChart');
    if (chart?.includes('/')) {
      const [namespace, name] = chart.split('/');
      return { kind: 'HelmChart', namespace: namespace!, name: name! };
    }
    const template = field(obj, 'spec', 'chart', 'spec');
    if (!template) return undefined;
    return {
      kind: 'HelmChart',
      namespace: stringField(template, 'sourceRef', 'namespace') ?? ns,
      name: `${ns}-${obj.metadata?.name ?? ''}`,
    };
  }
  return undefined;
}

/**
 * What an object whose Ready condition is False waits for, when its reason means "not yet" rather than
 * "failed": its dependencies (DependencyNotReady), its source's artifact (Kustomization and HelmRelease
 * ArtifactFailed before an attempt, HelmRelease SourceNotReady, HelmChart NoSourceArtifact), or the
 * repositories a GitRepository includes. Undefined for every other state.
 */
export function waitingOn(obj: KubeObject, kind: FluxKind): WaitingOn | undefined {
  const ready = findCondition(obj, 'Ready');
  if (ready?.status !== 'False' || !ready.reason) return undefined;
  const reason = ready.reason;
  const message = ready.message ?? '';
  const source = (): WaitingOn | undefined => {
    const ref = sourceRefOf(obj, kind);
    return ref ? { reason, relation: 'source', refs: [ref], rerequest: false } : undefined;
  };
  switch (kind.kind) {
    case 'Kustomization':
      if (reason === 'DependencyNotReady') {
        const refs = dependencies(obj, kind);
        return refs.length > 0 ? { reason, relation: 'dependency', refs, rerequest: true } : undefined;
      }
      if (reason === 'ArtifactFailed' && KS_SOURCE_NOT_READY.some((re) => re.test(message))) return source();
      return undefined;
    case 'HelmRelease':
      if (reason === 'DependencyNotReady') {
        const refs = dependencies(obj, kind);
        return refs.length > 0 ? { reason, relation: 'dependency', refs, rerequest: true } : undefined;
      }
      if (reason === 'SourceNotReady') return source();
      if (reason === 'ArtifactFailed' && HR_SOURCE_NOT_READY.some((re) => re.test(message))) return source();
      return undefined;
    case 'HelmChart':
      return reason === 'NoSourceArtifact' ? source() : undefined;
    case 'GitRepository': {
      const include = findCondition(obj, 'IncludeUnavailable');
      if (include?.status !== 'True' || (reason !== 'NotFound' && reason !== 'NoArtifact')) return undefined;
      const list = field(obj, 'spec', 'include');
      const ns = obj.metadata?.namespace ?? '';
      const refs = (Array.isArray(list) ? list : [])
        .map((i) => stringField(i, 'repository', 'name'))
        .filter((n): n is string => n !== undefined)
        .map((name) => ({ kind: 'GitRepository', namespace: ns, name }));
      return refs.length > 0 ? { reason, relation: 'source', refs, rerequest: false } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Whether a Ready=False object says it waits for another object (whether or not that one can be named):
 * never the answer to a request.
 */
export function waitsForAnother(obj: KubeObject, kind: FluxKind): boolean {
  const ready = findCondition(obj, 'Ready');
  if (ready?.status !== 'False') return false;
  const reason = ready.reason ?? '';
  const message = ready.message ?? '';
  if (WAITING_REASONS.has(reason)) return true;
  if (reason !== 'ArtifactFailed') return waitingOn(obj, kind) !== undefined;
  const patterns = kind.kind === 'HelmRelease' ? HR_SOURCE_NOT_READY : KS_SOURCE_NOT_READY;
  return kind.kind === 'Kustomization' || kind.kind === 'HelmRelease'
    ? patterns.some((re) => re.test(message))
    : false;
}

/**
 * A HelmRelease whose action failed with remediation still ahead: helm-controller writes
 * `Reconciling=True ProgressingWithRetry` with the Ready message and requeues at once (the retry or the
 * rollback runs next); with a retry strategy it says "retrying after <interval>", which is an answer.
 */
export function remediationAhead(obj: KubeObject, kind: FluxKind): boolean {
  if (kind.kind !== 'HelmRelease') return false;
  const reconciling = findCondition(obj, 'Reconciling');
  if (reconciling?.status !== 'True' || reconciling.reason !== 'ProgressingWithRetry') return false;
  return !(reconciling.message ?? '').startsWith('retrying after');
}

/** Kustomization reasons written after `status.lastAttemptedRevision` was set for this reconcile. */
const KS_ATTEMPTED = new Set(['BuildFailed', 'ReconciliationFailed', 'PruneFailed', 'HealthCheckFailed']);
/** HelmRelease reasons of a Helm action, run after `status.lastAttemptedRevision` was set. */
const HR_ATTEMPTED = new Set([
  'InstallFailed',
  'UpgradeFailed',
  'TestFailed',
  'RollbackFailed',
  'UninstallFailed',
  'RetriesExceeded',
  'MissingRollbackTarget',
  'ReconcileError',
]);

/**
 * The revision the controller attempted in the reconcile that failed with `reason`, or undefined when it
 * failed before attempting one: `status.lastAttemptedRevision` then still names an older attempt (after a
 * DependencyNotReady, the commit before). kustomize-controller fails fetching or finding the path after it
 * said "Fetching manifests for revision <rev>" in Reconciling but before it records lastAttemptedRevision.
 */
export function attemptedRevision(
  obj: KubeObject,
  kind: FluxKind,
  reason: string | undefined,
): string | undefined {
  const recorded = stringField(obj, 'status', 'lastAttemptedRevision');
  if (kind.kind === 'Kustomization') {
    if (reason && KS_ATTEMPTED.has(reason)) return recorded;
    if (reason === 'ArtifactFailed' || reason === 'DirectoryCreationFailed') {
      const ready = findCondition(obj, 'Ready');
      if (KS_SOURCE_NOT_READY.some((re) => re.test(ready?.message ?? ''))) return undefined;
      const fetching = /^Fetching manifests for revision (\S+) /.exec(
        findCondition(obj, 'Reconciling')?.message ?? '',
      );
      return fetching?.[1];
    }
    return undefined;
  }
  if (kind.kind === 'HelmRelease') {
    if (!reason || !HR_ATTEMPTED.has(reason)) return undefined;
    const generation = field(obj, 'status', 'lastAttemptedGeneration');
    if (typeof generation === 'number' && generation !== obj.metadata?.generation) return undefined;
    return recorded;
  }
  return undefined;
}
