import { describe, expect, it } from 'vitest';
import {
  findRelease,
  kubernetesOlderThan,
  minKubernetes,
  parseVersion,
  servedAs,
} from '../../src/flux/releases.js';
import { managedFieldsPatch } from '../../src/flux/storage-migration.js';
import { resolveTarget } from '../../src/flux/upgrade-check.js';

describe('Flux versions', () => {
  it('reads exact versions, ranges and FluxInstance revisions', () => {
    expect(parseVersion('2.9.5')).toEqual({ major: 2, minor: 9, patch: 5 });
    expect(parseVersion('v2.9.5@sha256:0123')).toEqual({ major: 2, minor: 9, patch: 5 });
    expect(parseVersion('2.9.x')).toEqual({ major: 2, minor: 9 });
    expect(parseVersion('2.9')).toEqual({ major: 2, minor: 9 });
    expect(parseVersion('2.x')).toEqual({ major: 2, minor: -1 });
    expect(parseVersion('v1.34.4-eks-1')).toEqual({ major: 1, minor: 34, patch: 4 });
  });

  it('rejects what is not a version', () => {
    expect(parseVersion('latest')).toBeUndefined();
    expect(parseVersion('2.x.5')).toBeUndefined();
    expect(parseVersion('>=2.8')).toBeUndefined();
  });

  it('resolves a target to a known release, its newest patch unless one is named', () => {
    expect(resolveTarget('2.9').version).toBe('v2.9.5');
    expect(resolveTarget('2.8.x').version).toBe('v2.8.8');
    expect(resolveTarget('v2.9.2').version).toBe('v2.9.2');
    expect(resolveTarget('2.x').release.minor).toBe('2.9');
  });

  it('names the known releases when the target is not one of them', () => {
    expect(() => resolveTarget('2.10')).toThrow('known releases: 2.7, 2.8, 2.9');
    expect(() => resolveTarget('next')).toThrow('is not a Flux version');
  });

  it('knows what each release removed', () => {
    const r28 = findRelease('2.8')!;
    const r29 = findRelease('2.9')!;
    expect(servedAs(r28, 'kustomize.toolkit.fluxcd.io', 'Kustomization', 'v1beta2')).toBe('removed');
    expect(servedAs(r28, 'image.toolkit.fluxcd.io', 'ImageRepository', 'v1beta2')).toBe('deprecated');
    expect(servedAs(r29, 'image.toolkit.fluxcd.io', 'ImageRepository', 'v1beta2')).toBe('removed');
    expect(servedAs(r29, 'notification.toolkit.fluxcd.io', 'Alert', 'v1beta3')).toBe('storage');
    expect(servedAs(r29, 'fluxcd.controlplane.io', 'FluxInstance', 'v1')).toBe('unknown');
  });

  it('compares Kubernetes versions by minor, whatever the vendor suffix', () => {
    expect(minKubernetes('v2.9.5')).toBe('1.33');
    expect(minKubernetes('v2.6.3')).toBe('1.31');
    expect(kubernetesOlderThan('v1.32.9+k3s1', '1.33')).toBe(true);
    expect(kubernetesOlderThan('v1.33.0-eks-1', '1.33')).toBe(false);
  });
});

describe('managedFieldsPatch', () => {
  const obj = (versions: string[]) => ({
    metadata: {
      resourceVersion: '42',
      managedFields: versions.map((apiVersion, i) => ({ manager: `m${i}`, apiVersion, operation: 'Apply' })),
    },
  });

  it('moves every entry to the storage apiVersion, guarded by the resourceVersion it was made from', () => {
    expect(managedFieldsPatch(obj(['g/v1beta2', 'g/v1']), 'g/v1')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      {
        op: 'replace',
        path: '/metadata/managedFields',
        value: [
          { manager: 'm0', apiVersion: 'g/v1', operation: 'Apply' },
          { manager: 'm1', apiVersion: 'g/v1', operation: 'Apply' },
        ],
      },
    ]);
  });

  it('is not needed when every entry already names the storage version, or there are none', () => {
    expect(managedFieldsPatch(obj(['g/v1']), 'g/v1')).toBeUndefined();
    expect(managedFieldsPatch(obj([]), 'g/v1')).toBeUndefined();
  });
});
