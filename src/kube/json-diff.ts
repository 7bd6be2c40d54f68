// Field-by-field differences between two versions of an object, for answers that say what changed.
import { deepEqual, isObject, type Json } from './merge.js';

export interface FieldChange {
  /** e.g. data.greeting, spec.template.spec.containers[name=app].image, metadata.labels["app"]. */
  path: string;
  op: 'add' | 'remove' | 'replace';
  before?: Json;
  after?: Json;
}

/** Metadata the server maintains, which no apply or patch sets. */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'uid',
  'selfLink',
];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function step(prefix: string, key: string): string {
  if (PLAIN_KEY.test(key)) return prefix ? `${prefix}.${key}` : key;
  return `${prefix}[${JSON.stringify(key)}]`;
}

/** The key that names a list element: name, or another identifying field, or its index. */
function elementKey(list: Json[]): string | undefined {
  for (const k of ['name', 'mountPath', 'containerPort', 'port', 'type', 'uid', 'ip']) {
    if (list.length > 0 && list.every((v) => isObject(v) && v[k] !== undefined)) {
      const values = list.map((v) => JSON.stringify((v as Record<string, Json>)[k]));
      if (new Set(values).size === values.length) return k;
    }
  }
  return undefined;
}

function diffValues(
  before: Json | undefined,
  after: Json | undefined,
  path: string,
  out: FieldChange[],
): void {
  if (deepEqual(before, after)) return;
  if (before === undefined) {
    out.push({ path, op: 'add', after: after! });
    return;
  }
  if (after === undefined) {
    out.push({ path, op: 'remove', before });
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
      diffValues(before[key], after[key], step(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = elementKey([...before, ...after]);
    if (key) {
      const id = (v: Json) => JSON.stringify((v as Record<string, Json>)[key]);
      const label = (v: Json) => {
        const raw = (v as Record<string, Json>)[key];
        return `${path}[${key}=${typeof raw === 'string' ? raw : JSON.stringify(raw)}]`;
      };
      const b = new Map(before.map((v) => [id(v), v]));
      const a = new Map(after.map((v) => [id(v), v]));
      for (const [k, v] of b) diffValues(v, a.get(k), label(v), out);
      for (const [k, v] of a) if (!b.has(k)) diffValues(undefined, v, label(v), out);
      return;
    }
  }
  out.push({ path, op: 'replace', before, after });
}

export interface DiffOptions {
  /** Leave out `status` and the metadata the server maintains (default true). */
  ignoreServerFields?: boolean;
}

export function diffObjects(before: Json, after: Json, opts: DiffOptions = {}): FieldChange[] {
  const strip = (v: Json): Json => {
    if (!isObject(v) || opts.ignoreServerFields === false) return v;
    const { status: _status, ...rest } = v;
    const meta = rest.metadata;
    if (isObject(meta)) {
      const m = { ...meta };
      for (const k of SERVER_METADATA) delete m[k];
      rest.metadata = m;
    }
    return rest;
  };
  const out: FieldChange[] = [];
  diffValues(strip(before), strip(after), '', out);
  return out;
}
