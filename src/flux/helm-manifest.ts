// The objects of a stored Helm manifest as Helm's kube client builds them (helm.sh/helm/v4 pkg/kube
// client.go Build): YAML read as Go's sigs.k8s.io/yaml reads it (YAML 1.1 scalars: yes/no/on/off are
// booleans, timestamps stay strings), lists flattened, the release namespace set on namespaced objects
// without one; and the ownership metadata Helm adds before it applies them (pkg/action/validate.go
// setMetadataVisitor).
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import type { JsonObject } from '../kube/merge.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { groupOf } from './kinds.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';
export const RESOURCE_POLICY_ANNOTATION = 'helm.sh/resource-policy';

export interface ManifestObject {
  /** The object as the manifest has it, namespace defaulted. */
  obj: JsonObject;
  resource: ResourceType;
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** group/kind/namespace/name: how Helm matches an object of one manifest with one of another. */
export function objectKey(o: Pick<ManifestObject, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${o.group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

export function describeObject(o: Pick<ManifestObject, 'kind' | 'namespace' | 'name'>): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

/** The YAML documents of a manifest as plain JSON values, read with YAML 1.1 scalars like Go's decoder. */
export async function parseManifest(manifest: string): Promise<JsonObject[]> {
  // yaml is loaded on first use: it is not needed to answer initialize.
  const { parseAllDocuments } = await import('../kube/yaml.js');
  const docs = parseAllDocuments(manifest, {
    version: '1.1',
    // go-yaml v2 leaves timestamps and sexagesimal numbers as strings when decoding into interface{}.
    customTags: (tags) =>
      tags.filter(
        (t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'),
      ),
  });
  const out: JsonObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0)
      throw new FluxError(`the manifest is not valid YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new FluxError('the manifest has a document that is not an object');
    const obj = JSON.parse(JSON.stringify(value)) as JsonObject;
    const items = obj.items;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(items)) {
      for (const item of items) if (item && typeof item === 'object' && !Array.isArray(item)) out.push(item);
    } else out.push(obj);
  }
  return out;
}

/**
 * The manifest's objects with their served resource and namespace. A kind the cluster does not serve is
 * an error, as it is for Helm.
 */
export async function buildManifest(
  cluster: Cluster,
  manifest: string,
  releaseNamespace: string,
  signal?: AbortSignal,
): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  for (const obj of await parseManifest(manifest)) {
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const kind = typeof obj.kind === 'string' ? obj.kind : '';
    const meta = (obj.metadata ?? {}) as JsonObject;
    const name = typeof meta.name === 'string' ? meta.name : '';
    if (!apiVersion || !kind || !name)
      throw new FluxError(
        `the manifest has an object without apiVersion, kind or name (${kind || '?'} ${name || '?'})`,
      );
    let resource: ResourceType;
    try {
      resource = await cluster.discovery.resolve({ kind, apiVersion }, signal);
    } catch (err) {
      if (isKubeError(err, 'UnknownKind'))
        throw new FluxError(
          `the manifest has ${kind} ${name}, of a kind the cluster does not serve: ${err.message}`,
        );
      throw err;
    }
    let namespace: string | undefined;
    if (resource.namespaced) {
      namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : releaseNamespace;
      obj.metadata = { ...meta, namespace };
    }
    out.push({
      obj,
      resource,
      group: groupOf(apiVersion),
      kind,
      name,
      ...(namespace ? { namespace } : {}),
    });
  }
  return out;
}

/** The object with Helm's ownership label and annotations merged into its metadata. */
export function withOwnership(obj: JsonObject, release: string, releaseNamespace: string): JsonObject {
  const meta = { ...((obj.metadata ?? {}) as JsonObject) };
  const labels = (meta.labels && typeof meta.labels === 'object' ? meta.labels : {}) as JsonObject;
  const annotations = (
    meta.annotations && typeof meta.annotations === 'object' ? meta.annotations : {}
  ) as JsonObject;
  meta.labels = { ...labels, [MANAGED_BY_LABEL]: 'Helm' };
  meta.annotations = {
    ...annotations,
    [RELEASE_NAME_ANNOTATION]: release,
    [RELEASE_NAMESPACE_ANNOTATION]: releaseNamespace,
  };
  return { ...obj, metadata: meta };
}

export function annotationOf(obj: KubeObject | JsonObject, key: string): string | undefined {
  const meta = obj.metadata as KubeObject['metadata'] | undefined;
  const v = meta?.annotations?.[key];
  return typeof v === 'string' ? v : undefined;
}
