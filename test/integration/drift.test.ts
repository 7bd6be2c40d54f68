// get_flux_drift on a real Helm release (installed with the Helm 4 CLI) and on a Kustomization's inventory,
// and set_flux_drift_detection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  cluster,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { fluxEvent } from '../support/events.js';
import { helmRelease, kustomization, readyStatus, V } from '../support/flux.js';
import { HelmCli, helmClis, setArgs, writeCharts } from '../support/helm-cli.js';
import { historySnapshot } from '../support/helm.js';
import { namespaceUser } from '../support/users.js';

const BUILD_TIMEOUT_MS = 30 * 60_000;

let api: TestApi;
let server: ServerHandle;
let readerServer: ServerHandle;
let ns: string;

interface DriftObject {
  kind: string;
  name: string;
  state: string;
  changes?: { path: string; op: string; before?: string; after?: string }[];
  owners?: { manager: string; fields: string[]; revertedByFlux: boolean }[];
  message?: string;
}

const objects = (call: { structured: Record<string, unknown> }) => call.structured.objects as DriftObject[];
const find = (call: { structured: Record<string, unknown> }, kind: string, name: string) =>
  objects(call).find((o) => o.kind === kind && o.name === name);

async function patchAs(manager: string, path: string, body: unknown, type = 'application/merge-patch+json') {
  await api.request('PATCH', `${path}?fieldManager=${manager}`, body, type);
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'drift');
  const helm = new HelmCli(helmClis().helm4, cluster().kubeconfig);
  const charts = writeCharts(['1.0.0']);
  helm.run(['install', 'web', charts['1.0.0']!, '-n', ns, ...setArgs({ extra: true, greeting: 'hello' })]);
  const hr = await api.apply(helmRelease('web', ns, { spec: { driftDetection: { mode: 'warn' } } }));
  await api.patchStatus(hr, {
    ...readyStatus(1, {
      storageNamespace: ns,
      history: [
        historySnapshot({
          name: 'web',
          namespace: ns,
          revision: 1,
          manifest: '',
          chart: { name: 'demo', version: '1.0.0' },
        }),
      ],
    }),
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'InstallSucceeded',
        message: 'ok',
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      {
        type: 'Drifted',
        status: 'True',
        reason: 'DriftDetected',
        message: 'ConfigMap/web-settings changed',
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ],
  });
  await api.create(
    fluxEvent(
      { apiVersion: V.helmRelease, kind: 'HelmRelease', name: 'web', namespace: ns },
      {
        type: 'Warning',
        reason: 'DriftDetected',
        message: 'Cluster state of release web.v1 has drifted',
        minutesAgo: 2,
        component: 'helm-controller',
      },
    ),
  );
  // kubectl edit, kubectl scale, a deleted object, a label opting an object out.
  await patchAs('kubectl-edit', `/api/v1/namespaces/${ns}/configmaps/web-settings`, {
    data: { greeting: 'edited' },
  });
  await patchAs('kubectl-edit', `/api/v1/namespaces/${ns}/secrets/web-credentials`, {
    stringData: { password: 'changed' },
  });
  await patchAs('kubectl-scale', `/apis/apps/v1/namespaces/${ns}/deployments/web`, { spec: { replicas: 3 } });
  await patchAs('kubectl-label', `/api/v1/namespaces/${ns}/services/web`, {
    metadata: { labels: { 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' } },
    spec: { ports: [{ name: 'http', port: 81, targetPort: 'http' }] },
  });
  await api.delete('v1', 'ConfigMap', ns, 'web-extra');
  const reader = await namespaceUser(api, ns, 'drift-reader', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] },
  ]);
  server = await startServer();
  readerServer = await startServer([], { kubeconfig: reader.kubeconfig });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  await readerServer?.close();
  await api?.close();
});

