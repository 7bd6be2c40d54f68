// get_flux_drift as text: one line per object that is not in sync, its changes or field owners under it.
import { z } from 'zod';
import type { DriftObject, DriftReport } from '../flux/drift.js';
import { counts, facts, keyed } from './compact.js';
import { formatAge, plural, truncate } from './text.js';

const CHANGES_SHOWN = 8;
const FIELDS_SHOWN = 6;
const OBJECTS_SHOWN = 50;

function ref(o: DriftObject): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

function changeText(c: NonNullable<DriftObject['changes']>[number]): string {
  if (c.op === 'remove') return `${c.path} would be removed`;
  if (c.op === 'add') return `${c.path} missing${c.after ? ` (want ${c.after})` : ''}`;
  return c.before && c.after ? `${c.path} ${c.before} -> ${c.after}` : `${c.path} changed (value masked)`;
}

/** An object's changes and field owners, as the lines under it say them. */
function objectParts(o: DriftObject, now: number): { changes?: string; owners: string[] } {
  let changes: string | undefined;
  if (o.changes) {
    const shown = o.changes.slice(0, CHANGES_SHOWN).map(changeText);
    const more = o.changes.length - shown.length + (o.moreChanges ?? 0);
    changes = `${shown.join('; ')}${more > 0 ? `; ${more} more` : ''}`;
  }
  const owners = (o.owners ?? []).map((owner) => {
    const age = formatAge(owner.time, now);
    const fields = owner.fields.slice(0, FIELDS_SHOWN).join(', ');
    const more = owner.fields.length > FIELDS_SHOWN ? ` and ${owner.fields.length - FIELDS_SHOWN} more` : '';
    return `${owner.manager} (${owner.operation}${age ? `, ${age} ago` : ''}): ${fields}${more} -> ${owner.revertedByFlux ? 'reverted at the next reconcile' : 'kept unless Git sets them'}`;
  });
  return { ...(changes !== undefined ? { changes } : {}), owners };
}

function objectLines(o: DriftObject, now: number): string[] {
  const head = `  ${ref(o)}  ${o.state.toUpperCase()}${o.message ? `: ${truncate(o.message, 200)}` : ''}`;
  const { changes, owners } = objectParts(o, now);
  return [head, ...(changes !== undefined ? [`    ${changes}`] : []), ...owners.map((l) => `    ${l}`)];
}

/** get_flux_drift's compact structured content (docs/structured-content.md). */
export const compactDriftShape = {
  context: z.string(),
  /** What the live objects were compared with. */
  against: z.string(),
  counts: z.object({
    objects: z.number(),
    drifted: z.number().optional(),
    missing: z.number().optional(),
    notChecked: z.number().optional(),
    excluded: z.number().optional(),
  }),
  /** HelmRelease: the drift detection mode (disabled when unset). */
  mode: z.string().optional(),
  ignoreRules: z.number().optional(),
  /** HelmRelease: the Drifted condition helm-controller reports, as the text says it. */
  condition: z.string().optional(),
  /** The objects not in sync: state, message, changes (`path before -> after`) or field owners. */
  objects: z
    .record(
      z.string(),
      z.object({
        state: z.string(),
        msg: z.string().optional(),
        changes: z.string().optional(),
        owners: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  more: z.object({ objects: z.number().optional() }).optional(),
  /** The newest DriftDetected events: when, and what. */
  events: z.array(z.string()).optional(),
  notes: z.array(z.string()).optional(),
};

export type CompactDrift = z.infer<z.ZodObject<typeof compactDriftShape>>;

function conditionPhrase(r: DriftReport): string | undefined {
  return r.condition
    ? `${r.condition.status}${r.condition.reason ? ` (${r.condition.reason})` : ''}${r.condition.message ? `: ${truncate(r.condition.message, 200)}` : ''}`
    : undefined;
}

function eventLine(e: DriftReport['events'][number], now: number): string {
  const age = formatAge(e.time, now);
  return `${age ? `${age} ago: ` : ''}${truncate(e.message, 300)}`;
}

export function compactDrift(r: DriftReport, context: string, now: number = Date.now()): CompactDrift {
  const helm = r.kind === 'HelmRelease';
  return {
    context,
    against: r.source,
    counts: { ...counts(r.counts), objects: r.counts.objects },
    ...facts({
      mode: helm ? (r.mode ?? 'disabled') : undefined,
      ignoreRules: helm ? r.ignoreRules : undefined,
      condition: helm ? conditionPhrase(r) : undefined,
      objects: keyed(r.objects.slice(0, OBJECTS_SHOWN), ref, (o) => {
        const { changes, owners } = objectParts(o, now);
        return {
          state: o.state.toUpperCase(),
          ...facts({ msg: o.message ? truncate(o.message, 200) : undefined, changes, owners }),
        };
      }),
      more: counts({ objects: Math.max(0, r.objects.length - OBJECTS_SHOWN) }),
      events: r.events.map((e) => eventLine(e, now)),
      notes: r.notes,
    }),
  };
}

export function renderDrift(r: DriftReport, context: string, now: number = Date.now()): string {
  const c = r.counts;
  const problems = [
    c.drifted ? `${c.drifted} drifted` : undefined,
    c.missing ? `${c.missing} missing` : undefined,
    c.notChecked ? `${c.notChecked} not checked` : undefined,
    c.excluded ? `${c.excluded} excluded` : undefined,
  ].filter(Boolean);
  const lines = [
    `Drift of ${r.kind} ${r.namespace}/${r.name} (context ${context}), against ${r.source}: ${plural(c.objects, 'object')}, ${problems.length > 0 ? problems.join(', ') : 'all in sync'}.`,
  ];
  if (r.kind === 'HelmRelease') {
    const cond = r.condition ? `; Drifted condition ${conditionPhrase(r)}` : '';
    lines.push(
      `Drift detection mode ${r.mode ?? 'disabled'}, ${plural(r.ignoreRules, 'ignore rule')}${cond}.`,
    );
  }
  for (const o of r.objects.slice(0, OBJECTS_SHOWN)) lines.push(...objectLines(o, now));
  if (r.objects.length > OBJECTS_SHOWN)
    lines.push(`  ${r.objects.length - OBJECTS_SHOWN} more objects not in sync, not shown`);
  if (r.events.length > 0) {
    lines.push('Recent DriftDetected events:');
    for (const e of r.events) lines.push(`  ${eventLine(e, now)}`);
  }
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
