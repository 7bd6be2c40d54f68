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

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/**
 * A workload's spec.selector as a label selector string (matchLabels and matchExpressions); undefined
 * when it selects nothing by label.
 */
export function selectorOf(workload: KubeObject): string | undefined {
  const sel = workload.spec?.selector;
  if (typeof sel !== 'object' || sel === null) return undefined;
  const { matchLabels = {}, matchExpressions = [] } = sel as LabelSelector;
  const terms = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of matchExpressions) {
    if (!e.key) continue;
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.length > 0 ? terms.join(',') : undefined;
}

/** Up to `limit` pods a workload selects (one page); `more` when there are others. */
export async function selectedPods(
  cluster: Cluster,
  workload: KubeObject,
  limit: number,
  signal: AbortSignal,
): Promise<{ pods: KubeObject[]; more: boolean }> {
  const selector = selectorOf(workload);
  if (!selector) return { pods: [], more: false };
  const podType = await cluster.discovery.resolve({ kind: 'Pod', apiVersion: 'v1' }, signal);
  const page = await cluster.list(podType, {
    ...(workload.metadata?.namespace ? { namespace: workload.metadata.namespace } : {}),
    labelSelector: selector,
    limit,
    signal,
  });
  return { pods: page.items, more: Boolean(page.metadata?.continue) };
}

/** The pods of a Deployment, StatefulSet or DaemonSet (by its selector), best first. */
export async function podsOf(
  cluster: Cluster,
  workload: KubeObject,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const selector = selectorOf(workload);
  const where = `${workload.kind ?? 'workload'} ${workload.metadata?.namespace}/${workload.metadata?.name}`;
  if (!selector) throw new KubeError('Invalid', `${where} has no spec.selector to find its pods by`);
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
