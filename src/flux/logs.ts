// Flux controller logs: one JSON object per line (docs/flux-semantics.md, Logs). The object a line is
// about is in `name` and `namespace`; its kind in `controllerKind` (controller-runtime 0.15+) or
// `reconciler kind` (older), and newer lines also nest it as `"<Kind>": {"name", "namespace"}`.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { KubeError } from '../kube/errors.js';
import type { LinePattern } from './grep.js';
import { z } from 'zod';
import { stringField } from './status.js';

export const logEntrySchema = z.object({
  time: z.string().optional(),
  level: z.string().optional(),
  message: z.string(),
  error: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
});

export type LogEntry = z.infer<typeof logEntrySchema>;

export interface LogFilter {
  kind?: string;
  name?: string;
  namespace?: string;
  /** debug, info or error; matched exactly, as `flux logs --level` does. */
  level?: string;
  grep?: LinePattern;
}

/** `ts` is an ISO string in Flux's production encoder, epoch seconds in some development builds. */
function timeOf(ts: unknown): string | undefined {
  if (typeof ts === 'number') return new Date(ts * 1000).toISOString();
  return stringField(ts);
}

/** Parses one line of a Flux controller log; undefined for lines that are not JSON objects (klog, panics). */
export function parseLogLine(line: string): LogEntry | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let j: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    j = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const kind = stringField(j.controllerKind) ?? stringField(j['reconciler kind']);
  const nested = kind ? j[kind] : undefined;
  const nestedRef = typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : {};
  const entry: LogEntry = { message: stringField(j.msg) ?? '' };
  const time = timeOf(j.ts);
  const fields: [keyof LogEntry, string | undefined][] = [
    ['time', time],
    ['level', stringField(j.level)],
    ['error', stringField(j.error)],
    ['kind', kind],
    ['name', stringField(j.name) ?? stringField(nestedRef.name)],
    ['namespace', stringField(j.namespace) ?? stringField(nestedRef.namespace)],
  ];
  for (const [key, value] of fields) if (value) entry[key] = value;
  return entry;
}

export function matchesLog(e: LogEntry, f: LogFilter): boolean {
  if (f.kind && e.kind?.toLowerCase() !== f.kind.toLowerCase()) return false;
  if (f.name && e.name !== f.name) return false;
  if (f.namespace && e.namespace !== f.namespace) return false;
  if (f.level && e.level !== f.level) return false;
  if (f.grep && !f.grep.test(`${e.message} ${e.error ?? ''}`)) return false;
  return true;
}

export interface FilteredLog {
  /** The newest `limit` matching entries, oldest first. */
  entries: LogEntry[];
  /** Lines read. */
  scanned: number;
  /** Lines that matched, of which `entries` are the newest. */
  matched: number;
}

function selectsObject(f: LogFilter): boolean {
  return Boolean(f.kind || f.name || f.namespace || f.level);
}

export interface FilterOptions {
  /** Keep lines that are not JSON as plain messages, when the filter does not ask about objects or levels. */
  keepPlain?: boolean;
  signal?: AbortSignal;
  /** Longest stretch of filtering, in milliseconds, before other work (other sessions' calls) gets a turn. */
  sliceMs?: number;
}

/**
 * Keeps the lines of a log that match, and the newest `limit` of them. Filtering megabytes with a costly
 * pattern takes a while, so it yields to the event loop every few milliseconds and stops when `signal` is
 * aborted.
 */
export async function filterLog(
  text: string,
  filter: LogFilter,
  limit: number,
  { keepPlain = false, signal, sliceMs = 20 }: FilterOptions = {},
): Promise<FilteredLog> {
  const matches: LogEntry[] = [];
  let scanned = 0;
  let sliceStart = performance.now();
  for (const line of text.split('\n')) {
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      if (signal?.aborted) throw new KubeError('Cancelled', 'the request was cancelled');
      sliceStart = performance.now();
    }
    if (!line.trim()) continue;
    scanned += 1;
    const entry = parseLogLine(line);
    if (entry) {
      if (matchesLog(entry, filter)) matches.push(entry);
    } else if (keepPlain && !selectsObject(filter) && (!filter.grep || filter.grep.test(line))) {
      matches.push({ message: line });
    }
  }
  return { entries: matches.slice(-limit), scanned, matched: matches.length };
}
