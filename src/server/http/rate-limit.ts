// Tool calls per caller in a sliding window (--rate-limit): at most `calls` in any `windowMs`, so one
// runaway agent cannot starve the others or flood the API server.

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  /** Per caller, the times of the calls still inside the window, oldest first. */
  private readonly recent = new Map<string, number[]>();

  constructor(
    readonly limit: { calls: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts `n` calls of `caller`, or none when they would pass the limit, saying when they would fit. */
  take(caller: string, n = 1): Take {
    const now = this.now();
    const times = this.current(caller, now);
    const over = times.length + n - this.limit.calls;
    if (over > 0) {
      // The calls fit once the `over` oldest ones have left the window; more than the limit at once never do.
      const retryAfterMs =
        n > this.limit.calls ? this.limit.windowMs : times[over - 1]! + this.limit.windowMs - now;
      return { ok: false, retryAfterMs: Math.max(1, retryAfterMs) };
    }
    for (let i = 0; i < n; i++) times.push(now);
    this.recent.set(caller, times);
    return { ok: true };
  }

  private current(caller: string, now: number): number[] {
    const times = this.recent.get(caller) ?? [];
    const start = now - this.limit.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= start) drop++;
    return drop > 0 ? times.slice(drop) : times;
  }

  /** Forgets callers without a call in the window. */
  sweep(): void {
    const now = this.now();
    for (const caller of [...this.recent.keys()]) {
      const times = this.current(caller, now);
      if (times.length === 0) this.recent.delete(caller);
      else this.recent.set(caller, times);
    }
  }
}
