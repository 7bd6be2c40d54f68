// The emergency rollback with the real helm-controller: a HelmRelease upgraded to a chart that deploys but
// is broken, rolled back by rollback_flux_helmrelease while suspended; the controller leaves the rollback
// alone while suspended and, on resume, upgrades back to the chart the HelmRelease asks for, as
// docs/flux-semantics.md (Helm rollback) says; get_helmrelease_history shows each step. Then drift: what
// get_flux_drift computes, against the Drifted condition helm-controller reports for the same change.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelmChartRepository } from '../cluster/helm-charts.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, fluxAtLeast, startServer, type ServerHandle } from '../support/env.js';
import { V } from '../support/flux.js';
import {
  capture,
  EXTRA_TEMPLATE as extra,
  hasCondition,
  helmRelease,
  helmRepository,
  SETTINGS_TEMPLATE as settings,
  sources,
  waitForObject,
} from './support/e2e.js';

let api: TestApi;
let server: ServerHandle;
let charts: HelmChartRepository;
let ns: string;

// helm-controller records the Helm action of each release in status.history from Flux 2.8 (helm-controller
// v1.5); the 2.7 controller (v1.4) records none.
const upgradeAction = fluxAtLeast('2.8') ? 'upgrade' : undefined;

interface Rev {
  revision: number;
  status: string;
  chartVersion?: string;
  action?: string;
  live: boolean;
  observed: boolean;
  rollbackTarget: boolean;
}

const ref = (name: string): Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> => ({
  apiVersion: V.helmRelease,
  kind: 'HelmRelease',
  metadata: { name, namespace: ns },
});

async function revisions(name: string): Promise<Rev[]> {
  const { structured, result, text } = await callTool(server.client, 'get_helmrelease_history', {
    name,
    namespace: ns,
  });
  expect(result.isError, text).toBeFalsy();
  return structured.revisions as Rev[];
}

async function reconcile(name: string): Promise<void> {
  const { result, text } = await callTool(server.client, 'reconcile_flux_helmrelease', {
    name,
    namespace: ns,
    with_source: true,
  });
  expect(result.isError, text).toBeFalsy();
}

async function setChartVersion(name: string, version: string): Promise<void> {
  await api.mergePatch(ref(name), { spec: { chart: { spec: { version } } } });
}

/**
 * What helm-controller reports about the drift of a release: from Flux 2.9 (helm-controller v1.6) the
 * message of its Drifted condition (also sent as a Warning event DriftDetected); before, only that event.
 */
