// Every caller is exactly who Kubernetes sees, and no claim reaches a system: identity. An OIDC issuer whose
// users could edit a claim signs tokens with names and groups of every class HTTP may change on the way; a
// server with --impersonate and no username prefix (the claims are the names) takes them, once talking HTTP/2
// to the API server and once through an HTTP/1.1-only proxy in front of it, which drops white space around
// header values as HTTP/1.1 stacks do. Names that would change are refused with 401; the others are asked of
// the API server (a SelfSubjectReview made as the caller): it sees exactly the names that were checked.
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, cluster, ROOT, testNamespace } from '../support/env.js';
import { connect, rawInitialize, startHttpServer, type HttpServer } from '../support/http.js';
import { startHttp1Proxy, type Http1Proxy } from '../support/http1-proxy.js';
import { AUDIENCE, startIssuer, type TestIssuer } from '../support/oidc-issuer.js';
import { clusterRoleUser, type TestUser } from '../support/users.js';

let api: TestApi;
let issuer: TestIssuer;
let proxy: Http1Proxy;
let impersonator: TestUser;
let direct: HttpServer;
let proxied: HttpServer;

/** Values a user of the identity provider could put in a claim, that HTTP would not carry as they are. */
const REFUSED: [string, string, RegExp][] = [
  ['a leading space', ' system:kube-controller-manager', /starts with U\+0020/],
  ['a trailing space', 'system:masters ', /ends with U\+0020/],
  ['a leading tab', '\tsystem:masters', /control character U\+0009/],
  ['a leading newline', '\nsystem:masters', /control character U\+000A/],
  ['a leading carriage return', '\rsystem:masters', /control character U\+000D/],
  ['a run of white space', ' \t\r\n system:nodes', /control character U\+0009/],
  ['a trailing CR LF', 'system:anonymous\r\n', /control character U\+000D/],
  ['a NUL', 'system:masters\u0000', /control character U\+0000/],
  ['a DEL', '\u007fsystem:masters', /control character U\+007F/],
  ['a C1 control (NEL)', '\u0085system:masters', /control character U\+0085/],
  ['a leading no-break space', '\u00a0system:masters', /starts with U\+00A0/],
  ['a leading ideographic space', '\u3000system:masters', /starts with U\+3000/],
  ['a leading zero-width space', '\u200bsystem:masters', /starts with U\+200B/],
  ['a leading byte order mark', '\ufeffsystem:masters', /starts with U\+FEFF/],
  ['an empty value', '', /is empty/],
  ['a value over 1024 bytes', `team-${'a'.repeat(1024)}`, /longer than 1024 bytes/],
];

/** Values that are names as they are, though not ASCII or with separators inside. */
const CARRIED = [
  'zoë@example.com',
  'Jane Doe',
  'équipe 東京',
  'cn=admins,ou=groups,dc=example,dc=com',
  'a; b',
];

function yamlDocs(path: string): TestObject[] {
  return parseAllDocuments(readFileSync(join(ROOT, path), 'utf8')).map((d) => d.toJS() as TestObject);
}

