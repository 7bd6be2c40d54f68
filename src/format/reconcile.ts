// A reconcile answer as text: what happened to the object, then each step when there was more than one.
import { z } from 'zod';
import type { ReconcileOutcome, Step } from '../flux/reconcile.js';
import { facts, keyed } from './compact.js';
import { refString } from '../flux/refs.js';
import { revisionLabel } from './objects.js';
import { formatDuration, shortenHex, truncate } from './text.js';

/** `attempted rev main@sha1:9d0c4b2a` for a failed step whose revision is known. */
function attempted(step: Step | undefined): string | undefined {
  return step?.result === 'failed' && step.revision
    ? `attempted ${revisionLabel(step.kind, step.revision)}`
    : undefined;
}

/** What a step line says after the object's name: its result, message and attempted revision, cut. */
function stepWhat(step: Step): string {
  const at = attempted(step);
  const what =
    step.result === 'ready' ? step.message : `${step.result}${at ? `, ${at}` : ''}: ${step.message}`;
  return truncate(shortenHex(what), 300);
}

function stepLine(step: Step, i: number): string {
  const took = step.durationMs !== undefined ? ` (${formatDuration(step.durationMs)})` : '';
  return `  ${i + 1}. ${refString(step)}: ${stepWhat(step)}${took}`;
}

const showsSteps = (outcome: ReconcileOutcome) => outcome.steps.length > 1 || outcome.result === 'dry-run';

/** reconcile_flux_*'s compact structured content (docs/structured-content.md). */
export const compactReconcileShape = {
  context: z.string(),
  result: z.string(),
  took: z.string(),
  /** The answer's sentence: the applied revision, the controller's failure, what the object is doing now. */
  msg: z.string(),
  /** The revision the failed reconcile attempted. */
  attempted: z.string().optional(),
  /** The object the wait was on when it timed out, when not the one asked for. */
  waitingFor: z.string().optional(),
  /** The reconcile.fluxcd.io/requestedAt token of a request not waited on. */
  token: z.string().optional(),
  /** Each object reconciled in order (sources and dependencies first): result and message, and how long. */
  steps: z.record(z.string(), z.object({ result: z.string(), took: z.string().optional() })).optional(),
  /** Dry run: the JSON merge patch the API server accepted. */
  patch: z.record(z.string(), z.unknown()).optional(),
  next: z.string().optional(),
  hint: z.string().optional(),
};

export type CompactReconcile = z.infer<z.ZodObject<typeof compactReconcileShape>>;

export function compactReconcile(outcome: ReconcileOutcome, context: string): CompactReconcile {
  const message = shortenHex(outcome.message);
  const failedAt = attempted(outcome.steps.find((s) => s.role === 'target' && s.result === 'failed'));
  const waitedFor = outcome.steps.find((s) => s.result === 'timeout');
  const msg =
    outcome.result === 'failed' || outcome.result === 'timeout'
      ? truncate(message, 600)
      : outcome.result === 'dry-run'
        ? `the API server accepted ${outcome.steps.filter((s) => s.patch).length} patch(es); nothing was changed`
        : message;
  return {
    context,
    result: outcome.result,
    took: formatDuration(outcome.durationMs),
    msg,
    ...facts({
      attempted: failedAt?.replace(/^attempted /, ''),
      waitingFor:
        outcome.result === 'timeout' && waitedFor && !sameObject(waitedFor, outcome.object)
          ? refString(waitedFor)
          : undefined,
      token: outcome.result === 'requested' ? outcome.token : undefined,
      steps: showsSteps(outcome)
        ? keyed(outcome.steps, refString, (s) => ({
            result: stepWhat(s),
            ...facts({ took: s.durationMs !== undefined ? formatDuration(s.durationMs) : undefined }),
          }))
        : undefined,
      patch: outcome.result === 'dry-run' ? outcome.steps.find((s) => s.patch)?.patch : undefined,
      next: outcome.result === 'requested' ? 'check it later with get_kubernetes_resources' : undefined,
    }),
  };
}

function sameObject(a: { kind: string; namespace: string; name: string }, b: typeof a): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

export function renderReconcile(outcome: ReconcileOutcome, context: string): string {
  const ref = refString(outcome.object);
  const took = formatDuration(outcome.durationMs);
  const message = shortenHex(outcome.message);
  let head: string;
  switch (outcome.result) {
    case 'ready':
      head = `Reconciled ${ref} in ${took}: Ready, ${message}.`;
      break;
    case 'failed': {
      const at = attempted(outcome.steps.find((s) => s.role === 'target' && s.result === 'failed'));
      head = `Reconciliation of ${ref} failed after ${took}${at ? ` (${at})` : ''}: ${truncate(message, 600)}`;
      break;
    }
    case 'timeout': {
      const waitedFor = outcome.steps.find((s) => s.result === 'timeout');
      head = `Timed out after ${took} waiting for ${waitedFor ? refString(waitedFor) : ref}: ${truncate(message, 600)}`;
      break;
    }
    case 'cancelled':
      head = `Cancelled after ${took} while waiting for ${ref}: ${message}`;
      break;
    case 'requested':
      head = `Requested reconciliation of ${ref} (token ${outcome.token}); not waiting. Check it later with get_kubernetes_resources.`;
      break;
    case 'dry-run':
      head = `Dry run in context ${context}: the API server accepted ${outcome.steps.filter((s) => s.patch).length} patch(es); nothing was changed.`;
      break;
    default:
      head = message;
  }
  const lines = showsSteps(outcome) ? outcome.steps.map(stepLine) : [];
  if (outcome.result === 'dry-run') {
    const patch = outcome.steps.find((s) => s.patch)?.patch;
    if (patch) lines.push(`  patch (JSON merge patch, field manager flux-ops-mcp): ${JSON.stringify(patch)}`);
  }
  return [head, ...lines].join('\n');
}
