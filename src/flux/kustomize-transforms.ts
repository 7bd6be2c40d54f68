// The transforms a Flux Kustomization adds to a build (spec.targetNamespace, namePrefix, nameSuffix,
// patches, images), done here when no kustomize binary is at hand. kustomize does more: it rewrites
// references to renamed objects and merges strategic merge patches by each field's merge key; here a
// strategic merge patch merges maps, replaces lists except lists of objects with a `name` (containers,
// env, volumes), which merge by name, and honours `$patch: delete` and `null`. The answer says so.
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface FluxPatch {
  patch: string;
  target?: Selector;
}

export interface FluxImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** kustomize selector fields are anchored regular expressions. */
function matches(pattern: string | undefined, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return pattern === value;
  }
}

function labelsMatch(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((req) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(req);
      if (ne) return labels?.[ne[1]!.trim()] !== ne[2]!.trim();
      const eq = /^([^=]+)==?(.*)$/.exec(req);
      if (eq) return labels?.[eq[1]!.trim()] === eq[2]!.trim();
      if (req.startsWith('!')) return labels?.[req.slice(1)] === undefined;
      return labels?.[req] !== undefined;
    });
}

export function selects(selector: Selector, obj: KubeObject): boolean {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return (
    matches(selector.group, group) &&
    matches(selector.version, version) &&
    matches(selector.kind, obj.kind ?? '') &&
    matches(selector.name, obj.metadata?.name ?? '') &&
    matches(selector.namespace, obj.metadata?.namespace ?? '') &&
    labelsMatch(selector.labelSelector, obj.metadata?.labels) &&
    labelsMatch(selector.annotationSelector, obj.metadata?.annotations)
  );
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new FluxError(`JSON patch path "${path}" must start with /`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new FluxError(`JSON patch path ${path} does not exist`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new FluxError(`JSON patch path ${path} does not exist`);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 on a copy of `doc`. */
export function applyJsonPatch(doc: Json, ops: JsonObject[]): Json {
  let out = clone(doc);
  for (const op of ops) {
    const path = String(op.path ?? '');
    const parts = pointer(path);
    const set = (value: Json, insert: boolean) => {
      if (parts.length === 0) {
        out = clone(value);
        return;
      }
      const { parent, key } = parentOf(out, parts, path);
      if (Array.isArray(parent)) {
        const i = key === '-' ? parent.length : Number(key);
        if (insert) parent.splice(i, 0, clone(value));
        else parent[i] = clone(value);
      } else parent[key] = clone(value);
    };
    const remove = () => {
      const { parent, key } = parentOf(out, parts, path);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else {
        if (!(key in parent)) throw new FluxError(`JSON patch remove: ${path} does not exist`);
        delete parent[key];
      }
    };
    switch (op.op) {
      case 'add':
        set(op.value, true);
        break;
      case 'replace':
        if (getAt(out, path) === undefined) throw new FluxError(`JSON patch replace: ${path} does not exist`);
        set(op.value, false);
        break;
      case 'remove':
        remove();
        break;
      case 'move':
      case 'copy': {
        const value = getAt(out, String(op.from ?? ''));
        if (value === undefined)
          throw new FluxError(`JSON patch ${op.op}: ${String(op.from)} does not exist`);
        if (op.op === 'move') {
          const from = pointer(String(op.from));
          const { parent, key } = parentOf(out, from, String(op.from));
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        }
        set(value, true);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(out, path)) !== JSON.stringify(op.value)) {
          throw new FluxError(`JSON patch test failed at ${path}`);
        }
        break;
      default:
        throw new FluxError(
          `JSON patch operation "${String(op.op)}" is not one of add, remove, replace, move, copy, test`,
        );
    }
  }
  return out;
}

function namedList(list: Json[]): boolean {
  return list.length > 0 && list.every((i) => isObject(i) && typeof i.name === 'string');
}

/** A strategic merge patch without the schema's merge keys: see the top of this file. */
export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return clone(rest);
  }
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete out[key];
    } else if (
      Array.isArray(value) &&
      Array.isArray(out[key]) &&
      namedList(value) &&
      namedList(out[key] as Json[])
    ) {
      const merged = clone(out[key] as JsonObject[]);
      for (const item of value as JsonObject[]) {
        const i = merged.findIndex((m) => m.name === item.name);
        if (item.$patch === 'delete') {
          if (i >= 0) merged.splice(i, 1);
        } else if (i >= 0) merged[i] = strategicMerge(merged[i], item) as JsonObject;
        else merged.push(clone(item));
      }
      out[key] = merged;
    } else if (isObject(value)) {
      out[key] = strategicMerge(out[key], value);
    } else {
      out[key] = clone(value);
    }
  }
  return out;
}

