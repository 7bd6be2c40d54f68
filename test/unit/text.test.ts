import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, shortenHex, truncate } from '../../src/format/text.js';

describe('truncate', () => {
  it('leaves short text alone', () => {
    expect(truncate('short', 10)).toBe('short');
  });

  it('cuts long text and says how much is left and where to find it', () => {
    expect(truncate('a'.repeat(30), 10, 'get_flux_events for the rest')).toBe(
      `${'a'.repeat(10)} ... [20 more characters: get_flux_events for the rest]`,
    );
  });

  it('folds newlines into one line', () => {
    expect(truncate('one\n  two', 100)).toBe('one two');
  });
});

describe('formatDuration and formatAge', () => {
  it('uses seconds, minutes, hours and days like kubectl', () => {
    expect(formatDuration(4200)).toBe('4.2s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(42 * 60_000)).toBe('42m');
    expect(formatDuration(3 * 3_600_000)).toBe('3h');
    expect(formatDuration(50 * 3_600_000)).toBe('2d');
  });

  it('measures an age from a timestamp', () => {
    expect(formatAge('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:42:00Z'))).toBe('42m');
    expect(formatAge(undefined)).toBeUndefined();
  });
});

describe('shortenHex', () => {
  it('cuts digests of 40 or more hex characters to 8', () => {
    expect(shortenHex(`main@sha1:${'a'.repeat(40)}`)).toBe('main@sha1:aaaaaaaa');
    expect(shortenHex('v1.2.3 deadbeef')).toBe('v1.2.3 deadbeef');
  });
});
