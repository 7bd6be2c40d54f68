// Answers cut by size, not by count: without a limit, a list answer shows every item while its text stays
// within about TEXT_BUDGET, shortening messages before it leaves any item out; only past the budget are the
// rest counted. A limit asks for a count instead.

/** About what the text of a list answer may take when no limit is asked for. */
export const TEXT_BUDGET = 3 * 1024;

/** Bytes of these lines joined into an answer, a newline each. */
export function textBytes(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) n += Buffer.byteLength(l) + 1;
  return n;
}

export interface BudgetSection {
  count: number;
  /** Lines shown once before the section's first item, such as its title. */
  head?: readonly string[];
  /** The lines of the i-th item, in the order of importance, with messages cut to `messageMax` (0: none). */
  lines(i: number, messageMax: number): string[];
  /** The lines that say `n` (1 or more) items were left out and how to get them. */
  more(n: number): string[];
}

export interface BudgetOptions {
  /** Bytes the sections may take: the budget less the lines around them. */
  room: number;
  /** Message lengths to try, longest first; the first is also used with a limit. */
  steps: readonly number[];
  /** At most this many items of each section, messages at the first step, whatever the size. */
  limit?: number | undefined;
  /** Items of the first section shown even past the budget: a page must show something to move on. */
  minimum?: number;
}

export interface Fit {
  /** How many of each section's first items to show. */
  shown: number[];
  /** The message length to show them with. */
  messageMax: number;
}

function sectionsBytes(sections: readonly BudgetSection[], messageMax: number, stopAbove: number): number {
  let n = 0;
  for (const s of sections) {
    if (s.count === 0) continue;
    n += textBytes(s.head ?? []);
    for (let i = 0; i < s.count && n <= stopAbove; i++) n += textBytes(s.lines(i, messageMax));
    if (n > stopAbove) break;
  }
  return n;
}

/**
 * How many items of each section the text shows. With a limit: that many. Without: every item, with the
 * longest messages of `steps` that let them all fit in `room`; when none does, the messages of the last
 * step and the items in order while they fit (room kept for the lines counting the rest). Once an item does
 * not fit, no later one is shown, so what is left out is always the least important.
 */
export function fitToBudget(sections: readonly BudgetSection[], opts: BudgetOptions): Fit {
  const { room, steps, limit, minimum = 0 } = opts;
  if (limit !== undefined) {
    return { shown: sections.map((s) => Math.min(limit, s.count)), messageMax: steps[0]! };
  }
  for (const step of steps) {
    if (sectionsBytes(sections, step, room) <= room) {
      return { shown: sections.map((s) => s.count), messageMax: step };
    }
  }
  const messageMax = steps[steps.length - 1]!;
  let left = room - textBytes(sections.flatMap((s) => (s.count > 0 ? s.more(s.count) : [])));
  let full = false;
  const shown = sections.map((s, index) => {
    const floor = index === 0 ? minimum : 0;
    let head = textBytes(s.head ?? []);
    let n = 0;
    while (!full && n < s.count) {
      const size = head + textBytes(s.lines(n, messageMax));
      if (size > left && n >= floor) {
        full = true;
        break;
      }
      left -= size;
      head = 0;
      n += 1;
    }
    return n;
  });
  return { shown, messageMax };
}

/** The sections as fitted: each one's head and shown items, then the lines counting what it left out. */
export function sectionLines(sections: readonly BudgetSection[], fit: Fit): string[] {
  const lines: string[] = [];
  sections.forEach((s, i) => {
    const n = fit.shown[i]!;
    if (n > 0) lines.push(...(s.head ?? []));
    for (let j = 0; j < n; j++) lines.push(...s.lines(j, fit.messageMax));
    if (n < s.count) lines.push(...s.more(s.count - n));
  });
  return lines;
}

/** One list cut by fitToBudget: how many of its items are shown, and its lines as fitted. */
export function fitList(list: BudgetSection, opts: BudgetOptions): { shown: number; lines: string[] } {
  const fit = fitToBudget([list], opts);
  return { shown: fit.shown[0]!, lines: sectionLines([list], fit) };
}

/** How to get what a list answer left out: the parameters that `narrow` it, or a limit. */
export function restHint(narrow: string, limit: number | undefined): string {
  return `narrow with ${narrow}, or ${limit === undefined ? 'pass' : 'raise'} limit`;
}
