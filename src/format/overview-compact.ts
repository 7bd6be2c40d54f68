// get_flux_status's compact structured content (docs/structured-content.md): the objects the text shows,
// keyed by name, with the words the text gives them; counts without zeros; the same cut.
import { z } from 'zod';
import type { FailingObject, StaleObject, SuspendedObject, Totals } from '../flux/overview.js';
import { counts, facts, keyed, moreSchema, refMap, refOf } from './compact.js';
import { formatAge, shortenHex, truncate } from './text.js';

export const countsSchema = z.object({
  total: z.number(),
  ready: z.number().optional(),
  failing: z.number().optional(),
  progressing: z.number().optional(),
  suspended: z.number().optional(),
  stale: z.number().optional(),
  /** Counted both as failing and as suspended. */
  suspendedFailing: z.number().optional(),
});

export const compactFailingSchema = z.object({
  reason: z.string().optional(),
  stalled: z.boolean().optional(),
  for: z.string().optional(),
  rev: z.string().optional(),
  attempted: z.string().optional(),
  blockedBy: z.string().optional(),
  /** Also suspended: the failure stays until someone resumes it. */
  suspended: z.boolean().optional(),
  msg: z.string().optional(),
  /** What a failed wait was waiting for: the objects not ready, and why their Pods are not. */
  notReady: z.string().optional(),
});

export const compactSuspendedSchema = z.object({
  for: z.string().optional(),
  by: z.string().optional(),
  manager: z.string().optional(),
  reason: z.string().optional(),
});

export const compactStaleSchema = z.object({
  requested: z.string().optional().describe('A reconcile request not handled since then.'),
  lastHandled: z.string().optional(),
  interval: z.string().optional(),
});

/** The problem lists of one cluster, keyed by object name. */
export const compactProblemsShape = {
  failing: refMap(compactFailingSchema).optional(),
  suspended: refMap(compactSuspendedSchema).optional(),
  stale: refMap(compactStaleSchema).optional(),
  more: moreSchema.optional(),
};

export const compactOverviewShape = {
  context: z.string(),
  counts: countsSchema,
  kinds: z.record(z.string(), countsSchema).optional(),
  notVisible: z.array(z.string()).optional(),
  ...compactProblemsShape,
  next: z.string().optional(),
};

export type CompactOverview = z.infer<z.ZodObject<typeof compactOverviewShape>>;
export type CompactProblems = z.infer<z.ZodObject<typeof compactProblemsShape>>;

export function compactCounts(t: Totals): z.infer<typeof countsSchema> {
  return { ...counts(t), total: t.total };
}

export function compactFailing(f: FailingObject, now: number, messageMax: number) {
  return facts({
    reason: f.reason,
    stalled: f.stalled,
    for: formatAge(f.since, now),
    rev: f.revision ? shortenHex(f.revision) : undefined,
    attempted: f.attemptedRevision ? shortenHex(f.attemptedRevision) : undefined,
    blockedBy: f.blockedBy,
    suspended: f.suspended,
    msg:
      f.message && messageMax > 0
        ? truncate(shortenHex(f.message), messageMax, 'get_flux_events for the rest')
        : undefined,
    notReady:
      f.notReady && messageMax > 0
        ? truncate(shortenHex(f.notReady), Math.round(messageMax * 1.5), 'get_flux_tree for the rest')
        : undefined,
  });
}

export function compactSuspended(s: SuspendedObject, now: number, reasonMax: number) {
  return facts({
    for: formatAge(s.at, now),
    by: s.by,
    manager: s.by ? undefined : s.manager,
    reason: s.reason ? truncate(s.reason, reasonMax) : undefined,
  });
}

export function compactStale(s: StaleObject, now: number) {
  return facts({
    requested: formatAge(s.requestPendingSince, now),
    lastHandled: s.lastHandled ? formatAge(s.lastHandled, now) : s.requestPendingSince ? undefined : 'never',
    interval: s.interval,
  });
}

/** The problem lists as shown: the first `shown` of each, and how many of each were left out. */
export function compactProblems(
  lists: { failing: FailingObject[]; suspended: SuspendedObject[]; stale: StaleObject[] },
  shown: { failing: number; suspended: number; stale: number },
  opts: { now: number; messageMax: number; reasonMax: number },
): CompactProblems {
  const { now, messageMax, reasonMax } = opts;
  return facts({
    failing: keyed(lists.failing.slice(0, shown.failing), refOf, (f) => compactFailing(f, now, messageMax)),
    suspended: keyed(lists.suspended.slice(0, shown.suspended), refOf, (s) =>
      compactSuspended(s, now, reasonMax),
    ),
    stale: keyed(lists.stale.slice(0, shown.stale), refOf, (s) => compactStale(s, now)),
    more: counts({
      failing: lists.failing.length - shown.failing,
      suspended: lists.suspended.length - shown.suspended,
      stale: lists.stale.length - shown.stale,
    }),
  });
}