describe('get_flux_drift for a HelmRelease', () => {
  it('finds a field another manager changed and an object that is gone, as helm-controller would', async () => {
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(find(call, 'ConfigMap', 'web-settings')).toMatchObject({
      state: 'drifted',
      changes: [{ path: 'data.greeting', op: 'replace', before: '"edited"', after: '"hello"' }],
    });
    expect(find(call, 'ConfigMap', 'web-extra')).toMatchObject({ state: 'missing' });
    expect(find(call, 'Deployment', 'web')).toMatchObject({
      state: 'drifted',
      changes: [expect.objectContaining({ path: 'spec.replicas', before: '3', after: '1' })],
    });
    expect(call.text).toContain('data.greeting "edited" -> "hello"');
    expect(call.text).toContain('ConfigMap');
  });

  it('masks Secret values and shows only that they changed', async () => {
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    const secret = find(call, 'Secret', 'web-credentials')!;
    expect(secret.state).toBe('drifted');
    expect(secret.changes).toEqual([{ path: 'data.password', op: 'replace' }]);
    expect(call.text).not.toContain(Buffer.from('changed').toString('base64'));
    expect(call.text).not.toContain(Buffer.from('s3cret').toString('base64'));
    expect(call.text).toContain('data.password changed (value masked)');
  });

  it('leaves out objects that opt out with the driftDetection label', async () => {
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    expect(find(call, 'Service', 'web')).toMatchObject({ state: 'excluded' });
  });

  it("reports the controller's Drifted condition and its DriftDetected events", async () => {
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    expect(call.structured.condition).toEqual({
      status: 'True',
      reason: 'DriftDetected',
      message: 'ConfigMap/web-settings changed',
    });
    expect(call.structured.events).toEqual([
      expect.objectContaining({ message: 'Cluster state of release web.v1 has drifted' }),
    ]);
    expect(call.structured.mode).toBe('warn');
  });

  it('applies the ignore rules of spec.driftDetection', async () => {
    await api.mergePatch(helmRelease('web', ns), {
      spec: {
        driftDetection: {
          mode: 'warn',
          ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deploy.*' } }],
        },
      },
    });
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    expect(find(call, 'Deployment', 'web')).toBeUndefined();
    expect(call.structured.ignoreRules).toBe(1);
    await api.mergePatch(helmRelease('web', ns), { spec: { driftDetection: { ignore: null } } });
  });

  it('says which objects it could not check when RBAC refuses the dry-run apply', async () => {
    const call = await callTool(readerServer.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(find(call, 'ConfigMap', 'web-settings')).toMatchObject({
      state: 'not-checked',
      message: expect.stringContaining('forbidden (needs patch)'),
    });
    expect(call.text).toContain('not checked');
  });
});

describe('get_flux_drift for a Kustomization', () => {
  beforeAll(async () => {
    const apply = (name: string, extra: Record<string, unknown> = {}) =>
      api.request(
        'PATCH',
        `/api/v1/namespaces/${ns}/configmaps/${name}?fieldManager=kustomize-controller&force=true`,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: ns, ...extra },
          data: { a: '1' },
        },
        'application/apply-patch+yaml',
      );
    for (const name of ['ks-edited', 'ks-other', 'ks-clean']) await apply(name);
    await apply('ks-optout', { annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' } });
    await patchAs('kubectl-edit', `/api/v1/namespaces/${ns}/configmaps/ks-edited`, { data: { a: '2' } });
    await patchAs('hpa-controller', `/api/v1/namespaces/${ns}/configmaps/ks-other`, { data: { b: '3' } });
    await patchAs('kubectl-edit', `/api/v1/namespaces/${ns}/configmaps/ks-optout`, { data: { a: '9' } });
    const ks = await api.apply(kustomization('apps', ns));
    await api.patchStatus(ks, {
      inventory: {
        entries: ['ks-edited', 'ks-other', 'ks-clean', 'ks-optout', 'ks-gone'].map((n) => ({
          id: `${ns}_${n}__ConfigMap`,
          v: 'v1',
        })),
      },
    });
  });

  it('lists missing inventory objects and the fields other managers own, with who and whether Flux reverts them', async () => {
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'Kustomization',
      name: 'apps',
      namespace: ns,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(find(call, 'ConfigMap', 'ks-gone')).toMatchObject({ state: 'missing' });
    expect(find(call, 'ConfigMap', 'ks-edited')).toMatchObject({
      state: 'drifted',
      owners: [
        expect.objectContaining({ manager: 'kubectl-edit', fields: ['data.a'], revertedByFlux: true }),
      ],
    });
    expect(find(call, 'ConfigMap', 'ks-other')).toMatchObject({
      state: 'drifted',
      owners: [
        expect.objectContaining({ manager: 'hpa-controller', fields: ['data.b'], revertedByFlux: false }),
      ],
    });
    expect(find(call, 'ConfigMap', 'ks-clean')).toBeUndefined();
    expect(find(call, 'ConfigMap', 'ks-optout')).toMatchObject({ state: 'excluded' });
    expect(call.structured.counts).toEqual({
      objects: 5,
      drifted: 2,
      missing: 1,
      excluded: 1,
      notChecked: 0,
    });
    expect(call.text).toContain('kubectl-edit (Update');
    expect(call.text).toContain('reverted at the next reconcile');
  });

  it('says plainly that exact drift needs the source', async () => {
    const call = await callTool(server.client, 'get_flux_drift', {
      kind: 'Kustomization',
      name: 'apps',
      namespace: ns,
    });
    expect(call.text).toContain('exact drift of a Kustomization needs its source');
  });
});

describe('set_flux_drift_detection', () => {
  it('sets the mode and the ignore rules, and gives the YAML to commit', async () => {
    await api.apply(helmRelease('solo', ns));
    const call = await callTool(server.client, 'set_flux_drift_detection', {
      name: 'solo',
      namespace: ns,
      mode: 'enabled',
      ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }],
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.structured).toMatchObject({
      result: 'changed',
      before: { mode: 'disabled', ignore: [] },
      after: { mode: 'enabled' },
    });
    const hr = await api.get(V.helmRelease, 'HelmRelease', ns, 'solo');
    expect(hr.spec?.driftDetection).toEqual({
      mode: 'enabled',
      ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }],
    });
    expect(call.structured.yaml).toContain('mode: enabled');
    expect(call.structured.yaml).toContain('/spec/replicas');
    const again = await callTool(server.client, 'set_flux_drift_detection', {
      name: 'solo',
      namespace: ns,
      mode: 'enabled',
    });
    expect(again.structured.result).toBe('unchanged');
  });

  it('dry run: changes nothing, and says what the mode would do', async () => {
    const call = await callTool(server.client, 'set_flux_drift_detection', {
      name: 'solo',
      namespace: ns,
      mode: 'disabled',
      dry_run: true,
    });
    expect(call.structured.result).toBe('dry-run');
    expect(call.text.split('\n')[1]).toBe('helm-controller would then neither report nor correct drift.');
    expect((await api.get(V.helmRelease, 'HelmRelease', ns, 'solo')).spec?.driftDetection).toMatchObject({
      mode: 'enabled',
    });
  });

  it('names the Kustomization that applies the HelmRelease and says its next reconcile reverts the change', async () => {
    const manifest = helmRelease('from-git', ns, {
      labels: {
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      },
      spec: { driftDetection: { mode: 'disabled' } },
    });
    await api.request(
      'PATCH',
      `/apis/${V.helmRelease}/namespaces/${ns}/helmreleases/from-git?fieldManager=kustomize-controller&force=true`,
      manifest,
      'application/apply-patch+yaml',
    );
    const call = await callTool(server.client, 'set_flux_drift_detection', {
      name: 'from-git',
      namespace: ns,
      mode: 'warn',
    });
    expect(call.structured.appliedBy).toEqual({
      namespace: 'flux-system',
      name: 'apps',
      revertsChange: true,
    });
    expect(call.text).toContain('Kustomization flux-system/apps');
    expect(call.text).toContain('puts the old setting back unless you commit this to Git');
  });
});
