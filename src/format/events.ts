// get_flux_events and get_kubernetes_events as text: what was read, then one line per event, newest first,
// bounded.
import type { EventsAnswer, RelatedObject } from '../flux/events.js';
import { refString } from '../flux/refs.js';
import { RELATED_MAX, SCAN_LIMIT, type EventRecord, type EventSubject } from '../kube/events.js';
import { objectRef } from '../kube/types.js';
import { formatAge, plural, shortenHex, truncate } from './text.js';

/** Events are where the whole message is read: cut late. */
export const EVENT_TEXT_MAX = 1000;
export const EVENT_STRUCTURED_MAX = 4000;

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

function eventLine(e: EventRecord, now: number): string {
  const age = formatAge(e.time, now);
  const when = age ? ` ${age} ago` : '';
  const times = e.count > 1 ? ` (x${e.count})` : '';
  const rev = e.revision ? `  rev ${shortenHex(e.revision)}` : '';
  return `  ${objectRef(e.object.kind, e.object.namespace, e.object.name)}  ${e.type} ${e.reason}${when}${times}${rev}: ${truncate(shortenHex(e.message), EVENT_TEXT_MAX)}`;
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

export function renderEvents(
  answer: Pick<EventsAnswer, 'events' | 'notVisible'> & { objects?: RelatedObject[] },
  opts: {
    context: string;
    limit: number;
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
): { text: string; shown: EventRecord[]; omitted: number } {
  const shown = answer.events
    .slice(0, opts.limit)
    .map((e) =>
      e.message.length > EVENT_STRUCTURED_MAX
        ? { ...e, message: truncate(e.message, EVENT_STRUCTURED_MAX) }
        : e,
    );
  const omitted = answer.events.length - shown.length;
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
  for (const e of shown) lines.push(eventLine(e, now));
  if (omitted > 0) lines.push(`  ${omitted} more events: raise limit or narrow with since or type`);
  if (opts.truncated)
    lines.push(
      `The scan stopped at ${SCAN_LIMIT} events, so some were not read: narrow with namespace, kind or name.`,
    );
  if (answer.notVisible.length > 0)
    lines.push(`Not visible to this user: events of ${answer.notVisible.join(', ')}.`);
  return { text: lines.join('\n'), shown, omitted };
}
