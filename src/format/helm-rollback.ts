// rollback_flux_helmrelease as text: each step of the emergency procedure, one line per object that
// changes, and what resuming will do.
import type { ObjectOutcome } from '../flux/helm-apply.js';
import { z } from 'zod';
import type { RollbackOutcome } from '../flux/helm-rollback.js';
import { facts } from './compact.js';
import { plural, truncate } from './text.js';

const CHANGES_SHOWN = 6;
const OBJECTS_SHOWN = 40;

function objectRef(o: ObjectOutcome): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

const VERBS: Record<ObjectOutcome['action'], [done: string, planned: string]> = {
  create: ['created', 'would be created'],
  update: ['updated', 'would change'],
  unchanged: ['unchanged', 'unchanged'],
  delete: ['deleted', 'would be deleted'],
  keep: ['kept', 'kept'],
  gone: ['already gone', 'already gone'],
};

function objectState(o: ObjectOutcome, dryRun: boolean): string {
  const verb =
    o.result === 'failed'
      ? `FAILED to ${o.action === 'delete' ? 'delete' : o.action === 'create' ? 'create' : 'update'}`
      : o.result === 'not-run'
        ? `not ${o.action === 'delete' ? 'deleted' : 'changed'} (the run stopped)`
        : VERBS[o.action][dryRun ? 1 : 0];
  const changes = (o.changes ?? []).map((c) => {
    if (c.op === 'remove') return `${c.path} removed`;
    if (c.op === 'add') return `${c.path} added${c.after ? ` ${c.after}` : ''}`;
    return `${c.path}${c.before && c.after ? ` ${c.before} -> ${c.after}` : ' changed'}`;
  });
  const shown = changes.slice(0, CHANGES_SHOWN).join('; ');
  const more = changes.length > CHANGES_SHOWN ? `; ${changes.length - CHANGES_SHOWN} more fields` : '';
  const detail = shown ? `: ${shown}${more}` : '';
  const message = o.message ? ` (${truncate(o.message, 240)})` : '';
  return `${verb}${detail}${message}`;
}

function counts(objects: ObjectOutcome[], dryRun: boolean): string {
  const by = new Map<string, number>();
  for (const o of objects) {
    const word =
      o.result === 'failed' ? 'failed' : o.result === 'not-run' ? 'not run' : VERBS[o.action][dryRun ? 1 : 0];
    by.set(word, (by.get(word) ?? 0) + 1);
  }
  return [...by].map(([w, n]) => `${n} ${w}`).join(', ');
}

interface RollbackParts {
  head: string;
  /** The six steps of the procedure, as the text numbers them. */
  steps: string[];
  /** The objects that change (or failed), each as `Kind ns/name` and what happened to it. */
  objects: [string, string][];
  /** Changing objects left out of `objects`. */
  more: number;
  unchanged: number;
  closing: string;
}

