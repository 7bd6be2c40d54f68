// Helm's release storage as helm-controller leaves it (docs/flux-semantics.md, Helm storage): one Secret
// `sh.helm.release.v1.<release>.v<revision>` per revision in the storage namespace, whose `release` key holds
// base64(gzip(JSON)) (Helm's own encoding, under the API's base64 of Secret data).
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';
import { field, stringField } from './status.js';

export function helmStorageSecretName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  status?: string;
  chartName?: string;
  chartVersion?: string;
  appVersion?: string;
  manifest: string;
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** The release JSON of a storage Secret's `release` value as the API returns it (base64 of Helm's base64). */
export function decodeReleaseJson(secretData: string): unknown {
  try {
    const helmEncoded = Buffer.from(secretData, 'base64').toString('utf8');
    let bytes = Buffer.from(helmEncoded, 'base64');
    if (GZIP_MAGIC.every((b, i) => bytes[i] === b)) bytes = gunzipSync(bytes);
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new FluxError(
      `the Helm storage record cannot be decoded (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/**
 * The `release` value of a storage Secret as the API takes it: Helm's base64(gzip(JSON)) (best compression,
 * as Helm's encodeRelease writes it), base64-encoded once more as Secret data.
 */
export function encodeReleaseJson(release: unknown): string {
  const gz = gzipSync(Buffer.from(JSON.stringify(release)), { level: constants.Z_BEST_COMPRESSION });
  return Buffer.from(gz.toString('base64')).toString('base64');
}

/** Decodes the `release` value of a storage Secret as the API returns it (base64 of Helm's base64). */
export function decodeHelmRelease(secretData: string): HelmReleaseRecord {
  const json = decodeReleaseJson(secretData);
  const revision = field(json, 'version');
  const name = stringField(json, 'name');
  if (!name || typeof revision !== 'number') {
    throw new FluxError('the Helm storage record has no release name or revision');
  }
  const optional = (key: string, value: string | undefined) => (value ? { [key]: value } : {});
  return {
    name,
    namespace: stringField(json, 'namespace') ?? '',
    revision,
    manifest: stringField(json, 'manifest') ?? '',
    ...optional('status', stringField(json, 'info', 'status')),
    ...optional('chartName', stringField(json, 'chart', 'metadata', 'name')),
    ...optional('chartVersion', stringField(json, 'chart', 'metadata', 'version')),
    ...optional('appVersion', stringField(json, 'chart', 'metadata', 'appVersion')),
  } as HelmReleaseRecord;
}

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** As written in the manifest; Helm leaves it out for objects in the release namespace. */
  namespace?: string;
}

/** The objects of a rendered Helm manifest (YAML documents), in order; documents without kind or name are skipped. */
export async function manifestObjects(manifest: string): Promise<ManifestObject[]> {
  const { parseAllDocuments } = await import('../kube/yaml.js');
  const objects: ManifestObject[] = [];
  for (const doc of parseAllDocuments(manifest)) {
    if (doc.errors.length > 0) continue;
    const obj = doc.toJS() as KubeObject | null;
    const apiVersion = obj?.apiVersion;
    const kind = obj?.kind;
    const name = obj?.metadata?.name;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') continue;
    const namespace = obj?.metadata?.namespace;
    objects.push({
      apiVersion,
      kind,
      name,
      ...(typeof namespace === 'string' && namespace ? { namespace } : {}),
    });
  }
  return objects;
}

export interface LatestRelease {
  /** The Helm release name and revision of `status.history[0]`. */
  name: string;
  namespace: string;
  revision: number;
  storageNamespace: string;
}

/** Where the newest Helm release of a HelmRelease is stored, from its status; undefined before the first release. */
export function latestRelease(hr: KubeObject): LatestRelease | undefined {
  const history = field(hr, 'status', 'history');
  const latest: unknown = Array.isArray(history) ? history[0] : undefined;
  const name = stringField(latest, 'name');
  const revision = field(latest, 'version');
  if (!name || typeof revision !== 'number') return undefined;
  const hrNamespace = hr.metadata?.namespace ?? '';
  const namespace = stringField(latest, 'namespace') ?? hrNamespace;
  return {
    name,
    namespace,
    revision,
    storageNamespace:
      stringField(hr, 'status', 'storageNamespace') ??
      stringField(hr, 'spec', 'storageNamespace') ??
      namespace,
  };
}
