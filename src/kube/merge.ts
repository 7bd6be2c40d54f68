// Client-side merges as kubectl and Helm compute them, reproduced as the object the API server ends up with:
// the three-way strategic merge of k8s.io/apimachinery pkg/util/strategicpatch (CreateThreeWayMergePatch,
// then the server applying it), and RFC 7386 JSON merge patches. Working on results instead of patches lets
// the caller send the outcome as a plain JSON merge patch: the server then stores the same object, with the
// same field ownership, as it would from the strategic patch.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** How one field merges: its patch strategies (merge, replace, retainKeys) and the merge key of its list. */
export interface PatchMeta {
  strategies: string[];
  mergeKey?: string;
  /** The schema of the field's value (of each element, for a list). */
  schema: PatchSchema;
}

export interface PatchSchema {
  field(key: string): PatchMeta;
}

/** No metadata anywhere: maps merge key by key, lists are replaced. */
export const NO_SCHEMA: PatchSchema = { field: () => ({ strategies: [], schema: NO_SCHEMA }) };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

type Kind = 'map' | 'list' | 'null' | 'scalar:string' | 'scalar:number' | 'scalar:boolean';

function kindOf(v: Json): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return `scalar:${typeof v}` as Kind;
}

/** Go's fmt %v of a scalar, which strategicpatch compares list values and merge keys by. */
function text(v: Json | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function strategy(meta: PatchMeta): { retainKeys: boolean; strategy: string } {
  const others = meta.strategies.filter((s) => s !== 'retainKeys');
  return { retainKeys: others.length !== meta.strategies.length, strategy: others[0] ?? '' };
}

/**
 * The object the server holds after a client computed CreateThreeWayMergePatch(original, modified, current)
 * with overwrite and the server applied it to `current`: fields of `modified` set, fields `original` had and
 * `modified` dropped removed, fields only `current` has kept; merge lists merged by key and ordered as
 * $setElementOrder orders them.
 */
export function threeWayMerge(
  original: JsonObject | undefined,
  modified: JsonObject,
  current: JsonObject,
  schema: PatchSchema,
): JsonObject {
  return mergeMaps(original, modified, current, schema, false);
}

function mergeMaps(
  original: JsonObject | undefined,
  modified: JsonObject,
  current: JsonObject,
  schema: PatchSchema,
  retainKeys: boolean,
): JsonObject {
  const result: JsonObject = clone(current);
  for (const [key, m] of Object.entries(modified)) {
    const c = current[key];
    const o = original?.[key];
    if (m === null) {
      delete result[key];
      continue;
    }
    if (c === undefined || kindOf(c) !== kindOf(m)) {
      result[key] = clone(m);
      continue;
    }
    if (isObject(m)) {
      const meta = schema.field(key);
      const s = strategy(meta);
      result[key] =
        s.strategy === 'replace'
          ? clone(m)
          : mergeMaps(isObject(o) ? o : undefined, m, c as JsonObject, meta.schema, s.retainKeys);
      continue;
    }
    if (Array.isArray(m)) {
      const meta = schema.field(key);
      const s = strategy(meta);
      if (s.strategy !== 'merge') {
        result[key] = clone(m);
        continue;
      }
      const orig = Array.isArray(o) ? o : undefined;
      const cur = c as Json[];
      result[key] = isMapList(cur, m, orig)
        ? mergeKeyedLists(orig, m, cur, meta, s.retainKeys)
        : mergePrimitiveLists(orig, m, cur);
      continue;
    }
    result[key] = m;
  }
  if (original) {
    for (const key of Object.keys(original)) if (!(key in modified)) delete result[key];
  }
  if (retainKeys) {
    // $retainKeys: the server clears every key the modified map does not set.
    for (const key of Object.keys(result))
      if (modified[key] === undefined || modified[key] === null) delete result[key];
  }
  return result;
}

function isMapList(...lists: (Json[] | undefined)[]): boolean {
  for (const list of lists) for (const v of list ?? []) return isObject(v);
  return false;
}

function keyOf(v: Json, mergeKey: string): string {
  return isObject(v) ? text(v[mergeKey]) : text(v);
}

function mergeKeyedLists(
  original: Json[] | undefined,
  modified: Json[],
  current: Json[],
  meta: PatchMeta,
  retainKeys: boolean,
): Json[] {
  const mergeKey = meta.mergeKey ?? '';
  // An empty live list takes the modified list as it is (diffLists of an empty original).
  if (current.length === 0) return clone(modified);
  const modifiedKeys = new Set(modified.map((v) => keyOf(v, mergeKey)));
  const deleted = new Set(
    (original ?? []).map((v) => keyOf(v, mergeKey)).filter((k) => !modifiedKeys.has(k)),
  );
  const byKey = (list: Json[] | undefined, k: string) => list?.find((v) => keyOf(v, mergeKey) === k);

  const list = current.filter((v) => !deleted.has(keyOf(v, mergeKey)));
  let changed = deleted.size > 0;
  for (const m of modified) {
    const k = keyOf(m, mergeKey);
    const at = list.findIndex((v) => keyOf(v, mergeKey) === k);
    if (at < 0) {
      list.push(clone(m));
      changed = true;
      continue;
    }
    const o = byKey(original, k);
    const merged = mergeMaps(
      isObject(o) ? o : undefined,
      m as JsonObject,
      list[at] as JsonObject,
      meta.schema,
      retainKeys,
    );
    if (!deepEqual(merged, list[at])) changed = true;
    list[at] = merged;
  }
  const sameOrder =
    current.length === modified.length &&
    current.every((v, i) => keyOf(v, mergeKey) === keyOf(modified[i]!, mergeKey));
  if (modified.length === 0 || (!changed && sameOrder)) return changed ? list : current.map((v) => clone(v));
  return orderLikeSetElementOrder(
    list,
    modified.map((v) => keyOf(v, mergeKey)),
    serverOrderAfterMerge(current, modified, deleted, (v) => keyOf(v, mergeKey)),
    (v) => keyOf(v, mergeKey),
  );
}

/**
 * The live list's order as the server reads it when it orders the merged list. The server merges into the
 * live list's own backing array (Go slices): deleting an element shifts the rest left, and the elements the
 * patch adds are appended into the room that frees, so they take the places of the deleted ones
 * (strategicpatch mergeSliceWithSpecialElements, mergeSliceWithoutSpecialElements).
 */
function serverOrderAfterMerge(
  current: Json[],
  modified: Json[],
  deleted: Set<string>,
  key: (v: Json) => string,
): string[] {
  const view = current.map(key);
  let length = view.length;
  for (const d of deleted) {
    for (let at = view.slice(0, length).indexOf(d); at >= 0; at = view.slice(0, length).indexOf(d)) {
      view.copyWithin(at, at + 1, length);
      length--;
    }
  }
  const live = new Set(current.map(key));
  for (const m of modified) {
    if (live.has(key(m))) continue;
    if (length >= view.length) break;
    view[length++] = key(m);
  }
  return view;
}

function mergePrimitiveLists(original: Json[] | undefined, modified: Json[], current: Json[]): Json[] {
  if (current.length === 0) return clone(modified);
  const has = (list: Json[], v: Json) => list.some((x) => text(x) === text(v));
  const deleted = (original ?? []).filter((v) => !has(modified, v));
  // strategicpatch sorts the live list in place before it compares it with the modified one, so a live
  // list that is only out of order counts as unchanged (diffListsOfScalars).
  const sorted = [...current].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
  if (deepEqual(sorted, modified) && deleted.length === 0) return clone(current);
  const merged: Json[] = [];
  for (const v of [...current, ...modified.filter((v) => !has(current, v))]) {
    if (!merged.some((x) => x === v)) merged.push(v);
  }
  const ordered = orderLikeSetElementOrder(merged, modified.map(text), current.map(text), text);
  return ordered.filter((v) => !deleted.some((d) => d === v));
}

/**
 * The order the server gives a merged list under $setElementOrder (strategicpatch normalizeElementOrder):
 * the items the order names in that order, the items only the server had in their old order, interleaved so
 * each server-only item stays before the first named item that followed it on the server.
 */
function orderLikeSetElementOrder(
  merged: Json[],
  order: string[],
  serverOrder: string[],
  key: (v: Json) => string,
): Json[] {
  const named = merged.filter((v) => order.includes(key(v)));
  const serverOnly = merged.filter((v) => !order.includes(key(v)));
  named.sort((a, b) => order.indexOf(key(a)) - order.indexOf(key(b)));
  serverOnly.sort((a, b) => rank(serverOrder, key(a)) - rank(serverOrder, key(b)));
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (i >= serverOnly.length) out.push(named[j++]!);
    else if (j >= named.length) out.push(serverOnly[i++]!);
    else {
      const li = serverOrder.indexOf(key(serverOnly[i]!));
      const ri = serverOrder.indexOf(key(named[j]!));
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]!);
      else out.push(named[j++]!);
    }
  }
  return out;
}

function rank(order: string[], k: string): number {
  const i = order.indexOf(k);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** RFC 7386: the merge patch that turns `from` into `to` (lists and scalars replaced whole, removed keys null). */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, t] of Object.entries(to)) {
    const f = from[key];
    if (f === undefined) patch[key] = clone(t);
    else if (isObject(f) && isObject(t)) {
      const sub = createMergePatch(f, t);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (!deepEqual(f, t)) patch[key] = clone(t);
  }
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  return patch;
}

/** RFC 7386: `target` with `patch` merged in. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, p] of Object.entries(patch)) {
    if (p === null) delete result[key];
    else result[key] = applyMergePatch(result[key], p);
  }
  return result;
}
