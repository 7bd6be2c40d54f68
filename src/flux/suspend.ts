// `flux suspend` and `flux resume` over the API, with who, when and why recorded on the object
// (docs/flux-semantics.md, Suspend and resume).
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { KubeError } from '../kube/errors.js';
import { getNamed } from '../kube/get-named.js';
import { mapPool } from '../kube/pool.js';
import { apiVersionOf, type KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';
import type { FluxKind } from './kinds.js';
import { describeSuspension, previousRequest, type Hooks } from './reconcile.js';
import { refString, resolveFluxKind, type ResolvedKind } from './refs.js';
import { isSuspended, RECONCILE_REQUEST_ANNOTATION } from './status.js';
import {
  OPERATOR_SUSPENDED_BY,
  RESUMED_AT,
  RESUMED_BY,
  SUSPEND_REASON,
  SUSPENDED_AT,
  SUSPENDED_BY,
  suspensionDetails,
  type SuspensionDetails,
} from './suspension.js';
import { newToken } from './token.js';
import { describeTimeout, waitForReconcile } from './wait.js';

export interface Selection {
  kind: string;
  apiVersion?: string;
  namespace: string;
  /** One object; or every object of the kind in the namespace with `all`. */
  name?: string;
  all?: boolean;
  dryRun?: boolean;
}

export const suspensionSchema = z.object({
  /** The person our annotations (or the Flux web UI's) name. */
  by: z.string().optional(),
  at: z.string().optional(),
  reason: z.string().optional(),
  /** The field manager that set the suspend switch, when no annotation names a person. */
  manager: z.string().optional(),
});

/** What can happen to one object of an `all` selection when the API server refuses or fails it. */
export const OBJECT_FAILURES = [
  'forbidden',
  'not-found',
  'conflict',
  'invalid',
  'cancelled',
  'error',
] as const;
export const SUSPEND_RESULTS = [
  'suspended',
  'already-suspended',
  'dry-run',
  'skipped',
  ...OBJECT_FAILURES,
] as const;
export const RESUME_RESULTS = [
  'ready',
  'failed',
  'timeout',
  'requested',
  'dry-run',
  'skipped',
  ...OBJECT_FAILURES,
] as const;

function selectionOutcomeSchema<const R extends readonly [string, ...string[]]>(results: R) {
  return z.object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string(),
    /** The reconcile.fluxcd.io/requestedAt value written on resume. */
    token: z.string().optional(),
    objects: z.array(
      z.object({
        name: z.string(),
        result: z.enum(results),
        message: z.string(),
        revision: z.string().optional(),
        durationMs: z.number().optional(),
        patch: z.record(z.string(), z.unknown()).optional(),
        suspension: suspensionSchema
          .optional()
          .describe('Who suspended it, since when and why, as recorded before this call.'),
      }),
    ),
  });
}

export const suspendOutcomeSchema = selectionOutcomeSchema(SUSPEND_RESULTS);
export const resumeOutcomeSchema = selectionOutcomeSchema(RESUME_RESULTS);
export type SuspendOutcome = z.infer<typeof suspendOutcomeSchema>;
export type ResumeOutcome = z.infer<typeof resumeOutcomeSchema>;
export type SuspendResult = SuspendOutcome['objects'][number]['result'];
export type ResumeResult = ResumeOutcome['objects'][number]['result'];
export type ObjectFailure = (typeof OBJECT_FAILURES)[number];

/** Objects of an `all` selection patched, and waited on, at once. */
const CONCURRENCY = 8;

/** One object's failure, reported beside the others instead of ending the whole call. */
export function objectFailure(err: unknown): { result: ObjectFailure; message: string } {
  if (!(err instanceof KubeError)) throw err;
  const result: ObjectFailure =
    err.code === 'Forbidden'
      ? 'forbidden'
      : err.code === 'NotFound'
        ? 'not-found'
        : err.code === 'Conflict'
          ? 'conflict'
          : err.code === 'Invalid'
            ? 'invalid'
            : err.code === 'Cancelled'
              ? 'cancelled'
              : 'error';
  return { result, message: `${err.message}; nothing was changed` };
}

async function select(
  cluster: Cluster,
  sel: Selection,
  signal: AbortSignal,
): Promise<{ resolved: ResolvedKind; objects: KubeObject[] }> {
  if (sel.name && sel.all) throw new FluxError('give either a name or all: true, not both');
  if (!sel.name && !sel.all)
    throw new FluxError(
      'give the name of an object, or all: true for every object of the kind in the namespace',
    );
  const resolved = await resolveFluxKind(cluster, sel.kind, sel.apiVersion, signal);
  if (resolved.flux.suspend.type === 'none')
    throw new FluxError(`${resolved.flux.kind} cannot be suspended: it has no suspend switch`);
  if (sel.all) {
    const objects = await cluster.listAll(resolved.resource, { namespace: sel.namespace, signal });
    if (objects.length === 0)
      throw new FluxError(
        `no ${resolved.flux.kind} objects in namespace ${sel.namespace} of context ${cluster.context}; nothing was changed`,
      );
    return { resolved, objects };
  }
  const object = await getNamed(
    cluster,
    resolved.resource,
    sel.namespace,
    sel.name!,
    signal,
    '; nothing was changed',
  );
  return { resolved, objects: [object] };
}

