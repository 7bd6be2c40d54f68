// get_flux_drift as text: one line per object that is not in sync, its changes or field owners under it.
import type { DriftObject, DriftReport } from '../flux/drift.js';
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

function objectLines(o: DriftObject, now: number): string[] {
  const head = `  ${ref(o)}  ${o.state.toUpperCase()}${o.message ? `: ${truncate(o.message, 200)}` : ''}`;
  const lines = [head];
  if (o.changes) {
    const shown = o.changes.slice(0, CHANGES_SHOWN).map(changeText);
    const more = o.changes.length - shown.length + (o.moreChanges ?? 0);
    lines.push(`    ${shown.join('; ')}${more > 0 ? `; ${more} more` : ''}`);
  }
  for (const owner of o.owners ?? []) {
    const age = formatAge(owner.time, now);
    const fields = owner.fields.slice(0, FIELDS_SHOWN).join(', ');
    const more = owner.fields.length > FIELDS_SHOWN ? ` and ${owner.fields.length - FIELDS_SHOWN} more` : '';
    lines.push(
      `    ${owner.manager} (${owner.operation}${age ? `, ${age} ago` : ''}): ${fields}${more} -> ${owner.revertedByFlux ? 'reverted at the next reconcile' : 'kept unless Git sets them'}`,
    );
  }
  return lines;
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
    const cond = r.condition
      ? `; Drifted condition ${r.condition.status}${r.condition.reason ? ` (${r.condition.reason})` : ''}${r.condition.message ? `: ${truncate(r.condition.message, 200)}` : ''}`
      : '';
    lines.push(
      `Drift detection mode ${r.mode ?? 'disabled'}, ${plural(r.ignoreRules, 'ignore rule')}${cond}.`,
    );
  }
  for (const o of r.objects.slice(0, OBJECTS_SHOWN)) lines.push(...objectLines(o, now));
  if (r.objects.length > OBJECTS_SHOWN)
    lines.push(`  ${r.objects.length - OBJECTS_SHOWN} more objects (see structuredContent)`);
  if (r.events.length > 0) {
    lines.push('Recent DriftDetected events:');
    for (const e of r.events) {
      const age = formatAge(e.time, now);
      lines.push(`  ${age ? `${age} ago: ` : ''}${truncate(e.message, 300)}`);
    }
  }
  for (const n of r.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
