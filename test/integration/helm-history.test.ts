// get_helmrelease_history: Helm storage joined with status.history and the remediation settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  fluxAtLeast,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { helmRelease, readyStatus } from '../support/flux.js';
import { helmStorageSecret, historySnapshot, type ReleaseRecord } from '../support/helm.js';
import { namespaceUser, type TestUser } from '../support/users.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let hrReader: TestUser;
let readerServer: ServerHandle;

const cm = (value: string) =>
  `---\n# Source: podinfo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo\ndata:\n  v: "${value}"\n`;
const SECRET_MANIFEST = `---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n# a comment stays\nstringData:\n  password: hunter2\ndata:\n  token: c2VjcmV0\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  visible: "yes"\n`;

function rec(revision: number, status: string, extra: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    name: 'podinfo',
    namespace: ns,
    revision,
    status,
    chart: { name: 'podinfo', version: `6.${revision}.0`, appVersion: `6.${revision}.0` },
    manifest: cm(String(revision)),
    ...extra,
  };
}

interface Rev {
  revision: number;
  status: string;
  live: boolean;
  observed: boolean;
  observedStatus?: string;
  rollbackTarget: boolean;
  stored: boolean;
  action?: string;
  applyMethod?: string;
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'history');
  const records = [
    rec(2, 'superseded', {
      extra: {
        info: {
          status: 'superseded',
          first_deployed: '',
          last_deployed: '',
          deleted: '',
          description: 'Upgrade complete',
        },
      },
    }),
    rec(3, 'superseded', { noChart: true }),
    rec(4, 'superseded', { applyMethod: 'ssa', manifest: SECRET_MANIFEST }),
    rec(5, 'failed', {
      applyMethod: 'ssa',
      description: 'Upgrade "podinfo" failed: context deadline exceeded',
    }),
    // A manual `helm rollback` to v4, which helm-controller has not seen.
    rec(6, 'deployed', { applyMethod: 'ssa', description: 'Rollback to 4' }),
  ];
  for (const r of records) await api.apply(helmStorageSecret(ns, r));
  const hr = await api.apply(
    helmRelease('podinfo', ns, {
      spec: {
        install: { remediation: { retries: 2 } },
        upgrade: { remediation: { retries: 3, strategy: 'rollback' } },
        rollback: { cleanupOnFail: true, timeout: '3m' },
        maxHistory: 8,
      },
    }),
  );
  const snapshot = (r: ReleaseRecord, action: string) => ({
    ...historySnapshot(r),
    action,
    apiVersion: 'v2',
  });
  await api.patchStatus(
    hr,
    readyStatus(1, {
      storageNamespace: ns,
      // helm-controller saw v5 fail and v4 deployed; v1 was pruned from storage since.
      history: [
        snapshot(rec(5, 'failed'), 'upgrade'),
        snapshot(rec(4, 'deployed'), 'upgrade'),
        snapshot(rec(1, 'superseded'), 'install'),
      ],
      failures: 4,
      installFailures: 0,
      upgradeFailures: 3,
      lastAttemptedReleaseAction: 'upgrade',
    }),
  );
  // A HelmRelease whose release name comes from targetNamespace.
  await api.apply(helmStorageSecret(ns, { ...rec(1, 'deployed'), name: `web-named` }));
  await api.apply(helmRelease('named', ns, { spec: { targetNamespace: 'web', storageNamespace: ns } }));
  hrReader = await namespaceUser(api, ns, 'hr-reader', [
    { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ['get', 'list'] },
  ]);
  server = await startServer();
  readerServer = await startServer([], { kubeconfig: hrReader.kubeconfig });
});

afterAll(async () => {
  await server?.close();
  await readerServer?.close();
  await api?.close();
});

