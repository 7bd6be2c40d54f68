import { describe, expect, it } from 'vitest';
import { deploymentHealth, objectHealth } from '../../src/kube/health.js';
import { imageVersion, parseImage } from '../../src/kube/images.js';
import type { KubeObject } from '../../src/kube/types.js';

function dep(status: Record<string, unknown>, replicas = 2, generation = 3): KubeObject {
  return {
    kind: 'Deployment',
    metadata: { name: 'd', generation },
    spec: { replicas },
    status: { observedGeneration: generation, ...status },
  };
}

const full = { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };

describe('deploymentHealth', () => {
  it('is ready when every replica is updated, ready and available', () => {
    expect(deploymentHealth(dep(full))).toEqual({ ready: true, message: 'ready 2/2' });
  });

  it('is not ready while the controller has not observed the latest generation', () => {
    expect(deploymentHealth(dep({ ...full, observedGeneration: 2 }))).toEqual({
      ready: false,
      message: 'ready 2/2, rollout not observed yet',
    });
  });

  it('reports an exceeded progress deadline with its message', () => {
    const d = dep({
      ...full,
      readyReplicas: 0,
      conditions: [
        { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' },
      ],
    });
    expect(deploymentHealth(d)).toEqual({
      ready: false,
      message: 'ready 0/2, progress deadline exceeded: timed out',
    });
  });

  it('is not ready while old replicas are still terminating', () => {
    expect(deploymentHealth(dep({ ...full, replicas: 3 })).message).toBe(
      'ready 2/2, 1 old replicas terminating',
    );
  });

  it('counts a missing replicas field as one desired replica', () => {
    const d: KubeObject = {
      kind: 'Deployment',
      metadata: {},
      spec: {},
      status: { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
    };
    expect(deploymentHealth(d)).toEqual({ ready: true, message: 'ready 1/1' });
  });
});

describe('objectHealth', () => {
  it('has no readiness for kinds without one', () => {
    expect(objectHealth({ kind: 'ConfigMap', metadata: {} })).toEqual({
      ready: undefined,
      message: 'present',
    });
  });

  it('reads the Ready condition of other kinds', () => {
    const obj: KubeObject = {
      kind: 'Certificate',
      metadata: {},
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Pending', message: 'issuing' }] },
    };
    expect(objectHealth(obj)).toEqual({ ready: false, message: 'Ready=False Pending: issuing' });
  });

  it('is not ready while being deleted', () => {
    expect(
      objectHealth({ kind: 'ConfigMap', metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }).ready,
    ).toBe(false);
  });

  it('reads a failed Job', () => {
    const job: KubeObject = {
      kind: 'Job',
      metadata: {},
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    };
    expect(objectHealth(job)).toEqual({ ready: false, message: 'Failed: BackoffLimitExceeded' });
  });
});

describe('parseImage', () => {
  it('splits name and tag from a registry path', () => {
    expect(parseImage('ghcr.io/fluxcd/source-controller:v1.7.0')).toEqual({
      name: 'source-controller',
      tag: 'v1.7.0',
    });
  });

  it('does not take a registry port for a tag', () => {
    expect(parseImage('localhost:5000/fluxcd/helm-controller')).toEqual({ name: 'helm-controller' });
  });

  it('keeps tag and digest apart', () => {
    expect(parseImage('ghcr.io/fluxcd/kustomize-controller:v1.7.3@sha256:abc')).toEqual({
      name: 'kustomize-controller',
      tag: 'v1.7.3',
      digest: 'sha256:abc',
    });
  });

  it('names the version by tag, else by short digest, else latest', () => {
    expect(imageVersion({ name: 'x', tag: 'v1' })).toBe('v1');
    expect(imageVersion({ name: 'x', digest: `sha256:${'a'.repeat(64)}` })).toBe(`sha256:${'a'.repeat(12)}`);
    expect(imageVersion({ name: 'x' })).toBe('latest');
  });
});
