// trace_kubernetes_resource as text: the object, the owners walked, then each Flux object that delivers it
// (nearest first) with its state, revision, and its chart and source on their own lines.
import { z } from 'zod';
import type { FluxObjectFacts, ObjectRef, Trace } from '../flux/trace.js';
import { facts as present, keyed } from './compact.js';
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

const NOT_FOUND_HINT =
  "the object's labels name it, but it does not exist: the object may be left over from a deleted";

const compactStepSchema = z.object({
  /** Its state as the text says it: state, reason, for how long, revision, URL. */
  state: z.string(),
  msg: z.string().optional(),
  hint: z.string().optional(),
});

/** trace_kubernetes_resource's compact structured content (docs/structured-content.md). */
export const compactTraceShape = {
  context: z.string(),
  /** The owners walked from the object to the one Flux labelled. */
  ownedBy: z.array(z.string()).optional(),
  /** Why the object is not managed by Flux, when it is not. */
  notManaged: z.string().optional(),
  /** The Flux objects that deliver it, nearest first, each with its chart and source (`source GitRepository ...`). */
  chain: z
    .record(
      z.string(),
      compactStepSchema.extend({ sources: z.record(z.string(), compactStepSchema).optional() }),
    )
    .optional(),
  stopped: z.string().optional(),
};

export type CompactTrace = z.infer<z.ZodObject<typeof compactTraceShape>>;

function compactStep(f: FluxObjectFacts, now: number) {
  const { line, message } = facts(f, now);
  return {
    state: line.slice(ref(f).length + 2),
    ...present({
      msg: message,
      hint: f.visibility === 'not-found' ? `${NOT_FOUND_HINT} ${f.kind}` : undefined,
    }),
  };
}

export function compactTrace(t: Trace, context: string, now: number = Date.now()): CompactTrace {
  const owned = t.owners.map(ref).join(', ');
  return {
    context,
    ...present({
      ownedBy: t.owners.map(ref),
      notManaged:
        t.chain.length === 0
          ? `${owned ? `neither it nor its owners carry` : 'it carries no'} kustomize.toolkit.fluxcd.io, helm.toolkit.fluxcd.io or Flux Operator owner labels`
          : undefined,
      chain: keyed(t.chain, ref, (s) => ({
        ...compactStep(s, now),
        ...present({
          sources: keyed(
            s.sources,
            (src) => `${src.role} ${ref(src)}`,
            (src) => compactStep(src, now),
          ),
        }),
      })),
      stopped: t.note,
    }),
  };
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
      lines.push(`     ${NOT_FOUND_HINT} ${s.kind}`);
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
