import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { kustomization, V } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let controller: FakeFluxController;
let ns: string;

const get = (name: string, namespace = ns) => api.get(V.kustomization, 'Kustomization', namespace, name);

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'susp');
  controller = new FakeFluxController(api, [ns]);
  controller.start();
  server = await startServer();
});

afterAll(async () => {
  expect(controller.errors).toEqual([]);
  controller?.stop();
  await server?.close();
  await api?.close();
});

describe('suspend_flux_reconciliation', () => {
  it('sets spec.suspend and records reason, who and when', async () => {
    await api.apply(kustomization('payments', ns));
    const before = Date.now() - 1000;
    const { result, text, structured } = await callTool(server.client, 'suspend_flux_reconciliation', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      name: 'payments',
      namespace: ns,
      reason: 'db migration INC-4411',
    });
    expect(result.isError).toBeFalsy();
    expect(text).toBe(`Kustomization ${ns}/payments: suspended, suspended by admin: "db migration INC-4411"`);
    expect(structured).toMatchObject({ action: 'suspend', kind: 'Kustomization', namespace: ns });
    const live = await get('payments');
    expect(live.spec?.suspend).toBe(true);
    const a = live.metadata.annotations ?? {};
    expect(a['flux-ops-mcp.io/suspend-reason']).toBe('db migration INC-4411');
    expect(a['flux-ops-mcp.io/suspended-by']).toBe('admin');
    expect(a['fluxcd.controlplane.io/suspendedBy']).toBe('admin');
    expect(Date.parse(a['flux-ops-mcp.io/suspended-at']!)).toBeGreaterThanOrEqual(before);
  });

  it('leaves an object that is already suspended as it is, with its first reason', async () => {
    await api.apply(kustomization('twice', ns));
    await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'twice',
      namespace: ns,
      reason: 'first',
    });
    const { structured, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'twice',
      namespace: ns,
      reason: 'second',
    });
    expect((structured.objects as { result: string }[])[0]!.result).toBe('already-suspended');
    expect(text).toContain('by admin');
    expect(text).toContain('"first"');
    expect((await get('twice')).metadata.annotations?.['flux-ops-mcp.io/suspend-reason']).toBe('first');
  });

  it('suspends every Kustomization of a namespace with all', async () => {
    const allNs = await testNamespace(api, 'susp-all');
    for (const n of ['a', 'b', 'c']) await api.apply(kustomization(n, allNs));
    await api.apply(kustomization('d', allNs, { spec: { suspend: true } }));
    const { structured, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      namespace: allNs,
      all: true,
      reason: 'freeze',
    });
    const results = Object.fromEntries(
      (structured.objects as { name: string; result: string }[]).map((o) => [o.name, o.result]),
    );
    expect(results).toEqual({ a: 'suspended', b: 'suspended', c: 'suspended', d: 'already-suspended' });
    expect(text).toContain('3 suspended, 1 already-suspended');
    for (const n of ['a', 'b', 'c']) expect((await get(n, allNs)).spec?.suspend).toBe(true);
  });

  it('does a dry run that shows the patch and changes nothing', async () => {
    await api.apply(kustomization('dry-suspend', ns));
    const before = await get('dry-suspend');
    const { structured, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'dry-suspend',
      namespace: ns,
      dry_run: true,
    });
    expect((structured.objects as { result: string }[])[0]!.result).toBe('dry-run');
    expect(text).toContain('"spec":{"suspend":true}');
    const after = await get('dry-suspend');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec?.suspend).toBeUndefined();
  });

  it('asks for a name or all, not both and not neither', async () => {
    const both = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'x',
      namespace: ns,
      all: true,
    });
    expect(both.result.isError).toBe(true);
    expect(both.text).toBe('give either a name or all: true, not both');
    const neither = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      namespace: ns,
    });
    expect(neither.result.isError).toBe(true);
    expect(neither.text).toContain('give the name of an object, or all: true');
  });

  it('reports a missing object', async () => {
    const { result, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'nope',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      new RegExp(`^Kustomization ${ns}/nope not found in context admin \\(.*\\); nothing was changed$`),
    );
  });

  it('refuses a kind without a suspend switch', async () => {
    const { result, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'ExternalArtifact',
      name: 'x',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe('ExternalArtifact cannot be suspended: it has no suspend switch');
  });

  it('gives the restricted user a clear forbidden error and changes nothing', async () => {
    await api.apply(kustomization('team-app', RESTRICTED_NAMESPACE));
    const before = await get('team-app', RESTRICTED_NAMESPACE);
    const { result, text } = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'team-app',
      namespace: RESTRICTED_NAMESPACE,
      context: 'restricted',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('forbidden: user jane cannot patch kustomizations.kustomize.toolkit.fluxcd.io');
    expect((await get('team-app', RESTRICTED_NAMESPACE)).metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
  });
});

