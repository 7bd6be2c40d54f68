// get_flux_status as text for a model's context window, and the same facts bounded for structuredContent.
import { z } from 'zod';
import {
  failingObjectSchema,
  kindCountsSchema,
  staleObjectSchema,
  suspendedObjectSchema,
  totalsSchema,
  visibilitySchema,
  type FailingObject,
  type FluxOverview,
  type StaleObject,
  type SuspendedObject,
  type Totals,
  type Visibility,
} from '../flux/overview.js';
import { revisionPhrase } from './objects.js';
import { compactCounts, compactProblems, type CompactOverview } from './overview-compact.js';
import { fitToBudget, restHint, sectionLines, textBytes, TEXT_BUDGET, type BudgetSection } from './budget.js';
import { formatAge, plural, shortenHex, truncate } from './text.js';

/** Longest condition message in structured results; the text cuts shorter. */
export const STRUCTURED_MESSAGE_MAX = 1000;
export const TEXT_MESSAGE_MAX = 200;
const NAMES_MAX = 20;

/** get_flux_status's structured answer: the overview with its lists bounded. */
export const overviewOutput = {
  context: z.string(),
  namespace: z.string().optional(),
  totals: totalsSchema,
  kinds: z.array(kindCountsSchema),
  failing: z.array(failingObjectSchema),
  suspended: z.array(suspendedObjectSchema),
  stale: z.array(staleObjectSchema),
  /** How many entries of each list were left out, by `limit` or by the size of the answer. */
  omitted: z.object({ failing: z.number(), suspended: z.number(), stale: z.number() }),
  notServed: z.array(z.string()).describe('Flux kinds whose CRD is not installed.'),
  visibility: visibilitySchema,
};

export type OverviewView = z.infer<z.ZodObject<typeof overviewOutput>>;

function ref(o: { kind: string; namespace: string; name: string }): string {
  return `${o.kind} ${o.namespace}/${o.name}`;
}

export function countsPhrase(c: Totals, withReady: boolean): string {
  const parts: string[] = [];
  if (withReady) parts.push(`${c.ready} ready`);
  if (c.failing)
    parts.push(
      `${c.failing} failing${c.suspendedFailing ? ` (${c.suspendedFailing} of them suspended)` : ''}`,
    );
  if (c.progressing) parts.push(`${c.progressing} progressing`);
  if (c.suspended) parts.push(`${c.suspended} suspended`);
  if (c.stale) parts.push(`${c.stale} stale`);
  return parts.join(', ');
}

export function failingLines(f: FailingObject, now: number, messageMax = TEXT_MESSAGE_MAX): string[] {
  const what = f.stalled ? `Stalled ${f.reason ?? ''}`.trimEnd() : (f.reason ?? 'failing');
  const since = formatAge(f.since, now);
  const revision = revisionPhrase(f.kind, f.revision, f.attemptedRevision);
  const blocked = f.blockedBy ? `  blocked by failing ${f.blockedBy}` : '';
  const held = f.suspended ? '  (suspended)' : '';
  const lines = [
    `  ${ref(f)}  ${what}${since ? ` for ${since}` : ''}${revision ? `  ${revision}` : ''}${blocked}${held}`,
  ];
  if (f.message && messageMax > 0) {
    lines.push(`    ${truncate(shortenHex(f.message), messageMax, 'get_flux_events for the rest')}`);
  }
  if (f.notReady && messageMax > 0) {
    // Half as long again as a message: the Pod's reason comes after the workload's counts.
    const max = Math.round(messageMax * 1.5);
    lines.push(`    not ready: ${truncate(shortenHex(f.notReady), max, 'get_flux_tree for the rest')}`);
  }
  return lines;
}

export function suspendedLine(s: SuspendedObject, now: number): string {
  const parts: string[] = [];
  const age = formatAge(s.at, now);
  if (age) parts.push(`for ${age}`);
  if (s.by) parts.push(`by ${s.by}`);
  else if (s.manager) parts.push(`via field manager ${s.manager}`);
  const head = parts.join(' ');
  const why = s.reason
    ? `: "${truncate(s.reason, TEXT_MESSAGE_MAX)}"`
    : `${head ? ',' : ''} no reason recorded`;
  return `  ${ref(s)}  ${head}${why}`;
}

export function staleLine(s: StaleObject, now: number): string {
  const interval = s.interval ? `, interval ${s.interval}` : '';
  if (s.requestPendingSince) {
    const handled = s.lastHandled ? ` (last handled ${formatAge(s.lastHandled, now)} ago)` : '';
    return `  ${ref(s)}  reconcile requested ${formatAge(s.requestPendingSince, now)} ago, not handled${handled}${interval}`;
  }
  return `  ${ref(s)}  last handled ${formatAge(s.lastHandled, now) ?? 'never'} ago${interval}`;
}

function names(list: string[]): string {
  const shown = list.slice(0, NAMES_MAX).join(', ');
  return list.length > NAMES_MAX ? `${shown} and ${list.length - NAMES_MAX} more` : shown;
}

