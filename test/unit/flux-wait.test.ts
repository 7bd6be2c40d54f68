import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/flux/duration.js';
import { findFluxKind } from '../../src/flux/kinds.js';
import { currentState, successMessage, verdict } from '../../src/flux/wait.js';
import type { KubeObject } from '../../src/kube/types.js';

const ks = findFluxKind('Kustomization')!;
const git = findFluxKind('GitRepository')!;

const withStatus = (status: Record<string, unknown>, generation = 3): KubeObject => ({
  kind: 'Kustomization',
  metadata: { name: 'a', namespace: 'b', generation },
  status,
});

describe('verdict after the controller handled the request', () => {
  it('is ready when Ready is True on the current generation', () => {
    const o = withStatus({
      observedGeneration: 3,
      conditions: [{ type: 'Ready', status: 'True', message: 'ok' }],
    });
    expect(verdict(o, ks)).toEqual({ result: 'ready', message: 'ok' });
  });

  it('is still in progress when Ready is True but an older generation was observed', () => {
    const o = withStatus({ observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True' }] });
    expect(verdict(o, ks)).toBeUndefined();
  });

  it('fails with the controller reason and the Ready message when Ready is False', () => {
    const o = withStatus({
      conditions: [
        { type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'kustomize build failed' },
        { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry' },
      ],
    });
    expect(verdict(o, ks)).toEqual({
      result: 'failed',
      reason: 'BuildFailed',
      message: 'BuildFailed: kustomize build failed',
    });
  });

  it('fails on a first reconcile that never succeeded (status.observedGeneration still -1)', () => {
    const o = withStatus(
      {
        observedGeneration: -1,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ArtifactFailed',
            message:
              'kustomization path not found: stat /tmp/kustomization-1/apps: no such file or directory',
            observedGeneration: 1,
          },
        ],
      },
      1,
    );
    expect(verdict(o, ks)).toMatchObject({ result: 'failed', reason: 'ArtifactFailed' });
  });

  it('keeps waiting on a failure written for an older generation', () => {
    const o = withStatus({
      conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed', observedGeneration: 2 }],
    });
    expect(verdict(o, ks)).toBeUndefined();
  });

  it('fails a suspended object: the controller copies the token but reconciles nothing', () => {
    const o: KubeObject = {
      ...withStatus({
        observedGeneration: 3,
        lastHandledReconcileAt: 't1',
        conditions: [{ type: 'Ready', status: 'True', message: 'Applied revision: main@sha1:old' }],
      }),
      spec: { suspend: true },
    };
    expect(verdict(o, ks)).toMatchObject({ result: 'failed', reason: 'Suspended' });
  });

  it('keeps waiting when a health check was cancelled by a newer reconcile', () => {
    const o = withStatus({ conditions: [{ type: 'Ready', status: 'False', reason: 'HealthCheckCanceled' }] });
    expect(verdict(o, ks)).toBeUndefined();
  });

  it('fails with the Stalled message', () => {
    const o = withStatus({ conditions: [{ type: 'Stalled', status: 'True', message: 'retries exhausted' }] });
    expect(verdict(o, ks)).toEqual({ result: 'failed', message: 'Stalled: retries exhausted' });
  });

  it('keeps waiting while Ready is Unknown', () => {
    expect(verdict(withStatus({ conditions: [{ type: 'Ready', status: 'Unknown' }] }), ks)).toBeUndefined();
  });
});

describe('verdict on a HelmRelease', () => {
  const hr = findFluxKind('HelmRelease')!;
  const helmError =
    'Helm upgrade failed for release demo/demo with chart demo@0.3.0: ConfigMap "Bad_Name" is invalid';
  // As helm-controller writes it once upgrade retries are exhausted.
  const stalled = (status: Record<string, unknown> = {}, generation = 3): KubeObject => ({
    kind: 'HelmRelease',
    metadata: { name: 'demo', namespace: 'apps', generation },
    status: {
      observedGeneration: 3,
      lastHandledReconcileAt: 't1',
      conditions: [
        {
          type: 'Stalled',
          status: 'True',
          reason: 'RetriesExceeded',
          message: 'Failed to upgrade after 1 attempt(s)',
          observedGeneration: 3,
        },
        {
          type: 'Ready',
          status: 'False',
          reason: 'UpgradeFailed',
          message: helmError,
          observedGeneration: 3,
        },
        {
          type: 'Released',
          status: 'False',
          reason: 'UpgradeFailed',
          message: helmError,
          observedGeneration: 3,
        },
      ],
      ...status,
    },
  });

  it('names the Stalled reason and the condition that says why', () => {
    expect(verdict(stalled(), hr)).toEqual({
      result: 'failed',
      reason: 'RetriesExceeded',
      message: `Stalled (RetriesExceeded): Failed to upgrade after 1 attempt(s); UpgradeFailed: ${helmError}`,
    });
  });

  it('says that a plain request is not retried and that reset is the way', () => {
    const message = verdict(stalled(), hr, 't1')!.message;
    expect(message).toMatch(/^Stalled \(RetriesExceeded\): Failed to upgrade after 1 attempt\(s\)\. A plain/);
    expect(message).toContain('reconcile with reset to try again');
    expect(message).toContain(`The failure: UpgradeFailed: ${helmError}`);
  });

  it('says that the reset was tried when the controller handled our reset', () => {
    const message = verdict(stalled({ lastHandledResetAt: 't1' }), hr, 't1')!.message;
    expect(message).toContain(
      'The reset was handled: helm-controller tried again and the release failed again',
    );
  });

  it('keeps waiting on a failure written while Reconciling is still Progressing (Stalled comes next)', () => {
    const o = stalled();
    (o.status!.conditions as Record<string, unknown>[])[0] = {
      type: 'Reconciling',
      status: 'True',
      reason: 'Progressing',
      message: "Running 'upgrade' action with timeout of 5m0s",
      observedGeneration: 3,
    };
    expect(verdict(o, hr)).toBeUndefined();
  });

  it('keeps waiting through SourceNotReady while the HelmChart of a new chart version is built', () => {
    // helm-controller returns before touching the old Stalled condition and status.observedGeneration.
    const o = stalled({}, 4);
    (o.status!.conditions as Record<string, unknown>[])[1] = {
      type: 'Ready',
      status: 'False',
      reason: 'SourceNotReady',
      message: "HelmChart 'apps/apps-demo' is not ready: latest generation of object has not been reconciled",
      observedGeneration: 4,
    };
    expect(verdict(o, hr)).toBeUndefined();
  });
});

describe('currentState', () => {
  it('names the failure, not the retry, when a failed object keeps Reconciling=True', () => {
    expect(
      currentState(
        withStatus({
          conditions: [
            {
              type: 'Reconciling',
              status: 'True',
              reason: 'ProgressingWithRetry',
              message: 'building artifact',
            },
            { type: 'Ready', status: 'False', reason: 'GitOperationFailed', message: 'unable to clone' },
          ],
        }),
      ),
    ).toBe('Ready=False (GitOperationFailed): unable to clone');
  });

  it('names the condition that matters most', () => {
    expect(
      currentState(
        withStatus({ conditions: [{ type: 'Reconciling', status: 'True', message: 'Building manifests' }] }),
      ),
    ).toBe('Reconciling: Building manifests');
    expect(currentState(withStatus({}))).toBe('no status yet: the controller has not reconciled it');
  });
});

describe('successMessage', () => {
  it('says what the flux CLI says per kind', () => {
    expect(successMessage(withStatus({ lastAppliedRevision: 'main@sha1:abc' }), ks)).toBe(
      'applied revision main@sha1:abc',
    );
    expect(
      successMessage({ kind: 'GitRepository', status: { artifact: { revision: 'main@sha1:abc' } } }, git),
    ).toBe('fetched revision main@sha1:abc');
  });
});

describe('parseDuration', () => {
  it('reads Go durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2h')).toBe(7_200_000);
  });

  it('refuses anything else', () => {
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('five minutes')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
  });
});
