// suspend and resume with all: true for a user who may patch only some of the objects: every object's fate
// is in the answer and the audit record, and the ones refused are left as they were.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { kustomization, V } from '../support/flux.js';
import { namespaceUser } from '../support/users.js';

let api: TestApi;
let controller: FakeFluxController;
let server: ServerHandle;
let ns: string;
let audit: string;

function auditRecords(): Record<string, unknown>[] {
  return readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const live = (name: string) => api.get(V.kustomization, 'Kustomization', ns, name);

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'partial');
  for (const name of ['alpha', 'beta', 'gamma']) await api.apply(kustomization(name, ns));
  controller = new FakeFluxController(api, [ns]);
  controller.start();
  const user = await namespaceUser(api, ns, 'operator', [
    {
      apiGroups: ['kustomize.toolkit.fluxcd.io'],
      resources: ['kustomizations'],
      verbs: ['get', 'list', 'watch'],
    },
    {
      apiGroups: ['kustomize.toolkit.fluxcd.io'],
      resources: ['kustomizations'],
      verbs: ['patch'],
      resourceNames: ['alpha', 'beta'],
    },
  ]);
  audit = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-audit-')), 'audit.jsonl');
  server = await startServer(['--audit-log', audit], { kubeconfig: user.kubeconfig });
});

afterAll(async () => {
  expect(controller.errors).toEqual([]);
  controller?.stop();
  await server?.close();
  await api?.close();
});

describe('all: true when only some objects may be patched', () => {
  it('dry run: says which objects would be patched and which are forbidden, and audits it as partial', async () => {
    const call = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      namespace: ns,
      all: true,
      dry_run: true,
    });
    expect(call.structured.objects).toEqual([
      expect.objectContaining({ name: 'alpha', result: 'dry-run' }),
      expect.objectContaining({ name: 'beta', result: 'dry-run' }),
      expect.objectContaining({ name: 'gamma', result: 'forbidden' }),
    ]);
    expect(auditRecords().at(-1)).toMatchObject({
      tool: 'suspend_flux_reconciliation',
      outcome: 'partial: 2 dry-run, 1 forbidden',
    });
    expect((await live('alpha')).spec?.suspend).toBeUndefined();
  });

  it('suspends the objects it may patch, reports the forbidden one, and leaves that one alone', async () => {
    const call = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      namespace: ns,
      all: true,
      reason: 'maintenance',
    });
    expect(call.result.isError).toBe(true);
    expect(call.structured.objects).toEqual([
      expect.objectContaining({ name: 'alpha', result: 'suspended' }),
      expect.objectContaining({ name: 'beta', result: 'suspended' }),
      expect.objectContaining({
        name: 'gamma',
        result: 'forbidden',
        message: expect.stringContaining('cannot patch kustomizations.kustomize.toolkit.fluxcd.io'),
      }),
    ]);
    expect(call.text).toMatch(
      /^Suspend 3 Kustomization objects in \S+ \(context operator\): 2 suspended, 1 forbidden\n/,
    );
    expect(call.text).toContain(
      `Kustomization ${ns}/gamma: forbidden, forbidden: user system:serviceaccount:${ns}:operator cannot patch`,
    );
    expect((await live('alpha')).spec?.suspend).toBe(true);
    expect((await live('beta')).spec?.suspend).toBe(true);
    const gamma = await live('gamma');
    expect(gamma.spec?.suspend).toBeUndefined();
    expect(gamma.metadata.annotations?.['flux-ops-mcp.io/suspend-reason']).toBeUndefined();
    expect(auditRecords().at(-1)).toMatchObject({
      tool: 'suspend_flux_reconciliation',
      outcome: 'partial: 2 suspended, 1 forbidden',
    });
  });

  it('resumes and waits for the objects it may patch, and reports the forbidden one', async () => {
    const call = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'Kustomization',
      namespace: ns,
      all: true,
    });
    expect(call.structured.objects).toEqual([
      expect.objectContaining({ name: 'alpha', result: 'ready' }),
      expect.objectContaining({ name: 'beta', result: 'ready' }),
      expect.objectContaining({ name: 'gamma', result: 'forbidden' }),
    ]);
    expect((await live('alpha')).spec?.suspend).toBeUndefined();
    expect(auditRecords().at(-1)).toMatchObject({
      tool: 'resume_flux_reconciliation',
      outcome: 'partial: 2 ready, 1 forbidden',
    });
  });

  it('audits a dry run of one object as dry-run, not ok', async () => {
    await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'alpha',
      namespace: ns,
      dry_run: true,
    });
    expect(auditRecords().at(-1)).toMatchObject({ tool: 'reconcile_flux_kustomization', outcome: 'dry-run' });
  });
});
