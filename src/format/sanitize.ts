// What may leave the server: no managedFields, no last-applied configuration, and never a Secret value.
import type { KubeObject } from '../kube/types.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const MASK = '**masked**';

function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && (obj.apiVersion === 'v1' || obj.apiVersion === undefined);
}

function maskValues(values: unknown): Record<string, string> | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  return Object.fromEntries(Object.keys(values).map((k) => [k, MASK]));
}

/**
 * A copy fit to show: managedFields and the last-applied annotation removed, every Secret value
 * (`data`, `stringData`) replaced by a mask, including Secrets nested in lists.
 */
export function sanitize(obj: KubeObject): KubeObject {
  if (obj.kind?.endsWith('List') && Array.isArray(obj.items)) {
    return { ...obj, items: (obj.items as KubeObject[]).map(sanitize) };
  }
  const copy: KubeObject = { ...obj };
  if (copy.metadata) {
    const { managedFields: _managed, ...metadata } = copy.metadata;
    if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
      const { [LAST_APPLIED]: _last, ...annotations } = metadata.annotations;
      metadata.annotations = annotations;
    }
    copy.metadata = metadata;
  }
  if (isSecret(copy)) {
    const data = maskValues(copy.data);
    const stringData = maskValues(copy.stringData);
    if (data) copy.data = data;
    else delete copy.data;
    if (stringData) copy.stringData = stringData;
    else delete copy.stringData;
  }
  return copy;
}
