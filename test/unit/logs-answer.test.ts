// get_kubernetes_logs is cut by size, not by count: the newest lines while the text stays within about
// 3 KB, long lines cut shorter first.
import { describe, expect, it } from 'vitest';
import type { LogsAnswer } from '../../src/flux/controller-logs.js';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { renderLogs } from '../../src/format/logs.js';

/** `n` lines read, oldest first, of `matched` that matched (the older ones beyond a limit were not kept). */
function answer(n: number, message = (i: number) => `line ${i}`, matched = n): LogsAnswer {
  return {
    subject: 'Pod apps/web-0',
    oneObject: false,
    sources: [{ namespace: 'apps', pod: 'web-0', container: 'web', node: 'n1' }],
    lines: Array.from({ length: n }, (_, i) => ({ message: message(matched - n + i), pod: 'web-0' })),
    scanned: matched,
    matched,
    failures: [],
  };
}

const render = (a: LogsAnswer, limit?: number) =>
  renderLogs(a, { filters: [], context: 'prod', ...(limit ? { limit } : {}) });

describe('logs answer without a limit', () => {
  it('shows every line, oldest first, when they all fit', () => {
    const { text, lines } = render(answer(150));
    expect(lines).toHaveLength(150);
    expect(text.split('\n').slice(1)).toEqual(Array.from({ length: 150 }, (_, i) => `line ${i}`));
  });

  it('keeps lines of up to 500 characters whole when everything fits', () => {
    const { text } = render(answer(3, () => 'a'.repeat(500)));
    expect(text).toContain('a'.repeat(500));
  });

  it('cuts long lines to 200 characters, with a marker, before it leaves out any line', () => {
    const { text, lines } = render(answer(12, () => 'b'.repeat(400)));
    expect(lines).toHaveLength(12);
    expect(text).toContain(`\n${'b'.repeat(200)} ... [200 more characters]\n`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
  });

  it('past the budget, keeps the newest lines and counts the older ones with how to get them', () => {
    const { text, lines } = render(answer(300, (i) => `${i} ${'c'.repeat(100)}`));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(lines.at(-1)!.message).toMatch(/^299 /);
    expect(lines[0]!.message).toMatch(new RegExp(`^${300 - lines.length} `));
    expect(text.split('\n')[0]).toContain(`: the newest ${lines.length} of 300 matching lines`);
    expect(text.split('\n').at(-1)).toBe(
      `${300 - lines.length} older matching lines not shown: narrow with since, level or grep, or pass limit`,
    );
  });

  it('counts the matching lines older than those read as left out too', () => {
    const { text } = render(answer(10, undefined, 2000));
    expect(text.split('\n').at(-1)).toBe(
      '1990 older matching lines not shown: narrow with since, level or grep, or pass limit',
    );
  });
});

describe('logs answer with a limit', () => {
  it('shows every line read, cut at 500 characters, and says to raise the limit for older ones', () => {
    const { text, lines } = render(
      answer(20, () => 'd'.repeat(600), 50),
      20,
    );
    expect(lines).toHaveLength(20);
    expect(text).toContain(`${'d'.repeat(500)} ... [100 more characters]`);
    expect(text.split('\n').at(-1)).toBe(
      '30 older matching lines not shown: narrow with since, level or grep, or raise limit',
    );
  });
});
