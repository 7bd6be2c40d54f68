// get_flux_changes as text and as structure. The text: what was read, the failures that started in the
// window with what preceded each on its path, then one line per change, newest first, cut by size (about
// 3 KB): messages shortened first, then routine changes (requests, creations) and the busiest objects
// summarised in a line each, then the older changes counted with the offset that pages to them. The
// structure carries the same facts in rows of the same words, within 1.25 times the bytes of the text.
import { z } from 'zod';
import type { ClusterChanges } from '../flux/changes.js';
import { refString, type FluxRef } from '../flux/refs.js';
import { refKey, timeOf, type Change, type ChangeKind, type Failure, type Window } from '../flux/timeline.js';
import { CLUSTER_STATES, type FleetEntry } from '../kube/fleet.js';
import { textBytes, TEXT_BUDGET } from './budget.js';
import { formatDuration, plural, shortenHex, truncate } from './text.js';

/** Message lengths tried, longest first, before changes are summarised or left out. */
const MESSAGE_STEPS = [200, 80, 0];
/** The message of a failure shown with what preceded it. */
const FAILURE_MESSAGE_MAX = 200;
/** Failures shown with what preceded them; the others are counted. */
const FAILURES_SHOWN = 5;
/** Objects summarised at most, and the fewest changes that make an object one of the busiest. */
const BUSIEST_MAX = 5;
const BUSIEST_MIN = 5;
/** Objects listed in a change-set line. */
const OBJECTS_SHOWN = 4;
const NOTE_MAX = 300;

const row = z.array(z.string());

export const changesOutput = {
  /** The window: RFC 3339, as `since` and `until` take them to page or to ask again. */
  from: z.string(),
  to: z.string(),
  cols: z.array(z.string()).describe('What each value of a row is.'),
  changes: z.array(row).describe('Newest first; times as in the text.'),
  failing: z
    .array(
      z.object({
        at: z.string(),
        object: z.string(),
        detail: z.string(),
        preceded: z.array(row).describe('Changes before it on its path, newest first: not a cause.'),
      }),
    )
    .optional(),
  summarised: z
    .array(
      z.object({
        group: z
          .string()
          .describe('A change kind (requested, created), a change many objects made alike, or an object.'),
        changes: z.number(),
        counts: z.string().optional(),
        objects: z.number().optional(),
        /** The first objects of a group of changes. */
        names: z.array(z.string()).optional(),
        from: z.string(),
        to: z.string(),
      }),
    )
    .optional()
    .describe('Changes summarised instead of listed: pass limit, or kind and name, to list them.'),
  /** Changes in the window, and how many objects they are on. */
  total: z.number(),
  objects: z.number(),
  /** Changes not listed: pass `offset` (with the same from and to as since and until). */
  more: z.object({ changes: z.number(), offset: z.number() }).optional(),
  eventsSince: z.string().optional().describe('No event older than this is kept.'),
  notes: z.array(z.string()).optional(),
  clusters: z
    .array(
      z.object({
        context: z.string(),
        state: z.enum(CLUSTER_STATES),
        error: z.string().optional(),
        changes: z.number().optional(),
        failing: z.number().optional(),
      }),
    )
    .optional(),
  /** Over several contexts: how long the reads took, as the text says it. */
  took: z.string().optional(),
};

export type ChangesView = z.infer<z.ZodObject<typeof changesOutput>>;

export interface RenderOptions {
  window: Window;
  /** Only this namespace, kind, or one object: words for the head line. */
  namespace?: string;
  kind?: string;
  limit?: number;
  offset?: number;
  now?: number;
}

// ---- words

function ref(r: FluxRef): string {
  return refString(r);
}

/** Times as the lines show them: hh:mm:ss when the window is one UTC day, else MM-DD hh:mm:ss. */
export function timeFormatter(w: Window): (iso: string | undefined) => string {
  const oneDay = new Date(w.from).toISOString().slice(0, 10) === new Date(w.to).toISOString().slice(0, 10);
  return (iso) => {
    const t = timeOf(iso);
    if (t === 0) return '?';
    const s = new Date(t).toISOString();
    return oneDay ? s.slice(11, 19) : `${s.slice(5, 10)} ${s.slice(11, 19)}`;
  };
}

