import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeHelmRelease,
  helmStorageSecretName,
  latestRelease,
  manifestObjects,
} from '../../src/flux/helm-storage.js';

const MANIFEST = `---
# Source: podinfo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: podinfo
---
# Source: podinfo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  namespace: other
---
# Source: podinfo/templates/empty.yaml
`;

const RELEASE = {
  name: 'podinfo',
  namespace: 'apps',
  version: 3,
  info: { status: 'deployed', description: 'Upgrade complete' },
  chart: { metadata: { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' } },
  manifest: MANIFEST,
};

/** What the API returns in Secret data: base64 of Helm's base64(gzip(JSON)). */
function storageValue(release: unknown, gzip = true): string {
  const json = Buffer.from(JSON.stringify(release));
  const helm = (gzip ? gzipSync(json) : json).toString('base64');
  return Buffer.from(helm).toString('base64');
}

describe('Helm release storage', () => {
  it('names the storage Secret after the release and revision', () => {
    expect(helmStorageSecretName('podinfo', 3)).toBe('sh.helm.release.v1.podinfo.v3');
  });

  it('decodes a gzipped release record with its chart and manifest', () => {
    expect(decodeHelmRelease(storageValue(RELEASE))).toEqual({
      name: 'podinfo',
      namespace: 'apps',
      revision: 3,
      status: 'deployed',
      chartName: 'podinfo',
      chartVersion: '6.5.0',
      appVersion: '6.5.0',
      manifest: MANIFEST,
    });
  });

  it('decodes a record Helm stored without gzip', () => {
    expect(decodeHelmRelease(storageValue(RELEASE, false)).revision).toBe(3);
  });

  it('says so when the record is not Helm data', () => {
    expect(() => decodeHelmRelease(Buffer.from('not helm').toString('base64'))).toThrow(
      /Helm storage record cannot be decoded/,
    );
  });

  it('lists the objects of the manifest, keeping namespaces only where written', async () => {
    expect(await manifestObjects(MANIFEST)).toEqual([
      { apiVersion: 'v1', kind: 'Service', name: 'podinfo' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'other' },
    ]);
  });

  it('finds the newest release from the HelmRelease history and storage namespace', () => {
    expect(
      latestRelease({
        metadata: { name: 'podinfo', namespace: 'flux-system' },
        status: {
          storageNamespace: 'apps',
          history: [
            { name: 'podinfo', namespace: 'apps', version: 3 },
            { name: 'podinfo', namespace: 'apps', version: 2 },
          ],
        },
      }),
    ).toEqual({ name: 'podinfo', namespace: 'apps', revision: 3, storageNamespace: 'apps' });
  });

  it('has no newest release before the first install', () => {
    expect(latestRelease({ metadata: { name: 'x', namespace: 'apps' }, status: {} })).toBeUndefined();
  });
});
