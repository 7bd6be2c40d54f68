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

/**
 * A rendered Helm manifest fit to show: in every Secret document the values of `data` and `stringData` are
 * replaced by a mask; everything else, comments included, stays as rendered.
 */
export async function maskManifestSecrets(manifest: string): Promise<string> {
  // yaml is loaded on first use: it is not needed to answer initialize.
  const { parseAllDocuments, isMap } = await import('../kube/yaml.js');
  const docs = parseAllDocuments(manifest);
  let masked = false;
  for (const doc of docs) {
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const kind = doc.get('kind');
    const apiVersion = doc.get('apiVersion');
    if (kind !== 'Secret' || (apiVersion !== undefined && apiVersion !== 'v1')) continue;
    for (const key of ['data', 'stringData']) {
      const values = doc.get(key);
      if (!isMap(values)) continue;
      for (const pair of values.items) {
        if (pair.value !== null) {
          pair.value = doc.createNode(MASK);
          masked = true;
        }
      }
    }
  }
  if (!masked) return manifest;
  return docs.map((d) => d.toString()).join('');
}
