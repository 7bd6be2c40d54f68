import { describe, expect, it } from 'vitest';
import { findFluxKind } from '../../src/flux/kinds.js';
import { computeKStatus, fluxRevision, isSuspended, summarizeFlux } from '../../src/flux/status.js';
import type { KubeObject } from '../../src/kube/types.js';

const ks = findFluxKind('Kustomization')!;
const hr = findFluxKind('HelmRelease')!;

function obj(status: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'podinfo', namespace: 'apps', generation: 2, ...(extra.metadata ?? {}) },
    spec: extra.spec ?? {},
    status,
  };
}

const ready = (s: string, reason = 'R', message = 'm') => ({ type: 'Ready', status: s, reason, message });

describe('computeKStatus', () => {
  it('is Terminating when a deletion timestamp is set', () => {
    expect(computeKStatus(obj({}, { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } })).status).toBe(
      'Terminating',
    );
  });

  it('is InProgress when the latest generation is not observed yet', () => {
    const r = computeKStatus(obj({ observedGeneration: 1, conditions: [ready('True')] }));
    expect(r).toEqual({
      status: 'InProgress',
      message: 'Kustomization generation is 2, but latest observed generation is 1',
    });
  });

  it('is InProgress while Reconciling is True', () => {
    const r = computeKStatus(
      obj({
        observedGeneration: 2,
        conditions: [{ type: 'Reconciling', status: 'True', message: 'Building' }, ready('Unknown')],
      }),
    );
    expect(r).toEqual({ status: 'InProgress', message: 'Building' });
  });

  it('is Failed when Stalled is True, with its message', () => {
    const r = computeKStatus(
      obj({
        observedGeneration: 2,
        conditions: [{ type: 'Stalled', status: 'True', message: 'invalid CEL' }, ready('False')],
      }),
    );
    expect(r).toEqual({ status: 'Failed', message: 'invalid CEL' });
  });

  it('is Current when Ready is True', () => {
    expect(computeKStatus(obj({ observedGeneration: 2, conditions: [ready('True')] })).status).toBe(
      'Current',
    );
  });

  it('is InProgress when Ready is False without Stalled, as the flux CLI keeps waiting', () => {
    expect(computeKStatus(obj({ observedGeneration: 2, conditions: [ready('False')] })).status).toBe(
      'InProgress',
    );
  });

  it('is Current when there are no conditions at all', () => {
    expect(computeKStatus(obj({})).status).toBe('Current');
  });
});

describe('summarizeFlux', () => {
  it('reports a failing object with its reason, message and since', () => {
    const s = summarizeFlux(
      obj({
        observedGeneration: 2,
        conditions: [
          { ...ready('False', 'HealthCheckFailed', 'not ready'), lastTransitionTime: '2026-01-01T00:00:00Z' },
        ],
      }),
      ks,
    );
    expect(s).toMatchObject({
      ready: 'False',
      state: 'Failing',
      reason: 'HealthCheckFailed',
      message: 'not ready',
      since: '2026-01-01T00:00:00Z',
      suspended: false,
    });
  });

  it('reports the Stalled reason, with the failure that caused it from the Ready condition', () => {
    const s = summarizeFlux(
      obj({
        conditions: [
          ready('False', 'UpgradeFailed', 'Helm upgrade failed: ConfigMap "Bad_Name" is invalid'),
          {
            type: 'Stalled',
            status: 'True',
            reason: 'RetriesExceeded',
            message: 'Failed to upgrade after 1 attempt(s)',
          },
        ],
      }),
      hr,
    );
    expect(s).toMatchObject({
      state: 'Stalled',
      reason: 'RetriesExceeded',
      message:
        'Failed to upgrade after 1 attempt(s); UpgradeFailed: Helm upgrade failed: ConfigMap "Bad_Name" is invalid',
    });
  });

  it('does not repeat a Stalled message that Ready repeats', () => {
    const s = summarizeFlux(
      obj({
        conditions: [
          ready('False', 'AccessDenied', 'cross-namespace references are not allowed'),
          {
            type: 'Stalled',
            status: 'True',
            reason: 'AccessDenied',
            message: 'cross-namespace references are not allowed',
          },
        ],
      }),
      hr,
    );
    expect(s.message).toBe('cross-namespace references are not allowed');
  });

  it('reports suspension before readiness', () => {
    const s = summarizeFlux(obj({ conditions: [ready('True')] }, { spec: { suspend: true } }), ks);
    expect(s.state).toBe('Suspended');
    expect(s.suspended).toBe(true);
  });

  it('says an object without a Ready condition is waiting to be reconciled', () => {
    expect(summarizeFlux(obj({}), ks)).toMatchObject({
      ready: 'Unknown',
      message: 'waiting to be reconciled',
    });
  });

  it('treats an OCI HelmRepository as static and ready', () => {
    const repo: KubeObject = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'r' },
      spec: { type: 'oci' },
    };
    expect(summarizeFlux(repo, findFluxKind('HelmRepository'))).toMatchObject({
      ready: 'True',
      state: 'Static',
    });
  });
});

describe('isSuspended', () => {
  it('reads spec.suspend for toolkit kinds', () => {
    expect(isSuspended(obj({}, { spec: { suspend: true } }), ks)).toBe(true);
    expect(isSuspended(obj({}, { spec: {} }), ks)).toBe(false);
  });

  it('reads the reconcile annotation for Flux Operator kinds', () => {
    const rset: KubeObject = {
      kind: 'ResourceSet',
      metadata: { name: 'x', annotations: { 'fluxcd.controlplane.io/reconcile': 'Disabled' } },
    };
    expect(isSuspended(rset, findFluxKind('ResourceSet'))).toBe(true);
  });

  it('reads the source-watcher annotation for ArtifactGenerator', () => {
    const ag: KubeObject = {
      kind: 'ArtifactGenerator',
      metadata: { name: 'x', annotations: { 'source.extensions.fluxcd.io/reconcile': 'disabled' } },
    };
    expect(isSuspended(ag, findFluxKind('ArtifactGenerator'))).toBe(true);
  });
});

describe('fluxRevision', () => {
  it('is the last applied revision of a Kustomization', () => {
    expect(fluxRevision(obj({ lastAppliedRevision: 'main@sha1:abc' }), ks)).toBe('main@sha1:abc');
  });

  it('is the chart version of the latest HelmRelease history entry, else the last attempted revision', () => {
    expect(fluxRevision(obj({ history: [{ chartVersion: '6.5.0' }, { chartVersion: '6.4.0' }] }), hr)).toBe(
      '6.5.0',
    );
    expect(fluxRevision(obj({ lastAttemptedRevision: '6.3.0' }), hr)).toBe('6.3.0');
  });

  it('is the artifact revision of a source', () => {
    expect(fluxRevision(obj({ artifact: { revision: 'v1@sha256:ff' } }), findFluxKind('OCIRepository'))).toBe(
      'v1@sha256:ff',
    );
  });

  it('is image:tag of an ImagePolicy', () => {
    expect(
      fluxRevision(obj({ latestRef: { name: 'ghcr.io/x/app', tag: '1.2.3' } }), findFluxKind('ImagePolicy')),
    ).toBe('ghcr.io/x/app:1.2.3');
  });
});
