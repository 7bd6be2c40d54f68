// Field-level differences between a live object and what a server-side apply dry run would make of it,
// compared as Flux compares them (fluxcd/pkg ssa manager_diff.go): labels, annotations, and everything
// but metadata and status. Secret values are never shown.
import type { KubeObject } from '../kube/types.js';

export interface FieldChange {
  /** `spec.template.spec.containers[name=app].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  /** JSON of the old value; absent when the field is added. */
  before?: string;
  /** JSON of the new value; absent when the field is removed. */
  after?: string;
}

const VALUE_MAX = 200;
export const SECRET_MASK = '***';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? 'null';
  return text.length > VALUE_MAX
    ? `${text.slice(0, VALUE_MAX)}... [${text.length - VALUE_MAX} more characters]`
    : text;
}

function key(path: string, k: string): string {
  const plain = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(k);
  return plain ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
}

function byName(list: unknown[]): Map<string, unknown> | undefined {
  if (list.length === 0 || !list.every((i) => isObject(i) && typeof i.name === 'string')) return undefined;
  const map = new Map(list.map((i) => [(i as { name: string }).name, i]));
  return map.size === list.length ? map : undefined;
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (before === undefined) {
    out.push({ path, after: show(after) });
    return;
  }
  if (after === undefined) {
    out.push({ path, before: show(before) });
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      walk(before[k], after[k], key(path, k), out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = byName(before);
    const b = byName(after);
    if (a && b) {
      for (const name of [...new Set([...a.keys(), ...b.keys()])]) {
        walk(a.get(name), b.get(name), `${path}[name=${name}]`, out);
      }
      return;
    }
    if (before.length === after.length) {
      before.forEach((item, i) => walk(item, after[i], `${path}[${i}]`, out));
      return;
    }
  }
  out.push({ path, before: show(before), after: show(after) });
}

/** What Flux compares of an object: labels, annotations, and everything but metadata and status. */
function comparable(obj: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, apiVersion: _v, kind: _k, ...rest } = obj;
  return {
    metadata: {
      ...(metadata?.labels && Object.keys(metadata.labels).length > 0 ? { labels: metadata.labels } : {}),
      ...(metadata?.annotations && Object.keys(metadata.annotations).length > 0
        ? { annotations: metadata.annotations }
        : {}),
    },
    ...rest,
  };
}

export function diffObjects(live: KubeObject, merged: KubeObject): FieldChange[] {
  const out: FieldChange[] = [];
  walk(comparable(live), comparable(merged), '', out);
  if (live.kind === 'Secret') {
    return out.map((c) =>
      /^(data|stringData)\b/.test(c.path)
        ? {
            path: c.path,
            ...(c.before !== undefined ? { before: SECRET_MASK } : {}),
            ...(c.after !== undefined ? { after: SECRET_MASK } : {}),
          }
        : c,
    );
  }
  return out;
}
