// A suspend or resume answer as text: one line for one object; for `all`, a summary of what happened to
// how many objects, then a line per object.
import { z } from 'zod';
import type { ResumeOutcome, SuspendOutcome } from '../flux/suspend.js';
import { keyed } from './compact.js';
import { formatDuration, shortenHex } from './text.js';

type Outcome = SuspendOutcome | ResumeOutcome;
type ObjectOutcome = Outcome['objects'][number];

/** Results that mean an object did not end up as asked. */
const FAILED = new Set([
  'failed',
  'timeout',
  'cancelled',
  'forbidden',
  'not-found',
  'conflict',
  'invalid',
  'error',
]);

export function isFailure(result: string): boolean {
  return FAILED.has(result);
}

/** What happened to an object: `suspended, by jane: "INC-4411" (0.1s)`. */
function what(o: ObjectOutcome): string {
  const took = o.durationMs !== undefined ? ` (${formatDuration(o.durationMs)})` : '';
  return `${o.result}, ${shortenHex(o.message)}${took}`;
}

function line(kind: string, namespace: string, o: ObjectOutcome): string {
  return `${kind} ${namespace}/${o.name}: ${what(o)}`;
}

/** suspend_flux_reconciliation's and resume_flux_reconciliation's compact structured content. */
export const compactSelectionShape = {
  context: z.string(),
  /** One object: what happened to it, what that means, and how long it took. */
  result: z.string().optional(),
  msg: z.string().optional(),
  took: z.string().optional(),
  /** With `all`: how many objects had each result. */
  counts: z.record(z.string(), z.number()).optional(),
  /** With `all`: each object's result, what it means, and how long it took. */
  objects: z.record(z.string(), z.string()).optional(),
  /** Dry run: the JSON merge patch the API server accepted; nothing was changed. */
  patch: z.record(z.string(), z.unknown()).optional(),
};

export type CompactSelection = z.infer<z.ZodObject<typeof compactSelectionShape>>;

export function compactSelection(context: string, outcome: Outcome): CompactSelection {
  const n = new Map<string, number>();
  for (const o of outcome.objects) n.set(o.result, (n.get(o.result) ?? 0) + 1);
  const patch = outcome.objects.some((o) => o.result === 'dry-run')
    ? outcome.objects.find((o) => o.patch)?.patch
    : undefined;
  const [one] = outcome.objects;
  const each =
    outcome.objects.length === 1 && one
      ? {
          result: one.result,
          msg: shortenHex(one.message),
          ...(one.durationMs !== undefined ? { took: formatDuration(one.durationMs) } : {}),
        }
      : {
          counts: Object.fromEntries(n),
          objects: keyed(outcome.objects, (o) => `${outcome.kind} ${outcome.namespace}/${o.name}`, what),
        };
  return { context, ...each, ...(patch ? { patch } : {}) };
}

/** `2 suspended, 1 forbidden`, in the order the results first appear. */
function counts(objects: readonly ObjectOutcome[]): string {
  const n = new Map<string, number>();
  for (const o of objects) n.set(o.result, (n.get(o.result) ?? 0) + 1);
  return [...n].map(([r, c]) => `${c} ${r}`).join(', ');
}

/**
 * What the call did, for the audit record: the result when every object had the same one, else the
 * counts, prefixed `partial:` when some objects failed and others did not.
 */
export function selectionSummary(objects: readonly ObjectOutcome[]): string {
  const results = new Set(objects.map((o) => o.result));
  if (results.size === 1) return objects[0]!.result;
  const failed = objects.filter((o) => isFailure(o.result)).length;
  const partial = failed > 0 && failed < objects.length;
  return `${partial ? 'partial: ' : ''}${counts(objects)}`;
}

export function renderSelection(action: 'suspend' | 'resume', context: string, outcome: Outcome): string {
  const lines = outcome.objects.map((o) => line(outcome.kind, outcome.namespace, o));
  let text: string;
  if (outcome.objects.length === 1) {
    text = lines[0]!;
  } else {
    const verb = action === 'suspend' ? 'Suspend' : 'Resume';
    text = `${verb} ${outcome.objects.length} ${outcome.kind} objects in ${outcome.namespace} (context ${context}): ${counts(outcome.objects)}\n${lines.map((l) => `  ${l}`).join('\n')}`;
  }
  if (outcome.objects.some((o) => o.result === 'dry-run')) {
    const patch = outcome.objects.find((o) => o.patch)?.patch;
    text += `\nDry run: nothing was changed. Patch (JSON merge patch, field manager flux-ops-mcp): ${JSON.stringify(patch)}`;
  }
  return text;
}
