// `flux reconcile` over the API: one requestedAt token per request, the source chain and the dependsOn
// chain reconciled first (each step waited on), refusals before anything is changed
// (docs/flux-semantics.md, sections Reconcile requests and Waiting for a reconcile).
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { getNamed } from '../kube/get-named.js';
import type { KubeObject } from '../kube/types.js';
import { isKubeError } from '../kube/errors.js';
import { FluxError } from './errors.js';
import type { FluxKind } from './kinds.js';
import {
  dependencies,
  refString,
  resolveFluxKind,
  sameRef,
  sourceChain,
  type FluxRef,
  type ResolvedKind,
} from './refs.js';
import {
  field,
  FORCE_REQUEST_ANNOTATION,
  isStatic,
  isSuspended,
  RECONCILE_REQUEST_ANNOTATION,
  RESET_REQUEST_ANNOTATION,
  stringField,
} from './status.js';
import { suspensionInfo } from './suspension.js';
import { newToken } from './token.js';
import { describeTimeout, waitForReconcile, type WaitOutcome } from './wait.js';

export const STEP_RESULTS = [
  'ready',
  'failed',
  'timeout',
  'cancelled',
  'requested',
  'dry-run',
  'not-supported',
  'skipped',
] as const;

export const stepSchema = z.object({
  role: z.enum(['source', 'dependency', 'target']),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  result: z.enum(STEP_RESULTS),
  message: z.string(),
  /** The controller's reason when it failed: BuildFailed, HealthCheckFailed, RetriesExceeded, ... */
  reason: z.string().optional(),
  revision: z
    .string()
    .optional()
    .describe(
      'Ready: the revision applied or fetched. Failed: the one the controller last attempted, where it records one.',
    ),
  durationMs: z.number().optional(),
  /** The merge patch sent (or, in a dry run, that would be sent). */
  patch: z.record(z.string(), z.unknown()).optional(),
});

export type Step = z.infer<typeof stepSchema>;
export type StepRole = Step['role'];
export type StepResult = Step['result'];

export const reconcileOutcomeSchema = z.object({
  object: z.object({ apiVersion: z.string(), kind: z.string(), namespace: z.string(), name: z.string() }),
  token: z.string().describe('The reconcile.fluxcd.io/requestedAt value of this request.'),
  result: z.enum(STEP_RESULTS),
  /** The controller's reason for the failure that ended the request, when it gave one. */
  reason: z.string().optional(),
  revision: z.string().optional(),
  message: z.string(),
  durationMs: z.number(),
  steps: z.array(stepSchema),
});

export type ReconcileOutcome = z.infer<typeof reconcileOutcomeSchema>;

export interface ReconcileRequest extends FluxRef {
  apiVersion?: string;
  withSource?: boolean;
  withDependencies?: boolean;
  wait: boolean;
  timeoutMs: number;
  dryRun?: boolean;
  force?: boolean;
  reset?: boolean;
}

export interface Hooks {
  signal: AbortSignal;
  /** Reports a step; awaited at step boundaries so the client sees them in order, before the result. */
  progress(message: string): Promise<void>;
}

interface PlannedStep {
  role: StepRole;
  ref: FluxRef;
  resolved: ResolvedKind;
  object: KubeObject;
  /** A static object (OCI HelmRepository) is skipped: there is nothing to reconcile. */
  skip?: string;
}

export function describeSuspension(obj: KubeObject): string {
  const s = suspensionInfo(obj);
  const parts: string[] = [];
  if (s.by) parts.push(`by ${s.by}`);
  if (s.at) parts.push(`since ${s.at}`);
  const who = parts.join(' ');
  if (s.reason) return `${who ? `${who}: ` : ''}"${s.reason}"`;
  return who ? `${who}, no reason recorded` : 'no reason recorded';
}

