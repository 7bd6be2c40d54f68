// Makes a tool's structured result exactly what its output schema declares. Clients validate
// `structuredContent` against the advertised JSON Schema, where every object is closed
// (`additionalProperties: false`), so one undeclared field makes the whole call fail on the client, after
// a write has already happened. The tools are built to return exactly the declared shape; this is the net
// under them: undeclared fields are removed and named, so the server can log them as the defect they are.
import type { z } from 'zod';

export interface Conformed {
  /** The result with undeclared fields removed; undefined when it does not match the schema at all. */
  value?: Record<string, unknown>;
  /** JSON paths of the fields that were removed, e.g. `steps/0/withSource`. */
  undeclared: string[];
  /** Why the result does not match, when it does not. */
  error?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths present (and defined) in `original` but absent from `parsed`, which zod stripped. */
function strippedPaths(original: unknown, parsed: unknown, path: string, out: string[]): void {
  if (Array.isArray(original) && Array.isArray(parsed)) {
    original.forEach((item, i) => strippedPaths(item, parsed[i], path ? `${path}/${i}` : `${i}`, out));
    return;
  }
  if (!isRecord(original) || !isRecord(parsed)) return;
  for (const [key, value] of Object.entries(original)) {
    if (value === undefined) continue;
    const at = path ? `${path}/${key}` : key;
    if (!(key in parsed)) out.push(at);
    else strippedPaths(value, parsed[key], at, out);
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
  strippedPaths(structured, parsed.data, '', undeclared);
  return { value: parsed.data as Record<string, unknown>, undeclared };
}
