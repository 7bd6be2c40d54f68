import { describe, expect, it } from 'vitest';
import { linePattern, looksLikeRegex, MAX_PROGRAM_SIZE, REGEX_TEXT_LIMIT } from '../../src/flux/grep.js';
import { filterLog } from '../../src/flux/logs.js';

// A backtracking engine (JavaScript's RegExp) takes exponential time on this pattern when the line has no
// "zzz": about two minutes for a line of 30 characters.
const CATASTROPHIC = '([^z]+)+zzz';

describe('grep as a plain substring (the default)', () => {
  it('matches text anywhere in the line, ignoring case', () => {
    const p = linePattern('Health Check', false);
    expect(p.test('kustomization apps/podinfo: health check failed')).toBe(true);
    expect(p.test('healthcheck failed')).toBe(false);
  });

  it('reads regular expression syntax as the characters it is', () => {
    const p = linePattern(CATASTROPHIC, false);
    expect(p.test(`pattern was ${CATASTROPHIC} here`)).toBe(true);
    expect(p.test('a'.repeat(100_000))).toBe(false);
  });
});

describe('grep as a regular expression (grep_regex)', () => {
  it('matches RE2 syntax, ignoring case', () => {
    const p = linePattern('fail(ed|ure)|^warn', true);
    expect(p.test('Reconciliation FAILED')).toBe(true);
    expect(p.test('warning: disk')).toBe(true);
    expect(p.test('all good, no warning')).toBe(false);
  });

  it('answers the catastrophic pattern on long lines correctly: RE2 does not backtrack', () => {
    const p = linePattern(CATASTROPHIC, true);
    const long = 'a'.repeat(50_000);
    expect(p.test(long)).toBe(false);
    expect(p.test(`${long}zzz`)).toBe(true);
    expect(p.test(`${long}zz`)).toBe(false);
  });

  it('filters a log of 10,000 long lines with the catastrophic pattern and finds the one that matches', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'a'.repeat(2_000)}`);
    lines[7_777] += ' zzz';
    const r = await filterLog(lines.join('\n'), { grep: linePattern(CATASTROPHIC, true) }, 10, {
      keepPlain: true,
    });
    expect(r.scanned).toBe(10_000);
    expect(r.matched).toBe(1);
    expect(r.entries[0]?.message.startsWith('line 7777 ')).toBe(true);
  });

  it('refuses what RE2 does not have (backreferences, lookaround), saying so', () => {
    expect(() => linePattern('(a)\\1', true)).toThrow(
      /^grep is not a regular expression RE2 accepts \(no backreferences or lookaround\): /,
    );
    expect(() => linePattern('(?=x)', true)).toThrow(/RE2 accepts/);
  });

  it(`refuses patterns whose RE2 program is larger than ${MAX_PROGRAM_SIZE}`, () => {
    expect(() => linePattern('[a-z]{1000}', true)).toThrow(
      /^grep is too large a regular expression \(RE2 program size \d+, at most 250\)/,
    );
    expect(() => linePattern('sha1:[0-9a-f]{40}', true)).not.toThrow();
  });

  it(`looks at the first ${REGEX_TEXT_LIMIT} characters of a line`, () => {
    const line = `${'x'.repeat(REGEX_TEXT_LIMIT)}needle`;
    expect(linePattern('needle', true).test(line)).toBe(false);
    expect(linePattern('needle', true).test(line.slice(10))).toBe(true);
    expect(linePattern('needle', false).test(line)).toBe(true);
  });
});

describe('filterLog while other work waits', () => {
  const log = Array.from({ length: 100 }, (_, i) => `plain line ${i}`).join('\n');

  it('lets other work run between slices', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    await filterLog(log, {}, 10, { keepPlain: true, sliceMs: 0 }).then(() => order.push('filtered'));
    expect(order).toEqual(['other work', 'filtered']);
  });

  it('stops when the call is cancelled', async () => {
    await expect(
      filterLog(log, {}, 10, { keepPlain: true, sliceMs: 0, signal: AbortSignal.abort() }),
    ).rejects.toThrow('the request was cancelled');
  });
});

describe('looksLikeRegex', () => {
  it('spots substrings that were meant as regular expressions', () => {
    for (const p of ['fail|error', 'sha1:[0-9a-f]+', '^warn', 'done$', 'apply.*failed', '\\d+ms'])
      expect(looksLikeRegex(p)).toBe(true);
    for (const p of ['health check failed', 'apps/podinfo', 'main@sha1:3f2a9c1e', 'v1.2.3'])
      expect(looksLikeRegex(p)).toBe(false);
  });
});
