// Our reading of Flux objects exactly as the real controllers left them (captured by the end-to-end tests:
// test/fixtures/real-flux/ from the Flux 2.9 controllers, test/fixtures/real-flux/2.7/ from the Flux 2.7
// ones): the verdict of a wait, the one-line summary, what the object is doing now.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { historySnapshots, upgradesUnrecordedRevision } from '../../src/flux/helm-release.js';
import { findFluxKind } from '../../src/flux/kinds.js';
import { FLUX_RELEASES } from '../../src/flux/releases.js';
import { staleness } from '../../src/flux/staleness.js';
import { stringField, summarizeFlux } from '../../src/flux/status.js';
import { currentState, successMessage, verdict } from '../../src/flux/wait.js';
import type { KubeObject } from '../../src/kube/types.js';

const ks = findFluxKind('Kustomization')!;
const hr = findFluxKind('HelmRelease')!;

/** `name` as the controllers of `release` left it. */
function capturedFrom(release: string, name: string): KubeObject {
  const dir = release === '2.9' ? '' : `${release}/`;
  return parse(
    readFileSync(new URL(`../fixtures/real-flux/${dir}${name}.yaml`, import.meta.url), 'utf8'),
  ) as KubeObject;
}

/** The token the controller last handled: what a wait for that request compares with. */
function handledToken(obj: KubeObject): string {
  return stringField(obj, 'status', 'lastHandledReconcileAt')!;
}

