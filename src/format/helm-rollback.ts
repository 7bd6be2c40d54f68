// rollback_flux_helmrelease as text: each step of the emergency procedure, one line per object that
// changes, and what resuming will do.
import type { ObjectOutcome } from '../flux/helm-apply.js';
import type { RollbackOutcome } from '../flux/helm-rollback.js';
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

function objectLine(o: ObjectOutcome, dryRun: boolean): string {
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
  return `     ${objectRef(o)}  ${verb}${detail}${message}`;
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

export function renderRollback(r: RollbackOutcome, context: string): string {
  const dry = r.result === 'dry-run';
  const who = `Helm release ${r.release} (HelmRelease ${r.namespace}/${r.name}, context ${context})`;
  const head =
    r.result === 'rolled-back'
      ? `Rolled back ${who} from v${r.fromRevision} to v${r.targetRevision}: revision ${r.newRevision} is deployed.`
      : r.result === 'failed'
        ? `Rollback of ${who} from v${r.fromRevision} to v${r.targetRevision} FAILED: ${truncate(r.error ?? '', 400)}`
        : `Dry run: rolling back ${who} from v${r.fromRevision} to v${r.targetRevision} would write revision ${r.newRevision}; nothing was changed.${r.error ? ` The dry run found a problem: ${truncate(r.error, 400)}` : ''}`;
  const lines = [head];
  lines.push(`  1. Suspend HelmRelease ${r.namespace}/${r.name}: ${r.suspend.message}.`);
  lines.push(
    `  2. Target v${r.targetRevision}${r.defaultTarget ? ': the previous revision, which helm rollback picks when none is given' : ', as asked'}.`,
  );
  const pruned =
    r.storage.pruned.length > 0
      ? `; ${dry ? 'would prune' : 'pruned'} ${r.storage.pruned.map((v) => `v${v}`).join(', ')} (maxHistory)`
      : '';
  lines.push(
    `  3. Helm storage: ${dry ? 'would write' : 'wrote'} ${r.storage.record} (pending-rollback, "Rollback to ${r.targetRevision}")${pruned}.`,
  );
  const shown = r.objects.filter((o) => o.action !== 'unchanged' || o.result === 'failed');
  const unchanged = r.objects.length - shown.length;
  lines.push(
    `  4. Objects, ${r.applyMethod === 'server-side apply' ? 'server-side applied (conflicts forced)' : 'merged three ways (old manifest, live object, target manifest)'} as field manager ${r.fieldManager}: ${counts(r.objects, dry) || 'none'}.`,
  );
  for (const o of shown.slice(0, OBJECTS_SHOWN)) lines.push(objectLine(o, dry));
  if (shown.length > OBJECTS_SHOWN)
    lines.push(`     ${shown.length - OBJECTS_SHOWN} more objects (see structuredContent)`);
  if (unchanged > 0 && shown.length > 0) lines.push(`     ${plural(unchanged, 'other object')} unchanged`);
  lines.push(
    `  5. Hooks: ${r.hooks.skipped.length > 0 ? `NOT run: ${r.hooks.skipped.join(', ')} (run them by hand if the rollback needs them)` : 'the target has no rollback hooks'}${r.hooks.others > 0 ? `; ${plural(r.hooks.others, 'other hook')} not part of a rollback` : ''}.`,
  );
  if (r.result === 'rolled-back')
    lines.push(
      `  6. Helm storage: ${r.storage.superseded.length > 0 ? `superseded ${r.storage.superseded.map((v) => `v${v}`).join(', ')}; ` : ''}v${r.newRevision} deployed.`,
    );
  else if (r.result === 'failed')
    lines.push(
      `  6. Helm storage: v${r.newRevision} failed, v${r.fromRevision} superseded, as helm rollback leaves them.`,
    );
  else
    lines.push(
      `  6. Helm storage: would supersede ${r.storage.superseded.map((v) => `v${v}`).join(', ') || 'nothing'} and mark v${r.newRevision} deployed.`,
    );
  lines.push(`The HelmRelease stays suspended. ${r.resume}`);
  return lines.join('\n');
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
