// upgrade_flux_instance against a stand-in for the Flux Operator, on an API server of its own: the
// FluxInstances it leaves failing would be problems of every other test's get_flux_instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type RunningCluster } from '../cluster/cluster.js';
import { TestApi, type TestObject } from '../support/api.js';
import { callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { V } from '../support/flux.js';
import { FakeFluxOperator, fluxInstance, fluxReport } from '../support/operator.js';

let own: RunningCluster;
let api: TestApi;
let server: ServerHandle;
let operator: FakeFluxOperator;
const namespaces: Record<string, string> = {};

/** A namespace with a FluxInstance the operator has applied `spec` for, and its FluxReport. */
async function installed(key: string, spec: string, labels?: Record<string, string>): Promise<string> {
  const ns = namespaces[key]!;
  await api.apply(fluxReport(ns, 'unknown'));
  const instance = fluxInstance(ns, spec);
  if (labels) instance.metadata.labels = labels;
  await api.apply(instance);
  for (let i = 0; ; i++) {
    if (i === 100) throw new Error(`the fake operator did not apply ${ns}: ${operator.errors.join('; ')}`);
    const live = await api.get(V.operator, 'FluxInstance', ns, 'flux');
    if ((live.status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision) return ns;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function instance(ns: string): Promise<TestObject> {
  return api.get(V.operator, 'FluxInstance', ns, 'flux');
}

const specVersion = (o: TestObject) => (o.spec?.distribution as { version: string }).version;
const applied = (o: TestObject) =>
  (o.status as { lastAppliedRevision: string }).lastAppliedRevision.split('@')[0];

beforeAll(async () => {
  own = await startTestCluster();
  api = new TestApi(own.server, own.adminToken, own.caFile);
  for (const key of ['up', 'exact', 'down', 'git', 'held', 'dry', 'broken', 'noreport']) {
    namespaces[key] = await testNamespace(api, `fi-${key}`);
  }
  operator = new FakeFluxOperator(api, Object.values(namespaces));
  operator.script(namespaces.noreport!, { skipReport: true });
  operator.start();
  await installed('up', '2.8.x');
  await installed('exact', '2.8.x');
  await installed('down', '2.9.x');
  await installed('git', '2.8.x', {
    'kustomize.toolkit.fluxcd.io/name': 'flux-system',
    'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
  });
  await installed('held', '2.8.x');
  await api.mergePatch(await instance(namespaces.held!), {
    metadata: { annotations: { 'fluxcd.controlplane.io/reconcile': 'disabled' } },
  });
  await installed('dry', '2.8.x');
  await installed('broken', '2.8.x');
  operator.script(namespaces.broken!, { failApply: 'CustomResourceDefinition "x" is invalid' });
  await installed('noreport', '2.8.x');
  server = await startServer([], { kubeconfig: own.kubeconfig });
}, 180_000);

afterAll(async () => {
  expect(operator.errors).toEqual([]);
  operator?.stop();
  await server?.close();
  await api?.close();
  await own?.stop();
});

describe('upgrade_flux_instance', () => {
  it('sets the version, waits until the FluxInstance applied it and the FluxReport shows it', async () => {
    const ns = namespaces.up!;
    const progress: string[] = [];
    const call = await callTool(
      server.client,
      'upgrade_flux_instance',
      { version: '2.9', namespace: ns },
      { onprogress: (p) => void progress.push(p.message ?? '') },
    );
    expect(Boolean(call.result.isError), call.text).toBe(false);
    expect(call.structured).toMatchObject({
      result: 'upgraded',
      instance: { specBefore: '2.8.x', specAfter: '2.9.x', appliedBefore: 'v2.8.8', appliedAfter: 'v2.9.5' },
      report: { namespace: ns, name: 'flux', version: 'v2.9.5' },
    });
    expect(call.text).toMatch(
      new RegExp(
        `^FluxInstance ${ns}/flux applied v2\\.9\\.5 \\(was v2\\.8\\.8\\); FluxReport ${ns}/flux shows v2\\.9\\.5\\.`,
      ),
    );
    const live = await instance(ns);
    expect(specVersion(live)).toBe('2.9.x');
    expect(live.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBe(call.structured.token);
    expect(progress[0]).toBe(
      `FluxInstance ${ns}/flux: spec.distribution.version 2.8.x -> 2.9.x, reconcile requested`,
    );
    // Not the last one: the SDK client drops a notification that arrives in the same chunk as the answer.
    expect(progress).toContain(
      `FluxInstance ${ns}/flux: Ready=True (ReconciliationSucceeded): Reconciliation finished in 2s`,
    );
  });

  it('takes an exact version as it is', async () => {
    const call = await callTool(server.client, 'upgrade_flux_instance', {
      version: 'v2.9.5',
      namespace: namespaces.exact,
    });
    expect(call.structured).toMatchObject({
      result: 'upgraded',
      instance: { specAfter: '2.9.5', appliedAfter: 'v2.9.5' },
    });
  });

  it('changes nothing when the FluxInstance already asks for the version and has applied it', async () => {
    const call = await callTool(server.client, 'upgrade_flux_instance', {
      version: '2.9.x',
      namespace: namespaces.down,
    });
    expect(call.structured.result).toBe('unchanged');
    expect(call.text).toContain('nothing was changed');
  });

  it('refuses a lower minor, as the operator does, and changes nothing', async () => {
    const ns = namespaces.down!;
    const before = await instance(ns);
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.8.x', namespace: ns });
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe(
      'downgrading from v2.9.5 to 2.8.x is not supported by the Flux Operator (reinstall needed); nothing was changed',
    );
    expect((await instance(ns)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('refuses a FluxInstance that Git applies and names the change to commit instead', async () => {
    const ns = namespaces.git!;
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.9.x', namespace: ns });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('set spec.distribution.version: "2.9.x" in its manifest in Git');
    expect(specVersion(await instance(ns))).toBe('2.8.x');
  });

  it('refuses a suspended FluxInstance', async () => {
    const ns = namespaces.held!;
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.9.x', namespace: ns });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('is suspended');
    expect(specVersion(await instance(ns))).toBe('2.8.x');
  });

  it('shows the patch in a dry run and changes nothing', async () => {
    const ns = namespaces.dry!;
    const call = await callTool(server.client, 'upgrade_flux_instance', {
      version: '2.9.x',
      namespace: ns,
      dry_run: true,
    });
    expect(call.structured.result).toBe('dry-run');
    expect(call.structured.patch).toMatchObject({ spec: { distribution: { version: '2.9.x' } } });
    expect(specVersion(await instance(ns))).toBe('2.8.x');
    expect(operator.applied.filter((a) => a.startsWith(`${ns}/`))).toEqual([`${ns}/flux=v2.8.8`]);
  });

  it('reports the failure the operator reports', async () => {
    const ns = namespaces.broken!;
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.9.x', namespace: ns });
    expect(call.result.isError).toBe(true);
    expect(call.structured.result).toBe('failed');
    expect(call.text).toContain(
      `FluxInstance ${ns}/flux failed to apply 2.9.x: reconciliation failed: CustomResourceDefinition "x" is invalid`,
    );
    expect(applied(await instance(ns))).toBe('v2.8.8');
  });

  it('reports a version the operator does not carry as the build failure it is', async () => {
    const ns = namespaces.broken!;
    operator.script(ns, {});
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.9.7', namespace: ns });
    expect(call.structured.result).toBe('failed');
    expect(call.text).toContain('build failed: no match found for semver: 2.9.7');
  });

  it('times out, saying so, when the FluxReport does not follow', async () => {
    const ns = namespaces.noreport!;
    const call = await callTool(server.client, 'upgrade_flux_instance', {
      version: '2.9.x',
      namespace: ns,
      timeout: '2s',
    });
    expect(call.result.isError).toBe(true);
    expect(call.structured.result).toBe('timeout');
    expect(call.text).toContain(`FluxReport ${ns}/flux still says unknown`);
    expect(applied(await instance(ns))).toBe('v2.9.5');
  });

  it('refuses what is not a version', async () => {
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: 'latest' });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('"latest" is not a Flux version or range');
  });
});