function rollbackParts(r: RollbackOutcome, context: string): RollbackParts {
  const dry = r.result === 'dry-run';
  const who = `Helm release ${r.release} (HelmRelease ${r.namespace}/${r.name}, context ${context})`;
  const head =
    r.result === 'rolled-back'
      ? `Rolled back ${who} from v${r.fromRevision} to v${r.targetRevision}: revision ${r.newRevision} is deployed.`
      : r.result === 'failed'
        ? `Rollback of ${who} from v${r.fromRevision} to v${r.targetRevision} FAILED: ${truncate(r.error ?? '', 400)}`
        : `Dry run: rolling back ${who} from v${r.fromRevision} to v${r.targetRevision} would write revision ${r.newRevision}; nothing was changed.${r.error ? ` The dry run found a problem: ${truncate(r.error, 400)}` : ''}`;
  const pruned =
    r.storage.pruned.length > 0
      ? `; ${dry ? 'would prune' : 'pruned'} ${r.storage.pruned.map((v) => `v${v}`).join(', ')} (maxHistory)`
      : '';
  const shown = r.objects.filter((o) => o.action !== 'unchanged' || o.result === 'failed');
  const final =
    r.result === 'rolled-back'
      ? `Helm storage: ${r.storage.superseded.length > 0 ? `superseded ${r.storage.superseded.map((v) => `v${v}`).join(', ')}; ` : ''}v${r.newRevision} deployed.`
      : r.result === 'failed'
        ? `Helm storage: v${r.newRevision} failed, v${r.fromRevision} superseded, as helm rollback leaves them.`
        : `Helm storage: would supersede ${r.storage.superseded.map((v) => `v${v}`).join(', ') || 'nothing'} and mark v${r.newRevision} deployed.`;
  return {
    head,
    steps: [
      `Suspend HelmRelease ${r.namespace}/${r.name}: ${r.suspend.message}.`,
      `Target v${r.targetRevision}${r.defaultTarget ? ': the previous revision, which helm rollback picks when none is given' : ', as asked'}.`,
      `Helm storage: ${dry ? 'would write' : 'wrote'} ${r.storage.record} (pending-rollback, "Rollback to ${r.targetRevision}")${pruned}.`,
      `Objects, ${r.applyMethod === 'server-side apply' ? 'server-side applied (conflicts forced)' : 'merged three ways (old manifest, live object, target manifest)'} as field manager ${r.fieldManager}: ${counts(r.objects, dry) || 'none'}.`,
      `Hooks: ${r.hooks.skipped.length > 0 ? `NOT run: ${r.hooks.skipped.join(', ')} (run them by hand if the rollback needs them)` : 'the target has no rollback hooks'}${r.hooks.others > 0 ? `; ${plural(r.hooks.others, 'other hook')} not part of a rollback` : ''}.`,
      final,
    ],
    objects: shown.slice(0, OBJECTS_SHOWN).map((o) => [objectRef(o), objectState(o, dry)]),
    more: Math.max(0, shown.length - OBJECTS_SHOWN),
    unchanged: shown.length > 0 ? r.objects.length - shown.length : 0,
    closing: `The HelmRelease stays suspended. ${r.resume}`,
  };
}

export function renderRollback(r: RollbackOutcome, context: string): string {
  const p = rollbackParts(r, context);
  const lines = [p.head, ...p.steps.slice(0, 4).map((step, i) => `  ${i + 1}. ${step}`)];
  for (const [ref, state] of p.objects) lines.push(`     ${ref}  ${state}`);
  if (p.more > 0) lines.push(`     ${p.more} more objects not shown`);
  if (p.unchanged > 0) lines.push(`     ${plural(p.unchanged, 'other object')} unchanged`);
  lines.push(...p.steps.slice(4).map((step, i) => `  ${i + 5}. ${step}`), p.closing);
  return lines.join('\n');
}

/** rollback_flux_helmrelease's compact structured content (docs/structured-content.md). */
export const compactRollbackShape = {
  context: z.string(),
  result: z.string(),
  /** The answer's sentence: from which revision to which, what was written, or why it failed. */
  msg: z.string(),
  /** The procedure's six steps, in order, as the text says them. */
  steps: z.array(z.string()),
  /** The objects that change, or failed to: what happened to each. */
  objects: z.record(z.string(), z.string()).optional(),
  more: z.object({ objects: z.number().optional(), unchanged: z.number().optional() }).optional(),
  /** The HelmRelease stays suspended: what resuming it will do. */
  next: z.string(),
};

export type CompactRollback = z.infer<z.ZodObject<typeof compactRollbackShape>>;

export function compactRollback(r: RollbackOutcome, context: string): CompactRollback {
  const p = rollbackParts(r, context);
  return {
    context,
    result: r.result,
    msg: p.head,
    steps: p.steps,
    ...facts({
      objects: Object.fromEntries(p.objects),
      more: facts({ objects: p.more, unchanged: p.unchanged }),
    }),
    next: p.closing,
  };
}

/**
 * What a rollback would do, in one paragraph, from its dry run: the question put to the person before the
 * real run (tools/confirm.ts).
 */
export function rollbackPlan(r: RollbackOutcome, context: string): string {
  const changes = counts(
    r.objects.filter((o) => o.action !== 'unchanged'),
    true,
  );
  const hooks = r.hooks.skipped.length > 0 ? ` Hooks not run: ${r.hooks.skipped.join(', ')}.` : '';
  const problem = r.error ? ` The dry run found a problem: ${truncate(r.error, 300)}.` : '';
  return (
    `Roll back Helm release ${r.release} (HelmRelease ${r.namespace}/${r.name}) in context ${context} ` +
    `from v${r.fromRevision} to v${r.targetRevision}, written as v${r.newRevision}: suspend the HelmRelease, ` +
    `then ${changes ? `objects: ${changes}` : 'no object changes'}.${hooks}${problem} ` +
    `It stays suspended until someone resumes it.`
  );
}
