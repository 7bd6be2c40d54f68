// Helm release storage records, written the way Helm's Secret driver writes them: Secret
// sh.helm.release.v1.<name>.v<revision> of type helm.sh/release.v1 whose `release` key holds
// base64(gzip(JSON of the release)), which the API base64-encodes once more as Secret data.
import { gzipSync } from 'node:zlib';
import type { TestObject } from './api.js';

export interface ReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  status?: string;
  chart?: { name: string; version: string; appVersion?: string };
  manifest: string;
  description?: string;
  /** Helm 4 records: ssa or csa. */
  applyMethod?: string;
  hooks?: { name: string; kind: string; events: string[]; manifest?: string }[];
  /** Fields merged into the release JSON (e.g. info times), after the others. */
  extra?: Record<string, unknown>;
  /** The record has no chart (Helm then has nothing to roll back to). */
  noChart?: boolean;
}

export function helmStorageSecret(storageNamespace: string, r: ReleaseRecord): TestObject {
  const release = {
    name: r.name,
    namespace: r.namespace,
    version: r.revision,
    info: { status: r.status ?? 'deployed', description: r.description ?? 'Upgrade complete' },
    ...(r.noChart
      ? {}
      : {
          chart: {
            metadata: {
              name: r.chart?.name ?? r.name,
              version: r.chart?.version ?? '1.0.0',
              appVersion: r.chart?.appVersion,
            },
          },
        }),
    config: {},
    manifest: r.manifest,
    ...(r.hooks ? { hooks: r.hooks.map((h) => ({ ...h, last_run: { phase: '' } })) } : {}),
    ...(r.applyMethod ? { apply_method: r.applyMethod } : {}),
    ...r.extra,
  };
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `sh.helm.release.v1.${r.name}.v${r.revision}`,
      namespace: storageNamespace,
      labels: { name: r.name, owner: 'helm', status: r.status ?? 'deployed', version: String(r.revision) },
    },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmEncoded).toString('base64') },
  };
}

/** The status.history entry helm-controller writes for a release. */
export function historySnapshot(r: ReleaseRecord): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    name: r.name,
    namespace: r.namespace,
    version: r.revision,
    status: r.status ?? 'deployed',
    chartName: r.chart?.name ?? r.name,
    chartVersion: r.chart?.version ?? '1.0.0',
    configDigest: 'sha256:0',
    digest: 'sha256:1',
    firstDeployed: now,
    lastDeployed: now,
  };
}
