// Waits that end as the flux CLI's do, against the stand-in controller of test/support/controller.ts:
// a dependent that says DependencyNotReady is followed to its dependency and requested again, and two
// callers whose requests the controller handles as one both get the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { gitRepository, kustomization, V } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let controller: FakeFluxController;
let ns: string;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'waits');
  controller = new FakeFluxController(api, [ns]);
  controller.start();
  server = await startServer();
  await api.apply(gitRepository('repo', ns));
  const fetched = await callTool(server.client, 'reconcile_flux_source', {
    kind: 'GitRepository',
    name: 'repo',
    namespace: ns,
  });
  expect(fetched.structured.result).toBe('ready');
});

afterAll(async () => {
  expect(controller.errors).toEqual([]);
  controller?.stop();
  await server?.close();
  await api?.close();
});

async function lastHandled(name: string): Promise<unknown> {
  return (await api.get(V.kustomization, 'Kustomization', ns, name)).status?.lastHandledReconcileAt;
}

describe('a dependent whose dependency is still applying', () => {
  it('is followed to its dependency, requested again once that is ready, and answers with its revision', async () => {
    controller.script('Kustomization', ns, 'infra', { outcome: 'succeed', delayMs: 1500 });
    controller.script('Kustomization', ns, 'apps', { outcome: 'succeed', checkDependencies: true });
    await api.apply(kustomization('infra', ns));
    await api.apply(kustomization('apps', ns, { spec: { dependsOn: [{ name: 'infra' }] } }));
    await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'infra',
      namespace: ns,
      wait: false,
    });

    const { result, structured, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'apps',
      namespace: ns,
    });

    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({
      result: 'ready',
      revision: 'main@sha1:1111111111111111111111111111111111111111',
    });
    expect(text).toContain(`for Kustomization ${ns}/infra, then requested the reconcile again`);
    const handled = controller.handledFor('Kustomization', ns, 'apps').map((h) => h.token);
    // The first request got DependencyNotReady; the second, made by the wait, was applied.
    expect(handled).toHaveLength(2);
    expect(handled[0]).toBe(structured.token);
    expect(await lastHandled('apps')).toBe(handled[1]);
    const infraDone = controller.handledFor('Kustomization', ns, 'infra')[0]!.at;
    expect(controller.handledFor('Kustomization', ns, 'apps')[1]!.at).toBeGreaterThanOrEqual(infraDone);
  });

  it('fails when the dependency fails, naming it and its reason, with no attempted revision', async () => {
    controller.script('Kustomization', ns, 'broken-infra', {
      outcome: 'fail',
      delayMs: 500,
      reason: 'BuildFailed',
      message: 'kustomize build failed: missing.yaml',
    });
    controller.script('Kustomization', ns, 'broken-apps', { outcome: 'succeed', checkDependencies: true });
    await api.apply(kustomization('broken-infra', ns));
    await api.apply(kustomization('broken-apps', ns, { spec: { dependsOn: [{ name: 'broken-infra' }] } }));
    await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'broken-infra',
      namespace: ns,
      wait: false,
    });

    const { result, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'broken-apps',
      namespace: ns,
    });

    expect(result.isError).toBe(true);
    expect(structured).toMatchObject({
      result: 'failed',
      reason: 'DependencyNotReady',
      message: `DependencyNotReady: Kustomization ${ns}/broken-apps waits for Kustomization ${ns}/broken-infra, which failed: BuildFailed: kustomize build failed: missing.yaml`,
    });
    const steps = structured.steps as { revision?: string }[];
    expect(steps[0]!.revision).toBeUndefined();
  });

  it('fails at once when the dependency is suspended: nothing would make it ready', async () => {
    controller.script('Kustomization', ns, 'held-apps', { outcome: 'succeed', checkDependencies: true });
    await api.apply(kustomization('held-infra', ns, { spec: { suspend: true } }));
    await api.apply(kustomization('held-apps', ns, { spec: { dependsOn: [{ name: 'held-infra' }] } }));

    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'held-apps',
      namespace: ns,
    });

    expect(structured.result).toBe('failed');
    expect(structured.message).toContain(`waits for Kustomization ${ns}/held-infra, which is suspended`);
  });
});

