// Drift ignore rules as Flux applies them (fluxcd/pkg ssa/jsondiff selector.go, patch.go): a rule's paths
// (JSON Pointers, RFC 6901) are removed from both the live and the desired object of every object its target
// selects; the target's group, version, kind, name and namespace are anchored RE2 expressions, its label and
// annotation selectors Kubernetes label selectors. A rule without target selects every object.
import { RE2JS, RE2JSException } from 're2js';
import { z } from 'zod';
import type { JsonObject, Json } from '../kube/merge.js';
import { FluxError } from './errors.js';

export const ignoreRuleSchema = z.object({
  paths: z.array(z.string()),
  target: z
    .object({
      group: z.string().optional(),
      version: z.string().optional(),
      kind: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
      labelSelector: z.string().optional(),
      annotationSelector: z.string().optional(),
    })
    .optional(),
});

export type IgnoreRule = z.infer<typeof ignoreRuleSchema>;

export interface ObjectIdentity {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

type Requirement = (labels: Record<string, string>) => boolean;

/** A Kubernetes label selector: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-joined. */
export function parseLabelSelector(selector: string): Requirement {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const reqs: Requirement[] = [];
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw))) {
      const [, key, op, list] = m;
      const values = list!.split(',').map((v) => v.trim());
      reqs.push((l) =>
        op === 'in' ? key! in l && values.includes(l[key!]!) : !(key! in l) || !values.includes(l[key!]!),
      );
    } else if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(raw))) {
      const [, key, op, value] = m;
      reqs.push((l) => (op === '!=' ? l[key!] !== value : l[key!] === value));
    } else if ((m = /^!\s*(\S+)$/.exec(raw))) {
      const key = m[1]!;
      reqs.push((l) => !(key in l));
    } else if (/^\S+$/.test(raw)) {
      reqs.push((l) => raw in l);
    } else throw new FluxError(`invalid label selector "${selector}"`);
  }
  return (labels) => reqs.every((r) => r(labels));
}

function anchored(pattern: string): RE2JS {
  try {
    return RE2JS.compile(`^(?:${pattern})$`);
  } catch (err) {
    if (err instanceof RE2JSException)
      throw new FluxError(`invalid ignore rule target "${pattern}": ${err.message}`);
    throw err;
  }
}

/** The ignore paths of the rules whose target selects the object; [''] (the root) excludes it whole. */
export function ignoredPaths(rules: IgnoreRule[], obj: ObjectIdentity): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    const t = rule.target;
    const matches =
      !t ||
      ((!t.group || anchored(t.group).test(obj.group)) &&
        (!t.version || anchored(t.version).test(obj.version)) &&
        (!t.kind || anchored(t.kind).test(obj.kind)) &&
        (!t.name || anchored(t.name).test(obj.name)) &&
        (!t.namespace || anchored(t.namespace).test(obj.namespace ?? '')) &&
        (!t.labelSelector || parseLabelSelector(t.labelSelector)(obj.labels)) &&
        (!t.annotationSelector || parseLabelSelector(t.annotationSelector)(obj.annotations)));
    if (matches) out.push(...rule.paths);
  }
  return out;
}

/** A copy without the values at these JSON Pointers; pointers that name nothing are skipped. */
export function removePaths(obj: JsonObject, pointers: string[]): JsonObject {
  const copy = structuredClone(obj);
  for (const pointer of pointers) {
    if (!pointer.startsWith('/')) continue;
    const steps = pointer
      .slice(1)
      .split('/')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    let cur: Json | undefined = copy;
    for (const step of steps.slice(0, -1)) {
      if (Array.isArray(cur)) cur = cur[Number(step)];
      else if (cur && typeof cur === 'object') cur = cur[step];
      else cur = undefined;
    }
    const last = steps.at(-1)!;
    if (Array.isArray(cur)) {
      const i = Number(last);
      if (Number.isInteger(i) && i >= 0 && i < cur.length) cur.splice(i, 1);
    } else if (cur && typeof cur === 'object') delete cur[last];
  }
  return copy;
}
