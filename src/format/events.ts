// get_flux_events as text: what was read, then one line per event, newest first, bounded.
import type { EventRecord, EventsAnswer, RelatedObject } from '../flux/events.js';
import { refString } from '../flux/refs.js';
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
  return `  ${refString(e.object)}  ${e.type} ${e.reason}${when}${times}${rev}: ${truncate(shortenHex(e.message), EVENT_TEXT_MAX)}`;
}

export function renderEvents(
  answer: EventsAnswer,
  opts: { context: string; limit: number; namespace?: string; kind?: string; since?: string; type?: string },
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
  ]
    .filter(Boolean)
    .join(', ');
  const head = `Events of ${subjectPhrase(answer.objects, opts.namespace, opts.kind)} (context ${opts.context}${filters ? `, ${filters}` : ''})`;
  const lines = [
    answer.events.length === 0
      ? `${head}: none.`
      : `${head}, newest first: ${plural(answer.events.length, 'event')}.`,
  ];
  for (const e of shown) lines.push(eventLine(e, now));
  if (omitted > 0) lines.push(`  ${omitted} more events: raise limit or narrow with since or type`);
  if (answer.notVisible.length > 0)
    lines.push(`Not visible to this user: events of ${answer.notVisible.join(', ')}.`);
  return { text: lines.join('\n'), shown, omitted };
}
