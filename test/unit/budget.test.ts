// The rule every list answer is cut by: without a limit, as many items as fit in the budget, messages
// shortened before any item is left out; with a limit, a count.
import { describe, expect, it } from 'vitest';
import { fitToBudget, textBytes, type BudgetSection } from '../../src/format/budget.js';

/** `count` items of a 10-byte line (9 characters and a newline) and a message line of `message` bytes. */
function items(count: number, message: number, head: string[] = []): BudgetSection {
  return {
    count,
    head,
    lines: (i, max) => {
      const line = `item ${String(i).padStart(4, '0')}`;
      const m = Math.min(message, max);
      return m > 0 ? [line, 'm'.repeat(m - 1)] : [line];
    },
    more: (n) => [`${n} more`],
  };
}

describe('textBytes', () => {
  it('counts each line with its newline, in UTF-8 bytes', () => {
    expect(textBytes(['ab', 'é'])).toBe(3 + 3);
  });
});

describe('fitToBudget without a limit', () => {
  it('shows every item, messages whole, when they all fit', () => {
    expect(fitToBudget([items(10, 20)], { room: 300, steps: [20, 5, 0] })).toEqual({
      shown: [10],
      messageMax: 20,
    });
  });

  it('shortens the messages to the first length that lets every item fit', () => {
    // 10 items of 10 + 5 bytes.
    expect(fitToBudget([items(10, 20)], { room: 150, steps: [20, 5, 0] })).toEqual({
      shown: [10],
      messageMax: 5,
    });
  });

  it('leaves the messages out before it leaves out any item', () => {
    expect(fitToBudget([items(10, 20)], { room: 100, steps: [20, 5, 0] })).toEqual({
      shown: [10],
      messageMax: 0,
    });
  });

  it('past the budget, shows the first items that fit with room left for the line counting the rest', () => {
    // "10 more" takes 8 bytes, so 91 are left: 9 items of 10.
    const fit = fitToBudget([items(10, 20)], { room: 99, steps: [20, 0] });
    expect(fit).toEqual({ shown: [9], messageMax: 0 });
  });

  it('counts the head of a section with its first item', () => {
    // The "10 more" line (8 bytes) leaves 86: the head (6) and 8 items of 10.
    expect(fitToBudget([items(10, 0, ['title'])], { room: 94, steps: [0] }).shown).toEqual([8]);
  });

  it('shows nothing of a later section once an earlier one is full', () => {
    const fit = fitToBudget([items(10, 0), items(1, 0)], { room: 60, steps: [0] });
    expect(fit.shown[1]).toBe(0);
  });

  it('fills a later section when the earlier ones fit whole', () => {
    const fit = fitToBudget([items(2, 0), items(20, 0)], { room: 100, steps: [0] });
    expect(fit.shown[0]).toBe(2);
    expect(fit.shown[1]).toBeGreaterThan(0);
    expect(fit.shown[1]).toBeLessThan(20);
  });

  it('shows the minimum of the first section even when it does not fit', () => {
    expect(fitToBudget([items(5, 500)], { room: 50, steps: [500], minimum: 1 }).shown).toEqual([1]);
  });
});

describe('fitToBudget with a limit', () => {
  it('shows that many of each section, messages at the first length, whatever the size', () => {
    expect(fitToBudget([items(10, 500), items(1, 0)], { room: 10, steps: [500, 0], limit: 3 })).toEqual({
      shown: [3, 1],
      messageMax: 500,
    });
  });
});