function rev(r: string | undefined): string {
  return shortenHex(r ?? '');
}

/** "demo@0.1.0 -> demo@0.2.0" as "demo 0.1.0 -> 0.2.0". */
function chartMove(previous: string | undefined, chart: string | undefined): string {
  if (!chart) return '';
  if (!previous) return chart;
  const [pn, pv] = previous.split('@');
  const [n, v] = chart.split('@');
  return pn === n && pv && v ? `${n} ${pv} -> ${v}` : `${previous} -> ${chart}`;
}

function objectsPhrase(lines: string[]): string {
  const shown = lines.slice(0, OBJECTS_SHOWN).join(', ');
  return lines.length > OBJECTS_SHOWN ? `${shown} and ${lines.length - OBJECTS_SHOWN} more` : shown;
}

const ORIGIN_WORD: Partial<Record<Change['origin'], string>> = {
  status: 'status',
  history: 'status.history',
  'helm-storage': 'Helm storage',
  annotation: 'annotation',
  'managed-fields': 'managed fields',
};

/** What a line says of a change: a verb and the rest, with messages cut to `messageMax` (0: none). */
export function changePhrase(
  c: Change,
  time: (iso: string | undefined) => string,
  messageMax: number,
): { verb: string; rest: string } {
  const msg = (m: string | undefined, sep = ': ') =>
    m && messageMax > 0 ? `${sep}${truncate(shortenHex(m), messageMax)}` : '';
  const repeated = (c.count ?? 1) > 1 ? ` (x${c.count}, last ${time(c.last)})` : '';
  const until = c.until ? `, until ${time(c.until)}` : '';
  switch (c.what) {
    case 'revision': {
      const from = c.previous ? `${rev(c.previous)} -> ` : '';
      const subject = c.message ? ` "${truncate(c.message, Math.max(messageMax, 60))}"` : '';
      if (c.ref.kind === 'HelmChart') return { verb: 'chart version', rest: `${from}${c.revision ?? '?'}` };
      return { verb: 'new revision', rest: `${from}${rev(c.revision)}${subject}` };
    }
    case 'applied':
      return { verb: 'applied', rest: `${rev(c.revision)}${c.previous ? ` (was ${rev(c.previous)})` : ''}` };
    case 'objects':
      return {
        verb: 'changed',
        // A change set identical to an earlier one is counted on that event, with the revision of the first.
        rest: `${objectsPhrase(c.objects ?? [])}${c.revision ? ` at ${rev(c.revision)}` : ''}${repeated}`,
      };
    case 'failing':
    case 'waiting': {
      const at = c.revision ? ` at ${rev(c.revision)}` : c.chart ? ` with chart ${c.chart}` : '';
      return { verb: c.what, rest: `(${c.reason ?? '?'})${at}${repeated}${until}${msg(c.message)}` };
    }
    case 'recovered':
      return { verb: 'recovered', rest: c.revision ? `at ${rev(c.revision)}` : '' };
    case 'installed':
      return { verb: 'installed', rest: `${c.chart ?? 'chart'}${c.release ? ` as v${c.release}` : ''}` };
    case 'upgraded':
      return {
        verb: 'upgraded',
        rest: `${chartMove(c.previousChart, c.chart)}${c.release ? ` (v${c.release})` : ''}`,
      };
    case 'remediated':
      if (c.target !== undefined)
        return {
          verb: 'remediated',
          rest: `rolled back to v${c.target}${c.chart ? ` (${c.chart})` : ''}`,
        };
      if (c.release !== undefined)
        return { verb: 'remediated', rest: `rolled back as v${c.release}${c.chart ? ` (${c.chart})` : ''}` };
      return { verb: 'remediated', rest: `${c.reason ?? ''}${msg(c.message)}` };
    case 'tested':
      return { verb: 'tested', rest: `tests passed${c.release ? ` for v${c.release}` : ''}` };
    case 'outside': {
      const what = c.target !== undefined ? `rolled back to v${c.target}` : (c.message ?? 'released');
      return {
        verb: 'outside helm-controller:',
        rest: `${what} as v${c.release ?? '?'}${c.chart ? ` (${c.chart})` : ''}, ${c.reason ?? 'status unknown'}${c.by ? `, written by ${c.by}` : ''}`,
      };
    }
    case 'drift':
      return {
        verb: `drift ${c.drift ?? 'detected'}`,
        rest: c.objects ? objectsPhrase(c.objects) : msg(c.message, '').trim(),
      };
    case 'suspended':
      return {
        verb: 'suspended',
        rest: `${c.by ? `by ${c.by}` : ''}${c.message ? `${c.by ? ': ' : ''}"${truncate(c.message, 200)}"` : `${c.by ? ', ' : ''}no reason recorded`}`,
      };
    case 'resumed':
      return { verb: 'resumed', rest: c.by ? `by ${c.by}` : '' };
    case 'requested':
      return {
        verb: `${c.request ?? 'reconcile'} requested`,
        rest: `${c.by ? `by ${c.by}, ` : ''}${c.handled ? 'handled' : 'not handled yet'}`,
      };
    case 'created':
      return { verb: 'created', rest: '' };
    case 'chart':
    case 'other':
      return { verb: c.reason ?? c.what, rest: `${msg(c.message, '').trim()}${repeated}` };
  }
}

