// Limits per caller over HTTP: a rate of tool calls (429 with Retry-After), open sessions per caller and in
// all, and idle sessions closed. Each limit is hit with a tiny setting and recovered from by waiting what
// Retry-After says, or by ending a session; no timing thresholds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool } from '../support/env.js';
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
