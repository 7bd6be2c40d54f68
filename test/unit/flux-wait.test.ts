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

  it('fails with the Ready message when Ready is False', () => {
    const o = withStatus({
      conditions: [
        { type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'kustomize build failed' },
        { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry' },
      ],
    });
    expect(verdict(o, ks)).toEqual({ result: 'failed', message: 'kustomize build failed' });
  });

  it('keeps waiting when a health check was cancelled by a newer reconcile', () => {
    const o = withStatus({ conditions: [{ type: 'Ready', status: 'False', reason: 'HealthCheckCanceled' }] });
    expect(verdict(o, ks)).toBeUndefined();
  });

  it('fails with the Stalled message', () => {
    const o = withStatus({ conditions: [{ type: 'Stalled', status: 'True', message: 'retries exhausted' }] });
    expect(verdict(o, ks)).toEqual({ result: 'failed', message: 'retries exhausted' });
  });

  it('keeps waiting while Ready is Unknown', () => {
    expect(verdict(withStatus({ conditions: [{ type: 'Ready', status: 'Unknown' }] }), ks)).toBeUndefined();
  });
});

describe('currentState', () => {
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
