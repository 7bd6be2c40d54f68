import { describe, expect, it } from 'vitest';
import { explainPods, logUnavailable, summarizePod } from '../../src/kube/pod-status.js';
import { selectorOf } from '../../src/kube/pods.js';
import type { KubeObject } from '../../src/kube/types.js';

const IMAGE = 'ghcr.io/example/web:6.99';

function pod(
  name: string,
  status: Record<string, unknown>,
  extra: { created?: string; deleting?: boolean; containers?: string[] } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'apps',
      ...(extra.created ? { creationTimestamp: extra.created } : {}),
      ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: (extra.containers ?? ['web']).map((c) => ({ name: c, image: IMAGE })) },
    status,
  };
}

const notReady = [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }];
const ready = [{ type: 'Ready', status: 'True' }];

const pullBackOff = pod('web-1', {
  phase: 'Pending',
  conditions: notReady,
  containerStatuses: [
    {
      name: 'web',
      ready: false,
      restartCount: 0,
      state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${IMAGE}"` } },
    },
  ],
});

const crashLoop = pod('worker-1', {
  phase: 'Running',
  conditions: notReady,
  containerStatuses: [
    {
      name: 'web',
      ready: false,
      restartCount: 7,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=web' },
      },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
    },
  ],
});

const running = pod('web-2', {
  phase: 'Running',
  conditions: ready,
  containerStatuses: [{ name: 'web', ready: true, restartCount: 1, state: { running: {} } }],
});

describe('summarizePod', () => {
  it("shows a waiting container's reason instead of the phase, with its message", () => {
    expect(summarizePod(pullBackOff)).toEqual({
      status: 'ImagePullBackOff',
      readyContainers: 0,
      containers: 1,
      restarts: 0,
      problem: `container web ImagePullBackOff: Back-off pulling image "${IMAGE}"`,
      healthy: false,
    });
  });

  it('says why a crash-looping container last ended and counts its restarts', () => {
    const s = summarizePod(crashLoop);
    expect(s.status).toBe('CrashLoopBackOff');
    expect(s.restarts).toBe(7);
    expect(s.problem).toBe(
      'container web CrashLoopBackOff: back-off 5m0s restarting failed container=web; last terminated OOMKilled (exit code 137)',
    );
  });

  it('shows a terminated container by its reason and exit code', () => {
    const s = summarizePod(
      pod('job-1', {
        phase: 'Failed',
        containerStatuses: [{ name: 'web', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }],
      }),
    );
    expect(s.status).toBe('OOMKilled');
    expect(s.problem).toBe('container web terminated OOMKilled (exit code 137)');
  });

  it('is healthy, without a problem, when running and ready', () => {
    expect(summarizePod(running)).toEqual({
      status: 'Running',
      readyContainers: 1,
      containers: 1,
      restarts: 1,
      healthy: true,
    });
  });

  it('is healthy when it finished successfully', () => {
    const s = summarizePod(
      pod('job-2', {
        phase: 'Succeeded',
        containerStatuses: [{ name: 'web', state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
      }),
    );
    expect(s).toMatchObject({ status: 'Completed', healthy: true });
    expect(s.problem).toBeUndefined();
  });

  it('names a failing init container, as kubectl does', () => {
    const s = summarizePod(
      pod('web-3', {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            restartCount: 2,
            state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } },
          },
        ],
        containerStatuses: [{ name: 'web', state: { waiting: { reason: 'PodInitializing' } } }],
      }),
    );
    expect(s.status).toBe('Init:ErrImagePull');
    expect(s.restarts).toBe(2);
    expect(s.problem).toBe('init container migrate ErrImagePull: pull access denied');
  });

  it('counts finished init containers while the next one runs', () => {
    const s = summarizePod(
      pod('web-4', {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          { name: 'b', state: { running: {} } },
        ],
      }),
    );
    expect(s.status).toBe('Init:1/2');
  });

  it('says why a pod that has no containers yet is not scheduled', () => {
    const s = summarizePod(
      pod('web-5', {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
          },
        ],
      }),
    );
    expect(s).toMatchObject({
      status: 'Pending',
      readyContainers: 0,
      containers: 1,
      problem: 'Unschedulable: 0/3 nodes are available: 3 Insufficient memory.',
    });
  });

  it('says Terminating for a pod being deleted', () => {
    expect(summarizePod(pod('web-6', running.status!, { deleting: true })).status).toBe('Terminating');
  });

  it('names a running container that is not ready', () => {
    const s = summarizePod(
      pod('web-7', {
        phase: 'Running',
        conditions: notReady,
        containerStatuses: [{ name: 'web', ready: false, state: { running: {} } }],
      }),
    );
    expect(s).toMatchObject({ status: 'Running', problem: 'container web running but not ready' });
  });

  it('sums the restarts of every container', () => {
    const s = summarizePod(
      pod(
        'web-8',
        {
          phase: 'Running',
          conditions: ready,
          containerStatuses: [
            { name: 'web', ready: true, restartCount: 2, state: { running: {} } },
            { name: 'sidecar', ready: true, restartCount: 3, state: { running: {} } },
          ],
        },
        { containers: ['web', 'sidecar'] },
      ),
    );
    expect(s).toMatchObject({ restarts: 5, readyContainers: 2, containers: 2 });
  });
});