describe('resume_flux_reconciliation', () => {
  it('removes the suspension and our annotations, requests a reconcile and waits until Ready', async () => {
    await api.apply(kustomization('maint', ns));
    await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'maint',
      namespace: ns,
      reason: 'upgrade',
    });
    const { result, text, structured } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'maint',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(text).toMatch(
      new RegExp(`^Kustomization ${ns}/maint: ready, applied revision main@sha1:11111111`),
    );
    const live = await get('maint');
    expect(live.spec?.suspend).toBeUndefined();
    const a = live.metadata.annotations ?? {};
    for (const key of [
      'flux-ops-mcp.io/suspend-reason',
      'flux-ops-mcp.io/suspended-by',
      'flux-ops-mcp.io/suspended-at',
      'fluxcd.controlplane.io/suspendedBy',
    ]) {
      expect(a).not.toHaveProperty(key);
    }
    expect(a['reconcile.fluxcd.io/requestedAt']).toBe(structured.token);
    expect(live.status?.lastHandledReconcileAt).toBe(structured.token);
    // Who resumed it and when stay on the object, for get_flux_changes, until the next suspension.
    expect(a['flux-ops-mcp.io/resumed-by']).toBe('admin');
    expect(Date.parse(a['flux-ops-mcp.io/resumed-at']!)).toBeGreaterThan(Date.now() - 60_000);
    await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'maint',
      namespace: ns,
    });
    const again = (await get('maint')).metadata.annotations ?? {};
    expect(again).not.toHaveProperty('flux-ops-mcp.io/resumed-by');
    expect(again).not.toHaveProperty('flux-ops-mcp.io/resumed-at');
  });

  it('reports a failure after resuming', async () => {
    controller.script('Kustomization', ns, 'resume-fails', {
      outcome: 'fail',
      reason: 'BuildFailed',
      message: 'kustomize build failed: missing resource',
    });
    await api.apply(kustomization('resume-fails', ns, { spec: { suspend: true } }));
    const { result, structured } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'resume-fails',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect((structured.objects as { result: string; message: string }[])[0]).toMatchObject({
      result: 'failed',
      message: 'BuildFailed: kustomize build failed: missing resource',
    });
  });

  it('resumes every object of a namespace with all and waits for each', async () => {
    const allNs = await testNamespace(api, 'resume-all');
    for (const n of ['x', 'y']) await api.apply(kustomization(n, allNs, { spec: { suspend: true } }));
    const local = new FakeFluxController(api, [allNs]);
    local.start();
    try {
      const { structured } = await callTool(server.client, 'resume_flux_reconciliation', {
        kind: 'Kustomization',
        namespace: allNs,
        all: true,
      });
      expect(
        (structured.objects as { name: string; result: string }[]).map((o) => `${o.name}:${o.result}`).sort(),
      ).toEqual(['x:ready', 'y:ready']);
    } finally {
      local.stop();
    }
  });

  describe('with all, beside suspensions of other people', () => {
    let mixed: string;
    let local: FakeFluxController;
    /** Suspended as another person's suspension is recorded by suspend_flux_reconciliation. */
    const byJane = {
      'flux-ops-mcp.io/suspended-by': 'jane',
      'flux-ops-mcp.io/suspended-at': '2026-01-10T09:00:00Z',
      'flux-ops-mcp.io/suspend-reason': 'db migration INC-4411',
      'fluxcd.controlplane.io/suspendedBy': 'jane',
    };

    beforeAll(async () => {
      mixed = await testNamespace(api, 'resume-mixed');
      local = new FakeFluxController(api, [mixed]);
      local.start();
    });
    afterAll(() => local.stop());

    beforeEach(async () => {
      await api.apply(kustomization('janes', mixed, { annotations: byJane, spec: { suspend: true } }));
      await api.apply(kustomization('unrecorded', mixed, { spec: { suspend: true } }));
      await api.apply(kustomization('mine', mixed));
      await callTool(server.client, 'suspend_flux_reconciliation', {
        kind: 'Kustomization',
        name: 'mine',
        namespace: mixed,
        reason: 'my maintenance',
      });
    });

    const byName = (structured: Record<string, unknown>) =>
      Object.fromEntries(
        (structured.objects as { name: string; result: string; message: string }[]).map((o) => [o.name, o]),
      );

    it('lists who suspended each object and why in the dry run, and says which it would leave', async () => {
      const { structured, text } = await callTool(server.client, 'resume_flux_reconciliation', {
        kind: 'Kustomization',
        namespace: mixed,
        all: true,
        dry_run: true,
      });
      const o = byName(structured);
      expect(o.janes).toMatchObject({
        result: 'skipped',
        suspension: { by: 'jane', at: '2026-01-10T09:00:00Z', reason: 'db migration INC-4411' },
      });
      expect(o.janes!.message).toContain(
        'suspended by jane since 2026-01-10T09:00:00Z: "db migration INC-4411", not by admin: left suspended (dry run)',
      );
      expect(o.mine).toMatchObject({
        result: 'dry-run',
        suspension: { by: 'admin', reason: 'my maintenance' },
      });
      expect(o.mine!.message).toContain('(was suspended by admin since');
      expect(o.unrecorded!.result).toBe('dry-run');
      expect(o.unrecorded!.message).toMatch(
        /\(was suspended by field manager \S+ since \S+, no reason recorded\)/,
      );
      expect(text).toContain('include_suspended_by_others: true resumes it too');
      expect((await api.get(V.kustomization, 'Kustomization', mixed, 'janes')).spec?.suspend).toBe(true);
    });

    it("resumes the caller's and unrecorded suspensions, and leaves another person's", async () => {
      const { structured } = await callTool(server.client, 'resume_flux_reconciliation', {
        kind: 'Kustomization',
        namespace: mixed,
        all: true,
      });
      const o = byName(structured);
      expect([o.janes!.result, o.mine!.result, o.unrecorded!.result]).toEqual(['skipped', 'ready', 'ready']);
      const janes = await api.get(V.kustomization, 'Kustomization', mixed, 'janes');
      expect(janes.spec?.suspend).toBe(true);
      expect(janes.metadata.annotations?.['flux-ops-mcp.io/suspended-by']).toBe('jane');
    });

    it('resumes them too when the call says include_suspended_by_others', async () => {
      const { structured } = await callTool(server.client, 'resume_flux_reconciliation', {
        kind: 'Kustomization',
        namespace: mixed,
        all: true,
        include_suspended_by_others: true,
      });
      expect(byName(structured).janes).toMatchObject({ result: 'ready' });
      expect(byName(structured).janes!.message).toContain('(was suspended by jane since');
      expect((await api.get(V.kustomization, 'Kustomization', mixed, 'janes')).spec?.suspend).toBeUndefined();
    });
  });

  it('does a dry run that changes nothing', async () => {
    await api.apply(kustomization('dry-resume', ns, { spec: { suspend: true } }));
    const before = await get('dry-resume');
    const { structured } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'dry-resume',
      namespace: ns,
      dry_run: true,
    });
    expect((structured.objects as { result: string }[])[0]!.result).toBe('dry-run');
    expect((await get('dry-resume')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('shows a suspended object as Suspended in get_kubernetes_resources', async () => {
    await api.apply(kustomization('shown', ns, { spec: { suspend: true } }));
    const { structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'shown',
      namespace: ns,
    });
    expect((structured.items as { state: string; suspended: boolean }[])[0]).toMatchObject({
      state: 'Suspended',
      suspended: true,
    });
  });
});