function patchObjects(objects: KubeObject[], p: FluxPatch): KubeObject[] {
  const docs = parsePatch(p.patch);
  if (Array.isArray(docs)) {
    if (!p.target) throw new FluxError('a JSON 6902 patch in spec.patches needs a target');
    return objects.map((o) =>
      selects(p.target!, o) ? (applyJsonPatch(o, docs as JsonObject[]) as KubeObject) : o,
    );
  }
  const patch = docs as KubeObject;
  const selector: Selector = p.target ?? {
    kind: patch.kind,
    name: patch.metadata?.name,
    ...(patch.metadata?.namespace ? { namespace: patch.metadata.namespace } : {}),
  };
  if (!p.target && !objects.some((o) => selects(selector, o))) {
    // As kustomize: a patch that names its object must find it.
    throw new FluxError(
      `no object of the build matches the strategic merge patch of ${patch.kind} ${patch.metadata?.name}`,
    );
  }
  return objects.map((o) =>
    selects(selector, o) ? (strategicMerge(o, strip(patch, !p.target)) as KubeObject) : o,
  );
}

/** A patch without a target names its object; those identifying fields are not part of the change. */
function strip(patch: KubeObject, identifying: boolean): KubeObject {
  if (!identifying) return patch;
  const { apiVersion: _a, kind: _k, ...rest } = patch;
  return rest;
}

/** A patch is YAML (or JSON): a list is a JSON 6902 patch, a map a strategic merge patch. */
function parsePatch(text: string): Json {
  try {
    return parseYaml(text) as Json;
  } catch (err) {
    throw new FluxError(
      `a patch in spec.patches is not YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  const name = tag !== undefined ? rest.slice(0, colon) : rest;
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function retag(image: string, rule: FluxImage): string {
  const ref = parseImage(image);
  if (ref.name !== rule.name) return image;
  const name = rule.newName ?? ref.name;
  if (rule.digest) return `${name}@${rule.digest}`;
  if (rule.newTag) return `${name}:${rule.newTag}`;
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

function setImages(value: Json, rules: FluxImage[]): Json {
  if (Array.isArray(value)) return value.map((v) => setImages(v, rules));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (['containers', 'initContainers', 'ephemeralContainers'].includes(key) && Array.isArray(v)) {
      out[key] = v.map((c) =>
        isObject(c) && typeof c.image === 'string'
          ? { ...c, image: rules.reduce((img, r) => retag(img, r), c.image) }
          : c,
      );
    } else out[key] = setImages(v, rules);
  }
  return out;
}

export interface Transforms {
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches: FluxPatch[];
  images: FluxImage[];
}

/** Kinds a target namespace or a name prefix leaves alone. */
const NOT_RENAMED = new Set(['Namespace', 'CustomResourceDefinition']);

export function applyTransforms(
  objects: KubeObject[],
  t: Transforms,
  namespaced: (obj: KubeObject) => boolean,
): KubeObject[] {
  let out = objects.map((o) => clone(o));
  if (t.targetNamespace) {
    out = out.map((o) =>
      namespaced(o) ? { ...o, metadata: { ...o.metadata, namespace: t.targetNamespace } } : o,
    );
  }
  if (t.namePrefix || t.nameSuffix) {
    out = out.map((o) =>
      NOT_RENAMED.has(o.kind ?? '')
        ? o
        : {
            ...o,
            metadata: {
              ...o.metadata,
              name: `${t.namePrefix ?? ''}${o.metadata?.name ?? ''}${t.nameSuffix ?? ''}`,
            },
          },
    );
  }
  for (const p of t.patches) out = patchObjects(out, p);
  if (t.images.length > 0) out = out.map((o) => setImages(o, t.images) as KubeObject);
  return out;
}
