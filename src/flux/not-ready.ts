// What a Kustomization or HelmRelease waits for, or failed waiting for: the objects it applied that are not
// ready (a health check that runs until its timeout, a Deployment whose image cannot be pulled), each with
// why its Pods are not ready (get_flux_tree's facts, src/flux/tree.ts). Said after a timed-out wait and
// beside a failing object in get_flux_status, so that "why is it failing?" reaches the Pods in one call.
import type { Cluster } from '../kube/cluster.js';
import { buildTree, type TreeNode } from './tree.js';

/** Objects named: at most this many, each with at most this many characters. */
const SHOWN = 3;
const CHARS = 300;
/**
 * How long reading them may take: a 50 s default wait must still answer within the 60 s after which many
 * clients give up (src/options.ts, DEFAULT_WAIT_TIMEOUT), and get_flux_status stays quick.
 */
export const NOT_READY_READ_MS = 2_000;

/**
 * `Deployment apps/web (ready 0/1, ...; pods: 1 of 1 not ready (ImagePullBackOff); web-5d...: container web
 * ImagePullBackOff: Back-off pulling image ...)`, for the first few objects not ready or missing, and how
 * many more. Empty when all are ready, or when they cannot be read before `signal` ends.
 */
export async function notReadyObjects(
  cluster: Cluster,
  applier: { kind: 'Kustomization' | 'HelmRelease'; namespace: string; name: string },
  signal: AbortSignal,
): Promise<string> {
  let nodes: TreeNode[];
  try {
    const tree = await buildTree(cluster, applier, signal);
    nodes = tree.nodes
      .slice(1)
      .filter((n) => n.status === 'not-ready' || n.status === 'progressing' || n.status === 'missing');
  } catch {
    return '';
  }
  if (nodes.length === 0) return '';
  // Workloads whose Pods say why first: they are what an operator looks at.
  nodes.sort((a, b) => Number(!a.pods) - Number(!b.pods));
  const shown = nodes.slice(0, SHOWN).map((n) => {
    const why = [n.status === 'missing' ? 'missing' : n.message, n.pods].filter(Boolean).join('; ');
    const line = `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}${why ? ` (${why})` : ''}`;
    return line.length > CHARS ? `${line.slice(0, CHARS - 3)}...` : line;
  });
  const more = nodes.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more (get_flux_tree lists them)` : ''}`;
}
