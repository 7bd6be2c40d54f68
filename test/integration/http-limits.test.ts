// Limits over HTTP: a rate of tool calls per caller (429 with Retry-After), open sessions per caller and in
// all, idle sessions closed, the time a client has to send its request, and open connections in all. Each
// limit is hit with a tiny setting and recovered from by waiting what Retry-After says, or by ending a session
// or a connection; no timing thresholds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { kustomization } from '../support/flux.js';
import { connect, rawInitialize, startHttpServer, type HttpServer } from '../support/http.js';

const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef',
  carol: 'carol-token-0123456789abcdef',
};
let tokens: string;

const bearer = (who: keyof typeof TOKENS) => ({ Authorization: `Bearer ${TOKENS[who]}` });
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

function retryAfter(res: Response): number {
  const value = res.headers.get('retry-after');
  expect(value).toMatch(/^\d+$/);
  return Number(value);
}

/** A tools/call in an existing session, as raw HTTP. */
function rawToolCall(
  url: string,
  who: keyof typeof TOKENS,
  sessionId: string,
  id: number,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      ...bearer(who),
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'Mcp-Session-Id': sessionId,
      'Mcp-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'get_kubeconfig_contexts', arguments: {} },
    }),
  });
}

beforeAll(() => {
  tokens = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-limits-')), 'tokens');
  writeFileSync(
    tokens,
    Object.entries(TOKENS)
      .map(([name, token]) => `${name}:${token}`)
      .join('\n'),
  );
});

describe('--rate-limit', () => {
  let server: HttpServer;
  let alice: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    server = await startHttpServer(['--auth-tokens', tokens, '--rate-limit', '2/5s']);
    alice = await connect(server.url, { token: TOKENS.alice });
  });
  afterAll(async () => {
    await alice?.client.close();
    await server?.stop();
  });

  it('answers a tool call over the limit with 429, Retry-After and a JSON-RPC error that says when to retry', async () => {
    await callTool(alice.client, 'get_kubeconfig_contexts');
    await callTool(alice.client, 'get_kubeconfig_contexts');
    const res = await rawToolCall(server.url, 'alice', alice.transport.sessionId!, 7);
    expect(res.status).toBe(429);
    const wait = retryAfter(res);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(5);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32000,
        message: `rate limit: alice may make 2 tool calls in 5s (--rate-limit); get_kubeconfig_contexts was not run, retry in ${wait} s`,
      },
    });
  });

  it('gives an SDK client the same words as the error of its call, and keeps its session', async () => {
    await expect(callTool(alice.client, 'get_kubeconfig_contexts')).rejects.toThrow(
      /rate limit: alice may make 2 tool calls in 5s .* retry in \d+ s/,
    );
    expect((await alice.client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('counts each caller apart', async () => {
    const bob = await connect(server.url, { token: TOKENS.bob });
    expect((await callTool(bob.client, 'get_kubeconfig_contexts')).result.isError).toBeFalsy();
    await bob.client.close();
  });

  it('lets the caller call again once Retry-After has passed', async () => {
    const res = await rawToolCall(server.url, 'alice', alice.transport.sessionId!, 8);
    expect(res.status).toBe(429);
    await sleep(retryAfter(res));
    expect((await callTool(alice.client, 'get_kubeconfig_contexts')).result.isError).toBeFalsy();
  });
});

describe('--max-sessions-per-caller and --max-sessions', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer([
      '--auth-tokens',
      tokens,
      '--max-sessions-per-caller',
      '1',
      '--max-sessions',
      '2',
    ]);
  });
  afterAll(async () => server?.stop());

  it("refuses a caller's session beyond their cap with 429 and Retry-After, and lets the caller in again after ending one", async () => {
    const { client, transport } = await connect(server.url, { token: TOKENS.alice });
    const res = await rawInitialize(server.url, bearer('alice'));
    expect(res.status).toBe(429);
    expect(retryAfter(res)).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^alice has 1 open sessions, the most one caller may have \(--max-sessions-per-caller 1\)/,
    );

    await transport.terminateSession();
    await client.close();
    expect((await rawInitialize(server.url, bearer('alice'))).status).toBe(200);
  });

  it('lets another caller open a session while one is at their cap, up to the cap in all, then answers 503', async () => {
    const bob = await rawInitialize(server.url, bearer('bob'));
    expect(bob.status).toBe(200);
    const carol = await rawInitialize(server.url, bearer('carol'));
    expect(carol.status).toBe(503);
    expect(retryAfter(carol)).toBeGreaterThanOrEqual(1);
    expect(((await carol.json()) as { error: { message: string } }).error.message).toMatch(
      /^the server has 2 open sessions, the most it keeps \(--max-sessions 2\)/,
    );
  });
});

