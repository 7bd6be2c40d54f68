// The changes an object keeps the trace of, whatever the age of its events (docs/flux-changes.md, What the
// objects keep): when it was created, when its Ready condition last changed, the artifact a source stores
// now, the revisions a Kustomization applied (status.history), the Helm releases helm-controller made
// (status.history) and those written outside it (Helm storage), who suspended or resumed it (our
// annotations, else the field manager of the suspend switch) and the last reconcile, force or reset request.
import type { KubeObject } from '../kube/types.js';
import { sourceRevisionBefore } from './change-events.js';
import type { StoredRelease } from './helm-records.js';
import { historySnapshots, type Snapshot } from './helm-release.js';
import type { FluxKind } from './kinds.js';
import {
  field,
  findCondition,
  FORCE_REQUEST_ANNOTATION,
  isSuspended,
  RECONCILE_REQUEST_ANNOTATION,
  RESET_REQUEST_ANNOTATION,
  stringField,
} from './status.js';
import { lastWriterOf, RESUMED_AT, RESUMED_BY, suspensionDetails } from './suspension.js';
import { inWindow, type Change, type KnownObject, type Window } from './timeline.js';

export interface StatusContext {
  /** The Helm storage records of a HelmRelease, oldest first, when they were read. */
  releases?: StoredRelease[] | undefined;
  /** Every object read: the consumers of a source tell the revision it had before. */
  consumers: KnownObject[];
}

type Base = Pick<Change, 'ref'>;

function created(obj: KubeObject, base: Base, w: Window): Change[] {
  const at = obj.metadata?.creationTimestamp;
  return inWindow(at, w) ? [{ ...base, at: at!, what: 'created', origin: 'metadata' }] : [];
}

/**
 * A Ready condition that turned False in the window: the start of the failure it reports (a condition's
 * transition time moves only when its status does, so a reason that changed later keeps the first time).
 */
function readiness(obj: KubeObject, flux: FluxKind, base: Base, w: Window): Change[] {
  if (isSuspended(obj, flux)) return [];
  const ready = findCondition(obj, 'Ready');
  if (ready?.status !== 'False' || !inWindow(ready.lastTransitionTime, w)) return [];
  const revision = stringField(obj, 'status', 'lastAttemptedRevision');
  return [
    {
      ...base,
      at: ready.lastTransitionTime!,
      what: ready.reason === 'DependencyNotReady' ? 'waiting' : 'failing',
      origin: 'status',
      ...(ready.reason ? { reason: ready.reason } : {}),
      ...(ready.message ? { message: ready.message } : {}),
      ...(revision && flux.kind !== 'HelmRelease' ? { revision } : {}),
    },
  ];
}

/** The artifact a source stores now, when it was stored in the window. */
function artifact(obj: KubeObject, flux: FluxKind, base: Base, w: Window, ctx: StatusContext): Change[] {
  if (!flux.source) return [];
  const at = stringField(obj, 'status', 'artifact', 'lastUpdateTime');
  const revision = stringField(obj, 'status', 'artifact', 'revision');
  if (!revision || !inWindow(at, w)) return [];
  const objects = new Map(ctx.consumers.map((k) => [keyOf(k.obj, k.flux), k]));
  const previous = sourceRevisionBefore(base.ref, Date.parse(at!), revision, objects);
  return [
    {
      ...base,
      at: at!,
      what: 'revision',
      origin: 'status',
      revision,
      key: `rev:${revision}`,
      ...(previous ? { previous } : {}),
    },
  ];
}