describe('a Kustomization that answers from the commit before the one its source step fetched', () => {
  it('is requested again, and the answer is the new commit', async () => {
    const older = 'main@sha1:1111111111111111111111111111111111111111';
    const newer = 'main@sha1:2222222222222222222222222222222222222222';
    await api.apply(gitRepository('moved', ns));
    controller.script('GitRepository', ns, 'moved', { outcome: 'succeed', revision: newer });
    // kustomize-controller reads its sources from a cache: its first reconcile can still see the old artifact.
    controller.script('Kustomization', ns, 'cached', { outcome: 'succeed', revisions: [older, newer] });
    await api.apply(
      kustomization('cached', ns, { spec: { sourceRef: { kind: 'GitRepository', name: 'moved' } } }),
    );

    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'cached',
      namespace: ns,
      with_source: true,
    });

    expect(structured).toMatchObject({ result: 'ready', revision: newer });
    expect(structured.message).toContain(
      `the controller first answered from ${older}, before it saw ${newer}`,
    );
    expect(controller.handledFor('Kustomization', ns, 'cached')).toHaveLength(2);
  });
});

describe('two callers reconciling one object at once', () => {
  it('both get the answer when the controller handled only the later request, which covers the earlier', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    controller.script('Kustomization', ns, 'busy', { outcome: 'succeed', hold, coalesce: true });
    await api.apply(kustomization('busy', ns));
    const requested = async () =>
      (await api.get(V.kustomization, 'Kustomization', ns, 'busy')).metadata.annotations?.[
        'reconcile.fluxcd.io/requestedAt'
      ];

    const first = callTool(server.client, 'reconcile_flux_kustomization', { name: 'busy', namespace: ns });
    while (!(await requested())) await new Promise((r) => setTimeout(r, 20));
    const firstToken = await requested();
    const second = callTool(server.client, 'reconcile_flux_kustomization', { name: 'busy', namespace: ns });
    while ((await requested()) === firstToken) await new Promise((r) => setTimeout(r, 20));
    release();
    const [a, b] = await Promise.all([first, second]);

    expect(controller.handledFor('Kustomization', ns, 'busy').map((h) => h.token)).toEqual([
      b.structured.token,
    ]);
    expect(a.structured).toMatchObject({ result: 'ready', token: firstToken });
    expect(a.structured.message).toContain(
      `the controller handled a later request (${String(b.structured.token)}) instead of this one`,
    );
    expect(b.structured.result).toBe('ready');
    expect(b.structured.message).not.toContain('later request');
  });

  it('the later caller keeps waiting while the controller answers the earlier request', async () => {
    controller.script('Kustomization', ns, 'steady', { outcome: 'succeed', delayMs: 400 });
    await api.apply(kustomization('steady', ns));
    const requested = async () =>
      (await api.get(V.kustomization, 'Kustomization', ns, 'steady')).metadata.annotations?.[
        'reconcile.fluxcd.io/requestedAt'
      ];
    const first = callTool(server.client, 'reconcile_flux_kustomization', { name: 'steady', namespace: ns });
    while (!(await requested())) await new Promise((r) => setTimeout(r, 20));
    const second = callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'steady',
      namespace: ns,
    }).then((call) => ({ call, at: Date.now() }));
    const [a, b] = await Promise.all([first, second]);

    const handled = controller.handledFor('Kustomization', ns, 'steady');
    expect(handled.map((h) => h.token)).toEqual([a.structured.token, b.call.structured.token]);
    expect(b.call.structured.result).toBe('ready');
    expect(b.call.structured.message).not.toContain('later request');
    // The second answer came once the controller handled its own request, not at the first one.
    expect(b.at).toBeGreaterThanOrEqual(handled[1]!.at);
    expect(await lastHandled('steady')).toBe(b.call.structured.token);
  });
});
