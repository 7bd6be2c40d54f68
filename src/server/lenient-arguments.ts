// Tool arguments as real clients send them. Some clients (Claude Desktop and Claude Code among them) send
// numbers, booleans, lists and objects as strings ("limit": "5", "wait": "false", "contexts": "[\"a\"]"),
// some send null for a parameter they leave out, and models write an option in another case ("YAML",
// "Warning" for "warning"). Where the arguments do not fit the input schema, each
// value the schema refused for its type is read once more as what it plainly says, and the arguments are
// checked again: nothing the schema refuses is ever accepted, and arguments that fit are not touched.
import type { z } from 'zod';

/** Rounds of re-reading: a list sent as a string can hold numbers sent as strings. */
const ROUNDS = 3;

/**
 * Parses `args` with `schema`, re-reading the values it refuses for their type (see the top of this file).
 * The result is the parse of the last arguments tried: their errors, if they still do not fit.
 */
export function parseLeniently<T>(
  schema: z.ZodType<T>,
  args: Record<string, unknown>,
): ReturnType<z.ZodType<T>['safeParse']> {
  let current = args;
  let parsed = schema.safeParse(current);
  for (let round = 0; !parsed.success && round < ROUNDS; round++) {
    const reread = rereadArguments(current, parsed.error.issues);
    if (!reread) break;
    current = reread;
    parsed = schema.safeParse(current);
  }
  return parsed;
}

/** A copy of `args` with the refused values re-read, or undefined when none can be. */
export function rereadArguments(
  args: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
): Record<string, unknown> | undefined {
  const copy = structuredClone(args);
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' && issue.code !== 'invalid_union' && issue.code !== 'invalid_value')
      continue;
    const key = issue.path.at(-1);
    const parent = valueAt(copy, issue.path.slice(0, -1));
    if (key === undefined || typeof key === 'symbol' || !isContainer(parent)) continue;
    const value = (parent as Record<string | number, unknown>)[key];
    if (value === null && !Array.isArray(parent) && issue.code === 'invalid_type') {
      delete (parent as Record<string | number, unknown>)[key];
      changed = true;
    } else if (typeof value === 'string') {
      const option = optionNamed(value, issue);
      const meant = option ?? (issue.code === 'invalid_value' ? undefined : plainValue(value.trim()));
      if (meant === undefined) continue;
      (parent as Record<string | number, unknown>)[key] = meant;
      changed = true;
    }
  }
  return changed ? copy : undefined;
}

/** The one option of the refused parameter that `value` names in another case, if any. */
function optionNamed(value: string, issue: z.core.$ZodIssue): string | undefined {
  const options =
    issue.code === 'invalid_value'
      ? issue.values
      : issue.code === 'invalid_union'
        ? issue.errors
            .flat()
            .flatMap((i) => (i.code === 'invalid_value' && i.path.length === 0 ? i.values : []))
        : [];
  const same = options.filter(
    (o): o is string => typeof o === 'string' && o.toLowerCase() === value.toLowerCase(),
  );
  return same.length === 1 ? same[0] : undefined;
}

/** What a string plainly says: a decimal number, true or false, or JSON of a list or an object. */
function plainValue(s: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === 'true' || s === 'false') return s === 'true';
  if (s.startsWith('[') || s.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(s);
      return isContainer(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (!isContainer(v) || typeof key === 'symbol') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}