function originMark(c: Change): string | undefined {
  return ORIGIN_WORD[c.origin];
}

// ---- rows and lines

interface Line {
  change: Change;
  context?: string;
}

function rowOf(l: Line, time: (iso: string | undefined) => string, messageMax: number): string[] {
  const { verb, rest } = changePhrase(l.change, time, messageMax);
  const origin = originMark(l.change);
  return [
    time(l.change.at),
    ...(l.context !== undefined ? [l.context] : []),
    ref(l.change.ref),
    l.change.what,
    verb === l.change.what ? rest : `${verb} ${rest}`.trim(),
    ...(origin ? [origin] : []),
  ];
}

function lineOf(
  l: Line,
  time: (iso: string | undefined) => string,
  messageMax: number,
  indent = '  ',
): string {
  const { verb, rest } = changePhrase(l.change, time, messageMax);
  const origin = originMark(l.change);
  const ctx = l.context !== undefined ? `${l.context}  ` : '';
  return `${indent}${time(l.change.at)}  ${ctx}${ref(l.change.ref)}  ${verb}${rest ? `${verb.endsWith(':') ? ' ' : ' '}${rest}` : ''}${origin ? `  (${origin})` : ''}`;
}

function agoPhrase(earlier: string, later: string): string {
  const ms = timeOf(later) - timeOf(earlier);
  return ms < 1000 ? 'the same second' : `${formatDuration(ms)} before`;
}

interface FailureView {
  failure: Failure;
  context?: string;
}

function failureLines(
  f: FailureView,
  time: (iso: string | undefined) => string,
  messageMax: number,
): string[] {
  const c = f.failure.change;
  const lines = [lineOf({ change: c, ...(f.context ? { context: f.context } : {}) }, time, messageMax)];
  if (f.failure.preceded.length === 0) {
    lines.push('    preceded by nothing on its path in the window');
    return lines;
  }
  for (const p of f.failure.preceded)
    lines.push(
      lineOf({ change: p }, time, Math.min(messageMax, 80), `    preceded by (${agoPhrase(p.at, c.at)}) `),
    );
  return lines;
}

