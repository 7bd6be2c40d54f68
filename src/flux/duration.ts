// Go-style durations as Flux writes them: "90s", "5m", "1h30m", "500ms".

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** How long a write may wait for its controller: the bounds of a call's `timeout` and of --wait-timeout. */
export const WAIT_BOUNDS_MS = { min: 1_000, max: 30 * 60_000 } as const;

/** A wait duration within WAIT_BOUNDS_MS, in milliseconds; undefined when it is not one. */
export function parseWait(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms !== undefined && ms >= WAIT_BOUNDS_MS.min && ms <= WAIT_BOUNDS_MS.max ? ms : undefined;
}

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return total;
}

/** Milliseconds since the epoch of an RFC 3339 time; 0 when it is missing or not a time, so it sorts first. */
export function timeMs(time: string | undefined): number {
  const t = time ? Date.parse(time) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