function challenge(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  return Object.fromEntries([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

type Seen = { user: string; groups: string[] } | { refused: number; description: string };

/** Who the API server sees for a token with these claims, through `server`, or how the server refused it. */
async function seenAs(server: HttpServer, sub: string, groups: string[]): Promise<Seen> {
  const token = await issuer.sign({ sub, groups });
  const res = await rawInitialize(server.url, { Authorization: `Bearer ${token}` });
  if (res.status !== 200) return { refused: res.status, description: challenge(res).error_description ?? '' };
  await res.body?.cancel();
  const { client } = await connect(server.url, { token });
  try {
    const call = await callTool(client, 'get_kubeconfig_contexts');
    const actingAs = call.structured.actingAs as { user: string; groups: string[]; source: string };
    expect(actingAs.source).toBe('api-server');
    return { user: actingAs.user, groups: actingAs.groups };
  } finally {
    await client.close();
  }
}

function expectNoSystemIdentity(seen: Seen): void {
  if ('refused' in seen) return;
  expect(seen.user.toLowerCase().startsWith('system:')).toBe(false);
  expect(seen.groups.filter((g) => g.toLowerCase().startsWith('system:'))).toEqual(['system:authenticated']);
}

beforeAll(async () => {
  api = adminApi();
  const ns = await testNamespace(api, 'ids');
  for (const obj of yamlDocs('deploy/optional/impersonation.yaml').filter((o) => o.kind === 'ClusterRole'))
    await api.apply(obj);
  impersonator = await clusterRoleUser(api, ns, 'impersonator', 'flux-ops-mcp-impersonator');
  issuer = await startIssuer();
  proxy = await startHttp1Proxy();
  const jwks = issuer.writeJwksFile(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-ids-')));
  const args = [
    '--impersonate',
    '--oidc-issuer',
    issuer.issuer,
    '--oidc-audience',
    AUDIENCE,
    '--oidc-jwks-file',
    jwks,
    '--oidc-username-prefix',
    '-',
  ];
  direct = await startHttpServer(args, { kubeconfig: impersonator.kubeconfig });
  proxied = await startHttpServer(args, { kubeconfig: proxy.kubeconfigVia(impersonator.kubeconfig) });
});

afterAll(async () => {
  await direct?.stop();
  await proxied?.stop();
  await proxy?.close();
  await issuer?.close();
  await impersonator?.cleanup();
  await api?.close();
});

describe('the HTTP/1.1 proxy of these tests', () => {
  it('drops the white space around a header value on the way, so " system:masters" reaches the API server as system:masters', async () => {
    // The attack this file guards against, made directly with the admin's rights (who may impersonate anyone).
    const c = cluster();
    const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    const answer = await new Promise<string>((resolve, reject) => {
      const url = new URL(proxy.url);
      const req = httpsRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          ca: readFileSync(c.caFile),
          headers: {
            Authorization: `Bearer ${c.adminToken}`,
            'Content-Type': 'application/json',
            'Impersonate-User': 'probe',
            'Impersonate-Group': ' system:masters',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const review = JSON.parse(answer) as { status: { userInfo: { groups: string[] } } };
    expect(review.status.userInfo.groups).toContain('system:masters');
  });
});

describe.each([
  ['HTTP/2 straight to the API server', () => direct],
  ['an HTTP/1.1-only proxy in front of the API server', () => proxied],
])('names and groups from an OIDC token, through %s', (_path, server) => {
  it.each(REFUSED)('refuses a user claim with %s, with 401 and the reason', async (_what, value, why) => {
    const seen = await seenAs(server(), value, []);
    expect(seen).toEqual({ refused: 401, description: expect.stringMatching(why) });
    expect((seen as { description: string }).description).toMatch(/^the token's sub claim /);
  });

  it.each(REFUSED)('refuses a groups claim with %s, with 401 and the reason', async (_what, value, why) => {
    const seen = await seenAs(server(), 'alice', ['team-a', value]);
    expect(seen).toEqual({ refused: 401, description: expect.stringMatching(why) });
    expect((seen as { description: string }).description).toMatch(/^the token's groups claim holds /);
  });

  it.each([
    'system:kube-controller-manager',
    'SYSTEM:masters',
    '\uff53\uff59\uff53\uff54\uff45\uff4d:anonymous',
  ])('refuses the user %j, a name Kubernetes keeps for itself', async (value) => {
    const seen = await seenAs(server(), value, []);
    expect(seen).toEqual({
      refused: 401,
      description: expect.stringContaining('names that start with system: belong to Kubernetes'),
    });
  });

  it('leaves out the groups Kubernetes keeps for itself, and the API server sees the others', async () => {
    const seen = await seenAs(server(), 'alice', ['system:masters', 'team-a', 'System:Nodes']);
    expect(seen).toEqual({ user: 'alice', groups: ['team-a', 'system:authenticated'] });
  });

  it.each(CARRIED)('carries %j to the API server exactly, as user and as group', async (value) => {
    const seen = await seenAs(server(), value, [value, 'team-a']);
    expect(seen).toEqual({ user: value, groups: [value, 'team-a', 'system:authenticated'] });
    expectNoSystemIdentity(seen);
  });

  it('logs each refusal with its reason', () => {
    const refusals = server()
      .logs()
      .filter((l) => l.msg === 'refused a caller');
    expect(refusals.length).toBeGreaterThanOrEqual(2 * REFUSED.length);
    expect(refusals).toContainEqual(
      expect.objectContaining({ via: 'oidc', reason: expect.stringMatching(/starts with U\+0020/) }),
    );
  });
});

it('sent the impersonated requests of the proxied server through the proxy', () => {
  expect(proxy.forwarded()).toBeGreaterThan(CARRIED.length);
});