/** A time as the annotations record it: RFC 3339 in whole seconds. */
function annotationTime(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

function suspendPatch(
  kind: FluxKind,
  who: string,
  reason: string | undefined,
  now: Date,
): Record<string, unknown> {
  const annotations: Record<string, string | null> = {
    [SUSPENDED_BY]: who,
    [SUSPENDED_AT]: annotationTime(now),
    [OPERATOR_SUSPENDED_BY]: who,
    ...(reason ? { [SUSPEND_REASON]: reason } : {}),
    // The resumption these replace is over: get_flux_changes reads who resumed from them.
    [RESUMED_BY]: null,
    [RESUMED_AT]: null,
  };
  if (kind.suspend.type === 'annotation') annotations[kind.suspend.key] = kind.suspend.disabled;
  return kind.suspend.type === 'spec'
    ? { spec: { suspend: true }, metadata: { annotations } }
    : { metadata: { annotations } };
}

function resumePatch(
  kind: FluxKind,
  token: string,
  who: string | undefined,
  now: Date,
): Record<string, unknown> {
  const annotations: Record<string, string | null> = {
    [SUSPENDED_BY]: null,
    [SUSPENDED_AT]: null,
    [SUSPEND_REASON]: null,
    [OPERATOR_SUSPENDED_BY]: null,
    [RECONCILE_REQUEST_ANNOTATION]: token,
    // Who resumed it and when, for get_flux_changes: nothing else on the object remembers a resumption.
    ...(who ? { [RESUMED_BY]: who } : {}),
    [RESUMED_AT]: annotationTime(now),
  };
  if (kind.suspend.type === 'annotation') annotations[kind.suspend.key] = kind.suspend.enabled;
  // The flux CLI resumes with spec.suspend = false, which its JSON omits: a merge patch to null.
  return kind.suspend.type === 'spec'
    ? { spec: { suspend: null }, metadata: { annotations } }
    : { metadata: { annotations } };
}

function deleting(obj: KubeObject): boolean {
  return obj.metadata?.deletionTimestamp !== undefined;
}

type ObjectResult<R> = Omit<SuspendOutcome['objects'][number], 'result'> & { result: R };

/**
 * Runs `act` on each selected object, a few at a time. With one object its failure is the call's failure;
 * with `all`, an object the API server refuses or fails is reported beside the others, so the answer says
 * what happened to each.
 */
async function eachObject<R extends string>(
  objects: KubeObject[],
  all: boolean,
  act: (obj: KubeObject, name: string) => Promise<ObjectResult<R>>,
): Promise<ObjectResult<R | ObjectFailure>[]> {
  return mapPool(objects, CONCURRENCY, async (obj) => {
    const name = obj.metadata?.name ?? '';
    try {
      return await act(obj, name);
    } catch (err) {
      if (!all) throw err;
      return { name, ...objectFailure(err) };
    }
  });
}

export async function suspend(
  cluster: Cluster,
  sel: Selection & { reason?: string; who: string },
  signal: AbortSignal,
): Promise<SuspendOutcome> {
  const { resolved, objects } = await select(cluster, sel, signal);
  const kind = resolved.flux;
  if (!sel.all && deleting(objects[0]!)) {
    throw new FluxError(`${kind.kind} ${sel.namespace}/${sel.name} is being deleted; nothing was changed`);
  }
  const now = new Date();
  const outcomes = await eachObject<SuspendResult>(objects, sel.all ?? false, async (obj, name) => {
    if (deleting(obj)) return { name, result: 'skipped', message: 'being deleted; left alone' };
    if (isSuspended(obj, kind)) {
      return {
        name,
        result: 'already-suspended',
        message: `already suspended (${describeSuspension(obj)}); left as it is`,
      };
    }
    const patch = suspendPatch(kind, sel.who, sel.reason, now);
    await cluster.mergePatch(resolved.resource, sel.namespace, name, patch, {
      dryRun: sel.dryRun ?? false,
      signal,
    });
    return {
      name,
      result: sel.dryRun ? 'dry-run' : 'suspended',
      message: sel.dryRun
        ? 'the API server accepted the patch in a dry run; nothing was changed'
        : `suspended by ${sel.who}${sel.reason ? `: "${sel.reason}"` : ''}`,
      patch,
    };
  });
  return {
    kind: kind.kind,
    apiVersion: apiVersionOf(resolved.resource),
    namespace: sel.namespace,
    objects: outcomes,
  };
}

/** `by jane since 2026-01-10T12:00:00Z: "INC-4411"`, or the field manager when no annotation names a person. */
export function describeSuspender(s: SuspensionDetails): string {
  const who = s.by ? `by ${s.by}` : s.manager ? `by field manager ${s.manager}` : 'by someone unrecorded';
  const since = s.at ? ` since ${s.at}` : '';
  return `${who}${since}${s.reason ? `: "${s.reason}"` : ', no reason recorded'}`;
}

/**
 * Resumes one object, or with `all` every object of the kind in the namespace. With `all`, a suspension that
 * our annotations (or the Flux web UI's) record as another person's is left alone unless `includeOthers`
 * says otherwise: a bulk resume must not end someone else's maintenance unseen. A suspension without such a
 * record (set with the flux CLI, kubectl or in Git) is resumed, as `flux resume --all` does, and the answer
 * names the field manager that set it (docs/suspend-and-resume.md).
 */
export async function resume(
  cluster: Cluster,
  sel: Selection & { wait: boolean; timeoutMs: number; who?: string; includeOthers?: boolean },
  hooks: Hooks,
): Promise<ResumeOutcome & { token: string }> {
  const { resolved, objects } = await select(cluster, sel, hooks.signal);
  const kind = resolved.flux;
  if (!sel.all && deleting(objects[0]!)) {
    throw new FluxError(`${kind.kind} ${sel.namespace}/${sel.name} is being deleted; nothing was changed`);
  }
  const now = new Date();
  const token = newToken(now);
  const deadline = Date.now() + sel.timeoutMs;
  const outcomes = await eachObject<ResumeResult>(objects, sel.all ?? false, async (obj, name) => {
    const ref = refString({ kind: kind.kind, namespace: sel.namespace, name });
    if (deleting(obj)) return { name, result: 'skipped', message: 'being deleted; left alone' };
    const wasSuspended = isSuspended(obj, kind);
    const suspension = wasSuspended
      ? suspensionDetails(obj, kind.suspend.type === 'annotation' ? kind.suspend.key : undefined)
      : undefined;
    const recorded = suspension ? { suspension } : {};
    if (sel.all && suspension?.by && sel.who && suspension.by !== sel.who && !sel.includeOthers) {
      return {
        name,
        result: 'skipped',
        message: `suspended ${describeSuspender(suspension)}, not by ${sel.who}: left suspended${sel.dryRun ? ' (dry run)' : ''}; include_suspended_by_others: true resumes it too`,
        ...recorded,
      };
    }
    const patch = resumePatch(kind, token, sel.who, now);
    const started = Date.now();
    const patched = await cluster.mergePatch(resolved.resource, sel.namespace, name, patch, {
      dryRun: sel.dryRun ?? false,
      signal: hooks.signal,
    });
    const note = suspension ? '' : 'it was not suspended; ';
    // With all, each line says whose suspension it ended; one named object is the caller's own choice.
    const whose = suspension && sel.all ? ` (was suspended ${describeSuspender(suspension)})` : '';
    if (sel.dryRun)
      return {
        name,
        result: 'dry-run',
        message: `${note}the API server accepted the patch in a dry run; nothing was changed${whose}`,
        patch,
        ...recorded,
      };
    if (!kind.reconcilable) {
      return {
        name,
        result: 'requested',
        message: `${note}resumed; ${kind.kind} has no reconcile request to wait for${whose}`,
        patch,
        ...recorded,
      };
    }
    if (!sel.wait)
      return {
        name,
        result: 'requested',
        message: `${note}resumed; reconciliation requested, not waiting${whose}`,
        patch,
        ...recorded,
      };
    await hooks.progress(`${ref}: resumed, waiting for the controller`);
    const outcome = await waitForReconcile(cluster, resolved.resource, kind, patched, token, {
      deadline,
      signal: hooks.signal,
      ...previousRequest(obj),
      onChange: (state) => void hooks.progress(`${ref}: ${state}`),
      onHeartbeat: (state) => void hooks.progress(`${ref}: still waiting, ${state}`),
    });
    const message =
      outcome.result === 'timeout'
        ? `${note}resumed, but the controller has not finished: ${describeTimeout(outcome)}`
        : outcome.result === 'cancelled'
          ? `${note}resumed; stopped waiting: ${outcome.message}`
          : `${note}${outcome.message}`;
    await hooks.progress(`${ref}: ${outcome.result}`);
    return {
      name,
      result: outcome.result,
      message: `${message}${whose}`,
      ...(outcome.revision ? { revision: outcome.revision } : {}),
      durationMs: Date.now() - started,
      patch,
      ...recorded,
    };
  });
  return {
    kind: kind.kind,
    apiVersion: apiVersionOf(resolved.resource),
    namespace: sel.namespace,
    objects: outcomes,
    token,
  };
}
