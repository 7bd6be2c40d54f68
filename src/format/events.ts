// get_flux_events and get_kubernetes_events as text: what was read, then one line per event, newest first,
// cut by size (src/format/budget.ts).
import type { EventsAnswer, RelatedObject } from '../flux/events.js';
import { refString } from '../flux/refs.js';
import { RELATED_MAX, SCAN_LIMIT, type EventRecord, type EventSubject } from '../kube/events.js';
import { objectRef } from '../kube/types.js';
import { z } from 'zod';
import { fitToBudget, restHint, sectionLines, textBytes, TEXT_BUDGET } from './budget.js';
import { counts, facts } from './compact.js';
import { formatAge, plural, shortenHex, truncate } from './text.js';

/** Events are where the whole message is read: cut late. */
export const EVENT_TEXT_MAX = 1000;
export const EVENT_STRUCTURED_MAX = 4000;
/**
 * Messages are shortened to these before events are left out. Not to none: an event's message is what it
 * says, its reason only names it.
 */
const MESSAGE_STEPS = [EVENT_TEXT_MAX, 200, 80];

function subjectPhrase(
  objects: RelatedObject[],
  namespace: string | undefined,
  kind: string | undefined,
): string {
  if (objects.length === 0) {
    const what = kind ? `${kind} objects` : 'Flux objects';
    return `${what} in ${namespace ? `namespace ${namespace}` : 'all namespaces'}`;
  }
  const [subject, ...related] = objects;
  const rest = related.map((r) => `${r.role} ${refString(r)}`);
  return `${refString(subject!)}${rest.length > 0 ? ` and its ${rest.join(', ')}` : ''}`;
}

function eventLine(e: EventRecord, now: number, messageMax: number): string {
  const age = formatAge(e.time, now);
  const when = age ? ` ${age} ago` : '';
  const times = e.count > 1 ? ` (x${e.count})` : '';
  const rev = e.revision ? `  rev ${shortenHex(e.revision)}` : '';
  return `  ${objectRef(e.object.kind, e.object.namespace, e.object.name)}  ${e.type} ${e.reason}${when}${times}${rev}: ${truncate(shortenHex(e.message), messageMax)}`;
}

/** `Deployment apps/podinfo and its 1 ReplicaSet, 10 newest Pods`, or what a namespace scan read. */
export function subjectsPhrase(
  subjects: EventSubject[],
  scope: { namespace?: string | undefined; kind?: string | undefined; name?: string | undefined },
): string {
  if (subjects.length === 0) {
    const what = `${scope.kind ? `${scope.kind} objects` : 'all objects'}${scope.name ? ` named ${scope.name}` : ''}`;
    return `${what} in ${scope.namespace ? `namespace ${scope.namespace}` : 'all namespaces'}`;
  }
  const [subject, ...related] = subjects;
  const counts = new Map<string, number>();
  for (const r of related) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  const rest = [...counts].map(([k, n]) => (n >= RELATED_MAX ? `${n} newest ${k}s` : plural(n, k)));
  const what = objectRef(subject!.kind, subject!.namespace, subject!.name);
  return `${what}${rest.length > 0 ? ` and its ${rest.join(', ')}` : ''}`;
}

/**
 * Without a limit, every event while the text stays within about 3 KB, messages shortened first; past that
 * the older ones are counted, with how to get them (`narrow`: the tool's parameters that narrow, e.g.
 * "since or type"). With a limit, at most that many, messages as they are.
 */