function refusal(
  ref: FluxRef,
  obj: KubeObject,
  kind: FluxKind,
  role: StepRole,
  target: FluxRef,
): string | undefined {
  const what = refString(ref);
  const nothing =
    role === 'target'
      ? 'nothing was changed'
      : `${refString(target)} was not reconciled; nothing was changed`;
  if (obj.metadata?.deletionTimestamp) return `${what} is being deleted; ${nothing}.`;
  if (isSuspended(obj, kind)) {
    return `${what} is suspended (${describeSuspension(obj)}); ${nothing}.\nResume it with resume_flux_reconciliation, or reconcile another object.`;
  }
  if (!kind.reconcilable)
    return `${what} cannot be reconciled: ${kind.kind} has no reconcile request; ${nothing}.`;
  return undefined;
}

async function load(
  cluster: Cluster,
  ref: FluxRef,
  apiVersion: string | undefined,
  signal: AbortSignal,
): Promise<{ resolved: ResolvedKind; object: KubeObject }> {
  const resolved = await resolveFluxKind(cluster, ref.kind, apiVersion, signal);
  return { resolved, object: await getNamed(cluster, resolved.resource, ref.namespace, ref.name, signal) };
}

/** Objects of the dependsOn graph, parents before children; a cycle is an error that names it. */
async function dependencyOrder(
  cluster: Cluster,
  target: PlannedStep,
  signal: AbortSignal,
): Promise<PlannedStep[]> {
  const loaded = new Map<string, PlannedStep>([[refString(target.ref), target]]);
  const order: PlannedStep[] = [];
  const visiting: FluxRef[] = [];
  const done = new Set<string>();

  const visit = async (step: PlannedStep): Promise<void> => {
    const key = refString(step.ref);
    if (done.has(key)) return;
    const at = visiting.findIndex((r) => sameRef(r, step.ref));
    if (at >= 0) {
      const cycle = [...visiting.slice(at), step.ref].map((r) => `${r.namespace}/${r.name}`).join(' -> ');
      throw new FluxError(`dependsOn cycle: ${cycle}; nothing was changed`);
    }
    visiting.push(step.ref);
    for (const dep of dependencies(step.object, step.resolved.flux)) {
      const depKey = refString(dep);
      let depStep = loaded.get(depKey);
      if (!depStep) {
        let found;
        try {
          found = await load(cluster, dep, undefined, signal);
        } catch (err) {
          if (err instanceof FluxError || isKubeError(err, 'NotFound')) {
            throw new FluxError(
              `${refString(step.ref)} depends on ${depKey}, which is not found; nothing was changed`,
            );
          }
          throw err;
        }
        depStep = { role: 'dependency', ref: dep, ...found };
        loaded.set(depKey, depStep);
      }
      await visit(depStep);
    }
    visiting.pop();
    done.add(key);
    order.push(step);
  };
  await visit(target);
  return order;
}

/** The source a HelmRelease's chart template names (spec.chart.spec.sourceRef), in the namespace Flux uses. */
function chartTemplateSource(hr: KubeObject): FluxRef | undefined {
  const ref = field(hr, 'spec', 'chart', 'spec', 'sourceRef');
  const kind = stringField(ref, 'kind');
  const name = stringField(ref, 'name');
  if (!kind || !name) return undefined;
  return { kind, namespace: stringField(ref, 'namespace') ?? hr.metadata?.namespace ?? '', name };
}

function sourceStep(ref: FluxRef, found: { resolved: ResolvedKind; object: KubeObject }): PlannedStep {
  const source: PlannedStep = { role: 'source', ref: { ...ref, kind: found.resolved.flux.kind }, ...found };
  if (isStatic(found.object, found.resolved.flux))
    source.skip = `${found.resolved.flux.kind} of type oci is static: nothing to reconcile`;
  return source;
}

