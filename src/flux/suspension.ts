// Who suspended an object, when and why: our annotations, and the one Flux's web UI reads and writes.
import type { KubeObject } from '../kube/types.js';

const PREFIX = 'flux-ops-mcp.io';
export const SUSPEND_REASON = `${PREFIX}/suspend-reason`;
export const SUSPENDED_BY = `${PREFIX}/suspended-by`;
export const SUSPENDED_AT = `${PREFIX}/suspended-at`;
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
