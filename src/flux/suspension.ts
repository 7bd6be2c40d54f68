// Who suspended an object, when and why: our annotations, and the one Flux's web UI reads and writes.
import type { KubeObject } from '../kube/types.js';

const PREFIX = 'flux-ops-mcp.io';
export const SUSPEND_REASON = `${PREFIX}/suspend-reason`;
export const SUSPENDED_BY = `${PREFIX}/suspended-by`;
export const SUSPENDED_AT = `${PREFIX}/suspended-at`;
/** Who resumed an object through this server, and when: kept until it is suspended again. */
export const RESUMED_BY = `${PREFIX}/resumed-by`;
export const RESUMED_AT = `${PREFIX}/resumed-at`;
/** Set by the Flux Operator web UI when it suspends an object; shown there. */
export const OPERATOR_SUSPENDED_BY = 'fluxcd.controlplane.io/suspendedBy';

export const SUSPENSION_ANNOTATIONS = [
  SUSPEND_REASON,
  SUSPENDED_BY,
  SUSPENDED_AT,
  OPERATOR_SUSPENDED_BY,
] as const;

export interface SuspensionInfo {
  by?: string;
  at?: string;
  reason?: string;
}

export function suspensionInfo(obj: KubeObject): SuspensionInfo {
  const a = obj.metadata?.annotations ?? {};
  const by = a[SUSPENDED_BY] ?? a[OPERATOR_SUSPENDED_BY];
  const at = a[SUSPENDED_AT];
  const reason = a[SUSPEND_REASON];
  return { ...(by ? { by } : {}), ...(at ? { at } : {}), ...(reason ? { reason } : {}) };
}

interface ManagedFieldsEntry {
  manager?: string;
  time?: string;
  fieldsV1?: unknown;
}

function hasPath(fields: unknown, path: readonly string[]): boolean {
  let cur = fields;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !(key in cur)) return false;
    cur = (cur as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * The newest managedFields entry that owns a field, with its manager and time. The API server records
 * who last set each field, which is the best we know when no annotation says who suspended an object.
 */
export function lastWriterOf(
  obj: KubeObject,
  path: readonly string[],
): { manager?: string; time?: string } | undefined {
  const entries = (obj.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  let best: ManagedFieldsEntry | undefined;
  for (const e of entries) {
    if (!hasPath(e.fieldsV1, path)) continue;
    if (!best || (e.time ?? '') > (best.time ?? '')) best = e;
  }
  if (!best) return undefined;
  return { ...(best.manager ? { manager: best.manager } : {}), ...(best.time ? { time: best.time } : {}) };
}

export interface SuspensionDetails extends SuspensionInfo {
  /** The field manager that last set the suspend switch, when no annotation names a person. */
  manager?: string;
}

/**
 * Who suspended an object, since when and why: our annotations and the Flux web UI's, then the
 * managedFields entry of the suspend switch (`spec.suspend`, or the reconcile annotation of
 * operator kinds) for the time and the field manager.
 */
export function suspensionDetails(obj: KubeObject, switchAnnotation?: string): SuspensionDetails {
  const info = suspensionInfo(obj);
  const path = switchAnnotation
    ? ['f:metadata', 'f:annotations', `f:${switchAnnotation}`]
    : ['f:spec', 'f:suspend'];
  const writer = lastWriterOf(obj, path);
  return {
    ...info,
    ...(!info.at && writer?.time ? { at: writer.time } : {}),
    ...(!info.by && writer?.manager ? { manager: writer.manager } : {}),
  };
}