async function withSources(cluster: Cluster, step: PlannedStep, signal: AbortSignal): Promise<PlannedStep[]> {
  const chain = sourceChain(step.object, step.resolved.flux);
  if ('error' in chain) throw new FluxError(`${chain.error}; nothing was changed`);
  const steps: PlannedStep[] = [];
  for (const ref of chain) {
    let found: { resolved: ResolvedKind; object: KubeObject };
    try {
      found = await load(cluster, ref, undefined, signal);
    } catch (err) {
      // helm-controller creates the HelmChart of a chart template on its first reconcile of the HelmRelease:
      // a new HelmRelease has none yet. Its source is fetched, and the HelmRelease then creates the chart.
      const template =
        step.resolved.flux.kind === 'HelmRelease' ? chartTemplateSource(step.object) : undefined;
      const missing = err instanceof FluxError || isKubeError(err, 'NotFound');
      if (!missing || ref.kind !== 'HelmChart' || !template) throw err;
      steps.push(sourceStep(template, await load(cluster, template, undefined, signal)));
      steps.push({
        role: 'source',
        ref,
        resolved: await resolveFluxKind(cluster, 'HelmChart', undefined, signal),
        object: {},
        skip: `does not exist yet: helm-controller creates it when it reconciles ${refString(step.ref)}`,
      });
      continue;
    }
    const source = sourceStep(ref, found);
    // A HelmChart brings its own source first, as `flux reconcile hr --with-source` does.
    if (found.resolved.flux.kind === 'HelmChart') steps.push(...(await withSources(cluster, source, signal)));
    steps.push(source);
  }
  return steps;
}

function objectOf(step: PlannedStep): ReconcileOutcome['object'] {
  const { kind, namespace, name } = step.ref;
  return { apiVersion: step.object.apiVersion ?? '', kind, namespace, name };
}

/** For a Kustomization whose source a step of this request fetched: that source and the revision it fetched. */
function fetchedSource(
  step: PlannedStep,
  fetched: ReadonlyMap<string, string>,
): { sourceRevision?: { source: FluxRef; revision: string } } {
  if (step.resolved.flux.kind !== 'Kustomization') return {};
  const chain = sourceChain(step.object, step.resolved.flux);
  const source = Array.isArray(chain) ? chain[0] : undefined;
  const revision = source ? fetched.get(refString(source)) : undefined;
  return source && revision ? { sourceRevision: { source, revision } } : {};
}

/** The request on the object before ours, which a reconcile may handle without answering ours. */
export function previousRequest(obj: KubeObject): { previousToken?: string } {
  const previous = obj.metadata?.annotations?.[RECONCILE_REQUEST_ANNOTATION];
  return previous ? { previousToken: previous } : {};
}

function patchFor(step: PlannedStep, token: string, request: ReconcileRequest): Record<string, unknown> {
  const annotations: Record<string, string> = { [RECONCILE_REQUEST_ANNOTATION]: token };
  if (step.role === 'target' && step.resolved.flux.kind === 'HelmRelease') {
    if (request.force) annotations[FORCE_REQUEST_ANNOTATION] = token;
    if (request.reset) annotations[RESET_REQUEST_ANNOTATION] = token;
  }
  return { metadata: { annotations } };
}

async function plan(
  cluster: Cluster,
  request: ReconcileRequest,
  signal: AbortSignal,
): Promise<PlannedStep[]> {
  const target: PlannedStep = {
    role: 'target',
    ref: request,
    ...(await load(cluster, request, request.apiVersion, signal)),
  };
  target.ref = { kind: target.resolved.flux.kind, namespace: request.namespace, name: request.name };
  const appliers = request.withDependencies ? await dependencyOrder(cluster, target, signal) : [target];
  const steps: PlannedStep[] = [];
  for (const applier of appliers) {
    if (request.withSource) {
      for (const s of await withSources(cluster, applier, signal)) {
        if (!steps.some((x) => sameRef(x.ref, s.ref))) steps.push(s);
      }
    }
    steps.push(applier);
  }
  return steps;
}

/**
 * Reconciles an object as `flux reconcile` does. Every object is read and checked before the first patch,
 * so a refusal changes nothing; then each step is requested and, with `wait`, waited on in order.
 */
