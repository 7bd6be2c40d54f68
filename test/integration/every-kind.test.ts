import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLUX_KINDS } from '../../src/flux/kinds.js';
import type { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { objectOfKind } from '../support/every-kind.js';

let api: TestApi;
let server: ServerHandle;
let controller: FakeFluxController;
let ns: string;

/** FluxInstance and FluxReport are singletons named flux. */
const nameOf = (kind: string) =>
  kind === 'FluxInstance' || kind === 'FluxReport' ? 'flux' : kind.toLowerCase();

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'kinds');
  controller = new FakeFluxController(api, [ns]);
  controller.start();
  for (const k of FLUX_KINDS) await api.apply(objectOfKind(k.kind, nameOf(k.kind), ns));
  server = await startServer();
});

afterAll(async () => {
  controller?.stop();
  await server?.close();
  await api?.close();
});

describe('reconcile_flux_resource on every Flux kind', () => {
  for (const kind of FLUX_KINDS.filter((k) => k.reconcilable)) {
    it(`reconciles a ${kind.kind} and waits for it`, async () => {
      const { result, structured } = await callTool(server.client, 'reconcile_flux_resource', {
        kind: kind.kind,
        name: nameOf(kind.kind),
        namespace: ns,
      });
      expect(result.isError).toBeFalsy();
      expect(structured).toMatchObject({ result: 'ready', object: { kind: kind.kind } });
      expect(controller.handledFor(kind.kind, ns, nameOf(kind.kind))).toHaveLength(1);
    });
  }

  for (const kind of FLUX_KINDS.filter((k) => !k.reconcilable)) {
    it(`refuses a ${kind.kind}, which has no reconcile request`, async () => {
      const { result, text } = await callTool(server.client, 'reconcile_flux_resource', {
        kind: kind.kind,
        name: nameOf(kind.kind),
        namespace: ns,
      });
      expect(result.isError).toBe(true);
      expect(text).toBe(
        `${kind.kind} ${ns}/${nameOf(kind.kind)} cannot be reconciled: ${kind.kind} has no reconcile request; nothing was changed.`,
      );
    });
  }

  it('accepts the apiVersion the cluster serves and refuses one of another group', async () => {
    const ok = await callTool(server.client, 'reconcile_flux_resource', {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImageRepository',
      name: 'imagerepository',
      namespace: ns,
    });
    expect(ok.structured.result).toBe('ready');
    const wrong = await callTool(server.client, 'reconcile_flux_resource', {
      apiVersion: 'apps/v1',
      kind: 'ImageRepository',
      name: 'imagerepository',
      namespace: ns,
    });
    expect(wrong.result.isError).toBe(true);
    expect(wrong.text).toBe('ImageRepository belongs to API group image.toolkit.fluxcd.io, not to apps/v1');
  });

  it('refuses a kind that is not a Flux kind', async () => {
    const { result, text } = await callTool(server.client, 'reconcile_flux_resource', {
      kind: 'Deployment',
      name: 'x',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe('Deployment is not a Flux kind');
  });
});

describe('suspend and resume on every suspendable Flux kind', () => {
  for (const kind of FLUX_KINDS.filter((k) => k.suspend.type !== 'none')) {
    it(`suspends and resumes a ${kind.kind}`, async () => {
      const name = nameOf(kind.kind);
      const suspended = await callTool(server.client, 'suspend_flux_reconciliation', {
        kind: kind.kind,
        name,
        namespace: ns,
        reason: 'maintenance',
      });
      expect(suspended.structured.objects).toEqual([expect.objectContaining({ name, result: 'suspended' })]);
      const live = await api.get(objectOfKind(kind.kind, name, ns).apiVersion, kind.kind, ns, name);
      const mechanism = kind.suspend;
      if (mechanism.type === 'annotation')
        expect(live.metadata.annotations?.[mechanism.key]).toBe('disabled');
      else expect(live.spec?.suspend).toBe(true);

      const resumed = await callTool(server.client, 'resume_flux_reconciliation', {
        kind: kind.kind,
        name,
        namespace: ns,
      });
      expect(resumed.result.isError).toBeFalsy();
      const after = await api.get(live.apiVersion, kind.kind, ns, name);
      expect(after.spec?.suspend).toBeUndefined();
      if (kind.suspend.type === 'annotation')
        expect(after.metadata.annotations?.[kind.suspend.key]).toBe('enabled');
    });
  }
});