describe.each(['2.9', '2.7'])('Flux %s', (release) => {
  const captured = (name: string) => capturedFrom(release, name);

  describe('a Kustomization as kustomize-controller left it', () => {
    it('after a reconcile with its source: ready, with the applied revision', () => {
      const obj = captured('kustomization-after-reconcile-with-source');
      expect(verdict(obj, ks, handledToken(obj))).toMatchObject({ result: 'ready' });
      expect(successMessage(obj, ks)).toMatch(/^applied revision main@sha1:[0-9a-f]{40}$/);
      expect(summarizeFlux(obj, ks).state).toBe('Ready');
    });

    it('after a broken commit: failed with BuildFailed and the kustomize error, though Reconciling stays True', () => {
      const obj = captured('kustomization-build-failed');
      const v = verdict(obj, ks, handledToken(obj));
      expect(v).toMatchObject({ result: 'failed', reason: 'BuildFailed' });
      expect(v!.message).toMatch(/^BuildFailed: kustomize build failed: .*missing\.yaml/);
      expect(currentState(obj)).toMatch(/^Ready=False \(BuildFailed\): kustomize build failed/);
      expect(summarizeFlux(obj, ks)).toMatchObject({ state: 'Failing', reason: 'BuildFailed' });
    });

    it('after a broken commit: names the commit it failed on apart from the last one applied', () => {
      const obj = captured('kustomization-build-failed');
      const s = summarizeFlux(obj, ks);
      expect(s.revision).toBe(stringField(obj, 'status', 'lastAppliedRevision'));
      expect(s.attemptedRevision).toBe(stringField(obj, 'status', 'lastAttemptedRevision'));
      expect(s.attemptedRevision).not.toBe(s.revision);
    });

    it('after a successful reconcile: has no attempted revision apart from the applied one', () => {
      expect(summarizeFlux(captured('kustomization-after-reconcile-with-source'), ks)).not.toHaveProperty(
        'attemptedRevision',
      );
    });

    it('suspended, with a request it recorded but did not act on: a failure, not a success', () => {
      const obj = captured('kustomization-suspended-after-request');
      expect(obj.status?.observedGeneration).toBe(obj.metadata?.generation);
      expect(verdict(obj, ks, handledToken(obj))).toMatchObject({ result: 'failed', reason: 'Suspended' });
      expect(summarizeFlux(obj, ks).state).toBe('Suspended');
      expect(staleness(obj, ks)).toBeUndefined();
    });

    it('is stale only when three intervals (1h) pass without a reconcile recorded in status.history', () => {
      const obj = captured('kustomization-after-reconcile-with-source');
      const history = obj.status?.history as { lastReconciled: string }[];
      const last = Math.max(...history.map((h) => Date.parse(h.lastReconciled)));
      expect(staleness(obj, ks, last + 60 * 60_000)).toBeUndefined();
      expect(staleness(obj, ks, last + 4 * 60 * 60_000)).toMatchObject({ interval: '1h' });
    });
  });

  describe('a HelmRelease as helm-controller left it', () => {
    it('after an upgrade: ready, with the chart version', () => {
      const obj = captured('helmrelease-upgraded');
      expect(verdict(obj, hr, handledToken(obj))).toMatchObject({ result: 'ready' });
      expect(successMessage(obj, hr)).toBe('applied revision 0.2.0');
    });

    it('after a failed upgrade: Stalled with RetriesExceeded and the Helm error from Ready', () => {
      const obj = captured('helmrelease-upgrade-failed');
      const v = verdict(obj, hr);
      expect(v).toMatchObject({ result: 'failed', reason: 'RetriesExceeded' });
      expect(v!.message).toMatch(
        /^Stalled \(RetriesExceeded\): Failed to upgrade after 1 attempt\(s\); UpgradeFailed: Helm upgrade failed for release .*Bad_Name_demo/,
      );
      expect(summarizeFlux(obj, hr)).toMatchObject({
        state: 'Stalled',
        reason: 'RetriesExceeded',
        message: expect.stringContaining('UpgradeFailed: Helm upgrade failed for release'),
      });
    });

    it('after a failed upgrade: the chart it failed with is its revision, with no other attempted one', () => {
      const obj = captured('helmrelease-upgrade-failed');
      const s = summarizeFlux(obj, hr);
      expect(s.revision).toBe(stringField(obj, 'status', 'lastAttemptedRevision'));
      expect(s).not.toHaveProperty('attemptedRevision');
    });

    it('after a plain request on the Stalled release: handled, not retried, and reset is the way', () => {
      const obj = captured('helmrelease-stalled-after-reconcile-request');
      const v = verdict(obj, hr, handledToken(obj));
      expect(v!.message).toContain(
        'A plain reconcile request does not retry a release whose retries are exhausted',
      );
      expect(v!.message).toContain('reconcile with reset to try again');
    });

    it('after a reset that failed again: says the reset was tried', () => {
      const obj = captured('helmrelease-stalled-after-reset-request');
      expect(stringField(obj, 'status', 'lastHandledResetAt')).toBe(handledToken(obj));
      expect(verdict(obj, hr, handledToken(obj))!.message).toContain(
        'The reset was handled: helm-controller tried again and the release failed again',
      );
    });

    it('after a failed install: Stalled with the install error', () => {
      const obj = captured('helmrelease-install-failed');
      // Helm 3 (Flux 2.7) puts each error on a line of its own ("1 error occurred:\n\t* ..."), Helm 4 not.
      expect(verdict(obj, hr)!.message).toMatch(
        /^Stalled \(RetriesExceeded\): Failed to install after 1 attempt\(s\); InstallFailed: Helm install failed .*not found/s,
      );
    });

    it('after a forced upgrade: ready, with the force request recorded', () => {
      const obj = captured('helmrelease-after-force-request');
      expect(stringField(obj, 'status', 'lastHandledForceAt')).toBe(handledToken(obj));
      expect(verdict(obj, hr, handledToken(obj))).toMatchObject({ result: 'ready' });
    });
  });
});

describe('a HelmRelease rolled back outside helm-controller, then resumed', () => {
  const servedBy = (minor: string) =>
    FLUX_RELEASES.find((r) => r.minor === minor)!.kinds.find((k) => k.kind === 'HelmRelease')!.served;

  it('is upgraded back by the Flux 2.7 helm-controller, whose records have no apiVersion', () => {
    const latest = historySnapshots(capturedFrom('2.7', 'helmrelease-rolled-back-while-suspended'))[0]!;
    expect(latest.apiVersion).toBeUndefined();
    expect(upgradesUnrecordedRevision(latest, servedBy('2.7'))).toBe(true);
  });

  it('is not checked against that same record by a Flux 2.8+ helm-controller (after an upgrade of Flux)', () => {
    const latest = historySnapshots(capturedFrom('2.7', 'helmrelease-rolled-back-while-suspended'))[0]!;
    expect(upgradesUnrecordedRevision(latest, servedBy('2.8'))).toBe(false);
  });

  it('is upgraded back by the Flux 2.9 helm-controller, whose records say apiVersion v2', () => {
    const latest = historySnapshots(capturedFrom('2.9', 'helmrelease-rolled-back-while-suspended'))[0]!;
    expect(latest.apiVersion).toBe('v2');
    expect(upgradesUnrecordedRevision(latest, servedBy('2.9'))).toBe(true);
  });
});
