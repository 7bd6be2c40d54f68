import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  extractWWWAuthenticateParams,
  UnauthorizedError,
  type OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, testNamespace } from '../support/env.js';
import { gitRepository, V } from '../support/flux.js';
import { connect, rawInitialize, startHttpServer, type HttpServer } from '../support/http.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';
const ISSUER = 'https://id.example.test';
const AUDIENCE = 'flux-ops-mcp';

let api: TestApi;
let ns: string;
let dir: string;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'auth');
  await api.apply(gitRepository('repo', ns));
  await api.apply(gitRepository('oidc-repo', ns));
  dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-auth-'));
});
afterAll(async () => api?.close());

describe('bearer tokens from a file', () => {
  let server: HttpServer;
  let tokens: string;
  let audit: string;

  beforeAll(async () => {
    tokens = join(dir, 'tokens');
    audit = join(dir, 'audit.jsonl');
    writeFileSync(tokens, `# who may call\nalice:${ALICE}\nbob:${BOB}\n`);
    server = await startHttpServer(['--auth-tokens', tokens, '--audit-log', audit]);
  });
  afterAll(async () => server?.stop());

  it('answers 401 with a WWW-Authenticate challenge when no token is sent', async () => {
    const res = await rawInitialize(server.url);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="flux-ops-mcp"/);
  });

  it('answers 401 with error="invalid_token" to a wrong token', async () => {
    const res = await rawInitialize(server.url, { Authorization: 'Bearer not-a-token-anyone-has' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('fails to connect the SDK client without a token', async () => {
    await expect(connect(server.url)).rejects.toThrow(/401|Unauthorized/);
  });

  it('serves a caller with a valid token', async () => {
    const { client } = await connect(server.url, { token: ALICE });
    const call = await callTool(client, 'get_kubernetes_resources', {
      kind: 'GitRepository',
      namespace: ns,
      name: 'repo',
    });
    expect(call.structured.count).toBe(1);
    await client.close();
  });

  it('records the token name as who suspended an object, and in the audit log', async () => {
    const { client, transport } = await connect(server.url, { token: BOB });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'repo',
      namespace: ns,
      reason: 'auth test',
    });
    expect(call.result.isError).toBeFalsy();
    const live = await api.get(V.source, 'GitRepository', ns, 'repo');
    expect(live.metadata.annotations?.['flux-ops-mcp.io/suspended-by']).toBe('bob');
    const records = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.at(-1)).toMatchObject({
      type: 'audit',
      identity: 'bob',
      session: transport.sessionId,
      tool: 'suspend_flux_reconciliation',
      arguments: { kind: 'GitRepository', name: 'repo', namespace: ns, reason: 'auth test' },
      context: 'admin',
      outcome: 'suspended',
    });
    await client.close();
  });

  it("does not let one caller use another caller's session", async () => {
    const { client, transport } = await connect(server.url, { token: ALICE });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${BOB}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'Mcp-Session-Id': transport.sessionId!,
        'Mcp-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    await client.close();
  });

  it('accepts a token added to the file without a restart', async () => {
    const carol = 'carol-token-0123456789abcdef';
    writeFileSync(tokens, `alice:${ALICE}\nbob:${BOB}\ncarol:${carol}\n`);
    const status = await until('the new token', async () => {
      const res = await rawInitialize(server.url, { Authorization: `Bearer ${carol}` });
      return res.status === 200 ? res.status : undefined;
    });
    expect(status).toBe(200);
  });

  it('re-reads the token file on SIGHUP', async () => {
    server.process.kill('SIGHUP');
    const line = await until('the reload log line', async () =>
      server.logs().find((l) => l.msg === 'reloaded bearer tokens' && l.why === 'SIGHUP'),
    );
    expect(line.tokens).toBe(3);
  });
});

