// Upgrading Flux through the Flux Operator: set FluxInstance.spec.distribution.version, request a
// reconcile, and wait until the FluxInstance has applied the new version and the FluxReport shows it
// (docs/flux-semantics.md, Upgrades and storage migration). The operator refuses to move to a lower minor;
// so does this, before changing anything. Without the operator nothing is
// changed and the answer says what to commit or run instead.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { appliedByKustomization, appliedVersion, findFluxInstances } from './flux-instance.js';
import { OPERATOR_GROUP } from './kinds.js';
import { compareMinor, parseVersion, type Version } from './releases.js';
import { findCondition, RECONCILE_REQUEST_ANNOTATION, stringField } from './status.js';
import { newToken } from './token.js';
import { checkUpgrade, upgradeStepSchema } from './upgrade-check.js';
import { currentState } from './wait.js';

const SUSPEND_ANNOTATION = 'fluxcd.controlplane.io/reconcile';

export const instanceUpgradeSchema = z.object({
  context: z.string(),
  result: z.enum([
    'upgraded',
    'unchanged',
    'dry-run',
    'requested',
    'failed',
    'timeout',
    'cancelled',
    'no-operator',
  ]),
  message: z.string(),
  instance: z
    .object({
      namespace: z.string(),
      name: z.string(),
      /** spec.distribution.version before and after. */
      specBefore: z.string(),
      specAfter: z.string(),
      /** The Flux version the operator had applied (status.lastAppliedRevision), before and now. */
      appliedBefore: z.string().optional(),
      appliedAfter: z.string().optional(),
      components: z.array(z.string()).optional(),
    })
    .optional(),
  /** The FluxReport's spec.distribution.version when the wait ended. */
  report: z.object({ namespace: z.string(), name: z.string(), version: z.string().optional() }).optional(),
  /** The merge patch sent (or, in a dry run, that would be sent). */
  patch: z.record(z.string(), z.unknown()).optional(),
  token: z.string().optional(),
  /** Without the operator: what to do instead. */
  steps: z.array(upgradeStepSchema),
  durationMs: z.number(),
});

export type InstanceUpgrade = z.infer<typeof instanceUpgradeSchema>;

export interface InstanceUpgradeRequest {
  /** `2.9.5`, `2.9.x`, `2.x` (a leading v is dropped). */
  version: string;
  /** Where the FluxInstance is; every namespace when absent. */
  namespace?: string;
  wait: boolean;
  timeoutMs: number;
  dryRun: boolean;
  signal: AbortSignal;
  progress: (message: string) => void;
}

/** The version as FluxInstance takes it: `2.9` becomes the range `2.9.x`. */
export function specVersion(requested: string): { spec: string; version: Version } {
  const v = parseVersion(requested);
  if (!v || /@/.test(requested)) {
    throw new FluxError(`"${requested}" is not a Flux version or range; give e.g. 2.9.5, 2.9.x or 2.x`);
  }
  const text = requested.trim().replace(/^v/, '');
  const spec = v.minor >= 0 && v.patch === undefined && !/\.(x|\*)$/.test(text) ? `${text}.x` : text;
  return { spec, version: v };
}

/** True when an applied version (v2.9.5) is what `wanted` asks for. */
export function satisfies(applied: string | undefined, wanted: Version): boolean {
  const a = applied ? parseVersion(applied) : undefined;
  if (!a || a.major !== wanted.major) return false;
  if (wanted.minor < 0) return true;
  if (a.minor !== wanted.minor) return false;
  return wanted.patch === undefined || a.patch === wanted.patch;
}

function components(instance: KubeObject): string[] | undefined {
  const list = instance.status?.components;
  if (!Array.isArray(list)) return undefined;
  return list.map((c: unknown) => {
    const name = stringField(c, 'name') ?? '?';
    const tag = stringField(c, 'tag');
    return tag ? `${name}:${tag}` : name;
  });
}

interface Watched {
  done: boolean;
  failed?: string;
}

/** Watches one object until `judge` says done or failed, the deadline passes or the caller cancels. */
async function watchUntil(
  cluster: Cluster,
  r: ResourceType,
  obj: KubeObject,
  judge: (o: KubeObject) => Watched,
  opts: { deadline: number; signal: AbortSignal; onChange: (o: KubeObject) => void },
): Promise<{ obj: KubeObject; verdict: Watched | 'timeout' | 'cancelled' }> {
  let last = obj;
  let verdict: Watched | undefined;
  const timeout = AbortSignal.timeout(Math.max(opts.deadline - Date.now(), 1));
  const signal = AbortSignal.any([opts.signal, timeout]);
  const check = (o: KubeObject) => {
    last = o;
    opts.onChange(o);
    const v = judge(o);
    if (v.done || v.failed) verdict = v;
    return verdict !== undefined;
  };
  if (check(obj)) return { obj: last, verdict: verdict! };
  try {
    await cluster.watchObject(
      r,
      obj.metadata?.namespace,
      obj.metadata?.name ?? '',
      obj.metadata?.resourceVersion,
      (o, type) => {
        if (type === 'DELETED') {
          throw new KubeError(
            'NotFound',
            `${r.kind} ${obj.metadata?.namespace}/${obj.metadata?.name} was deleted`,
          );
        }
        return check(o);
      },
      { signal },
    );
  } catch (err) {
    if (!isKubeError(err, 'Cancelled') || !signal.aborted) throw err;
  }
  if (verdict) return { obj: last, verdict };
  return { obj: last, verdict: opts.signal.aborted ? 'cancelled' : 'timeout' };
}

