import { describe, expect, it } from 'vitest';
import {
  helmReleaseCoordinates,
  remediationSettings,
  shortenReleaseName,
  specReleaseName,
} from '../../src/flux/helm-release.js';
import type { KubeObject } from '../../src/kube/types.js';

function hr(spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'my-release', namespace: 'apps' },
    spec,
    ...(status ? { status } : {}),
  };
}

describe('HelmRelease release names (helm-controller rules)', () => {
  it('uses spec.releaseName when set', () => {
    expect(specReleaseName(hr({ releaseName: 'podinfo', targetNamespace: 'web' }))).toBe('podinfo');
  });

  it('prefixes the name with spec.targetNamespace when set', () => {
    expect(specReleaseName(hr({ targetNamespace: 'web' }))).toBe('web-my-release');
  });

  it('shortens names over 53 characters to 40 characters, a dash and 12 hex of their SHA-256', () => {
    const long = 'a-very-long-target-namespace-name-for-testing-and-my-release';
    expect(shortenReleaseName(long)).toBe('a-very-long-target-namespace-name-for-te-3f1106e53b63');
    expect(shortenReleaseName('x'.repeat(53))).toBe('x'.repeat(53));
  });

  it('finds the release where status says the controller put it, before the spec', () => {
    const where = helmReleaseCoordinates(
      hr(
        { releaseName: 'new-name', storageNamespace: 'spec-ns' },
        { storageNamespace: 'helm-store', history: [{ name: 'old-name', namespace: 'web', version: 3 }] },
      ),
    );
    expect(where).toEqual({
      release: 'old-name',
      namespace: 'web',
      storageNamespace: 'helm-store',
      maxHistory: 5,
    });
  });

  it('falls back to the spec and the HelmRelease namespace before the first release', () => {
    expect(helmReleaseCoordinates(hr({ targetNamespace: 'web', maxHistory: 0 }))).toEqual({
      release: 'web-my-release',
      namespace: 'web',
      storageNamespace: 'apps',
      maxHistory: 0,
    });
  });
});

describe('remediation settings', () => {
  it("fills in helm-controller's defaults", () => {
    expect(remediationSettings(hr({ upgrade: { remediation: { retries: 3 } } }))).toEqual({
      install: { retries: 0, remediateLastFailure: false },
      upgrade: { retries: 3, remediateLastFailure: true, strategy: 'rollback' },
      rollback: {
        disableWait: false,
        disableHooks: false,
        recreate: false,
        force: false,
        cleanupOnFail: false,
      },
      maxHistory: 5,
    });
  });

  it('reports what the spec sets', () => {
    const m = remediationSettings(
      hr({
        install: { remediation: { retries: 2, remediateLastFailure: true, ignoreTestFailures: true } },
        upgrade: { remediation: { retries: 0, strategy: 'uninstall', remediateLastFailure: false } },
        rollback: { timeout: '2m', cleanupOnFail: true, serverSideApply: 'enabled' },
        maxHistory: 10,
      }),
    );
    expect(m.install).toEqual({ retries: 2, remediateLastFailure: true, ignoreTestFailures: true });
    expect(m.upgrade).toEqual({ retries: 0, remediateLastFailure: false, strategy: 'uninstall' });
    expect(m.rollback).toMatchObject({ timeout: '2m', cleanupOnFail: true, serverSideApply: 'enabled' });
    expect(m.maxHistory).toBe(10);
  });
});