async function driftHelmControllerReports(name: string): Promise<string> {
  if (fluxAtLeast('2.9')) {
    const hr = await waitForObject(api, ref(name), hasCondition('Drifted', 'True'));
    return ((hr.status?.conditions ?? []) as { type: string; message: string }[]).find(
      (c) => c.type === 'Drifted',
    )!.message;
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const events = (await api.list('v1', 'Event', ns)) as unknown as {
      reason: string;
      message: string;
      involvedObject: { kind: string; name: string };
    }[];
    const drifted = events.find(
      (e) =>
        e.reason === 'DriftDetected' &&
        e.involvedObject.kind === 'HelmRelease' &&
        e.involvedObject.name === name,
    );
    if (drifted) return drifted.message;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no DriftDetected event for HelmRelease ${ns}/${name} in 60000 ms`);
}

const greeting = async (name: string) => (await api.get('v1', 'ConfigMap', ns, `${name}-settings`)).data;

beforeAll(async () => {
  api = adminApi();
  ns = `e2e-rb-${randomBytes(3).toString('hex')}`;
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  charts = sources().helmRepository(ns);
  for (const [version, greet, templates] of [
    ['1.0.0', 'hello', { 'settings.yaml': settings }],
    ['2.0.0', 'hello again', { 'settings.yaml': settings, 'extra.yaml': extra }],
    ['3.0.0', 'BROKEN', { 'settings.yaml': settings }],
  ] as const) {
    charts.publish({ name: 'app', version, templates, values: { greeting: greet } });
  }
  await api.apply(helmRepository('charts', ns, charts.url));
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('an emergency rollback with the real helm-controller', () => {
  it('starts from a release upgraded to a chart that deploys but is broken', async () => {
    await api.apply(helmRelease('app', ns, { chart: 'app', version: '1.0.0', repository: 'charts' }));
    await reconcile('app');
    await setChartVersion('app', '2.0.0');
    await reconcile('app');
    await setChartVersion('app', '3.0.0');
    await reconcile('app');
    expect(await greeting('app')).toEqual({ greeting: 'BROKEN' });
    const revs = await revisions('app');
    expect(revs.map((r) => [r.revision, r.status, r.chartVersion, r.action, r.observed])).toEqual([
      [3, 'deployed', '3.0.0', upgradeAction, true],
      // helm-controller keeps history back to the previous successful release, without its action.
      [2, 'superseded', '2.0.0', undefined, true],
      [1, 'superseded', '1.0.0', undefined, false],
    ]);
    expect(revs.filter((r) => r.rollbackTarget).map((r) => r.revision)).toEqual([2, 1]);
  });

  it('plans, then rolls back to the previous revision while suspending the HelmRelease', async () => {
    const plan = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'app',
      namespace: ns,
      dry_run: true,
    });
    expect(plan.result.isError, plan.text).toBeFalsy();
    expect(plan.structured).toMatchObject({
      result: 'dry-run',
      targetRevision: 2,
      // Helm 4 (Flux 2.8+) records `apply_method: ssa` for a release it installed server-side and rolls
      // back the same way; Helm 3 (helm-controller v1.4, Flux 2.7) records none and always merges.
      applyMethod: fluxAtLeast('2.8') ? 'server-side apply' : 'three-way merge',
    });
    expect(plan.structured.objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'app-settings', action: 'update' }),
        expect.objectContaining({ name: 'app-extra', action: 'create' }),
      ]),
    );
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'app',
      namespace: ns,
      reason: 'chart 3.0.0 greets wrongly INC-1',
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.structured).toMatchObject({
      result: 'rolled-back',
      fromRevision: 3,
      targetRevision: 2,
      newRevision: 4,
      fieldManager: 'helm-controller',
      suspend: { result: 'suspended' },
    });
    expect(call.text).toContain('upgrades the release back to the chart and values of the HelmRelease');
    await capture(api, 'helmrelease-rolled-back-while-suspended', ref('app'));
    expect(await greeting('app')).toEqual({ greeting: 'hello again' });
    expect((await api.get('v1', 'ConfigMap', ns, 'app-extra')).data).toEqual({ chart: '2.0.0' });
    const revs = await revisions('app');
    expect(revs[0]).toMatchObject({
      revision: 4,
      status: 'deployed',
      chartVersion: '2.0.0',
      live: true,
      observed: false,
    });
    expect(revs[1]).toMatchObject({ revision: 3, status: 'superseded', observed: true });
  });

  it('is left alone by helm-controller while suspended, even when a reconcile is requested', async () => {
    const token = new Date().toISOString();
    await api.mergePatch(ref('app'), {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } },
    });
    // helm-controller records the request of a suspended HelmRelease without acting on it.
    await waitForObject(api, ref('app'), (o) => o.status?.lastHandledReconcileAt === token);
    expect(await greeting('app')).toEqual({ greeting: 'hello again' });
    const revs = await revisions('app');
    expect(revs[0]).toMatchObject({ revision: 4, status: 'deployed', observed: false });
  });

  it('on resume, upgrades back to the chart the HelmRelease asks for, as the rollback answer said', async () => {
    const { result, structured, text } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'HelmRelease',
      name: 'app',
      namespace: ns,
    });
    expect(result.isError, text).toBeFalsy();
    expect(structured.objects).toEqual([expect.objectContaining({ result: 'ready' })]);
    expect(await greeting('app')).toEqual({ greeting: 'BROKEN' });
    const revs = await revisions('app');
    expect(revs[0]).toMatchObject({
      revision: 5,
      status: 'deployed',
      chartVersion: '3.0.0',
      observed: true,
      live: true,
    });
    expect(revs[0]!.action).toBe(upgradeAction);
    expect(revs[1]).toMatchObject({ revision: 4, status: 'superseded' });
  });

  it('stays fixed once Git holds the fix: roll back, pin the good chart, resume', async () => {
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'app',
      namespace: ns,
      revision: 4,
      reason: 'again, and this time fix Git first',
    });
    expect(call.structured).toMatchObject({ result: 'rolled-back', targetRevision: 4, newRevision: 6 });
    await setChartVersion('app', '2.0.0');
    // Revision 6 has the chart the HelmRelease now asks for, and helm-controller still upgrades on resume
    // (revision 7 below): it did not make revision 6. So does the 2.7 one, whose records have no apiVersion.
    const history = await callTool(server.client, 'get_helmrelease_history', { name: 'app', namespace: ns });
    expect(history.structured.notes).toContainEqual(
      expect.stringContaining('At its next reconcile it upgrades the release back'),
    );
    const resumed = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'HelmRelease',
      name: 'app',
      namespace: ns,
    });
    expect(resumed.result.isError, resumed.text).toBeFalsy();
    expect(await greeting('app')).toEqual({ greeting: 'hello again' });
    const revs = await revisions('app');
    expect(revs[0]).toMatchObject({ revision: 7, status: 'deployed', chartVersion: '2.0.0', observed: true });
  });
});

describe('drift with the real helm-controller', () => {
  it('finds what helm-controller finds: a field changed by another manager and a deleted object', async () => {
    const set = await callTool(server.client, 'set_flux_drift_detection', {
      name: 'app',
      namespace: ns,
      mode: 'warn',
    });
    expect(set.result.isError, set.text).toBeFalsy();
    await api.request(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/app-settings?fieldManager=kubectl-edit`,
      { data: { greeting: 'edited by hand' } },
      'application/merge-patch+json',
    );
    await api.delete('v1', 'ConfigMap', ns, 'app-extra');
    const { result, text } = await callTool(server.client, 'reconcile_flux_helmrelease', {
      name: 'app',
      namespace: ns,
    });
    expect(result.isError, text).toBeFalsy();
    const reported = await driftHelmControllerReports('app');
    const drift = await callTool(server.client, 'get_flux_drift', {
      kind: 'HelmRelease',
      name: 'app',
      namespace: ns,
    });
    expect(drift.result.isError, drift.text).toBeFalsy();
    const objects = drift.structured.objects as {
      kind: string;
      name: string;
      state: string;
      changes?: { path: string }[];
    }[];
    expect(objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'app-settings',
          state: 'drifted',
          changes: [expect.objectContaining({ path: 'data.greeting' })],
        }),
        expect.objectContaining({ name: 'app-extra', state: 'missing' }),
      ]),
    );
    // The controller names the same two objects.
    expect(reported).toContain('app-settings');
    expect(reported).toContain('app-extra');
    if (fluxAtLeast('2.9')) expect(drift.structured.condition).toMatchObject({ status: 'True' });
    else expect(drift.structured.condition).toBeUndefined();
    expect(drift.structured.events).not.toEqual([]);
  });
});
