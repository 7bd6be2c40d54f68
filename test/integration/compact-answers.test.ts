// The structured content a model reads in Claude Code and Codex, from the server as clients get it (compact,
// the default): the text's facts, objects keyed by the names the text gives them, through a client that lists
// the tools first and validates every result against the published schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { failedStatus, gitRepository, kustomization, readyStatus } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'compact');
  await api.apply(gitRepository('repo', ns));
  const ok = await api.apply(kustomization('ok', ns));
  await api.patchStatus(
    ok,
    readyStatus(1, { revision: 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef' }),
  );
  const broken = await api.apply(kustomization('broken', ns));
  await api.patchStatus(
    broken,
    failedStatus(1, 'BuildFailed', 'kustomize build failed: accumulating resources from ./apps/broken'),
  );
  await api.apply(kustomization('paused', ns, { spec: { suspend: true } }));
  server = await startServer(['--structured-content', 'compact']);
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('compact structured content', () => {
  it('get_flux_status: counts without zeros, each failing and suspended object by name, with its reason', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_status', { namespace: ns });
    expect(structured.context).toBe('admin');
    expect(structured.counts).toMatchObject({ failing: 1, suspended: 1 });
    expect(structured.failing).toEqual({
      [`Kustomization ${ns}/broken`]: expect.objectContaining({
        reason: 'BuildFailed',
        msg: 'kustomize build failed: accumulating resources from ./apps/broken',
      }),
    });
    expect(Object.keys(structured.suspended as object)).toEqual([`Kustomization ${ns}/paused`]);
    expect(JSON.stringify(structured)).not.toContain(':null');
    expect(text).toContain(`Kustomization ${ns}/broken  BuildFailed`);
  });

  it('get_kubernetes_resources: the objects of a listing by namespace/name, the kind once', async () => {
    const { structured, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
    });
    expect(structured).toMatchObject({ kind: 'Kustomization', count: 3 });
    const items = structured.items as Record<string, unknown>;
    expect(Object.keys(items).sort()).toEqual([`${ns}/broken`, `${ns}/ok`, `${ns}/paused`]);
    expect(items[`${ns}/ok`]).toMatch(/^Ready {2}age /);
    expect(text).toContain(`Kustomization ${ns}/ok  ${items[`${ns}/ok`] as string}`);
  });

  it('reconcile with_source in a dry run: each step by name, and the patch', async () => {
    const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'ok',
      namespace: ns,
      with_source: true,
      dry_run: true,
    });
    expect(structured.result).toBe('dry-run');
    expect(Object.keys(structured.steps as object)).toEqual([
      `GitRepository ${ns}/repo`,
      `Kustomization ${ns}/ok`,
    ]);
    expect(structured.patch).toEqual({
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': expect.any(String) } },
    });
  });
});
