// metadata.managedFields: who owns which field (server-side apply field sets, FieldsV1 tries).
import type { KubeObject } from './types.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update' | string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
  subresource?: string;
}

export type FieldsV1 = { [key: string]: FieldsV1 };

export function managedFields(obj: KubeObject): ManagedFieldsEntry[] {
  const list = obj.metadata?.managedFields;
  return Array.isArray(list) ? (list as ManagedFieldsEntry[]) : [];
}

/** The union of two field sets. */
export function unionFields(a: FieldsV1, b: FieldsV1): FieldsV1 {
  const out: FieldsV1 = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? unionFields(out[k]!, v) : v;
  return out;
}

export function ownsPath(fields: FieldsV1 | undefined, path: string[]): boolean {
  let cur = fields;
  for (const p of path) {
    cur = cur?.[p];
    if (!cur) return false;
  }
  return true;
}

/**
 * The manager that owns a label of the object, preferring server-side apply entries and then the newest:
 * for an object Helm manages, the Helm client that applies it (helm-controller, or helm).
 */
export function labelOwner(obj: KubeObject, label: string): string | undefined {
  const path = ['f:metadata', 'f:labels', `f:${label}`];
  const owners = managedFields(obj).filter((e) => !e.subresource && ownsPath(e.fieldsV1, path));
  owners.sort(
    (a, b) =>
      Number(b.operation === 'Apply') - Number(a.operation === 'Apply') ||
      (b.time ?? '').localeCompare(a.time ?? ''),
  );
  return owners[0]?.manager;
}

/**
 * client-go's csaupgrade.UpgradeManagedFields for one manager: its client-side (Update) field set is merged
 * into its server-side apply entry (which takes the Update entry's place when there is none), so the next
 * apply by that manager may drop fields it set client-side. Undefined when there is nothing to upgrade.
 */
export function upgradeClientSideManager(
  entries: ManagedFieldsEntry[],
  manager: string,
): ManagedFieldsEntry[] | undefined {
  const isCsa = (e: ManagedFieldsEntry) =>
    e.manager === manager && e.operation === 'Update' && !e.subresource;
  const isSsa = (e: ManagedFieldsEntry) => e.manager === manager && e.operation === 'Apply' && !e.subresource;
  const copy = entries.map((e) => ({ ...e }));
  let target = copy.findIndex(isSsa);
  if (target < 0) {
    target = copy.findIndex(isCsa);
    if (target < 0) return undefined;
    copy[target] = { ...copy[target]!, operation: 'Apply', manager };
  }
  const csa = copy.find((e, i) => i !== target && isCsa(e) && e.apiVersion === copy[target]!.apiVersion);
  if (csa) copy[target]!.fieldsV1 = unionFields(copy[target]!.fieldsV1 ?? {}, csa.fieldsV1 ?? {});
  const kept = copy.filter((e, i) => i === target || !isCsa(e));
  return JSON.stringify(kept) === JSON.stringify(entries) ? undefined : kept;
}

/** The fields a FieldsV1 set names, as readable paths: spec.replicas, spec.containers[name=app].image. */
export function fieldPaths(fields: FieldsV1, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === '.') continue;
    let step: string;
    if (k.startsWith('f:')) step = prefix ? `${prefix}.${k.slice(2)}` : k.slice(2);
    else if (k.startsWith('k:')) {
      let keyText = k.slice(2);
      try {
        const parsed = JSON.parse(keyText) as Record<string, unknown>;
        keyText = Object.entries(parsed)
          .map(([a, b]) => `${a}=${String(b)}`)
          .join(',');
      } catch {
        // keep the raw key
      }
      step = `${prefix}[${keyText}]`;
    } else if (k.startsWith('v:')) step = `${prefix}[${k.slice(2)}]`;
    else if (k.startsWith('i:')) step = `${prefix}[${k.slice(2)}]`;
    else step = `${prefix}.${k}`;
    const children = Object.keys(v).filter((c) => c !== '.');
    if (children.length === 0) out.push(step);
    else out.push(...fieldPaths(v, step));
  }
  return out;
}