function keyOf(obj: KubeObject, flux: FluxKind): string {
  return `${flux.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/**
 * A Kustomization's status.history: one entry per manifest digest and result, newest first, each with when
 * it was first and last reconciled. An entry first reconciled after the one below it was last reconciled
 * is a revision applied (or failing) then; an older digest coming back keeps its old first time, and is
 * left to the events.
 */
function appliedHistory(obj: KubeObject, flux: FluxKind, base: Base, w: Window): Change[] {
  if (flux.kind !== 'Kustomization') return [];
  const history = field(obj, 'status', 'history');
  if (!Array.isArray(history)) return [];
  const out: Change[] = [];
  history.forEach((h, i) => {
    const at = stringField(h, 'firstReconciled');
    const revision = stringField(h, 'metadata', 'revision');
    const status = stringField(h, 'lastReconciledStatus');
    if (!at || !inWindow(at, w)) return;
    const older: unknown = history[i + 1];
    const olderLast = stringField(older, 'lastReconciled');
    if (olderLast && Date.parse(olderLast) > Date.parse(at)) return;
    const previous = stringField(older, 'metadata', 'revision');
    if (status === 'ReconciliationSucceeded') {
      if (revision && previous === revision) return;
      out.push({
        ...base,
        at,
        what: 'applied',
        origin: 'history',
        ...(revision ? { revision, key: `applied:${revision}` } : {}),
        ...(previous ? { previous } : {}),
      });
    } else {
      out.push({
        ...base,
        at,
        what: 'failing',
        origin: 'history',
        ...(status ? { reason: status } : {}),
        ...(revision ? { revision } : {}),
      });
    }
  });
  return out;
}

function chartOf(s: { chartName?: string; chartVersion?: string }): string | undefined {
  return s.chartName && s.chartVersion ? `${s.chartName}@${s.chartVersion}` : s.chartVersion;
}

/** What helm-controller recorded of each release it made (status.history, newest first). */
function releaseHistory(obj: KubeObject, flux: FluxKind, base: Base, w: Window): Change[] {
  if (flux.kind !== 'HelmRelease') return [];
  const snapshots = historySnapshots(obj);
  const out: Change[] = [];
  snapshots.forEach((s, i) => {
    const at = s.lastDeployed ?? s.firstDeployed;
    if (!inWindow(at, w)) return;
    const chart = chartOf(s);
    const older: Snapshot | undefined = snapshots[i + 1];
    const common = {
      ...base,
      at: at!,
      origin: 'history' as const,
      release: s.version,
      ...(chart ? { chart } : {}),
    };
    if (s.status === 'failed') {
      out.push({
        ...common,
        what: 'failing',
        reason: `${s.action ?? 'release'} failed`,
        key: `fail:${chart}`,
      });
      return;
    }
    const what =
      s.action === 'rollback'
        ? 'remediated'
        : s.action === 'install' || (!s.action && (s.version === 1 || !older))
          ? 'installed'
          : 'upgraded';
    const previousChart = older ? chartOf(older) : undefined;
    out.push({
      ...common,
      what,
      key: `release:${s.version}`,
      ...(what === 'upgraded' && previousChart ? { previousChart } : {}),
    });
  });
  return out;
}

/** Field managers and what they stand for, as the timeline names who wrote a Helm release. */
function writerName(manager: string | undefined): string | undefined {
  if (!manager) return undefined;
  if (manager === 'flux-ops-mcp') return 'flux-ops-mcp (rollback_flux_helmrelease)';
  return manager;
}

/**
 * Helm releases helm-controller did not make: revisions in Helm storage that status.history does not
 * record, deployed in the window; a rollback says which revision it went back to ("Rollback to N").
 */
function outsideReleases(
  obj: KubeObject,
  flux: FluxKind,
  base: Base,
  w: Window,
  records: StoredRelease[] | undefined,
): Change[] {
  if (flux.kind !== 'HelmRelease' || !records) return [];
  const observed = new Set(historySnapshots(obj).map((s) => s.version));
  const out: Change[] = [];
  for (const r of records) {
    if (observed.has(r.revision) || !inWindow(r.lastDeployed, w)) continue;
    const target = /^Rollback to (\d+)/.exec(r.description ?? '')?.[1];
    const chart = chartOf(r);
    const by = writerName(r.writer);
    out.push({
      ...base,
      at: r.lastDeployed!,
      what: 'outside',
      origin: 'helm-storage',
      release: r.revision,
      key: `release:${r.revision}`,
      ...(target ? { target: Number(target) } : {}),
      ...(chart ? { chart } : {}),
      ...(r.description ? { message: r.description } : {}),
      reason: r.status,
      ...(by ? { by } : {}),
    });
  }
  return out;
}

/** Suspended in the window (by whom, why), or resumed in it through this server. */
function suspension(obj: KubeObject, flux: FluxKind, base: Base, w: Window): Change[] {
  const out: Change[] = [];
  if (isSuspended(obj, flux)) {
    const annotationKey = flux.suspend.type === 'annotation' ? flux.suspend.key : undefined;
    const d = suspensionDetails(obj, annotationKey);
    if (d.at && inWindow(d.at, w)) {
      const by = d.by ?? (d.manager ? `field manager ${d.manager}` : undefined);
      out.push({
        ...base,
        at: d.at,
        what: 'suspended',
        origin: d.by || d.reason ? 'annotation' : 'managed-fields',
        ...(by ? { by } : {}),
        ...(d.reason ? { message: d.reason } : {}),
      });
    }
    return out;
  }
  const a = obj.metadata?.annotations ?? {};
  const at = a[RESUMED_AT];
  if (at && inWindow(at, w)) {
    out.push({
      ...base,
      at,
      what: 'resumed',
      origin: 'annotation',
      ...(a[RESUMED_BY] ? { by: a[RESUMED_BY] } : {}),
    });
  }
  return out;
}

const REQUESTS = [
  { request: 'reconcile', annotation: RECONCILE_REQUEST_ANNOTATION, handled: 'lastHandledReconcileAt' },
  { request: 'force', annotation: FORCE_REQUEST_ANNOTATION, handled: 'lastHandledForceAt' },
  { request: 'reset', annotation: RESET_REQUEST_ANNOTATION, handled: 'lastHandledResetAt' },
] as const;

/**
 * The last reconcile, force and reset requests, when their token is a time in the window (the flux CLI
 * and this server write the time), with the field manager that wrote them and whether the controller has
 * handled them. A request written by a resume is part of the resume.
 */
function requests(obj: KubeObject, base: Base, w: Window): Change[] {
  const a = obj.metadata?.annotations ?? {};
  const resumedAt = a[RESUMED_AT] ? Date.parse(a[RESUMED_AT]) : undefined;
  const out: Change[] = [];
  for (const r of REQUESTS) {
    const token = a[r.annotation];
    if (!token || !inWindow(token, w)) continue;
    if (resumedAt !== undefined && Math.abs(Date.parse(token) - resumedAt) < 5_000) continue;
    const writer = lastWriterOf(obj, ['f:metadata', 'f:annotations', `f:${r.annotation}`]);
    out.push({
      ...base,
      at: new Date(Date.parse(token)).toISOString(),
      what: 'requested',
      origin: 'annotation',
      request: r.request,
      handled: stringField(obj, 'status', r.handled) === token,
      ...(writer?.manager ? { by: writer.manager } : {}),
    });
  }
  return out;
}

/** Everything one object keeps the trace of, in the window. */
export function statusChanges(obj: KubeObject, flux: FluxKind, w: Window, ctx: StatusContext): Change[] {
  const base: Base = {
    ref: { kind: flux.kind, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' },
  };
  return [
    ...created(obj, base, w),
    ...readiness(obj, flux, base, w),
    ...artifact(obj, flux, base, w, ctx),
    ...appliedHistory(obj, flux, base, w),
    ...releaseHistory(obj, flux, base, w),
    ...outsideReleases(obj, flux, base, w, ctx.releases),
    ...suspension(obj, flux, base, w),
    ...requests(obj, base, w),
  ];
}
