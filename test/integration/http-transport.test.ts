import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { gitRepository, kustomization } from '../support/flux.js';
import { connect, rawInitialize, startHttpServer, type HttpServer } from '../support/http.js';

let api: TestApi;
let ns: string;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'http');
  await api.apply(gitRepository('repo', ns));
  await api.apply(kustomization('apps', ns));
  await api.apply(gitRepository('team-repo', RESTRICTED_NAMESPACE));
});
afterAll(async () => api?.close());

describe('HTTP with sessions', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(async () => server?.stop());

  it('answers initialize at /mcp and gives a session id', async () => {
    const { client, transport } = await connect(server.url);
    expect(client.getServerVersion()?.name).toBe('flux-ops-mcp');
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await transport.terminateSession();
    await client.close();
  });

  it('keeps the context each session chose apart, also while both call at once', async () => {
    const a = await connect(server.url);
    const b = await connect(server.url);
    const set = await callTool(b.client, 'set_kubeconfig_context', { name: 'restricted' });
    expect(set.structured).toEqual({ previous: 'admin', current: 'restricted' });

    const rounds = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const [inA, inB, ctxA, ctxB] = await Promise.all([
          callTool(a.client, 'get_kubernetes_resources', { kind: 'GitRepository', namespace: ns }),
          callTool(b.client, 'get_kubernetes_resources', { kind: 'GitRepository', namespace: ns }),
          callTool(a.client, 'get_kubeconfig_contexts'),
          callTool(b.client, 'get_kubeconfig_contexts'),
        ]);
        return { inA, inB, ctxA, ctxB };
      }),
    );
    for (const { inA, inB, ctxA, ctxB } of rounds) {
      expect(inA.result.isError).toBeFalsy();
      expect(inA.structured.context).toBe('admin');
      expect(inB.result.isError).toBe(true);
      expect(inB.text).toContain('forbidden: user jane cannot list');
      expect(ctxA.structured.current).toBe('admin');
      expect(ctxB.structured.current).toBe('restricted');
    }
    const teamA = await callTool(b.client, 'get_kubernetes_resources', { kind: 'GitRepository' });
    expect(teamA.result.isError).toBeTruthy();
    const inTeamA = await callTool(b.client, 'get_kubernetes_resources', {
      kind: 'GitRepository',
      namespace: RESTRICTED_NAMESPACE,
    });
    expect(inTeamA.structured).toMatchObject({ context: 'restricted', count: 1 });
    await a.client.close();
    await b.client.close();
  });

  it('lets a call name its own context without changing the session default', async () => {
    const { client } = await connect(server.url);
    const call = await callTool(client, 'get_kubernetes_resources', {
      kind: 'GitRepository',
      namespace: RESTRICTED_NAMESPACE,
      context: 'restricted',
    });
    expect(call.structured.context).toBe('restricted');
    expect((await callTool(client, 'get_kubeconfig_contexts')).structured.current).toBe('admin');
    await client.close();
  });

  it('refuses to switch to a context the kubeconfig does not have', async () => {
    const { client } = await connect(server.url);
    const set = await callTool(client, 'set_kubeconfig_context', { name: 'prod' });
    expect(set.result.isError).toBe(true);
    expect(set.text).toBe('context prod is not in the kubeconfig (contexts: admin, restricted)');
    expect((await callTool(client, 'get_kubeconfig_contexts')).structured.current).toBe('admin');
    await client.close();
  });

  it('ends a session on DELETE, after which its id is unknown', async () => {
    const { client, transport } = await connect(server.url);
    const id = transport.sessionId!;
    await transport.terminateSession();
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': id,
        'Mcp-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    await client.close();
  });

  it('answers 400 to a request without a session that is not initialize', async () => {
    const res = await rawInitialize(
      server.url,
      {},
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    expect(res.status).toBe(400);
  });

  it('answers 413 to a body larger than the limit, before reading it all', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(2 << 20) },
    });
    const res = await rawInitialize(server.url, {}, big);
    expect(res.status).toBe(413);
  });

  it('answers 413 to a streamed body over the limit, and the answer reaches the client still sending', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 160; i++) controller.enqueue(chunk); // 10 MiB, ten times the limit
        controller.close();
      },
    });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'request body larger than 1048576 bytes',
    );
  });

  it('answers 403 to a request whose Origin is a foreign web page', async () => {
    const res = await rawInitialize(server.url, { Origin: 'http://evil.example.com' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Origin http://evil.example.com is not allowed');
  });

  it('answers 403 to a request whose Host is not this server (DNS rebinding)', async () => {
    const res = await request(server.url, {
      method: 'POST',
      headers: {
        Host: 'evil.example.com',
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.statusCode).toBe(403);
    await res.body.text();
  });

  it('accepts a request from a page served by this server', async () => {
    const res = await rawInitialize(server.url, { Origin: server.base });
    expect(res.status).toBe(200);
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.base}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers 404 elsewhere', async () => {
    expect((await fetch(`${server.base}/`)).status).toBe(404);
  });
});

describe('HTTP stateless', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(['--stateless']);
  });
  afterAll(async () => server?.stop());

  it('serves tool calls without a session id', async () => {
    const { client, transport } = await connect(server.url);
    expect(transport.sessionId).toBeUndefined();
    const call = await callTool(client, 'get_kubernetes_resources', { kind: 'Kustomization', namespace: ns });
    expect(call.structured).toMatchObject({ context: 'admin', count: 1 });
    await client.close();
  });

  it('explains that there is no session context to set', async () => {
    const { client } = await connect(server.url);
    const set = await callTool(client, 'set_kubeconfig_context', { name: 'restricted' });
    expect(set.result.isError).toBe(true);
    expect(set.text).toContain('pass `context` to each tool call instead');
    await client.close();
  });

  it('answers 405 to GET and DELETE', async () => {
    expect((await fetch(server.url, { headers: { Accept: 'text/event-stream' } })).status).toBe(405);
    expect((await fetch(server.url, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('listening', () => {
  it('refuses to listen on 0.0.0.0 without authentication, and says why', async () => {
    const started = startHttpServer(['--host', '0.0.0.0']);
    await expect(started).rejects.toThrow(
      /exited with 2[\s\S]*refusing to listen on 0\.0\.0\.0 without authentication/,
    );
  });
});
