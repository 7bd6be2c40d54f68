// diff_flux_kustomization as text: counts first, then one line per object that would change, with its
// field changes under it (Secret values masked), then what prune would delete.
import { z } from 'zod';
import type { DiffObject, KustomizationDiff } from '../flux/diff.js';
import { counts, facts, keyed } from './compact.js';
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

function changeLines(o: DiffObject): string[] {
  return (o.changes ?? []).slice(0, CHANGES_SHOWN).map((c) => {
    // Secret values come without before and after.
    if (c.op === 'add') return `${c.path}: added${c.after ? ` ${c.after}` : ''}`;
    if (c.op === 'remove') return `${c.path}: removed${c.before ? ` (was ${c.before})` : ''}`;
    if (c.before === undefined && c.after === undefined) return `${c.path}: changed (value not shown)`;
    return `${c.path}: ${c.before} -> ${c.after}`;
  });
}

const moreChanges = (o: DiffObject) =>
  (o.changes?.length ?? 0) - Math.min(o.changes?.length ?? 0, CHANGES_SHOWN) + (o.moreChanges ?? 0);

const messageOf = (o: DiffObject) =>
  o.message && o.action !== 'changed' ? truncate(o.message, 300) : undefined;

function objectLines(o: DiffObject): string[] {
  const message = messageOf(o);
  const lines = [`  ${MARK[o.action]} ${ref(o)} ${o.action}${message ? `: ${message}` : ''}`];
  lines.push(...changeLines(o).map((l) => `      ${l}`));
  const more = moreChanges(o);
  if (more > 0) lines.push(`      ${more} more changed fields`);
  return lines;
}

/** diff_flux_kustomization's compact structured content (docs/structured-content.md). */
export const compactDiffShape = {
  context: z.string(),
  builder: z.string(),
  counts: z.object({
    objects: z.number(),
    created: z.number().optional(),
    changed: z.number().optional(),
    unchanged: z.number().optional(),
    skipped: z.number().optional(),
    deleted: z.number().optional(),
    error: z.number().optional(),
  }),
  /** Each object that would change: what happens to it, or that and its field changes. */
  objects: z
    .record(
      z.string(),
      z.union([
        z.string(),
        z.object({
          action: z.string(),
          msg: z.string().optional(),
          changes: z.array(z.string()).optional(),
          moreChanges: z.number().optional(),
        }),
      ]),
    )
    .optional(),
  more: z.object({ objects: z.number().optional() }).optional(),
  /** Nothing would be created, changed or deleted. */
  noDifferences: z.boolean().optional(),
  notes: z.array(z.string()).optional(),
};

export type CompactDiff = z.infer<z.ZodObject<typeof compactDiffShape>>;

export function compactDiff(d: KustomizationDiff): CompactDiff {
  const c = d.counts;
  const shown = d.objects.filter((o) => o.action !== 'unchanged');
  return {
    context: d.context,
    builder: d.builder,
    counts: { objects: c.created + c.changed + c.unchanged + c.skipped + c.error, ...counts(c) },
    ...facts({
      objects: keyed(shown.slice(0, OBJECTS_SHOWN), ref, (o) => {
        const detail = facts({ msg: messageOf(o), changes: changeLines(o), moreChanges: moreChanges(o) });
        return Object.keys(detail).length > 0 ? { action: o.action, ...detail } : o.action;
      }),
      more: counts({ objects: shown.length - Math.min(shown.length, OBJECTS_SHOWN) + d.omitted }),
      noDifferences: c.created + c.changed + c.deleted + c.error === 0,
      notes: d.notes,
    }),
  };
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
  if (hidden > 0) lines.push(`  ${hidden} more objects not shown`);
  if (c.created + c.changed + c.deleted + c.error === 0) lines.push('  No differences.');
  for (const n of d.notes) lines.push(`Note: ${n}.`);
  return lines.join('\n');
}
