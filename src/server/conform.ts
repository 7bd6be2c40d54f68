// Makes a tool's structured result exactly what its output declaration says. Clients validate
// `structuredContent` against the published output schema, which declares the top-level fields only
// (tool-definitions.ts); the whole shape, documented in docs/results.md, is checked here, on every result.
// The tools are built to return exactly the declared shape; this is the net under them: undeclared fields
// are removed and named, so the server can log them as the defect they are, and a result that does not
// match at all becomes an error result instead of an answer a client would misread.
import type { z } from 'zod';

export interface Conformed {
  /** The result with undeclared fields removed; undefined when it does not match the schema at all. */
  value?: Record<string, unknown>;
  /** JSON paths of the fields that were removed, e.g. `steps/0/withSource`. */
  undeclared: string[];
  /** Why the result does not match, when it does not. */
  error?: string;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * Paths present (and defined) in `original` but absent from `parsed`, which zod stripped. Runs on every
 * result, so it allocates nothing unless it finds something: the path is a stack of segments, joined only
 * for a field it reports, and a value zod passed through as it was (a declared record) is not walked.
 */
function strippedPaths(original: unknown, parsed: unknown, at: (string | number)[], out: string[]): void {
  if (original === parsed || !isObject(original) || !isObject(parsed)) return;
  if (Array.isArray(original)) {
    if (!Array.isArray(parsed)) return;
    for (let i = 0; i < original.length; i++) {
      const item: unknown = original[i];
      if (!isObject(item)) continue;
      at.push(i);
      strippedPaths(item, parsed[i], at, out);
      at.pop();
    }
    return;
  }
  if (Array.isArray(parsed)) return;
  const from = original as Record<string, unknown>;
  const to = parsed as Record<string, unknown>;
  for (const key in from) {
    if (!Object.hasOwn(from, key)) continue;
    const value = from[key];
    if (value === undefined) continue;
    if (!Object.hasOwn(to, key)) {
      out.push([...at, key].join('/'));
    } else if (isObject(value)) {
      at.push(key);
      strippedPaths(value, to[key], at, out);
      at.pop();
    }
  }
}

export function conform(schema: z.ZodType, structured: Record<string, unknown>): Conformed {
  const parsed = schema.safeParse(structured);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('/') : '(root)';
    return { undeclared: [], error: `${where}: ${issue?.message ?? 'does not match'}` };
  }
  const undeclared: string[] = [];
  strippedPaths(structured, parsed.data, [], undeclared);
  return { value: parsed.data as Record<string, unknown>, undeclared };
}
