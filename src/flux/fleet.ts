// The fleet view: get_flux_status and get_flux_instance asked of many kubeconfig contexts at once.
import type { KubeAccess } from '../kube/access.js';
import { askFleet, fleetContexts, type FleetEntry } from '../kube/fleet.js';
import { inspectInstallation, installedVersion, type Installation } from './installation.js';
import { collectOverview, type FluxOverview, type OverviewRequest } from './overview.js';

/** Clusters asked at the same time. */
export const FLEET_CONCURRENCY = 10;
/** How long one cluster may take before it is reported as not answering. */
export const CLUSTER_TIMEOUT_MS = 15_000;

export interface ClusterStatus {
  overview: FluxOverview;
  version?: string;
}

export async function fleetStatus(
  access: KubeAccess,
  contexts: 'all' | readonly string[],
  req: OverviewRequest,
  signal: AbortSignal,
): Promise<FleetEntry<ClusterStatus>[]> {
  return askFleet(
    access,
    fleetContexts(access, contexts),
    async (cluster, s) => {
      const [overview, version] = await Promise.all([
        collectOverview(cluster, req, s),
        installedVersion(cluster, s),
      ]);
      return { overview, ...(version ? { version } : {}) };
    },
    { concurrency: FLEET_CONCURRENCY, timeoutMs: CLUSTER_TIMEOUT_MS, signal },
  );
}

export async function fleetInstallations(
  access: KubeAccess,
  contexts: 'all' | readonly string[],
  namespace: string,
  signal: AbortSignal,
): Promise<FleetEntry<Installation>[]> {
  return askFleet(
    access,
    fleetContexts(access, contexts),
    (cluster, s) => inspectInstallation(cluster, namespace, s),
    { concurrency: FLEET_CONCURRENCY, timeoutMs: CLUSTER_TIMEOUT_MS, signal },
  );
}
