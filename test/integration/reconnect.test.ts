// Waits that outlive the API server: this file runs its own test cluster, stops its kube-apiserver during
// a reconcile wait (etcd keeps the state) and starts it again on the same port with the same credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type RunningCluster } from '../cluster/cluster.js';
import { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { gitRepository, kustomization, V } from '../support/flux.js';

let own: RunningCluster;
let api: TestApi;
let controller: FakeFluxController;
let server: ServerHandle;
let ns: string;

beforeAll(async () => {
  own = await startTestCluster();
  api = new TestApi(own.server, own.adminToken, own.caFile);
  ns = await testNamespace(api, 'reconnect');
  await api.apply(gitRepository('repo', ns));
  controller = new FakeFluxController(api, [ns]);
  controller.start();
  server = await startServer([], { kubeconfig: own.kubeconfig });
}, 180_000);

afterAll(async () => {
  controller?.stop();
  await server?.close();
  await api?.close();
  await own?.stop();
});

/** Resolves `hold` when called: the controller answers only then. */
function gate(): { hold: Promise<void>; open: () => void } {
  let open!: () => void;
  const hold = new Promise<void>((resolve) => (open = resolve));
  return { hold, open };
}

describe('a reconcile wait when the API server goes away', () => {
  it("returns the controller's answer when the API server restarts during the wait", async () => {
    const { hold, open } = gate();
    controller.script('Kustomization', ns, 'restarted', { outcome: 'succeed', hold });
    await api.apply(kustomization('restarted', ns));
    const messages: string[] = [];
    let restart: Promise<void> | undefined;
    const { result, structured, text } = await callTool(
      server.client,
      'reconcile_flux_kustomization',
      { name: 'restarted', namespace: ns, timeout: '5m' },
      {
        timeout: 300_000,
        onprogress: (p) => {
          messages.push(p.message ?? '');
          // Reconciling comes through the wait's watch: the watch is up when the API server goes away.
          if (!restart && p.message?.includes('Reconciling')) {
            restart = (async () => {
              await own.stopApiServer('graceful');
              await own.startApiServer();
              open();
            })();
          }
        },
      },
    );
    await restart;
    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({
      result: 'ready',
      revision: 'main@sha1:1111111111111111111111111111111111111111',
    });
    expect(messages.some((m) => m.includes('lost the connection to the API server'))).toBe(true);
    expect(text).toContain(`Reconciled Kustomization ${ns}/restarted`);
    const live = await api.get(V.kustomization, 'Kustomization', ns, 'restarted');
    expect(live.status?.lastHandledReconcileAt).toBe(structured.token);
    expect(controller.errors).toEqual([]);
  }, 300_000);

  it('says the API server could not be reached, and that the request stays in place, when the deadline passes without it', async () => {
    const { hold, open } = gate();
    controller.script('Kustomization', ns, 'unreachable', { outcome: 'succeed', hold });
    await api.apply(kustomization('unreachable', ns));
    let killed: Promise<void> | undefined;
    let token: unknown;
    try {
      const { result, structured, text } = await callTool(
        server.client,
        'reconcile_flux_kustomization',
        { name: 'unreachable', namespace: ns, timeout: '10s' },
        {
          onprogress: (p) => {
            if (!killed && p.message?.includes('Reconciling')) killed = own.stopApiServer('kill');
          },
        },
      );
      await killed;
      token = structured.token;
      expect(result.isError).toBe(true);
      expect(structured.result).toBe('timeout');
      expect(text).toMatch(
        new RegExp(
          `^Timed out after [0-9.]+m?s waiting for Kustomization ${ns}/unreachable: the API server could not be reached since \\S+ \\(cluster unreachable: ${own.server} \\(context admin\\): .*\\); last known state: Reconciling: Building manifests; the reconcile request stays in place and the controller will still handle it$`,
        ),
      );
    } finally {
      if (killed) {
        await killed;
        await own.startApiServer();
      }
      open();
    }
    // The request was written before the API server went away and is still there for the controller.
    const live = await api.get(V.kustomization, 'Kustomization', ns, 'unreachable');
    expect(live.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBe(token);
  }, 300_000);
});
