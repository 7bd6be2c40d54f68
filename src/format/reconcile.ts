// A reconcile answer as text: what happened to the object, then each step when there was more than one.
import type { ReconcileOutcome, Step } from '../flux/reconcile.js';
import { refString } from '../flux/refs.js';
import { revisionLabel } from './objects.js';
import { formatDuration, shortenHex, truncate } from './text.js';

/** `attempted rev main@sha1:9d0c4b2a` for a failed step whose revision is known. */
function attempted(step: Step | undefined): string | undefined {
  return step?.result === 'failed' && step.revision
    ? `attempted ${revisionLabel(step.kind, step.revision)}`
    : undefined;
}

function stepLine(step: Step, i: number): string {
  const took = step.durationMs !== undefined ? ` (${formatDuration(step.durationMs)})` : '';
  const at = attempted(step);
  const what =
    step.result === 'ready' ? step.message : `${step.result}${at ? `, ${at}` : ''}: ${step.message}`;
  return `  ${i + 1}. ${refString(step)}: ${truncate(shortenHex(what), 300)}${took}`;
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
  const showSteps = outcome.steps.length > 1 || outcome.result === 'dry-run';
  const lines = showSteps ? outcome.steps.map(stepLine) : [];
  if (outcome.result === 'dry-run') {
    const patch = outcome.steps.find((s) => s.patch)?.patch;
    if (patch) lines.push(`  patch (JSON merge patch, field manager flux-ops-mcp): ${JSON.stringify(patch)}`);
  }
  return [head, ...lines].join('\n');
}