export function visibilityLines(v: Visibility): string[] {
  const who = v.user ? `user ${v.user}` : 'this user';
  const lines: string[] = [];
  if (v.onlyNamespaces) {
    const read = v.onlyNamespaces.length > 0 ? `namespace ${names(v.onlyNamespaces)}` : 'no namespace';
    lines.push(
      `Not visible: ${who} cannot list Flux objects across namespaces nor list namespaces, so only ${read} was read; objects elsewhere are not counted (pass namespace, or ask for cluster-wide read access).`,
    );
  }
  if (v.unreadableNamespaces.length > 0) {
    lines.push(
      `Not visible: namespaces you cannot read (${who}): ${names(v.unreadableNamespaces)}; their objects are not counted.`,
    );
  }
  if (v.unreadableKinds.length > 0) {
    const parts = v.unreadableKinds.map((u) => `${u.kinds.join(', ')} in ${u.namespace}`);
    lines.push(`Not visible (${who} may not list them): ${names(parts)}.`);
  }
  return lines;
}

/** Messages are shortened before objects are left out: to this length, then to none. */
const MESSAGE_STEPS = [TEXT_MESSAGE_MAX, 80, 0];

/**
 * The answer of get_flux_status. Without a limit, every failing, suspended and stale object is listed while
 * the text stays within about 3 KB, messages shortened first; only past that are the rest counted, with
 * how to get them. With a limit, at most that many of each, messages as they are. The structured lists
 * hold the objects the text shows, messages bounded.
 */
export function renderOverview(
  o: FluxOverview,
  limit: number | undefined,
  now: number = Date.now(),
): { text: string; structured: OverviewView; compact: CompactOverview } {
  const where = o.namespace ? `namespace ${o.namespace} of context ${o.context}` : `context ${o.context}`;
  const t = o.totals;
  const head = [
    t.total === 0
      ? `Flux in ${where}: no Flux objects.`
      : `Flux in ${where}: ${plural(t.total, 'object')}: ${countsPhrase(t, true)}.`,
    ...visibilityLines(o.visibility),
  ];
  const kinds = o.kinds.filter((k) => k.total > 0);
  if (kinds.length > 1) {
    const perKind = kinds.map((k) => {
      const problems = countsPhrase(k, false);
      return `${k.kind} ${k.total}${problems ? ` (${problems})` : ''}`;
    });
    head.push(`By kind: ${perKind.join(', ')}.`);
  }

  const how = restHint('namespace or kind', limit);
  const section = (title: string, what: string, count: number, lines: BudgetSection['lines']) => ({
    head: [title],
    count,
    lines,
    more: (n: number) => [`  ${n} more ${what}: ${how}`],
  });
  const sections = [
    section('Failing (newest first):', 'failing', o.failing.length, (i, m) =>
      failingLines(o.failing[i]!, now, m),
    ),
    section('Suspended:', 'suspended', o.suspended.length, (i) => [suspendedLine(o.suspended[i]!, now)]),
    section('Stale (not reconciled for several intervals):', 'stale', o.stale.length, (i) => [
      staleLine(o.stale[i]!, now),
    ]),
  ];
  // With a limit, messages are whole (README: "limit asks for that many of each instead, messages whole").
  const steps = limit === undefined ? MESSAGE_STEPS : [Number.POSITIVE_INFINITY];
  const fit = fitToBudget(sections, { room: TEXT_BUDGET - textBytes(head), steps, limit });
  const lines = [...head, ...sectionLines(sections, fit)];

  const [nFailing, nSuspended, nStale] = fit.shown as [number, number, number];
  const problems = compactProblems(
    o,
    { failing: nFailing, suspended: nSuspended, stale: nStale },
    { now, messageMax: fit.messageMax, reasonMax: TEXT_MESSAGE_MAX },
  );
  const notVisible = visibilityLines(o.visibility);
  const compact: CompactOverview = {
    context: o.context,
    counts: compactCounts(o.totals),
    ...(kinds.length > 1
      ? {
          kinds: Object.fromEntries(
            kinds.map(({ kind, ready: _, ...c }) => [kind, compactCounts({ ...c, ready: 0 })]),
          ),
        }
      : {}),
    ...(notVisible.length > 0 ? { notVisible } : {}),
    ...problems,
    ...(problems.more ? { next: how } : {}),
  };
  // Without a limit, long texts are bounded; with one, they are as they are.
  const bound = (text: string | undefined) =>
    text && limit === undefined ? truncate(text, STRUCTURED_MESSAGE_MAX) : text;
  const failing = o.failing.slice(0, nFailing).map((f) => ({
    ...f,
    ...(f.message ? { message: bound(f.message) } : {}),
    ...(f.notReady ? { notReady: bound(f.notReady) } : {}),
  }));
  return {
    text: lines.join('\n'),
    structured: {
      context: o.context,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      totals: o.totals,
      kinds: o.kinds,
      failing,
      suspended: o.suspended.slice(0, nSuspended),
      stale: o.stale.slice(0, nStale),
      omitted: {
        failing: o.failing.length - nFailing,
        suspended: o.suspended.length - nSuspended,
        stale: o.stale.length - nStale,
      },
      notServed: o.notServed,
      visibility: o.visibility,
    },
    compact,
  };
}
