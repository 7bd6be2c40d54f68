// Deployments and Pods for tests, with the status a kube-controller-manager and kubelet would write.
import type { TestObject } from './api.js';

export function deployment(
  name: string,
  namespace: string,
  options: { image: string; labels?: Record<string, string>; ready?: boolean; containers?: string[] },
): TestObject {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': name, ...options.labels } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: (options.containers ?? ['manager']).map((c) => ({ name: c, image: options.image })),
        },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: ready ? 1 : 0,
      availableReplicas: ready ? 1 : 0,
      conditions: ready
        ? [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }]
        : [
            { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${name}-5d4f" has timed out progressing.`,
            },
          ],
    },
  };
}
