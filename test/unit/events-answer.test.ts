// get_flux_events and get_kubernetes_events are cut by size, not by count: every event while the text stays
// within about 3 KB, messages shortened first.
import { describe, expect, it } from 'vitest';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { renderEvents } from '../../src/format/events.js';
import type { EventRecord } from '../../src/kube/events.js';

const NOW = Date.parse('2026-11-26T10:00:00Z');

function events(n: number, message = 'ok'): EventRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    time: '2026-11-26T09:59:00Z',
    type: 'Normal',
    reason: 'Progressing',
    message,
    count: 1,
    object: { kind: 'Kustomization', namespace: 'apps', name: `a${i}` },
  }));
}

const render = (list: EventRecord[], limit?: number) =>
  renderEvents(
    { events: list, notVisible: [] },
    { context: 'prod', namespace: 'apps', limit, narrow: 'since or type' },
    NOW,
  );

describe('events answer without a limit', () => {
  it('lists all of 45 short events, where a count of 30 used to hide 15', () => {
    const { text, shown, omitted } = render(events(45));
    for (let i = 0; i < 45; i++) expect(text).toContain(`Kustomization apps/a${i} `);
    expect(shown).toHaveLength(45);
    expect(omitted).toBe(0);
    expect(text).not.toContain('more events');
  });

  it('keeps messages whole when everything fits', () => {
    const { text } = render(events(2, 'x'.repeat(900)));
    expect(text).toContain('x'.repeat(900));
  });

  it('shortens the messages before it leaves out any event', () => {
    const { text, omitted } = render(events(10, 'y'.repeat(300)));
    expect(omitted).toBe(0);
    expect(text).toContain(`: ${'y'.repeat(200)} ... [100 more characters]`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
  });

  it('never shortens a message below 80 characters: the message is what an event says', () => {
    const { text } = render(events(200, 'z'.repeat(300)));
    expect(text).toContain(`: ${'z'.repeat(80)} ... [220 more characters]`);
  });

  it('past the budget, keeps the newest events and counts the older ones with how to get them', () => {
    const { text, shown, omitted } = render(events(200, 'z'.repeat(300)));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(shown.map((e) => e.object.name)).toEqual(Array.from({ length: shown.length }, (_, i) => `a${i}`));
    expect(omitted).toBe(200 - shown.length);
    expect(text.split('\n').at(-1)).toBe(
      `  ${omitted} more events: narrow with since or type, or pass limit`,
    );
  });

  it('says in the line counting the rest which parameters of the tool narrow it', () => {
    const { text } = renderEvents(
      { events: events(400, 'z'.repeat(300)), notVisible: [] },
      { context: 'prod', narrow: 'since, type or grep' },
      NOW,
    );
    expect(text).toMatch(/more events: narrow with since, type or grep, or pass limit$/);
  });
});

describe('events answer with a limit', () => {
  it('lists that many events, messages as they are, and says to raise the limit', () => {
    const { text, shown, omitted } = render(events(5, 'w'.repeat(900)), 2);
    expect(shown).toHaveLength(2);
    expect(omitted).toBe(3);
    expect(text).toContain('w'.repeat(900));
    expect(text).toContain('  3 more events: narrow with since or type, or raise limit');
  });
});