export async function reconcile(
  cluster: Cluster,
  request: ReconcileRequest,
  hooks: Hooks,
): Promise<ReconcileOutcome> {
  const started = Date.now();
  const deadline = started + request.timeoutMs;
  const token = newToken();
  const planned = await plan(cluster, request, hooks.signal);
  const target = planned[planned.length - 1]!;

  if (isStatic(target.object, target.resolved.flux)) {
    return {
      object: objectOf(target),
      token,
      result: 'not-supported',
      message: `${refString(target.ref)} is a static ${target.resolved.flux.kind} (type oci): source-controller does not reconcile it; nothing was changed`,
      durationMs: Date.now() - started,
      steps: [],
    };
  }
  for (const step of planned) {
    if (step.skip) continue;
    const why = refusal(step.ref, step.object, step.resolved.flux, step.role, target.ref);
    if (why) throw new FluxError(why);
  }

  const steps: Step[] = [];
  let failed: Step | undefined;
  let failedWait: WaitOutcome | undefined;
  /** The revisions the source steps of this request fetched, by source. */
  const fetched = new Map<string, string>();
  for (const [i, step] of planned.entries()) {
    const base = { role: step.role, kind: step.ref.kind, namespace: step.ref.namespace, name: step.ref.name };
    if (step.skip) {
      steps.push({ ...base, result: 'skipped', message: step.skip });
      continue;
    }
    if (failed) {
      steps.push({
        ...base,
        result: 'skipped',
        message: `not reconciled: ${refString(failed)} ${failed.result}`,
      });
      continue;
    }
    const patch = patchFor(step, token, request);
    const stepStart = Date.now();
    const label = `${i + 1}/${planned.length} ${refString(step.ref)}`;
    await hooks.progress(`${label}: ${request.dryRun ? 'dry run' : 'requesting reconciliation'}`);
    const patched = await cluster.mergePatch(
      step.resolved.resource,
      step.ref.namespace,
      step.ref.name,
      patch,
      {
        dryRun: request.dryRun ?? false,
        signal: hooks.signal,
      },
    );
    if (request.dryRun) {
      steps.push({
        ...base,
        result: 'dry-run',
        message: 'the API server accepted the patch in a dry run; nothing was changed',
        patch,
      });
      continue;
    }
    if (!request.wait) {
      steps.push({ ...base, result: 'requested', message: 'reconciliation requested; not waiting', patch });
      continue;
    }
    const outcome = await waitForReconcile(
      cluster,
      step.resolved.resource,
      step.resolved.flux,
      patched,
      token,
      {
        deadline,
        signal: hooks.signal,
        onChange: (state) => void hooks.progress(`${label}: ${state}`),
        onHeartbeat: (state) => void hooks.progress(`${label}: still waiting, ${state}`),
        ...previousRequest(step.object),
        ...fetchedSource(step, fetched),
        requestPatch: (next) => patchFor(step, next, request),
        ...(step.role === 'target' &&
        step.resolved.flux.kind === 'HelmRelease' &&
        (request.force || request.reset)
          ? {
              requires: {
                ...(request.force ? { force: true } : {}),
                ...(request.reset ? { reset: true } : {}),
              },
            }
          : {}),
      },
    );
    const done: Step = {
      ...base,
      result: outcome.result,
      message: outcome.message,
      ...(outcome.result !== 'ready' && outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.revision ? { revision: outcome.revision } : {}),
      durationMs: Date.now() - stepStart,
      patch,
    };
    steps.push(done);
    if (step.role === 'source' && outcome.result === 'ready' && outcome.revision)
      fetched.set(refString(step.ref), outcome.revision);
    await hooks.progress(`${label}: ${outcome.result}`);
    if (outcome.result !== 'ready') {
      failed = done;
      failedWait = outcome;
    }
  }

  const last = steps[steps.length - 1]!;
  const result = failed ? failed.result : last.result;
  let message = last.message;
  if (failed && failed !== last) {
    message = `${refString(failed)} ${failed.result}: ${failed.message}; ${refString(target.ref)} was not reconciled`;
  } else if (failed?.result === 'timeout' && failedWait) {
    message = `${describeTimeout(failedWait)}; the reconcile request stays in place and the controller will still handle it`;
  }
  return {
    object: objectOf(target),
    token,
    result,
    ...(failed?.reason ? { reason: failed.reason } : {}),
    message,
    ...(last.revision && !failed ? { revision: last.revision } : {}),
    durationMs: Date.now() - started,
    steps,
  };
}
