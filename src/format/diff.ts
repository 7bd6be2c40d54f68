// diff_flux_kustomization as text: counts first, then one line per object that would change, with its
// field changes under it (Secret values masked), then what prune would delete.
import type { DiffObject, KustomizationDiff } from '../flux/diff.js';
import { truncate } from './text.js';

const OBJECTS_SHOWN = 50;
const CHANGES_SHOWN = 8;

const MARK: Record<DiffObject['action'], string> = {
  created: '+',
  changed: '~',
  deleted: '-',
  skipped: '=',
  error: '!',
  unchanged: ' ',
};

function ref(o: DiffObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function objectLines(o: DiffObject): string[] {
  const lines = [
    `  ${MARK[o.action]} ${ref(o)} ${o.action}${o.message && o.action !== 'changed' ? `: ${truncate(o.message, 300)}` : ''}`,
  ];
  for (const c of (o.changes ?? []).slice(0, CHANGES_SHOWN)) {
    // Secret values come without before and after.
    if (c.op === 'add') lines.push(`      ${c.path}: added${c.after ? ` ${c.after}` : ''}`);
    else if (c.op === 'remove') lines.push(`      ${c.path}: removed${c.before ? ` (was ${c.before})` : ''}`);
    else if (c.before === undefined && c.after === undefined)
      lines.push(`      ${c.path}: changed (value not shown)`);
    else lines.push(`      ${c.path}: ${c.before} -> ${c.after}`);
  }
  const more =
    (o.changes?.length ?? 0) - Math.min(o.changes?.length ?? 0, CHANGES_SHOWN) + (o.moreChanges ?? 0);
  if (more > 0) lines.push(`      ${more} more changed fields`);
  return lines;
}

export function renderDiff(d: KustomizationDiff): string {
  const c = d.counts;
  const total = c.created + c.changed + c.unchanged + c.skipped + c.error;
  const parts = [
    `${c.created} created`,
    `${c.changed} changed`,
    `${c.unchanged} unchanged`,
    ...(c.skipped ? [`${c.skipped} skipped`] : []),
    `${c.deleted} to delete`,
    ...(c.error ? [`${c.error} errors`] : []),
  ];
  const lines = [
    `Kustomization ${d.kustomization.namespace}/${d.kustomization.name} against ${d.path} (${d.builder}, ${total} objects) in context ${d.context}: ${parts.join(', ')}.`,
  ];
  const shown = d.objects.filter((o) => o.action !== 'unchanged');
  for (const o of shown.slice(0, OBJECTS_SHOWN)) lines.push(...objectLines(o));
  const hidden = shown.length - Math.min(shown.length, OBJECTS_SHOWN) + d.omitted;
  if (hidden > 0) lines.push(`  ${hidden} more objects (structuredContent lists up to 200)`);
  if (c.created + c.changed + c.deleted + c.error === 0) lines.push('  No differences.');
  for (const n of d.notes) lines.push(`Note: ${n}.`);
  return lines.join('\n');
}