describe('get_helmrelease_history', () => {
  it('lists every stored revision newest first, with what helm-controller observed and what can be rolled back to', async () => {
    const call = await callTool(server.client, 'get_helmrelease_history', { name: 'podinfo', namespace: ns });
    expect(call.result.isError, call.text).toBeFalsy();
    const revs = call.structured.revisions as Rev[];
    expect(revs.map((r) => r.revision)).toEqual([6, 5, 4, 3, 2, 1]);
    const by = (v: number) => revs.find((r) => r.revision === v)!;
    expect(by(6)).toMatchObject({
      status: 'deployed',
      observed: false,
      rollbackTarget: false,
      live: true,
      stored: true,
    });
    // status.history records the action from Flux 2.8; the 2.7 CRDs drop the field.
    const action = (a: string) => (fluxAtLeast('2.8') ? { action: a } : {});
    expect(by(5)).toMatchObject({
      status: 'failed',
      observed: true,
      ...action('upgrade'),
      rollbackTarget: false,
      applyMethod: 'ssa',
    });
    expect(by(4)).toMatchObject({
      status: 'superseded',
      live: false,
      observed: true,
      observedStatus: 'deployed',
      rollbackTarget: true,
    });
    expect(by(3)).toMatchObject({ status: 'superseded', rollbackTarget: false });
    expect(by(2)).toMatchObject({ status: 'superseded', rollbackTarget: true, observed: false });
    expect(by(1)).toMatchObject({ stored: false, observed: true, ...action('install') });
    expect(call.text).toMatch(
      fluxAtLeast('2.8')
        ? /v4 {2}superseded {2}podinfo-6\.4\.0 \(app 6\.4\.0\) {2}upgrade/
        : /v4 {2}superseded {2}podinfo-6\.4\.0 \(app 6\.4\.0\) {2}/,
    );
    expect(call.text).toContain('[observed as deployed, rollback target]');
    expect(call.text).toContain('Rollback targets: v4, v2.');
  });

  it('says which revision helm-controller never observed and what it will do about it', async () => {
    const call = await callTool(server.client, 'get_helmrelease_history', { name: 'podinfo', namespace: ns });
    expect(call.structured.notes).toEqual(
      expect.arrayContaining([expect.stringContaining('revision 6 is not in status.history')]),
    );
    expect(call.text).toContain('NOT observed by helm-controller');
  });

  it('reports the remediation settings with their defaults and the failure counters', async () => {
    const call = await callTool(server.client, 'get_helmrelease_history', { name: 'podinfo', namespace: ns });
    expect(call.structured.remediation).toEqual({
      install: { retries: 2, remediateLastFailure: false },
      upgrade: { retries: 3, remediateLastFailure: true, strategy: 'rollback' },
      rollback: {
        timeout: '3m',
        disableWait: false,
        disableHooks: false,
        recreate: false,
        force: false,
        cleanupOnFail: true,
      },
      maxHistory: 8,
    });
    expect(call.structured.failures).toEqual({ failures: 4, installFailures: 0, upgradeFailures: 3 });
    expect(call.text).toContain('upgrade retries 3, remediateLastFailure, strategy rollback');
  });

  it('shows a revision manifest with Secret values masked and comments kept', async () => {
    const call = await callTool(server.client, 'get_helmrelease_history', {
      name: 'podinfo',
      namespace: ns,
      manifest_revision: 4,
    });
    const manifest = (call.structured.manifest as { text: string }).text;
    expect(manifest).not.toContain('hunter2');
    expect(manifest).not.toContain('c2VjcmV0');
    expect(manifest).toContain('password: "**masked**"');
    expect(manifest).toContain('# a comment stays');
    expect(manifest).toContain('visible: "yes"');
  });

  it('finds the release under the name helm-controller gives it (targetNamespace-name)', async () => {
    const call = await callTool(server.client, 'get_helmrelease_history', { name: 'named', namespace: ns });
    expect(call.structured).toMatchObject({
      release: 'web-named',
      releaseNamespace: 'web',
      storageNamespace: ns,
    });
    expect((call.structured.revisions as Rev[]).map((r) => r.revision)).toEqual([1]);
  });

  it('falls back to status.history, and says how to grant access, when Helm storage is not readable', async () => {
    const call = await callTool(readerServer.client, 'get_helmrelease_history', {
      name: 'podinfo',
      namespace: ns,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.structured.storage).toBe('forbidden');
    expect((call.structured.revisions as Rev[]).map((r) => [r.revision, r.stored])).toEqual([
      [5, false],
      [4, false],
      [1, false],
    ]);
    expect(call.text).toContain('helm-storage-reader.yaml');
  });

  it('refuses a manifest revision that is not stored, naming the stored ones', async () => {
    const call = await callTool(server.client, 'get_helmrelease_history', {
      name: 'podinfo',
      namespace: ns,
      manifest_revision: 1,
    });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('stored: v2, v3, v4, v5, v6');
  });
});
