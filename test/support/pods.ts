// Pods that kwok runs on the test cluster's node (test/cluster/pods.ts), with their containers' logs served
// from files in the kubelet's format, so that pods/log goes API server -> kwok's kubelet endpoint -> file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appendContainerLog, servePodLogs, type LogLine } from '../cluster/pods.js';
import type { TestApi, TestObject } from './api.js';
import { cluster } from './env.js';

/** The node kwok plays; the test cluster of the integration tests runs one. */
export function nodeName(): string {
  const pods = cluster().pods;
  if (!pods) throw new Error('the test cluster runs no Pods (startTestCluster pods option)');
  return pods.node;
}

/** A Pod bound to the kwok node (as the scheduler binds one), its containers named and given one image. */
export function podOnNode(
  name: string,
  namespace: string,
  options: { labels?: Record<string, string>; containers?: string[]; image?: string } = {},
): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      nodeName: nodeName(),
      containers: (options.containers ?? ['manager']).map((c) => ({
        name: c,
        image: options.image ?? 'ghcr.io/example/app:1.0.0',
      })),
    },
  };
}

/**
 * Creates the Pod, serves each container's log (lines written now, or at the time given), and waits until
 * kwok has it Running and Ready.
 */
export async function runPod(
  api: TestApi,
  pod: TestObject,
  logs: Record<string, readonly (string | LogLine)[]> = {},
): Promise<void> {
  const namespace = pod.metadata.namespace!;
  const dir = join(cluster().dir, 'pod-logs', namespace);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, { log: string }> = {};
  for (const [container, lines] of Object.entries(logs)) {
    const log = join(dir, `${pod.metadata.name}-${container}.log`);
    appendContainerLog(log, lines);
    files[container] = { log };
  }
  if (Object.keys(files).length > 0) {
    await servePodLogs(api, { namespace, name: pod.metadata.name }, files);
  }
  await api.apply(pod);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const live = await api.get('v1', 'Pod', namespace, pod.metadata.name);
    const conditions = (live.status?.conditions ?? []) as { type: string; status: string }[];
    if (live.status?.phase === 'Running' && conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
      return;
    if (Date.now() > deadline)
      throw new Error(`Pod ${namespace}/${pod.metadata.name} not running: ${JSON.stringify(live.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