describe('--session-idle-timeout', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer([
      '--auth-tokens',
      tokens,
      '--max-sessions-per-caller',
      '1',
      '--session-idle-timeout',
      '3s',
    ]);
  });
  afterAll(async () => server?.stop());

  it('closes an idle session that holds the cap once Retry-After has passed, and its id is gone', async () => {
    const { client, transport } = await connect(server.url, { token: TOKENS.alice });
    const old = transport.sessionId!;
    const refused = await rawInitialize(server.url, bearer('alice'));
    expect(refused.status).toBe(429);
    const wait = retryAfter(refused);
    expect(wait).toBeLessThanOrEqual(3);
    await sleep(wait);
    expect((await rawInitialize(server.url, bearer('alice'))).status).toBe(200);
    expect((await rawToolCall(server.url, 'alice', old, 1)).status).toBe(404);
    await client.close().catch(() => undefined);
  });
});

/** A raw connection to the server that sends `head` (and nothing more): what it is answered, once closed. */
function rawConnection(server: HttpServer, head: string): { closed: Promise<string>; end(): void } {
  const { hostname, port } = new URL(server.url);
  const socket = tcpConnect(Number(port), hostname);
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(head);
  return {
    closed: new Promise((resolve) => socket.once('close', () => resolve(answer))),
    end: () => socket.destroy(),
  };
}

const slowHead = (server: HttpServer, extra = '') =>
  `POST /mcp HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\nContent-Type: application/json\r\n${extra}`;

describe('--request-timeout', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer(['--auth-tokens', tokens, '--request-timeout', '2s']);
  });
  afterAll(async () => server?.stop());

  it('answers 408 and closes the connections of clients that send their headers too slowly, with or without a token', async () => {
    const connections = Array.from({ length: 20 }, (_, i) =>
      rawConnection(
        server,
        i % 2 === 0 ? slowHead(server) : slowHead(server, `Authorization: Bearer ${TOKENS.alice}\r\n`),
      ),
    );
    const answers = await Promise.all(connections.map((c) => c.closed));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('answers 408 and closes the connection of a client whose body never ends', async () => {
    const c = rawConnection(
      server,
      `${slowHead(server, `Authorization: Bearer ${TOKENS.alice}\r\nContent-Length: 1000\r\n`)}\r\n{"jsonrpc":`,
    );
    expect(await c.closed).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it('does not cut a tool call that runs longer: a reconcile that waits 5 s answers after its wait', async () => {
    const api = adminApi();
    const ns = await testNamespace(api, 'req-timeout');
    await api.apply(kustomization('apps', ns));
    const { client } = await connect(server.url, { token: TOKENS.alice });
    const call = await callTool(client, 'reconcile_flux_kustomization', {
      name: 'apps',
      namespace: ns,
      timeout: '5s',
    });
    // No controller answers here: the call waits its 5 s, more than the 2 s a request may take, and says so.
    expect(call.structured.result).toBe('timeout');
    expect(call.text).toMatch(
      new RegExp(`^Timed out after 5(\\.\\d)?s waiting for Kustomization ${ns}/apps`),
    );
    await client.close();
    await api.close();
  });
});

describe('--max-connections', () => {
  let server: HttpServer;
  beforeAll(async () => {
    server = await startHttpServer(['--auth-tokens', tokens, '--max-connections', '3']);
  });
  afterAll(async () => server?.stop());

  it('closes connections beyond the cap without an answer, and takes new ones once one has closed', async () => {
    const held = Array.from({ length: 3 }, () => rawConnection(server, slowHead(server)));
    await new Promise((r) => setTimeout(r, 200));
    const refused = rawConnection(
      server,
      `GET /healthz HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n\r\n`,
    );
    expect(await refused.closed).toBe('');
    held[0]!.end();
    await held[0]!.closed;
    // The server counts the connection closed once it has read the close: until then, new ones are refused.
    let status: number | undefined;
    for (let i = 0; i < 50 && status === undefined; i++) {
      status = await fetch(`${server.base}/healthz`).then(
        (res) => res.status,
        async () => {
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        },
      );
    }
    expect(status).toBe(200);
    for (const c of held.slice(1)) c.end();
    expect(server.logs()).toContainEqual(
      expect.objectContaining({ msg: 'refused connections beyond --max-connections', maxConnections: 3 }),
    );
  });
});