describe('explainPods', () => {
  it('counts the pods that are not ready by status and gives the first problem', () => {
    expect(explainPods([running, pullBackOff, crashLoop])).toBe(
      `pods: 2 of 3 not ready (1 ImagePullBackOff, 1 CrashLoopBackOff); web-1: container web ImagePullBackOff: Back-off pulling image "${IMAGE}"`,
    );
  });

  it('prefers the newest pod among those that say what is wrong', () => {
    const older = pod('web-old', pullBackOff.status!, { created: '2026-01-01T00:00:00Z' });
    const newer = pod('web-new', pullBackOff.status!, { created: '2026-01-02T00:00:00Z' });
    expect(explainPods([older, newer])).toContain('; web-new: ');
  });

  it('says nothing when every pod is ready', () => {
    expect(explainPods([running])).toBeUndefined();
  });

  it('says when no pod matches', () => {
    expect(explainPods([])).toBe('no pods match its selector');
  });

  it('marks the count as a lower bound when the list was cut', () => {
    expect(explainPods([pullBackOff], true)).toMatch(/^pods: 1 of 1\+ not ready/);
  });
});

describe('logUnavailable', () => {
  it('says a container that has never run is waiting to start, with its reason and message', () => {
    expect(logUnavailable(pullBackOff, 'web', false)).toBe(
      `is waiting to start: ImagePullBackOff: Back-off pulling image "${IMAGE}"`,
    );
  });

  it('lets a crash-looping container be read: the kubelet gives the log of its last run', () => {
    expect(logUnavailable(crashLoop, 'web', false)).toBeUndefined();
    expect(logUnavailable(crashLoop, 'web', true)).toBeUndefined();
  });

  it('says a container that has not restarted has no previous instance', () => {
    expect(logUnavailable(running, 'web', true)).toBe('has no previous instance: it has not restarted');
    expect(logUnavailable(running, 'web', false)).toBeUndefined();
  });

  it('leaves a container the Pod reports nothing about to the kubelet', () => {
    expect(logUnavailable(pod('new', { phase: 'Pending' }), 'web', false)).toBeUndefined();
  });
});

describe('selectorOf', () => {
  it('joins matchLabels and matchExpressions into one label selector', () => {
    const workload: KubeObject = {
      spec: {
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['a', 'b'] },
            { key: 'canary', operator: 'NotIn', values: ['true'] },
            { key: 'owner', operator: 'Exists' },
            { key: 'legacy', operator: 'DoesNotExist' },
          ],
        },
      },
    };
    expect(selectorOf(workload)).toBe('app=web,tier in (a,b),canary notin (true),owner,!legacy');
  });

  it('is undefined for a workload without a selector', () => {
    expect(selectorOf({ spec: {} })).toBeUndefined();
  });
});
