// trace_kubernetes_resource as text: the object, the owners walked, then each Flux object that delivers it
// (nearest first) with its state, revision, and its chart and source on their own lines.
import type { FluxObjectFacts, ObjectRef, Trace } from '../flux/trace.js';
import { formatAge, shortenHex, truncate } from './text.js';

const MESSAGE_MAX = 200;

function ref(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function facts(f: FluxObjectFacts, now: number): { line: string; message?: string } {
  const name = ref(f);
  if (f.visibility === 'not-found') {
    return { line: `${name}  NOT FOUND${f.message ? `: ${f.message}` : ''}` };
  }
  if (f.visibility === 'not-visible') return { line: `${name}  not visible (forbidden)` };
  const since = f.state !== 'Ready' ? formatAge(f.since, now) : undefined;
  const why = f.state !== 'Ready' && f.reason ? ` ${f.reason}` : '';
  const parts = [`${name}  ${f.state}${why}${since ? ` for ${since}` : ''}`];
  if (f.revision) parts.push(`rev ${shortenHex(f.revision)}`);
  if (f.url) parts.push(f.url);
  const message =
    f.state !== 'Ready' && f.state !== 'Static' && f.message
      ? truncate(shortenHex(f.message), MESSAGE_MAX)
      : undefined;
  return { line: parts.join('  '), ...(message ? { message } : {}) };
}

export function renderTrace(t: Trace, context: string, now: number = Date.now()): string {
  const object = ref(t.object);
  const owned = t.owners.map((o) => `owned by ${ref(o)}`).join(', ');
  if (t.chain.length === 0) {
    const lines = [
      `${object} (context ${context}) is not managed by Flux: ${owned ? `neither it nor its owners (${owned.replace(/owned by /g, '')}) carry` : 'it carries no'} kustomize.toolkit.fluxcd.io, helm.toolkit.fluxcd.io or Flux Operator owner labels.`,
    ];
    if (t.note) lines.push(`The walk stopped early: ${t.note}.`);
    return lines.join('\n');
  }
  const lines = [
    `${object} (context ${context}) is delivered by ${ref(t.chain[0]!)}${owned ? ` (${object} is ${owned})` : ''}:`,
  ];
  t.chain.forEach((s, i) => {
    const head = facts(s, now);
    lines.push(`  ${i + 1}. ${head.line}`);
    if (head.message) lines.push(`       ${head.message}`);
    if (s.visibility === 'not-found') {
      lines.push(
        `     the object's labels name it, but it does not exist: the object may be left over from a deleted ${s.kind}`,
      );
    }
    for (const src of s.sources) {
      const f = facts(src, now);
      lines.push(`     ${src.role} ${f.line}`);
      if (f.message) lines.push(`       ${f.message}`);
    }
  });
  if (t.note) lines.push(`The walk stopped early: ${t.note}.`);
  return lines.join('\n');
}
