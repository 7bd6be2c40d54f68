import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { gitRepository, kustomization, V } from '../support/flux.js';
import { connect, startHttpServer, type HttpServer } from '../support/http.js';

let api: TestApi;
let inside: string;
let inside2: string;
let outside: string;

async function untouched(namespace: string, kind: string, name: string): Promise<void> {
  const apiVersion = kind === 'Kustomization' ? V.kustomization : V.source;
  const live = await api.get(apiVersion, kind, namespace, name);
  expect(live.spec?.suspend).toBeUndefined();
  expect(live.metadata.annotations ?? {}).toEqual({});
}

beforeAll(async () => {
  api = adminApi();
  inside = await testNamespace(api, 'scope-in');
  inside2 = await testNamespace(api, 'scope-in2');
  outside = await testNamespace(api, 'scope-out');
  for (const ns of [inside, outside]) {
    await api.apply(gitRepository('repo', ns));
    await api.apply(gitRepository('other', ns));
    await api.apply(kustomization('apps', ns));
  }
  await api.apply(gitRepository('repo', inside2));
});
afterAll(async () => api?.close());

describe('--read-only over HTTP', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(['--read-only']);
  });
  afterAll(async () => server?.stop());

  it('lists no tool that writes', async () => {
    const { client } = await connect(server.url);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    await client.close();
  });

  it('changes nothing when a write tool is called by name: the tool is unknown', async () => {
    const { client } = await connect(server.url);
    for (const [name, args] of [
      ['suspend_flux_reconciliation', { kind: 'GitRepository', name: 'repo', namespace: outside }],
      ['reconcile_flux_kustomization', { name: 'apps', namespace: outside, wait: false }],
    ] as const) {
      const call = await callTool(client, name, args);
      expect(call.result.isError).toBe(true);
      expect(call.text).toContain(`Tool ${name} not found`);
    }
    await untouched(outside, 'GitRepository', 'repo');
    await untouched(outside, 'Kustomization', 'apps');
    await client.close();
  });
});

describe('--allowed-namespaces', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(['--allowed-namespaces', `${inside},${inside2}`]);
  });
  afterAll(async () => server?.stop());

  it('lists only objects in the allowed namespaces when a list names no namespace', async () => {
    const { client } = await connect(server.url);
    const call = await callTool(client, 'get_kubernetes_resources', { kind: 'GitRepository' });
    const items = call.structured.items as { namespace: string; name: string }[];
    expect(items.map((i) => `${i.namespace}/${i.name}`).sort()).toEqual(
      [`${inside}/other`, `${inside}/repo`, `${inside2}/repo`].sort(),
    );
    await client.close();
  });

  it('pages through the allowed namespaces with continue tokens', async () => {
    const { client } = await connect(server.url);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const call = await callTool(client, 'get_kubernetes_resources', {
        kind: 'GitRepository',
        limit: 2,
        ...(token ? { continue: token } : {}),
      });
      const items = call.structured.items as { namespace: string; name: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((i) => `${i.namespace}/${i.name}`));
      token = call.structured.continue as string | undefined;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBeGreaterThan(1);
    expect(seen.sort()).toEqual([`${inside}/other`, `${inside}/repo`, `${inside2}/repo`].sort());
    await client.close();
  });

  it('refuses to read in another namespace, saying which namespaces it may use', async () => {
    const { client } = await connect(server.url);
    const call = await callTool(client, 'get_kubernetes_resources', {
      kind: 'GitRepository',
      namespace: outside,
    });
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe(
      `namespace ${outside} is not one of --allowed-namespaces (${[inside, inside2].sort().join(', ')}), the namespaces this server may use in context admin; nothing was read`,
    );
    await client.close();
  });

  it('refuses to change an object in another namespace and leaves it as it was', async () => {
    const { client } = await connect(server.url);
    const suspend = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'repo',
      namespace: outside,
    });
    expect(suspend.result.isError).toBe(true);
    expect(suspend.text).toContain(`namespace ${outside} is not one of --allowed-namespaces`);
    const reconcile = await callTool(client, 'reconcile_flux_kustomization', {
      name: 'apps',
      namespace: outside,
      wait: false,
    });
    expect(reconcile.result.isError).toBe(true);
    await untouched(outside, 'GitRepository', 'repo');
    await untouched(outside, 'Kustomization', 'apps');
    await client.close();
  });

  it('changes objects in an allowed namespace', async () => {
    const { client } = await connect(server.url);
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'other',
      namespace: inside,
    });
    expect(call.result.isError).toBeFalsy();
    expect((await api.get(V.source, 'GitRepository', inside, 'other')).spec?.suspend).toBe(true);
    await client.close();
  });
});

describe('--allowed-contexts', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(['--allowed-contexts', 'admin']);
  });
  afterAll(async () => server?.stop());

  it('lists only the allowed contexts', async () => {
    const { client } = await connect(server.url);
    const call = await callTool(client, 'get_kubeconfig_contexts');
    expect((call.structured.contexts as { name: string }[]).map((c) => c.name)).toEqual(['admin']);
    await client.close();
  });

  it('refuses another context as a session default and as a call parameter', async () => {
    const { client } = await connect(server.url);
    const set = await callTool(client, 'set_kubeconfig_context', { name: 'restricted' });
    expect(set.result.isError).toBe(true);
    expect(set.text).toBe('context restricted is not one this server may use (allowed contexts: admin)');
    const read = await callTool(client, 'get_kubernetes_resources', {
      kind: 'GitRepository',
      namespace: inside,
      context: 'restricted',
    });
    expect(read.result.isError).toBe(true);
    expect(read.text).toBe('context restricted is not one this server may use (allowed contexts: admin)');
    await client.close();
  });
});

describe('--tools', () => {
  it('offers only the tools it names', async () => {
    const server = await startHttpServer(['--tools', 'get_kubernetes_resources,get_kubeconfig_contexts']);
    try {
      const { client } = await connect(server.url);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'get_kubeconfig_contexts',
        'get_kubernetes_resources',
      ]);
      const call = await callTool(client, 'set_kubeconfig_context', { name: 'admin' });
      expect(call.text).toContain('Tool set_kubeconfig_context not found');
      await client.close();
    } finally {
      await server.stop();
    }
  });
});
