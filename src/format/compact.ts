// Helpers for the compact structuredContent: the text's facts as short JSON, by the rules of
// docs/structured-content.md (named as the text names them, no nulls or defaults, short stable keys).
import { z } from 'zod';

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object: as the text names objects. */
export function refOf(o: { kind: string; namespace?: string | undefined; name: string }): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

type Value = unknown;

/**
 * An object of the entries that say something: undefined, null, false, '', 0 (where `zero` is false), empty
 * lists and empty objects are left out, as the compact form has no defaults.
 */
export function facts<T extends Record<string, Value>>(entries: T, keepZero = false): Partial<T> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined || v === null || v === false || v === '') continue;
    if (v === 0 && !keepZero) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

/**
 * A map keyed by each item's name, in order. Two items of one name (an object listed twice) keep both: the
 * second key gets ` (2)`.
 */
export function keyed<T, V>(
  items: readonly T[],
  key: (item: T) => string,
  value: (item: T) => V,
): Record<string, V> {
  const out: Record<string, V> = {};
  for (const item of items) {
    const base = key(item);
    let k = base;
    for (let n = 2; k in out; n++) k = `${base} (${n})`;
    out[k] = value(item);
  }
  return out;
}

/** Counts without the zeros: `{total: 12, failing: 2}`. */
export function counts<T extends Record<string, number>>(c: T): Partial<T> {
  return facts(c) as Partial<T>;
}

/** The schema of a map keyed by object name (`refOf`). */
export function refMap<S extends z.ZodType>(value: S) {
  return z.record(z.string(), value);
}

/** `more` in a compact answer: how many items of each list were left out. */
export const moreSchema = z.record(z.string(), z.number());
