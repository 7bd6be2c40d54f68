import { describe, expect, it } from 'vitest';
import { newToken } from '../../src/flux/token.js';

describe('newToken', () => {
  it('gives two requests made in the same millisecond different values', () => {
    const now = new Date('2026-11-26T08:30:00.123Z');
    expect(newToken(now)).not.toBe(newToken(now));
  });

  it('gives a hundred thousand requests in one millisecond different values', () => {
    const now = new Date('2026-11-26T08:30:00.123Z');
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newToken(now));
    expect(seen.size).toBe(100_000);
  });

  it('is an RFC 3339 time with nanoseconds, as the flux CLI writes, that parses back to the request time', () => {
    const now = new Date('2026-11-26T08:30:00.123Z');
    const token = newToken(now);
    expect(token).toMatch(/^2026-11-26T08:30:00\.123\d{6}Z$/);
    expect(Date.parse(token)).toBe(now.getTime());
  });
});
