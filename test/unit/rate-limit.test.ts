import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/http/rate-limit.js';

function limiter(calls: number, windowMs: number) {
  let now = 1_000_000;
  const rl = new RateLimiter({ calls, windowMs }, () => now);
  return { rl, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('lets a caller make the limit of calls in a window and refuses the next', () => {
    const { rl } = limiter(3, 60_000);
    expect([rl.take('alice'), rl.take('alice'), rl.take('alice')].every((t) => t.ok)).toBe(true);
    expect(rl.take('alice')).toEqual({ ok: false, retryAfterMs: 60_000 });
  });

  it('counts each caller apart', () => {
    const { rl } = limiter(1, 60_000);
    expect(rl.take('alice').ok).toBe(true);
    expect(rl.take('bob').ok).toBe(true);
    expect(rl.take('alice').ok).toBe(false);
  });

  it('says when the oldest call leaves the window, and lets the caller in from then on', () => {
    const { rl, advance } = limiter(2, 10_000);
    rl.take('alice');
    advance(4_000);
    rl.take('alice');
    advance(1_000);
    expect(rl.take('alice')).toEqual({ ok: false, retryAfterMs: 5_000 });
    advance(4_999);
    expect(rl.take('alice').ok).toBe(false);
    advance(1);
    expect(rl.take('alice').ok).toBe(true);
  });

  it('does not count refused calls', () => {
    const { rl, advance } = limiter(1, 1_000);
    rl.take('alice');
    for (let i = 0; i < 5; i++) rl.take('alice');
    advance(1_000);
    expect(rl.take('alice').ok).toBe(true);
  });

  it('takes a batch whole or not at all', () => {
    const { rl } = limiter(3, 1_000);
    rl.take('alice', 2);
    expect(rl.take('alice', 2).ok).toBe(false);
    expect(rl.take('alice', 1).ok).toBe(true);
    expect(rl.take('bob', 4)).toEqual({ ok: false, retryAfterMs: 1_000 });
  });
});
