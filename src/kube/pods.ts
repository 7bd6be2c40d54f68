// The pods behind a workload, best first for reading logs: running and ready, then newest.
import type { Cluster } from './cluster.js';
import { KubeError } from './errors.js';
import type { KubeObject } from './types.js';

function readyRunning(pod: KubeObject): boolean {
  const conditions = pod.status?.conditions;
  const ready = Array.isArray(conditions)
    ? (conditions as { type?: string; status?: string }[]).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      )
    : false;
  return pod.status?.phase === 'Running' && ready;
}

/** Running and ready first, then Running, then newest: the pods whose logs say most about now. */
export function byLogging(a: KubeObject, b: KubeObject): number {
  const rank = (p: KubeObject) => (readyRunning(p) ? 0 : p.status?.phase === 'Running' ? 1 : 2);
  return (
    rank(a) - rank(b) ||
    (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? '')
  );
}

function selectorOf(workload: KubeObject): string | undefined {
  const labels = workload.spec?.selector;
  const matchLabels =
    typeof labels === 'object' && labels !== null
      ? (labels as { matchLabels?: Record<string, string> }).matchLabels
      : undefined;
  if (!matchLabels || Object.keys(matchLabels).length === 0) return undefined;
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The pods of a Deployment, StatefulSet or DaemonSet (by its selector's matchLabels), best first. */
export async function podsOf(
  cluster: Cluster,
  workload: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const selector = selectorOf(workload);
  const where = `${workload.kind ?? 'workload'} ${workload.metadata?.namespace}/${workload.metadata?.name}`;
  if (!selector)
    throw new KubeError('Invalid', `${where} has no spec.selector.matchLabels to find its pods by`);
  const podType = await cluster.discovery.resolve({ kind: 'Pod', apiVersion: 'v1' }, signal);
  const pods = await cluster.listAll(podType, {
    ...(workload.metadata?.namespace ? { namespace: workload.metadata.namespace } : {}),
    labelSelector: selector,
    signal,
  });
  return pods.sort(byLogging);
}

export function containerNames(pod: KubeObject): string[] {
  const containers = pod.spec?.containers;
  return Array.isArray(containers)
    ? containers.map((c: { name?: string }) => c.name ?? '').filter(Boolean)
    : [];
}
