// Rights by scope (--oidc-write-scopes): a token without the write scope is a reader. Its session lists the
// tools of --read-only, and a call of a tool that writes gets 403 insufficient_scope naming the scope (RFC 6750
// §3.1), which OAuth clients read to ask for it; nothing changes. A token with the scope gets every tool.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { gitRepository, V } from '../support/flux.js';
import { connect, startHttpServer, type HttpServer } from '../support/http.js';
import { AUDIENCE, startIssuer, type TestIssuer } from '../support/oidc-issuer.js';

const WRITE = 'flux:write';

let api: TestApi;
let ns: string;
let issuer: TestIssuer;
let server: HttpServer;
let stateless: HttpServer;
let readOnly: HttpServer;

function challenge(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  return Object.fromEntries([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

async function toolNames(url: string, token: string): Promise<string[]> {
  const { client } = await connect(url, { token });
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((t) => t.name).sort();
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'scopes');
  await api.apply(gitRepository('repo', ns));
  issuer = await startIssuer();
  const jwks = issuer.writeJwksFile(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-scopes-')));
  const oidc = ['--oidc-issuer', issuer.issuer, '--oidc-audience', AUDIENCE, '--oidc-jwks-file', jwks];
  server = await startHttpServer([...oidc, '--oidc-write-scopes', WRITE]);
  stateless = await startHttpServer([...oidc, '--oidc-write-scopes', WRITE, '--stateless']);
  readOnly = await startHttpServer([...oidc, '--read-only']);
});

afterAll(async () => {
  await server?.stop();
  await stateless?.stop();
  await readOnly?.stop();
  await issuer?.close();
  await api?.close();
});

describe('--oidc-write-scopes', () => {
  it('lists the --read-only tools to a token without the write scope, in a session and stateless', async () => {
    const reader = await issuer.sign({ scope: 'openid' }, { subject: 'reader' });
    const readTools = await toolNames(readOnly.url, reader);
    expect(readTools.length).toBeGreaterThan(0);
    expect(await toolNames(server.url, reader)).toEqual(readTools);
    expect(await toolNames(stateless.url, reader)).toEqual(readTools);
  });

  it('lists every tool to a token with the write scope', async () => {
    const writer = await issuer.sign({ scope: `openid ${WRITE}` }, { subject: 'writer' });
    const names = await toolNames(server.url, writer);
    expect(names).toContain('suspend_flux_reconciliation');
    expect(names.length).toBeGreaterThan((await toolNames(readOnly.url, writer)).length);
  });

  it('answers a write tool called without the scope with 403 insufficient_scope naming it, and changes nothing', async () => {
    const reader = await issuer.sign({ scope: 'openid' }, { subject: 'reader' });
    const { client, transport } = await connect(server.url, { token: reader });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${reader}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': transport.sessionId!,
        'Mcp-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: {
          name: 'suspend_flux_reconciliation',
          arguments: { kind: 'GitRepository', name: 'repo', namespace: ns },
        },
      }),
    });
    expect(res.status).toBe(403);
    expect(challenge(res)).toMatchObject({
      error: 'insufficient_scope',
      scope: WRITE,
      error_description: `the token lacks the scope ${WRITE} that suspend_flux_reconciliation needs (--oidc-write-scopes); this token may only read`,
    });
    expect((await api.get(V.source, 'GitRepository', ns, 'repo')).spec?.suspend).toBeUndefined();
    // Reading still works in the same session.
    const read = await callTool(client, 'get_kubernetes_resources', { kind: 'GitRepository', namespace: ns });
    expect(read.result.isError).toBeFalsy();
    await client.close();
  });

  it('lets a token with the write scope call a write tool', async () => {
    const writer = await issuer.sign({ scope: `openid ${WRITE}` }, { subject: 'writer' });
    const { client } = await connect(server.url, { token: writer });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'repo',
      namespace: ns,
      dry_run: true,
    });
    expect(call.structured.objects).toEqual([expect.objectContaining({ name: 'repo', result: 'dry-run' })]);
    await client.close();
  });

  it('names the write scope among the scopes_supported of the OAuth metadata', async () => {
    const doc = (await (await fetch(`${server.base}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      scopes_supported?: string[];
    };
    expect(doc.scopes_supported).toEqual([WRITE]);
  });
});
