// Text for a model's context window: short, one line per object, long strings cut with a marker.

/** Cuts `text` to `max` characters, saying how much was left out and where to find it. */
export function truncate(text: string, max: number, whereToFindRest?: string): string {
  const flat = (text.includes('\n') ? text.replace(/\s*\n\s*/g, ' ') : text).trim();
  if (flat.length <= max) return flat;
  const rest = flat.length - max;
  return `${flat.slice(0, max).trimEnd()} ... [${rest} more characters${whereToFindRest ? `: ${whereToFindRest}` : ''}]`;
}

/** A kubectl-style age: 42s, 12m, 3h, 2d. */
export function formatAge(fromIso: string | undefined, now: number = Date.now()): string | undefined {
  if (!fromIso) return undefined;
  const t = Date.parse(fromIso);
  if (Number.isNaN(t)) return undefined;
  return formatDuration(Math.max(0, now - t));
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return ms < 10_000 && ms % 1000 !== 0 ? `${(ms / 1000).toFixed(1)}s` : `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** Shortens long hex digests the way the flux CLI does (any 40-128 hex run becomes 8 characters). */
export function shortenHex(text: string): string {
  if (text.length < 40) return text;
  return text.replace(/\b([0-9a-f]{40,128})\b/g, (hex) => hex.slice(0, 8));
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