export function renderEvents(
  answer: Pick<EventsAnswer, 'events' | 'notVisible'> & { objects?: RelatedObject[] },
  opts: {
    context: string;
    limit?: number | undefined;
    narrow: string;
    namespace?: string;
    kind?: string;
    since?: string;
    type?: string;
    grep?: string;
    /** What was read, when not Flux objects (get_kubernetes_events). */
    subject?: string;
    /** The scan stopped before the oldest events. */
    truncated?: boolean;
  },
  now: number = Date.now(),
): { text: string; shown: EventRecord[]; omitted: number; compact: CompactEvents } {
  const filters = [
    opts.type ? `type ${opts.type}` : undefined,
    opts.since ? `since ${opts.since}` : undefined,
    opts.grep ? `containing "${opts.grep}"` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const subject = opts.subject ?? subjectPhrase(answer.objects ?? [], opts.namespace, opts.kind);
  const head = `Events of ${subject} (context ${opts.context}${filters ? `, ${filters}` : ''})`;
  const lines = [
    answer.events.length === 0
      ? `${head}: none.`
      : `${head}, newest first: ${plural(answer.events.length, 'event')}.`,
  ];
  const tail: string[] = [];
  if (opts.truncated)
    tail.push(
      `The scan stopped at ${SCAN_LIMIT} events, so some were not read: narrow with namespace, kind or name.`,
    );
  if (answer.notVisible.length > 0)
    tail.push(`Not visible to this user: events of ${answer.notVisible.join(', ')}.`);

  const how = restHint(opts.narrow, opts.limit);
  const events = answer.events;
  const list = {
    count: events.length,
    lines: (i: number, max: number) => [eventLine(events[i]!, now, max)],
    more: (rest: number) => [`  ${rest} more events: ${how}`],
  };
  const fit = fitToBudget([list], {
    room: TEXT_BUDGET - textBytes([...lines, ...tail]),
    steps: MESSAGE_STEPS,
    limit: opts.limit,
  });
  const n = fit.shown[0]!;
  lines.push(...sectionLines([list], fit), ...tail);
  const shown = events
    .slice(0, n)
    .map((e) =>
      e.message.length > EVENT_STRUCTURED_MAX
        ? { ...e, message: truncate(e.message, EVENT_STRUCTURED_MAX) }
        : e,
    );
  const compact: CompactEvents = {
    context: opts.context,
    subject,
    total: events.length,
    ...facts({
      events: groupEvents(events.slice(0, n), now, fit.messageMax),
      more: counts({ events: events.length - n }),
      next: n < events.length ? how : undefined,
      truncated: opts.truncated
        ? `the scan stopped at ${SCAN_LIMIT} events, so some were not read: narrow with namespace, kind or name`
        : undefined,
      notVisible: answer.notVisible,
    }),
  };
  return { text: lines.join('\n'), shown, omitted: events.length - n, compact };
}

const compactEventSchema = z.object({
  /** Warning; absent for Normal. */
  type: z.string().optional(),
  reason: z.string(),
  age: z.string().optional(),
  /** How many times it happened, when more than once. */
  times: z.number().optional(),
  rev: z.string().optional(),
  msg: z.string(),
});

/** get_flux_events' and get_kubernetes_events' compact structured content (docs/structured-content.md). */
export const compactEventsShape = {
  context: z.string(),
  /** Whose events were read: the object and the objects read with it, or the namespace scanned. */
  subject: z.string(),
  total: z.number(),
  /** The events shown, newest first, under the object each is about. */
  events: z.record(z.string(), z.array(compactEventSchema)).optional(),
  more: z.object({ events: z.number().optional() }).optional(),
  next: z.string().optional(),
  truncated: z.string().optional(),
  notVisible: z.array(z.string()).optional(),
  /** How the call was read, when it may not have been read as meant (a grep that reads like a pattern). */
  hint: z.string().optional(),
};

export type CompactEvents = z.infer<z.ZodObject<typeof compactEventsShape>>;

function groupEvents(
  events: EventRecord[],
  now: number,
  messageMax: number,
): Record<string, z.infer<typeof compactEventSchema>[]> {
  const out: Record<string, z.infer<typeof compactEventSchema>[]> = {};
  for (const e of events) {
    const key = objectRef(e.object.kind, e.object.namespace, e.object.name);
    (out[key] ??= []).push({
      ...facts({ type: e.type === 'Normal' ? undefined : e.type }),
      reason: e.reason,
      ...facts({
        age: formatAge(e.time, now),
        times: e.count > 1 ? e.count : undefined,
        rev: e.revision ? shortenHex(e.revision) : undefined,
      }),
      msg: truncate(shortenHex(e.message), messageMax),
    });
  }
  return out;
}
