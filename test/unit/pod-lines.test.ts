import { describe, expect, it } from 'vitest';
import type { Tree } from '../../src/flux/tree.js';
import { objectLine, summarizeObject } from '../../src/format/objects.js';
import { renderTree } from '../../src/format/tree.js';
import type { KubeObject } from '../../src/kube/types.js';

const crashLooping: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'worker-1', namespace: 'apps' },
  spec: { containers: [{ name: 'worker', image: 'worker:1' }] },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'worker',
        ready: false,
        restartCount: 7,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: 'back-off 5m0s restarting failed container=worker',
          },
        },
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
      },
    ],
  },
};

describe('a Pod in a compact listing', () => {
  it('carries its status as kubectl shows it, ready containers, restarts and the container problem', () => {
    expect(summarizeObject(crashLooping)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'apps',
      name: 'worker-1',
      status: 'CrashLoopBackOff',
      containers: '0/1',
      restarts: 7,
      message:
        'container worker CrashLoopBackOff: back-off 5m0s restarting failed container=worker; last terminated OOMKilled (exit code 137)',
    });
  });

  it('is one line with the status, readiness and restarts, and the problem under it', () => {
    expect(objectLine(summarizeObject(crashLooping))).toBe(
      'Pod apps/worker-1  CrashLoopBackOff  ready 0/1  restarts 7\n' +
        '    container worker CrashLoopBackOff: back-off 5m0s restarting failed container=worker; last terminated OOMKilled (exit code 137)',
    );
  });

  it('leaves out restarts when there were none', () => {
    const fresh = { ...crashLooping, status: { phase: 'Pending' } };
    expect(objectLine(summarizeObject(fresh))).toBe('Pod apps/worker-1  Pending  ready 0/1');
  });
});

describe('a workload in the tree', () => {
  it('carries the reason of its failing pods on its NOT READY line, even after a long message', () => {
    const tree: Tree = {
      nodes: [
        {
          depth: 0,
          kind: 'Kustomization',
          group: 'kustomize.toolkit.fluxcd.io',
          namespace: 'apps',
          name: 'apps',
          status: 'not-ready',
        },
        {
          depth: 1,
          kind: 'Deployment',
          group: 'apps',
          namespace: 'apps',
          name: 'web',
          status: 'not-ready',
          message: `ready 0/1, progress deadline exceeded: ${'x'.repeat(300)}`,
          pods: 'pods: 1 of 1 not ready (1 ImagePullBackOff); web-1: container web ImagePullBackOff: Back-off pulling image "web:6.99"',
        },
      ],
      counts: { total: 1, missing: 0, notReady: 1, notVisible: 0, unknownKind: 0 },
    };
    const { text } = renderTree(tree, { offset: 0, limit: 10, problemsOnly: false }, 'prod');
    const line = text.split('\n')[2]!;
    expect(
      line.startsWith('  Deployment apps/web  NOT READY: ready 0/1, progress deadline exceeded: x'),
    ).toBe(true);
    expect(line).toMatch(/x \.\.\. \[\d+ more characters\]; pods: 1 of 1 not ready/);
    expect(line).toContain('web-1: container web ImagePullBackOff: Back-off pulling image "web:6.99"');
  });
});
