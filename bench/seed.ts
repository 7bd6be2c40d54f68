// Seeding benchmark objects in bulk, concurrently but bounded.
import type { ClusterInfo } from '../test/cluster/cluster.js';
import { TestApi, type TestObject } from '../test/support/api.js';
import { kustomization } from '../test/support/flux.js';

export function adminApiFor(cluster: ClusterInfo): TestApi {
  return new TestApi(cluster.server, cluster.adminToken, cluster.caFile);
}

export async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function ensureNamespaces(api: TestApi, namespaces: readonly string[]): Promise<void> {
  await inBatches(namespaces, 20, (name) =>
    api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  );
}

/** `perNamespace` Kustomizations named ks-<i> in each namespace. */
export async function seedKustomizations(
  api: TestApi,
  namespaces: readonly string[],
  perNamespace: number,
): Promise<TestObject[]> {
  await ensureNamespaces(api, namespaces);
  const objects = namespaces.flatMap((ns) =>
    Array.from({ length: perNamespace }, (_, i) => kustomization(`ks-${i}`, ns)),
  );
  await inBatches(objects, 25, (o) => api.create(o).catch(() => api.apply(o)));
  return objects;
}
