import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { gitRepository, kustomization, V } from '../support/flux.js';
import { connect, startHttpServer } from '../support/http.js';

const REQUESTED = 'reconcile.fluxcd.io/requestedAt';

let api: TestApi;
let ns: string;
let controller: FakeFluxController;

/** Resolves once the server has patched the reconcile request onto the object, i.e. it is now waiting. */
async function requested(name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const live = await api.get(V.kustomization, 'Kustomization', ns, name);
    if (live.metadata.annotations?.[REQUESTED]) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server never requested a reconcile of ${name}`);
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'shutdown');
  await api.apply(gitRepository('repo', ns));
  controller = new FakeFluxController(api, [ns]);
  controller.start();
});
afterAll(async () => {
  controller?.stop();
  await api?.close();
});

describe('shutdown on SIGTERM', () => {
  it('lets a reconcile that is waiting finish, answers it, then exits 0', async () => {
    await api.apply(kustomization('slow', ns));
    controller.script('Kustomization', ns, 'slow', { outcome: 'succeed', delayMs: 1500 });
    const server = await startHttpServer(['--shutdown-timeout', '30s']);
    const { client } = await connect(server.url);
    const call = callTool(client, 'reconcile_flux_kustomization', { name: 'slow', namespace: ns });
    await requested('slow');
    server.process.kill('SIGTERM');
    const { result, structured } = await call;
    expect(result.isError).toBeFalsy();
    expect(structured.result).toBe('ready');
    expect(await server.exited).toBe(0);
    expect(server.logs().find((l) => l.msg === 'shutting down')).toMatchObject({
      why: 'SIGTERM',
      inFlight: 1,
    });
  });

  it('cancels a call still waiting at the deadline, records it in the audit log, and exits 0', async () => {
    await api.apply(kustomization('stuck', ns));
    controller.script('Kustomization', ns, 'stuck', { outcome: 'ignore' });
    const audit = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-shutdown-')), 'audit.jsonl');
    const server = await startHttpServer(['--shutdown-timeout', '1s', '--audit-log', audit]);
    const { client } = await connect(server.url);
    const call = callTool(client, 'reconcile_flux_kustomization', {
      name: 'stuck',
      namespace: ns,
      timeout: '10m',
    });
    const settled = call.then(
      () => 'answered',
      () => 'failed',
    );
    await requested('stuck');
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // The SDK client would wait for its own request timeout; closing it settles the call now.
    await client.close();
    expect(await settled).toBe('failed');
    expect(
      server.logs().some((l) => l.msg === 'shutdown deadline passed; cancelling the calls still in flight'),
    ).toBe(true);
    const records = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ tool: 'reconcile_flux_kustomization', outcome: 'cancelled' }),
    ]);
  });

  it('refuses new connections once it has begun to shut down', async () => {
    const server = await startHttpServer();
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
  });
});
