import { describe, expect, it } from 'vitest';
import { findFluxKind } from '../../src/flux/kinds.js';
import { staleness } from '../../src/flux/staleness.js';
import type { KubeObject } from '../../src/kube/types.js';

const ks = findFluxKind('Kustomization')!;
const hr = findFluxKind('HelmRelease')!;
const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function kustomization(status: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    kind: 'Kustomization',
    metadata: { name: 'app', namespace: 'apps', ...(extra.metadata ?? {}) },
    spec: { interval: '10m', ...(extra.spec ?? {}) },
    status,
  };
}

const readyAt = (t: string) => ({ type: 'Ready', status: 'True', lastTransitionTime: t });

describe('staleness', () => {
  it('calls a Kustomization stale when its newest history entry is older than three intervals', () => {
    const s = staleness(
      kustomization({ conditions: [readyAt(ago(600))], history: [{ lastReconciled: ago(360) }] }),
      ks,
      NOW,
    );
    expect(s).toEqual({
      lastHandled: ago(360).replace(/\.\d+Z$/, 'Z'),
      interval: '10m',
      thresholdMs: 30 * 60_000,
    });
  });

  it('does not call a Kustomization stale that was reconciled within three intervals', () => {
    expect(
      staleness(
        kustomization({ conditions: [readyAt(ago(600))], history: [{ lastReconciled: ago(25) }] }),
        ks,
        NOW,
      ),
    ).toBeUndefined();
  });

  it('never calls an object stale on an old Ready transition alone: quiet objects keep their conditions', () => {
    expect(staleness(kustomization({ conditions: [readyAt(ago(60 * 24 * 30))] }), ks, NOW)).toBeUndefined();
  });

  it('waits at least fifteen minutes for objects with short intervals', () => {
    const obj = kustomization({ history: [{ lastReconciled: ago(10) }] }, { spec: { interval: '1m' } });
    expect(staleness(obj, ks, NOW)).toBeUndefined();
  });

  it('adds the timeout to the allowance, since one run may take that long', () => {
    const obj = kustomization(
      { history: [{ lastReconciled: ago(40) }] },
      { spec: { interval: '10m', timeout: '15m' } },
    );
    expect(staleness(obj, ks, NOW)).toBeUndefined();
  });

  it('calls an object stale whose reconcile request was not handled for longer than the allowance', () => {
    const obj: KubeObject = {
      kind: 'HelmRelease',
      metadata: {
        name: 'x',
        namespace: 'apps',
        annotations: { 'reconcile.fluxcd.io/requestedAt': ago(120) },
      },
      spec: { interval: '10m' },
      status: { lastHandledReconcileAt: ago(600) },
    };
    expect(staleness(obj, hr, NOW)).toMatchObject({ requestPendingSince: ago(120).replace(/\.\d+Z$/, 'Z') });
  });

  it('does not count a request the controller already handled', () => {
    const token = ago(120);
    const obj: KubeObject = {
      kind: 'HelmRelease',
      metadata: { name: 'x', namespace: 'apps', annotations: { 'reconcile.fluxcd.io/requestedAt': token } },
      spec: { interval: '10m' },
      status: { lastHandledReconcileAt: token },
    };
    expect(staleness(obj, hr, NOW)).toBeUndefined();
  });

  it('dates a request whose token is not a time by the managedFields entry that set it', () => {
    const obj: KubeObject = {
      kind: 'HelmRelease',
      metadata: {
        name: 'x',
        namespace: 'apps',
        annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-please' },
        managedFields: [
          {
            manager: 'kubectl-annotate',
            time: ago(90),
            fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:reconcile.fluxcd.io/requestedAt': {} } } },
          },
        ],
      },
      spec: { interval: '10m' },
      status: {},
    };
    expect(staleness(obj, hr, NOW)?.requestPendingSince).toBe(ago(90).replace(/\.\d+Z$/, 'Z'));
  });

  it('never calls a suspended object stale', () => {
    const obj = kustomization(
      { history: [{ lastReconciled: ago(600) }] },
      { spec: { interval: '10m', suspend: true } },
    );
    expect(staleness(obj, ks, NOW)).toBeUndefined();
  });
});