describe('OIDC tokens', () => {
  let keys: { privateKey: CryptoKey; publicKey: CryptoKey };
  let jwk: JWK;
  let fileServer: HttpServer;
  let urlServer: HttpServer;
  let jwksHttp: Server;

  function sign(claims: Record<string, unknown>, key = keys.privateKey, expiresIn = '5m'): Promise<string> {
    return new SignJWT({ email: 'dev@example.test', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('user-1234')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key);
  }

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    jwk = { ...(await exportJWK(keys.publicKey)), kid: 'test', alg: 'RS256', use: 'sig' };
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    fileServer = await startHttpServer([
      '--oidc-issuer',
      ISSUER,
      '--oidc-audience',
      AUDIENCE,
      '--oidc-jwks-file',
      jwksFile,
      '--oidc-identity-claim',
      'email',
    ]);
    jwksHttp = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    jwksHttp.listen(0, '127.0.0.1');
    await once(jwksHttp, 'listening');
    const port = (jwksHttp.address() as AddressInfo).port;
    urlServer = await startHttpServer([
      '--oidc-issuer',
      ISSUER,
      '--oidc-audience',
      AUDIENCE,
      '--oidc-jwks-url',
      `http://127.0.0.1:${port}/jwks`,
    ]);
  });
  afterAll(async () => {
    await fileServer?.stop();
    await urlServer?.stop();
    jwksHttp?.close();
  });

  it('serves a caller whose JWT is signed by a key of the JWKS file, named by the chosen claim', async () => {
    const { client } = await connect(fileServer.url, { token: await sign({}) });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'oidc-repo',
      namespace: ns,
      dry_run: true,
    });
    expect(call.structured.objects).toEqual([
      expect.objectContaining({
        result: 'dry-run',
        patch: expect.objectContaining({
          metadata: {
            annotations: expect.objectContaining({ 'flux-ops-mcp.io/suspended-by': 'dev@example.test' }),
          },
        }),
      }),
    ]);
    await client.close();
  });

  it('fetches the keys from a JWKS URL and names the caller by sub after the issuer URL and "#" by default', async () => {
    const { client } = await connect(urlServer.url, { token: await sign({}) });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'oidc-repo',
      namespace: ns,
      dry_run: true,
    });
    expect(JSON.stringify(call.structured)).toContain(`"flux-ops-mcp.io/suspended-by":"${ISSUER}#user-1234"`);
    await client.close();
  });

  it('answers 401 to a JWT for another audience', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'test' })
      .setIssuer(ISSUER)
      .setAudience('another-service')
      .setSubject('user-1234')
      .setExpirationTime('5m')
      .sign(keys.privateKey);
    const res = await rawInitialize(fileServer.url, { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain("the token's aud claim is not accepted");
  });

  it('answers 401 to an expired JWT', async () => {
    const token = await sign({}, keys.privateKey, '-5m');
    const res = await rawInitialize(fileServer.url, { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('the token has expired');
  });

  it('answers 401 to a JWT signed by another key', async () => {
    const other = await generateKeyPair('RS256');
    const res = await rawInitialize(fileServer.url, {
      Authorization: `Bearer ${await sign({}, other.privateKey)}`,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('the token is not signed by the issuer');
  });
});

describe('OAuth discovery for clients that do OAuth themselves (RFC 9728, MCP authorization)', () => {
  const SCOPE = 'flux:operate';
  let keys: { privateKey: CryptoKey; publicKey: CryptoKey };
  let issuerHttp: Server;
  let issuer: string;
  let server: HttpServer;
  let tokenServer: HttpServer;
  let resourceServer: HttpServer;
  let metadataPath: string;

  function token(claims: Record<string, unknown>, audience = AUDIENCE): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'oauth' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('dev-1')
      .setExpirationTime('5m')
      .sign(keys.privateKey);
  }

  function challenge(res: Response): Record<string, string> {
    const header = res.headers.get('www-authenticate') ?? '';
    expect(header).toMatch(/^Bearer /);
    return Object.fromEntries([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  }

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    const jwksFile = join(dir, 'oauth-jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'oauth', alg: 'RS256' }] }),
    );
    // The authorization server's own metadata (RFC 8414), for the SDK client's discovery.
    issuerHttp = createServer((req, res) => {
      if (req.url === '/.well-known/oauth-authorization-server') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            response_types_supported: ['code'],
            code_challenge_methods_supported: ['S256'],
          }),
        );
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    issuerHttp.listen(0, '127.0.0.1');
    await once(issuerHttp, 'listening');
    issuer = `http://127.0.0.1:${(issuerHttp.address() as AddressInfo).port}`;
    const oidc = ['--oidc-issuer', issuer, '--oidc-audience', AUDIENCE, '--oidc-jwks-file', jwksFile];
    server = await startHttpServer([...oidc, '--oidc-required-scopes', SCOPE]);
    metadataPath = '/.well-known/oauth-protected-resource/mcp';
    resourceServer = await startHttpServer([
      ...oidc,
      '--oidc-resource',
      'https://flux-ops.example.com/team/mcp',
    ]);
    const tokenFile = join(dir, 'oauth-tokens');
    writeFileSync(tokenFile, `alice:${ALICE}\n`);
    tokenServer = await startHttpServer(['--auth-tokens', tokenFile]);
  });
  afterAll(async () => {
    await server?.stop();
    await resourceServer?.stop();
    await tokenServer?.stop();
    issuerHttp?.close();
  });

  it('serves the protected resource metadata under the path of /mcp, as RFC 9728 §3.2 shows it', async () => {
    const res = await fetch(`${server.base}${metadataPath}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      resource: server.url,
      authorization_servers: [issuer],
      scopes_supported: [SCOPE],
      bearer_methods_supported: ['header'],
    });
  });

  it('serves the same document at the root well-known URL, where clients look second', async () => {
    const res = await fetch(`${server.base}/.well-known/oauth-protected-resource`);
    expect(await res.json()).toMatchObject({ resource: server.url, authorization_servers: [issuer] });
  });

  it('points its 401 to the metadata and names the scope it needs, as the spec example does', async () => {
    const res = await rawInitialize(server.url);
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatchObject({
      resource_metadata: `${server.base}${metadataPath}`,
      scope: SCOPE,
    });
    expect(extractWWWAuthenticateParams(res)).toEqual({
      resourceMetadataUrl: new URL(`${server.base}${metadataPath}`),
      scope: SCOPE,
    });
  });

  it('lets an SDK client find the issuer from the 401 alone and ask it for a token for this server and scope', async () => {
    let authorization: URL | undefined;
    const provider: OAuthClientProvider = {
      redirectUrl: 'http://127.0.0.1:1/callback',
      clientMetadata: { redirect_uris: ['http://127.0.0.1:1/callback'], client_name: 'test' },
      clientInformation: () => ({ client_id: 'test-client' }),
      tokens: () => undefined,
      saveTokens: () => undefined,
      redirectToAuthorization: (url) => {
        authorization = url;
      },
      saveCodeVerifier: () => undefined,
      codeVerifier: () => 'verifier',
    };
    const client = new Client({ name: 'oauth-test', version: '0' });
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: provider })),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    expect(`${authorization!.origin}${authorization!.pathname}`).toBe(`${issuer}/authorize`);
    expect(authorization!.searchParams.get('resource')).toBe(server.url);
    expect(authorization!.searchParams.get('scope')).toBe(SCOPE);
  });

  it('answers 403 error="insufficient_scope" to a token without the required scope, naming the scope', async () => {
    const res = await rawInitialize(server.url, {
      Authorization: `Bearer ${await token({ scope: 'openid' })}`,
    });
    expect(res.status).toBe(403);
    expect(challenge(res)).toMatchObject({
      error: 'insufficient_scope',
      scope: SCOPE,
      resource_metadata: `${server.base}${metadataPath}`,
      error_description: `the token lacks the scope ${SCOPE}`,
    });
    expect(extractWWWAuthenticateParams(res).error).toBe('insufficient_scope');
  });

  it('serves a token with the required scope', async () => {
    const { client } = await connect(server.url, { token: await token({ scope: `openid ${SCOPE}` }) });
    const call = await callTool(client, 'get_kubernetes_resources', { kind: 'GitRepository', namespace: ns });
    expect(call.result.isError).toBeFalsy();
    await client.close();
  });

  it('still refuses a token minted for another resource, with 401 invalid_token', async () => {
    const res = await rawInitialize(server.url, {
      Authorization: `Bearer ${await token({ scope: SCOPE }, 'https://other.example.com/mcp')}`,
    });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatchObject({
      error: 'invalid_token',
      resource_metadata: `${server.base}${metadataPath}`,
    });
  });

  it('names the --oidc-resource URL as the resource, with its metadata under that URL', async () => {
    const res = await rawInitialize(resourceServer.url);
    expect(challenge(res).resource_metadata).toBe(
      'https://flux-ops.example.com/.well-known/oauth-protected-resource/team/mcp',
    );
    expect(challenge(res)).not.toHaveProperty('scope');
    const doc = await fetch(`${resourceServer.base}/.well-known/oauth-protected-resource/team/mcp`);
    expect(await doc.json()).toEqual({
      resource: 'https://flux-ops.example.com/team/mcp',
      authorization_servers: [issuer],
      bearer_methods_supported: ['header'],
    });
  });

  it('has no metadata, and points nowhere, with bearer tokens alone (there is no issuer to find)', async () => {
    expect((await fetch(`${tokenServer.base}${metadataPath}`)).status).toBe(404);
    const res = await rawInitialize(tokenServer.url);
    expect(res.status).toBe(401);
    expect(challenge(res)).not.toHaveProperty('resource_metadata');
  });
});

describe('TLS', () => {
  it('serves HTTPS with the given certificate', async () => {
    const { Agent, fetch: undiciFetch } = await import('undici');
    const { caFile } = (await import('../support/env.js')).cluster();
    // The test cluster's API server certificate is valid for 127.0.0.1; reuse it and its key.
    const certDir = join(caFile, '..');
    const server = await startHttpServer([
      '--tls-cert',
      join(certDir, 'apiserver.crt'),
      '--tls-key',
      join(certDir, 'apiserver.key'),
    ]);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
      const { client } = await connect(server.url, {
        fetch: ((url: string | URL, init?: RequestInit) =>
          undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch,
      });
      expect((await callTool(client, 'get_kubeconfig_contexts')).structured.current).toBe('admin');
      await client.close();
      await dispatcher.close();
    } finally {
      await server.stop();
    }
  });
});
