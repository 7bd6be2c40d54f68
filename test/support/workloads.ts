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

export interface ContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  state: Record<string, unknown>;
  lastState?: Record<string, unknown>;
}

/** A container the kubelet cannot start because its image cannot be pulled. */
export function imagePullBackOff(name: string, image: string): ContainerStatus {
  return {
    name,
    image,
    ready: false,
    restartCount: 0,
    state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
  };
}

/** A container the kubelet restarts again and again because it ran out of memory. */
export function oomCrashLoop(name: string, image: string, pod: string, restarts: number): ContainerStatus {
  return {
    name,
    image,
    ready: false,
    restartCount: restarts,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 5m0s restarting failed container=${name} pod=${pod}`,
      },
    },
    lastState: {
      terminated: {
        reason: 'OOMKilled',
        exitCode: 137,
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:00:05Z',
      },
    },
  };
}

/** A running, ready container. */
export function runningContainer(name: string, image: string): ContainerStatus {
  return {
    name,
    image,
    ready: true,
    restartCount: 0,
    state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
  };
}

/** A Pod with the container statuses the kubelet would write (on no node: tests write them). */
export function podWithContainers(
  name: string,
  namespace: string,
  options: {
    labels?: Record<string, string>;
    containers: ContainerStatus[];
    ownerReferences?: unknown[];
  },
): TestObject {
  const ready = options.containers.every((c) => c.ready);
  const started = options.containers.some((c) => 'running' in c.state || c.restartCount > 0);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.ownerReferences ? { ownerReferences: options.ownerReferences } : {}),
    },
    spec: { containers: options.containers.map((c) => ({ name: c.name, image: c.image })) },
    status: {
      phase: started ? 'Running' : 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          ...(ready
            ? {}
            : {
                reason: 'ContainersNotReady',
                message: `containers with unready status: [${options.containers
                  .filter((c) => !c.ready)
                  .map((c) => c.name)
                  .join(' ')}]`,
              }),
        },
      ],
      containerStatuses: options.containers,
    },
  };
}

/** A Pod as the scheduler and kubelet leave it, its status written by the test: running and ready. */
export function runningPod(
  name: string,
  namespace: string,
  options: { labels?: Record<string, string>; containers?: string[] } = {},
): TestObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      containers: (options.containers ?? ['manager']).map((c) => ({ name: c, image: 'ghcr.io/fluxcd/x:v1' })),
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}