/** The FluxInstance has handled our request: applied the wanted version, or failed saying why. */
function instanceVerdict(o: KubeObject, token: string, wanted: Version): Watched {
  if (stringField(o, 'status', 'lastHandledReconcileAt') !== token) return { done: false };
  const stalled = findCondition(o, 'Stalled');
  if (stalled?.status === 'True') return { done: false, failed: stalled.message ?? 'stalled' };
  const ready = findCondition(o, 'Ready');
  if (ready?.status === 'False' && ready.reason !== 'Progressing') {
    return { done: false, failed: ready.message ?? 'the FluxInstance is not ready' };
  }
  const generation = o.metadata?.generation;
  const observed = ready?.observedGeneration;
  const current = generation === undefined || observed === undefined || observed >= generation;
  return { done: ready?.status === 'True' && current && satisfies(appliedVersion(o), wanted) };
}

export async function upgradeInstance(
  cluster: Cluster,
  req: InstanceUpgradeRequest,
): Promise<InstanceUpgrade> {
  const started = Date.now();
  const { spec, version: wanted } = specVersion(req.version);
  const signal = req.signal;
  const found = await findFluxInstances(cluster, req.namespace, signal);
  const controllersNamespace = req.namespace ?? 'flux-system';
  if (!found || found.items.length === 0) {
    const check = await checkUpgrade(
      cluster,
      { target: req.version, namespace: controllersNamespace },
      signal,
    );
    const steps = check.steps;
    const what =
      steps.length > 0
        ? 'the steps below upgrade it'
        : `${check.installed?.version ?? 'the installed version'} is already ${check.target.version} or newer`;
    return {
      context: cluster.context,
      result: 'no-operator',
      message: `No FluxInstance in ${req.namespace ? `namespace ${req.namespace} of ` : ''}context ${cluster.context}${found ? '' : ' (the Flux Operator is not installed)'}: nothing was changed. Flux was installed by ${check.method.detail}; ${what}.`,
      steps,
      durationMs: Date.now() - started,
    };
  }
  if (found.items.length > 1) {
    const where = found.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`).join(', ');
    throw new FluxError(
      `there are several FluxInstances (${where}): name the namespace; nothing was changed`,
    );
  }
  const instance = found.items[0]!;
  const ns = instance.metadata?.namespace ?? '';
  const name = instance.metadata?.name ?? '';
  const ref = `FluxInstance ${ns}/${name}`;
  const before = stringField(instance, 'spec', 'distribution', 'version') ?? '';
  const applied = appliedVersion(instance);

  if (instance.metadata?.deletionTimestamp)
    throw new FluxError(`${ref} is being deleted; nothing was changed`);
  if (instance.metadata?.annotations?.[SUSPEND_ANNOTATION]?.toLowerCase() === 'disabled') {
    throw new FluxError(
      `${ref} is suspended (${SUSPEND_ANNOTATION}: disabled): the operator would not act on it; resume it first (resume_flux_reconciliation). Nothing was changed`,
    );
  }
  const git = appliedByKustomization(instance);
  if (git) {
    throw new FluxError(
      `${ref} is applied from Git by ${git}, which would undo a change made here on its next reconcile: set spec.distribution.version: "${spec}" in its manifest in Git, commit and push. Nothing was changed`,
    );
  }
  const from = applied ? parseVersion(applied) : undefined;
  if (from && wanted.minor >= 0 && compareMinor(wanted, from) < 0) {
    throw new FluxError(
      `downgrading from ${applied} to ${spec} is not supported by the Flux Operator (reinstall needed); nothing was changed`,
    );
  }
  const notes: string[] = [];
  try {
    const check = await checkUpgrade(
      cluster,
      {
        target: spec,
        namespace: ns,
        ...(applied ? { installed: { version: applied, from: `${ref} status.lastAppliedRevision` } } : {}),
      },
      signal,
    );
    if (check.blockers.length > 0) {
      throw new FluxError(
        `not upgrading ${ref} to ${spec}: ${check.blockers.join('; ')}. check_flux_upgrade version=${spec} gives the steps. Nothing was changed`,
      );
    }
  } catch (err) {
    // A release newer than this server knows has no pre-flight; the operator decides whether it exists.
    if (!(err instanceof FluxError) || !/not a release this server knows/.test(err.message)) throw err;
    notes.push(`no pre-flight for ${spec}: ${err.message}`);
  }

  const base = { namespace: ns, name, specBefore: before, ...(applied ? { appliedBefore: applied } : {}) };
  if (before === spec && satisfies(applied, wanted)) {
    return {
      context: cluster.context,
      result: 'unchanged',
      message: `${ref} already asks for ${spec} and has applied ${applied}; nothing was changed.`,
      instance: { ...base, specAfter: spec, ...(applied ? { appliedAfter: applied } : {}) },
      steps: [],
      durationMs: Date.now() - started,
    };
  }

  const token = newToken();
  const patch = {
    metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: token } },
    spec: { distribution: { version: spec } },
  };
  const patched = await cluster.mergePatch(found.resource, ns, name, patch, { dryRun: req.dryRun, signal });
  const common = { context: cluster.context, patch, token, steps: [] };
  if (req.dryRun) {
    return {
      ...common,
      result: 'dry-run',
      message: `Dry run: the API server accepted setting ${ref} spec.distribution.version from ${before} to ${spec}; nothing was changed.${notes.length ? ` ${notes.join('; ')}` : ''}`,
      instance: { ...base, specAfter: spec },
      durationMs: Date.now() - started,
    };
  }
  req.progress(`${ref}: spec.distribution.version ${before} -> ${spec}, reconcile requested`);
  if (!req.wait) {
    return {
      ...common,
      result: 'requested',
      message: `${ref} now asks for ${spec} (was ${before}); reconcile requested, not waiting.`,
      instance: { ...base, specAfter: spec },
      durationMs: Date.now() - started,
    };
  }

  const deadline = started + req.timeoutMs;
  let lastState = '';
  const watched = await watchUntil(
    cluster,
    found.resource,
    patched,
    (o) => instanceVerdict(o, token, wanted),
    {
      deadline,
      signal,
      onChange: (o) => {
        const state = currentState(o);
        if (state !== lastState) req.progress(`${ref}: ${(lastState = state)}`);
      },
    },
  );
  const now = watched.obj;
  const instanceNow = {
    ...base,
    specAfter: spec,
    ...(appliedVersion(now) ? { appliedAfter: appliedVersion(now)! } : {}),
    ...(components(now) ? { components: components(now)! } : {}),
  };
  const end = (result: InstanceUpgrade['result'], message: string, report?: InstanceUpgrade['report']) => ({
    ...common,
    result,
    message,
    instance: instanceNow,
    ...(report ? { report } : {}),
    durationMs: Date.now() - started,
  });
  if (watched.verdict === 'timeout' || watched.verdict === 'cancelled') {
    return end(
      watched.verdict,
      `${watched.verdict === 'timeout' ? 'Timed out' : 'Cancelled'} waiting for ${ref} to apply ${spec}; it says ${currentState(now)}. The change stays in place: the operator goes on.`,
    );
  }
  if (watched.verdict.failed) {
    return end('failed', `${ref} failed to apply ${spec}: ${watched.verdict.failed}`);
  }

  // The operator asks for a new FluxReport after every FluxInstance reconcile; wait until it shows the version.
  const reportType = await cluster.discovery.resolve({ kind: 'FluxReport', group: OPERATOR_GROUP }, signal);
  const report = await cluster.get(reportType, ns, name, signal).catch((err: unknown) => {
    if (isKubeError(err, 'NotFound')) return undefined;
    throw err;
  });
  const upgraded = `${ref} applied ${appliedVersion(now)} (was ${applied ?? 'unknown'})`;
  if (!report) return end('upgraded', `${upgraded}; there is no FluxReport ${ns}/${name} to confirm it.`);
  const reportVersion = (o: KubeObject) => stringField(o, 'spec', 'distribution', 'version');
  const seen = await watchUntil(
    cluster,
    reportType,
    report,
    (o) => ({ done: satisfies(reportVersion(o), wanted) }),
    { deadline, signal, onChange: () => undefined },
  );
  const reportNow = {
    namespace: ns,
    name,
    ...(reportVersion(seen.obj) ? { version: reportVersion(seen.obj)! } : {}),
  };
  if (seen.verdict === 'timeout' || seen.verdict === 'cancelled') {
    return end(
      seen.verdict,
      `${upgraded}, but FluxReport ${ns}/${name} still says ${reportNow.version ?? 'no version'} (${seen.verdict === 'timeout' ? 'timed out waiting' : 'cancelled'}).`,
      reportNow,
    );
  }
  req.progress(`FluxReport ${ns}/${name}: ${reportNow.version}`);
  return end('upgraded', `${upgraded}; FluxReport ${ns}/${name} shows ${reportNow.version}.`, reportNow);
}
