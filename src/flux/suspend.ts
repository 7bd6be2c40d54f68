// `flux suspend` and `flux resume` over the API, with who, when and why recorded on the object
// (reference/flux-semantics.md §3).
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import { apiVersionOf, type KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';
import type { FluxKind } from './kinds.js';
import { describeSuspension, newToken, type Hooks } from './reconcile.js';
import { refString, resolveFluxKind, type ResolvedKind } from './refs.js';
import { isSuspended, RECONCILE_REQUEST_ANNOTATION } from './status.js';
import { OPERATOR_SUSPENDED_BY, SUSPEND_REASON, SUSPENDED_AT, SUSPENDED_BY } from './suspension.js';
import { describeTimeout, waitForReconcile, type WaitResult } from './wait.js';

export interface Selection {
  kind: string;
  apiVersion?: string;
  namespace: string;
  /** One object; or every object of the kind in the namespace with `all`. */
  name?: string;
  all?: boolean;
  dryRun?: boolean;
}

export type SuspendResult = 'suspended' | 'already-suspended' | 'dry-run' | 'skipped';
export type ResumeResult = WaitResult | 'requested' | 'dry-run' | 'skipped';

export interface ObjectOutcome<R> {
  name: string;
  result: R;
  message: string;
  revision?: string;
  durationMs?: number;
  patch?: Record<string, unknown>;
}

export interface SelectionOutcome<R> {
  kind: string;
  apiVersion: string;
  namespace: string;
  objects: ObjectOutcome<R>[];
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
  try {
    return { resolved, objects: [await cluster.get(resolved.resource, sel.namespace, sel.name!, signal)] };
  } catch (err) {
    if (isKubeError(err, 'NotFound')) {
      throw new FluxError(
        `${resolved.flux.kind} ${sel.namespace}/${sel.name} not found in context ${cluster.context}; nothing was changed`,
      );
    }
    throw err;
  }
}

function suspendPatch(
  kind: FluxKind,
  who: string,
  reason: string | undefined,
  now: Date,
): Record<string, unknown> {
  const annotations: Record<string, string> = {
    [SUSPENDED_BY]: who,
    [SUSPENDED_AT]: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    [OPERATOR_SUSPENDED_BY]: who,
    ...(reason ? { [SUSPEND_REASON]: reason } : {}),
  };
  if (kind.suspend.type === 'annotation') annotations[kind.suspend.key] = kind.suspend.disabled;
  return kind.suspend.type === 'spec'
    ? { spec: { suspend: true }, metadata: { annotations } }
    : { metadata: { annotations } };
}

function resumePatch(kind: FluxKind, token: string): Record<string, unknown> {
  const annotations: Record<string, string | null> = {
    [SUSPENDED_BY]: null,
    [SUSPENDED_AT]: null,
    [SUSPEND_REASON]: null,
    [OPERATOR_SUSPENDED_BY]: null,
    [RECONCILE_REQUEST_ANNOTATION]: token,
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

export async function suspend(
  cluster: Cluster,
  sel: Selection & { reason?: string; who: string },
  signal: AbortSignal,
): Promise<SelectionOutcome<SuspendResult>> {
  const { resolved, objects } = await select(cluster, sel, signal);
  const kind = resolved.flux;
  if (!sel.all && deleting(objects[0]!)) {
    throw new FluxError(`${kind.kind} ${sel.namespace}/${sel.name} is being deleted; nothing was changed`);
  }
  const now = new Date();
  const outcomes: ObjectOutcome<SuspendResult>[] = [];
  for (const obj of objects) {
    const name = obj.metadata?.name ?? '';
    if (deleting(obj)) {
      outcomes.push({ name, result: 'skipped', message: 'being deleted; left alone' });
      continue;
    }
    if (isSuspended(obj, kind)) {
      outcomes.push({
        name,
        result: 'already-suspended',
        message: `already suspended (${describeSuspension(obj)}); left as it is`,
      });
      continue;
    }
    const patch = suspendPatch(kind, sel.who, sel.reason, now);
    await cluster.mergePatch(resolved.resource, sel.namespace, name, patch, {
      dryRun: sel.dryRun ?? false,
      signal,
    });
    outcomes.push({
      name,
      result: sel.dryRun ? 'dry-run' : 'suspended',
      message: sel.dryRun
        ? 'the API server accepted the patch in a dry run; nothing was changed'
        : `suspended by ${sel.who}${sel.reason ? `: "${sel.reason}"` : ''}`,
      patch,
    });
  }
  return {
    kind: kind.kind,
    apiVersion: apiVersionOf(resolved.resource),
    namespace: sel.namespace,
    objects: outcomes,
  };
}

export async function resume(
  cluster: Cluster,
  sel: Selection & { wait: boolean; timeoutMs: number },
  hooks: Hooks,
): Promise<SelectionOutcome<ResumeResult> & { token: string }> {
  const { resolved, objects } = await select(cluster, sel, hooks.signal);
  const kind = resolved.flux;
  if (!sel.all && deleting(objects[0]!)) {
    throw new FluxError(`${kind.kind} ${sel.namespace}/${sel.name} is being deleted; nothing was changed`);
  }
  const token = newToken();
  const deadline = Date.now() + sel.timeoutMs;
  const outcomes = await Promise.all(
    objects.map(async (obj): Promise<ObjectOutcome<ResumeResult>> => {
      const name = obj.metadata?.name ?? '';
      const ref = refString({ kind: kind.kind, namespace: sel.namespace, name });
      if (deleting(obj)) return { name, result: 'skipped', message: 'being deleted; left alone' };
      const wasSuspended = isSuspended(obj, kind);
      const patch = resumePatch(kind, token);
      const started = Date.now();
      const patched = await cluster.mergePatch(resolved.resource, sel.namespace, name, patch, {
        dryRun: sel.dryRun ?? false,
        signal: hooks.signal,
      });
      const note = wasSuspended ? '' : 'it was not suspended; ';
      if (sel.dryRun)
        return {
          name,
          result: 'dry-run',
          message: `${note}the API server accepted the patch in a dry run; nothing was changed`,
          patch,
        };
      if (!kind.reconcilable) {
        return {
          name,
          result: 'requested',
          message: `${note}resumed; ${kind.kind} has no reconcile request to wait for`,
          patch,
        };
      }
      if (!sel.wait)
        return {
          name,
          result: 'requested',
          message: `${note}resumed; reconciliation requested, not waiting`,
          patch,
        };
      await hooks.progress(`${ref}: resumed, waiting for the controller`);
      const outcome = await waitForReconcile(cluster, resolved.resource, kind, patched, token, {
        deadline,
        signal: hooks.signal,
        onChange: (state) => void hooks.progress(`${ref}: ${state}`),
        onHeartbeat: (state) => void hooks.progress(`${ref}: still waiting, ${state}`),
      });
      const message =
        outcome.result === 'timeout'
          ? `${note}resumed, but the controller has not finished: ${describeTimeout(outcome)}`
          : `${note}${outcome.message}`;
      await hooks.progress(`${ref}: ${outcome.result}`);
      return {
        name,
        result: outcome.result,
        message,
        ...(outcome.revision ? { revision: outcome.revision } : {}),
        durationMs: Date.now() - started,
        patch,
      };
    }),
  );
  return {
    kind: kind.kind,
    apiVersion: apiVersionOf(resolved.resource),
    namespace: sel.namespace,
    objects: outcomes,
    token,
  };
}