function counts(changes: Change[]): string {
  const by = new Map<ChangeKind, number>();
  for (const c of changes) by.set(c.what, (by.get(c.what) ?? 0) + 1);
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${n} ${what}`)
    .join(', ');
}

/**
 * A group of changes summarised in one line: the routine changes of a kind, the same change made to many
 * objects (a revision rolled out), or one busy object's.
 */
interface Group {
  key: string;
  /**
   * What the group is: a change kind (`requested`), the change (`applied main@sha1:efe2a1b2 (was ...)`), or
   * an object (`Kustomization apps/web`).
   */
  label: string;
  kind: 'change' | 'same' | 'object';
  context?: string;
  changes: Change[];
  has(l: Line): boolean;
}

/** Changes that matter least to what broke: folded first, one line per kind, when the answer is too long. */
const ROUTINE: readonly ChangeKind[] = ['requested', 'created'];

function routineGroups(lines: Line[]): Group[] {
  return ROUTINE.map((what) => ({
    key: `change|${what}`,
    label: what,
    kind: 'change' as const,
    changes: lines.filter((l) => l.change.what === what).map((l) => l.change),
    has: (l: Line) => l.change.what === what,
  })).filter((g) => g.changes.length >= 2);
}

/** Changes that many objects make alike, as a new revision rolls out. */
const ALIKE: readonly ChangeKind[] = ['applied', 'upgraded', 'installed', 'recovered', 'tested'];
/** The fewest objects that make a change one of those summarised as made alike. */
const ALIKE_MIN = 3;

function alikeGroups(lines: Line[], time: (iso: string | undefined) => string): Group[] {
  const by = new Map<string, Group>();
  const phraseOf = (l: Line) => {
    const { verb, rest } = changePhrase(l.change, time, 0);
    return `${l.context ? `${l.context} ` : ''}${verb} ${rest}`.trim();
  };
  for (const l of lines) {
    if (!ALIKE.includes(l.change.what)) continue;
    const label = phraseOf(l);
    const key = `same|${label}`;
    const g = by.get(key) ?? {
      key,
      label,
      kind: 'same' as const,
      changes: [],
      has: (x: Line) => ALIKE.includes(x.change.what) && phraseOf(x) === label,
    };
    g.changes.push(l.change);
    by.set(key, g);
  }
  return [...by.values()]
    .filter((g) => g.changes.length >= ALIKE_MIN)
    .sort((a, b) => b.changes.length - a.changes.length);
}

function busiest(lines: Line[]): Group[] {
  const by = new Map<string, Group>();
  for (const l of lines) {
    const key = lineKey(l);
    const g = by.get(key) ?? {
      key,
      label: ref(l.change.ref),
      kind: 'object' as const,
      ...(l.context !== undefined ? { context: l.context } : {}),
      changes: [],
      has: (x: Line) => lineKey(x) === key,
    };
    g.changes.push(l.change);
    by.set(key, g);
  }
  return [...by.values()]
    .filter((g) => g.changes.length >= BUSIEST_MIN)
    .sort((a, b) => b.changes.length - a.changes.length)
    .slice(0, BUSIEST_MAX);
}

const ROUTINE_WORDS: Partial<Record<ChangeKind, string>> = {
  requested: 'reconcile, force or reset requests',
  created: 'Flux objects created',
};

function groupLine(g: Group, time: (iso: string | undefined) => string, fleet: boolean): string {
  const span = `from ${time(g.changes.at(-1)!.at)} to ${time(g.changes[0]!.at)}`;
  if (g.kind === 'change') {
    const objects = [...new Set(g.changes.map((c) => ref(c.ref)))];
    const named = objects.slice(0, OBJECTS_SHOWN).join(', ');
    const more = objects.length > OBJECTS_SHOWN ? ` and ${objects.length - OBJECTS_SHOWN} more` : '';
    const handled = g.label === 'requested' ? `, ${g.changes.filter((c) => c.handled).length} handled` : '';
    return `  ${g.changes.length} ${ROUTINE_WORDS[g.label as ChangeKind] ?? g.label}${handled} ${span}: ${named}${more}`;
  }
  if (g.kind === 'same') {
    const objects = g.changes.map((c) => ref(c.ref));
    const named = objects.slice(0, OBJECTS_SHOWN).join(', ');
    const more = objects.length > OBJECTS_SHOWN ? ` and ${objects.length - OBJECTS_SHOWN} more` : '';
    return `  ${objects.length} objects ${g.label} ${span}: ${named}${more}`;
  }
  const name = g.changes[0]!.ref;
  return `  ${g.context ? `${g.context}  ` : ''}${g.label}: ${plural(g.changes.length, 'change')} (${counts(g.changes)}) ${span}: pass kind=${name.kind} name=${name.name} namespace=${name.namespace}${g.context && fleet ? ` context=${g.context}` : ''} to list them`;
}

export interface Assembled {
  lines: Line[];
  failures: FailureView[];
  eventsSince?: string;
  notes: string[];
}

/** Room kept for the line that counts the older changes. */
const REST_LINE = 140;

function lineKey(l: Line): string {
  return `${l.context ?? ''}|${refKey(l.change.ref)}`;
}

/**
 * The text and structure of a timeline. With a limit, at most that many changes, messages as long as they
 * come. Without: on the first page, every failure with what preceded it, then every change while the text
 * stays within TEXT_BUDGET, messages shortened first, then the busiest objects summarised (on the first
 * page, and not when one object is asked for); what is still left over is counted with the offset of the
 * next page, the window pinned so that the pages do not move.
 */
export function renderTimeline(
  head: string[],
  a: Assembled,
  opts: RenderOptions & { fleet: boolean; focus: boolean },
): { text: string; structured: Omit<ChangesView, 'clusters'> } {
  const w = opts.window;
  const time = timeFormatter(w);
  const offset = opts.offset ?? 0;
  const firstPage = offset === 0;
  const iso = (t: number) => new Date(t).toISOString().replace(/\.000Z$/, 'Z');
  const objectsWithChanges = new Set(a.lines.map(lineKey)).size;

  const top = [...head, ...a.notes.map((n) => `Note: ${truncate(n, NOTE_MAX)}`)];
  const failures = firstPage ? a.failures.slice(0, FAILURES_SHOWN) : [];
  // Failures keep their messages: they are what the answer is read for.
  const failureBlock = (_step: number) =>
    failures.length === 0
      ? []
      : [
          'Started failing in the window, each with the changes before it on its path (preceded by, not caused by):',
          ...failures.flatMap((f) => failureLines(f, time, FAILURE_MESSAGE_MAX)),
          ...(a.failures.length > FAILURES_SHOWN
            ? [
                `  ${a.failures.length - FAILURES_SHOWN} more started failing: their lines are in the list below`,
              ]
            : []),
        ];
  // A failure shown above with what preceded it is listed again in its place without its message.
  const above = new Set(failures.map((f) => f.failure.change));
  const listLine = (l: Line, step: number) => lineOf(l, time, above.has(l.change) ? 0 : step);
  const listHead = firstPage
    ? 'Changes (newest first):'
    : `Changes (newest first), from number ${offset + 1}:`;
  const all = a.lines.slice(offset);
  const bytesWith = (step: number, list: Line[], busy: string[]) =>
    textBytes([...top, ...failureBlock(step), ...busy, listHead, ...list.map((l) => listLine(l, step))]);

  let step = MESSAGE_STEPS[0]!;
  const summarised: Group[] = [];
  let page = all;
  const busyBlock = () =>
    summarised.length === 0
      ? []
      : [
          'Summarised (pass limit to list every change):',
          ...summarised.map((g) => groupLine(g, time, opts.fleet)),
        ];
  if (opts.limit === undefined) {
    const last = MESSAGE_STEPS.at(-1)!;
    if (firstPage && !opts.focus && bytesWith(last, all, []) > TEXT_BUDGET) {
      // The routine changes first, then the busiest objects, until the rest fits.
      const fold = (g: Group) => {
        summarised.push(g);
        page = page.filter((l) => !g.has(l));
        return bytesWith(last, page, busyBlock()) <= TEXT_BUDGET;
      };
      let fitted = false;
      for (const g of routineGroups(page)) if ((fitted = fold(g))) break;
      if (!fitted) for (const g of alikeGroups(page, time)) if ((fitted = fold(g))) break;
      if (!fitted) for (const g of busiest(page)) if (fold(g)) break;
    }
    step = MESSAGE_STEPS.find((s) => bytesWith(s, page, busyBlock()) <= TEXT_BUDGET) ?? last;
  }
  const lines = [...top, ...failureBlock(step), ...busyBlock()];
  let shown = 0;
  if (page.length > 0) {
    lines.push(listHead);
    let used = textBytes(lines);
    for (const l of page) {
      const text = listLine(l, step);
      const full =
        opts.limit !== undefined ? shown >= opts.limit : used + textBytes([text]) > TEXT_BUDGET - REST_LINE;
      // A page shows at least one change, so that paging always moves on.
      if (full && shown > 0) break;
      lines.push(text);
      used += textBytes([text]);
      shown += 1;
    }
  }
  const shownLines = page.slice(0, shown);
  // Where the next page starts in the whole list: after the last change shown, summarised ones included.
  const next = shown > 0 ? a.lines.indexOf(shownLines.at(-1)!) + 1 : offset;
  // The older changes not summarised above; paging on lists those too.
  const after = a.lines.slice(next);
  const folded = after.filter((l) => summarised.some((g) => g.has(l))).length;
  const rest = after.length - folded;
  if (rest > 0)
    lines.push(
      `  ${plural(rest, 'older change')}${folded > 0 ? ` (and ${folded} summarised above)` : ''}: pass offset=${next} since=${iso(w.from)} until=${iso(w.to)}${opts.limit !== undefined ? ', or raise limit' : ''}`,
    );
  if (a.lines.length === 0) lines.push('No changes in the window.');

  const messageMax = Math.max(step, 80);
  const cols = ['at', ...(opts.fleet ? ['context'] : []), 'object', 'change', 'detail', 'origin'];
  const phrase = (c: Change, max: number) => {
    const { verb, rest: r } = changePhrase(c, time, max);
    return `${verb} ${r}`.trim();
  };
  const structured: Omit<ChangesView, 'clusters'> = {
    from: iso(w.from),
    to: iso(w.to),
    cols,
    changes: shownLines.map((l) => rowOf(l, time, above.has(l.change) ? 0 : messageMax)),
    ...(failures.length > 0
      ? {
          failing: failures.map((f) => ({
            at: time(f.failure.change.at),
            object: `${f.context ? `${f.context} ` : ''}${ref(f.failure.change.ref)}`,
            detail: phrase(f.failure.change, FAILURE_MESSAGE_MAX),
            preceded: f.failure.preceded.map((p) => rowOf({ change: p }, time, 80)),
          })),
        }
      : {}),
    ...(summarised.length > 0
      ? {
          summarised: summarised.map((g) => ({
            group: `${g.context ? `${g.context} ` : ''}${g.label}`,
            changes: g.changes.length,
            ...(g.kind === 'object'
              ? { counts: counts(g.changes) }
              : (() => {
                  const objects = [...new Set(g.changes.map((c) => ref(c.ref)))];
                  return { objects: objects.length, names: objects.slice(0, OBJECTS_SHOWN) };
                })()),
            from: time(g.changes.at(-1)!.at),
            to: time(g.changes[0]!.at),
          })),
        }
      : {}),
    total: a.lines.length,
    objects: objectsWithChanges,
    ...(rest > 0 ? { more: { changes: rest, offset: next } } : {}),
    ...(a.eventsSince ? { eventsSince: a.eventsSince } : {}),
    ...(a.notes.length > 0 ? { notes: a.notes.map((n) => truncate(n, NOTE_MAX)) } : {}),
  };
  return { text: lines.join('\n'), structured };
}

// ---- one cluster, many clusters

function windowPhrase(w: Window): string {
  const a = new Date(w.from).toISOString();
  const b = new Date(w.to).toISOString();
  const sameDay = a.slice(0, 10) === b.slice(0, 10);
  return `${a.slice(0, 10)} ${a.slice(11, 19)} to ${sameDay ? '' : `${b.slice(0, 10)} `}${b.slice(11, 19)} UTC`;
}

/** A note when the window reaches further back than the events the API server keeps. */
function retentionNote(w: Window, eventsSince: string | undefined, now: number): string | undefined {
  // kube-apiserver --event-ttl defaults to one hour; the default window of an hour is within it.
  if (w.from >= now - 61 * 60_000) return undefined;
  const since = eventsSince
    ? `no Flux event older than ${new Date(timeOf(eventsSince)).toISOString().slice(0, 19)}Z is kept`
    : 'no Flux event is kept';
  return `The window reaches past the events the API server keeps (1h by default, --event-ttl): ${since}; before that, only what the objects keep (conditions, artifacts, status.history, Helm storage, annotations) is listed.`;
}

function scopePhrase(c: Pick<ClusterChanges, 'focus' | 'elsewhere'>, opts: RenderOptions): string {
  if (c.focus) {
    const path = c.focus.path.map(ref);
    return `${ref(c.focus.ref)}${path.length > 0 ? ` and its path (${path.join(', ')})` : ''}`;
  }
  const what = opts.kind ? `${opts.kind} objects` : 'Flux objects';
  const where = opts.namespace ? `namespace ${opts.namespace}` : 'all namespaces';
  const others = c.elsewhere > 0 ? ` (and ${plural(c.elsewhere, 'object')} on their paths elsewhere)` : '';
  return `${what} in ${where}${others}`;
}

export function renderChanges(
  c: ClusterChanges,
  opts: RenderOptions,
): { text: string; structured: ChangesView } {
  const now = opts.now ?? Date.now();
  const t = c.timeline;
  const n = t.changes.length;
  const failing = t.failures.length;
  const head = [
    `Changes to ${scopePhrase(c, opts)} in context ${c.context}, ${windowPhrase(opts.window)}: ${n === 0 ? 'none' : `${plural(n, 'change')}`}${failing > 0 ? `, ${failing} started failing` : ''}.`,
  ];
  const retention = retentionNote(opts.window, t.eventsSince, now);
  const notes = [...(retention ? [retention] : []), ...c.notes];
  return renderTimeline(
    head,
    {
      lines: t.changes.map((change) => ({ change })),
      failures: t.failures.map((failure) => ({ failure })),
      ...(t.eventsSince ? { eventsSince: t.eventsSince } : {}),
      notes,
    },
    { ...opts, fleet: false, focus: c.focus !== undefined },
  );
}

function failureOf(e: FleetEntry<unknown>): string {
  return truncate((e.error ?? e.state).replace(/ \(context [^\s)]+\)/, ''), 200);
}

export function renderFleetChanges(
  entries: FleetEntry<ClusterChanges>[],
  opts: RenderOptions,
  durationMs: number,
): { text: string; structured: ChangesView } {
  const now = opts.now ?? Date.now();
  const ok = entries.filter((e) => e.state === 'ok' && e.value);
  const lines: Line[] = ok.flatMap((e) =>
    e.value!.timeline.changes.map((change) => ({ change, context: e.context })),
  );
  const failures: FailureView[] = ok.flatMap((e) =>
    e.value!.timeline.failures.map((failure) => ({ failure, context: e.context })),
  );
  const byTime = (a: Change, b: Change) => timeOf(b.at) - timeOf(a.at);
  lines.sort((a, b) => byTime(a.change, b.change) || a.context!.localeCompare(b.context!));
  failures.sort((a, b) => byTime(a.failure.change, b.failure.change));
  const width = Math.min(30, Math.max(0, ...entries.map((e) => e.context.length)));
  const scope = opts.kind ? `${opts.kind} objects` : 'Flux objects';
  const head = [
    `Changes to ${scope} in ${opts.namespace ? `namespace ${opts.namespace}` : 'all namespaces'} across ${plural(entries.length, 'context')} in ${formatDuration(durationMs)}, ${windowPhrase(opts.window)}: ${ok.length} answered${ok.length < entries.length ? `, ${entries.length - ok.length} did not` : ''}; ${plural(lines.length, 'change')}.`,
    ...entries.map((e) => {
      const col = e.context.padEnd(width);
      if (e.state !== 'ok' || !e.value) return `  ${col}  ${failureOf(e)}`;
      const v = e.value.timeline;
      return `  ${col}  ${plural(v.changes.length, 'change')}${v.failures.length > 0 ? `, ${v.failures.length} started failing` : ''}`;
    }),
  ];
  const eventsSince = ok
    .map((e) => e.value!.timeline.eventsSince)
    .filter((s): s is string => s !== undefined)
    .sort((a, b) => timeOf(b) - timeOf(a))[0];
  const retention = retentionNote(opts.window, eventsSince, now);
  const notes = [
    ...(retention ? [retention] : []),
    ...ok.flatMap((e) => e.value!.notes.map((n) => `${e.context}: ${n}`)),
  ];
  const view = renderTimeline(
    head,
    { lines, failures, ...(eventsSince ? { eventsSince } : {}), notes },
    { ...opts, fleet: true, focus: false },
  );
  return {
    text: view.text,
    structured: {
      ...view.structured,
      took: formatDuration(durationMs),
      clusters: entries.map((e) =>
        e.state === 'ok' && e.value
          ? {
              context: e.context,
              state: e.state,
              changes: e.value.timeline.changes.length,
              failing: e.value.timeline.failures.length,
            }
          : { context: e.context, state: e.state, error: failureOf(e) },
      ),
    },
  };
}
