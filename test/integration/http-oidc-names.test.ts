// OIDC callers named as kube-apiserver names them: the identity claim with the issuer URL and "#" before it
// (unless the claim is email, or --oidc-username-prefix says otherwise), groups with --oidc-groups-prefix, and
// an email only when a present email_verified is true. An OIDC caller is never a caller of the token file:
// its name differs, and so do its sessions, its rate budget and its audit records. Under --impersonate the API
// server sees the prefixed names (a SelfSubjectReview made as the caller).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, ROOT, testNamespace } from '../support/env.js';
import { connect, rawInitialize, startHttpServer, type HttpServer } from '../support/http.js';
import { AUDIENCE, startIssuer, type TestIssuer } from '../support/oidc-issuer.js';
import { clusterRoleUser, type TestUser } from '../support/users.js';

const CAROL = 'carol-token-0123456789abcdef';

let api: TestApi;
let ns: string;
let dir: string;
let issuer: TestIssuer;
let jwks: string;
let tokens: string;
let impersonator: TestUser;

function challenge(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  return Object.fromEntries([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

async function whoAmI(url: string, token: string): Promise<{ user: string; groups: string[] }> {
  const { client } = await connect(url, { token });
  try {
    const call = await callTool(client, 'get_kubeconfig_contexts');
    const { user, groups } = call.structured.actingAs as { user: string; groups: string[] };
    return { user, groups };
  } finally {
    await client.close();
  }
}

function oidcArgs(...extra: string[]): string[] {
  return ['--oidc-issuer', issuer.issuer, '--oidc-audience', AUDIENCE, '--oidc-jwks-file', jwks, ...extra];
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'oidc-names');
  dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-oidc-names-'));
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/optional/impersonation.yaml'), 'utf8'));
  for (const obj of docs.map((d) => d.toJS() as TestObject).filter((o) => o.kind === 'ClusterRole'))
    await api.apply(obj);
  impersonator = await clusterRoleUser(api, ns, 'impersonator', 'flux-ops-mcp-impersonator');
  issuer = await startIssuer();
  jwks = issuer.writeJwksFile(dir);
  tokens = join(dir, 'tokens');
  writeFileSync(tokens, `carol:${CAROL}:team-carol\n`);
});

afterAll(async () => {
  await issuer?.close();
  await impersonator?.cleanup();
  await api?.close();
});

describe('names of OIDC callers, with the default prefixes', () => {
  let server: HttpServer;
  let audit: string;

  beforeAll(async () => {
    audit = join(dir, 'audit.jsonl');
    server = await startHttpServer(
      [
        '--impersonate',
        '--auth-tokens',
        tokens,
        '--audit-log',
        audit,
        '--rate-limit',
        '2/1m',
        ...oidcArgs('--oidc-groups-prefix', 'oidc:'),
      ],
      { kubeconfig: impersonator.kubeconfig },
    );
  });
  afterAll(async () => server?.stop());

  it('impersonates the sub claim after the issuer URL and "#", and each group after --oidc-groups-prefix', async () => {
    const token = await issuer.sign({ groups: ['team-b'] }, { subject: 'carol' });
    expect(await whoAmI(server.url, token)).toEqual({
      user: `${issuer.issuer}#carol`,
      groups: ['oidc:team-b', 'system:authenticated'],
    });
  });

  it('keeps the token-file caller carol apart: her own name and groups', async () => {
    expect(await whoAmI(server.url, CAROL)).toEqual({
      user: 'carol',
      groups: ['team-carol', 'system:authenticated'],
    });
  });

  it("does not let the OIDC carol use the token-file carol's session", async () => {
    const { client, transport } = await connect(server.url, { token: CAROL });
    const oidcCarol = await issuer.sign({}, { subject: 'carol' });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${oidcCarol}`,
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

  it('counts the rate of the two carols apart', async () => {
    const fileCarol = await connect(server.url, { token: CAROL });
    const oidcCarol = await connect(server.url, { token: await issuer.sign({}, { subject: 'carol' }) });
    // The token-file carol uses up her 2 calls a minute; the OIDC carol still has hers.
    await callTool(fileCarol.client, 'get_kubeconfig_contexts').catch(() => undefined);
    await callTool(fileCarol.client, 'get_kubeconfig_contexts').catch(() => undefined);
    await expect(callTool(fileCarol.client, 'get_kubeconfig_contexts')).rejects.toThrow(
      /rate limit: carol may make 2 tool calls/,
    );
    const call = await callTool(oidcCarol.client, 'get_kubeconfig_contexts');
    expect(call.result.isError).toBeFalsy();
    await fileCarol.client.close();
    await oidcCarol.client.close();
  });

  it('writes the full identity and the prefixed groups in the audit record', async () => {
    const { client } = await connect(server.url, {
      token: await issuer.sign({ groups: ['team-b'] }, { subject: 'dave' }),
    });
    await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'absent',
      namespace: ns,
      dry_run: true,
    });
    const records = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.at(-1)).toMatchObject({
      identity: `${issuer.issuer}#dave`,
      groups: ['oidc:team-b'],
      tool: 'suspend_flux_reconciliation',
    });
    await client.close();
  });
});

describe('--oidc-username-prefix -', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(
      ['--impersonate', '--auth-tokens', tokens, ...oidcArgs('--oidc-username-prefix', '-')],
      { kubeconfig: impersonator.kubeconfig },
    );
  });
  afterAll(async () => server?.stop());

  it('impersonates the claim as it is', async () => {
    expect((await whoAmI(server.url, await issuer.sign({}, { subject: 'erin' }))).user).toBe('erin');
  });

  it('refuses an OIDC caller whose name is that of a token-file caller, with 401 and the reason', async () => {
    const res = await rawInitialize(server.url, {
      Authorization: `Bearer ${await issuer.sign({}, { subject: 'carol' })}`,
    });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringContaining(
        `makes the user 'carol', the name of a caller of the token file`,
      ),
    });
  });
});

describe('the email claim', () => {
  let server: HttpServer;

  beforeAll(async () => {
    server = await startHttpServer(['--impersonate', ...oidcArgs('--oidc-identity-claim', 'email')], {
      kubeconfig: impersonator.kubeconfig,
    });
  });
  afterAll(async () => server?.stop());

  it('impersonates a verified email as it is, without a prefix, as kube-apiserver names it', async () => {
    const token = await issuer.sign({ email: 'dev@example.test', email_verified: true }, { subject: '1234' });
    expect((await whoAmI(server.url, token)).user).toBe('dev@example.test');
  });

  it('accepts an email without email_verified, as kube-apiserver does', async () => {
    const token = await issuer.sign({ email: 'ops@example.test' }, { subject: '1235' });
    expect((await whoAmI(server.url, token)).user).toBe('ops@example.test');
  });

  it('refuses an email whose email_verified is false, with 401 saying so', async () => {
    const token = await issuer.sign(
      { email: 'mallory@example.test', email_verified: false },
      { subject: '666' },
    );
    const res = await rawInitialize(server.url, { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatchObject({
      error: 'invalid_token',
      error_description: expect.stringContaining('email is not verified'),
    });
  });
});
