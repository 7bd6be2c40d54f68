// --impersonate: one server, two teams. The server's own service account may only impersonate (the ClusterRole
// of deploy/optional/impersonation.yaml); each caller's Kubernetes requests carry the caller's name and groups,
// so the API server applies the caller's RBAC (the Role of deploy/examples/team-flux-operator.yaml for team a,
// read-only for team b) and its answers name the caller.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, ROOT, testNamespace } from '../support/env.js';
import { gitRepository, V } from '../support/flux.js';
import { connect, startHttpServer, type HttpServer } from '../support/http.js';
import { clusterRoleUser, namespaceUser, type TestUser } from '../support/users.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';
const CAROL = 'carol-token-0123456789abcdef';
const RBAC = 'rbac.authorization.k8s.io/v1';

let api: TestApi;
let ns: string;
let dir: string;
let teamA: string;
let teamB: string;
let readers: string;
let impersonator: TestUser;
let server: HttpServer;
let audit: string;
let tokens: string;

function yamlDocs(path: string): TestObject[] {
  return parseAllDocuments(readFileSync(join(ROOT, path), 'utf8')).map((d) => d.toJS() as TestObject);
}

function auditRecords(): Record<string, unknown>[] {
  return readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function startAs(kubeconfig: string, tokenFile = tokens, extra: string[] = []): Promise<HttpServer> {
  return startHttpServer(['--impersonate', '--auth-tokens', tokenFile, ...extra], { kubeconfig });
}

/** A server start that is expected to fail: its exit code and what it said. */
async function failedStart(
  kubeconfig: string,
  tokenFile = tokens,
): Promise<{ code: number | null; stderr: string }> {
  try {
    const s = await startAs(kubeconfig, tokenFile);
    await s.stop();
    throw new Error('the server started');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const m = /^server exited with (\S+) before listening:\n([\s\S]*)$/.exec(message);
    if (!m) throw err;
    return { code: m[1] === 'null' ? null : Number(m[1]), stderr: m[2]! };
  }
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'imp');
  teamA = `${ns}-team-a`;
  teamB = `${ns}-team-b`;
  readers = `${ns}-readers`;
  dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-imp-'));
  for (const name of ['repo', 'repo-b', 'repo-c']) await api.apply(gitRepository(name, ns));

  // The server may impersonate, and nothing else.
  for (const obj of yamlDocs('deploy/optional/impersonation.yaml').filter((o) => o.kind === 'ClusterRole'))
    await api.apply(obj);
  impersonator = await clusterRoleUser(api, ns, 'impersonator', 'flux-ops-mcp-impersonator');

  // Team a may operate the namespace (the example Role of docs/http-and-auth.md); team b may only read it.
  for (const obj of yamlDocs('deploy/examples/team-flux-operator.yaml')) {
    obj.metadata.namespace = ns;
    const subjects = (obj as { subjects?: { name: string }[] }).subjects;
    if (subjects) subjects[0]!.name = teamA;
    await api.apply(obj);
  }
  await api.apply({
    apiVersion: RBAC,
    kind: 'Role',
    metadata: { name: 'flux-reader', namespace: ns },
    rules: [
      {
        apiGroups: ['source.toolkit.fluxcd.io'],
        resources: ['gitrepositories'],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  });
  await api.apply({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: 'flux-reader', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'flux-reader' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: teamB }],
  });

  tokens = join(dir, 'tokens');
  audit = join(dir, 'audit.jsonl');
  writeFileSync(
    tokens,
    `alice:${ALICE}:${teamA},${readers}\nbob:${BOB}:${teamB}\ncarol:${CAROL}:system:masters,${teamB}\n`,
  );
  server = await startAs(impersonator.kubeconfig, tokens, ['--audit-log', audit]);
});

afterAll(async () => {
  await server?.stop();
  await impersonator?.cleanup();
  await api?.close();
});

describe('two callers of one server with --impersonate', () => {
  it('tells each caller who the API server sees them as, groups included (a SelfSubjectReview through the server)', async () => {
    for (const [token, user, groups] of [
      [ALICE, 'alice', [teamA, readers]],
      [BOB, 'bob', [teamB]],
    ] as const) {
      const { client } = await connect(server.url, { token });
      const call = await callTool(client, 'get_kubeconfig_contexts');
      expect(call.structured.actingAs).toEqual({
        user,
        groups: [...groups, 'system:authenticated'],
        source: 'api-server',
      });
      await client.close();
    }
  });

  it('lets the caller whose group may patch suspend, recorded as that caller on the object and in the audit log', async () => {
    const { client, transport } = await connect(server.url, { token: ALICE });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'repo',
      namespace: ns,
      reason: 'team a maintenance',
    });
    expect(call.result.isError).toBeFalsy();
    expect(call.structured.objects).toEqual([expect.objectContaining({ name: 'repo', result: 'suspended' })]);
    const live = await api.get(V.source, 'GitRepository', ns, 'repo');
    expect(live.spec?.suspend).toBe(true);
    expect(live.metadata.annotations?.['flux-ops-mcp.io/suspended-by']).toBe('alice');
    expect(auditRecords().at(-1)).toMatchObject({
      identity: 'alice',
      groups: [teamA, readers],
      session: transport.sessionId,
      tool: 'suspend_flux_reconciliation',
      outcome: 'suspended',
    });
    await client.close();
  });

  it('gives the caller whose group may only read a forbidden answer that names that caller, and changes nothing', async () => {
    const before = await api.get(V.source, 'GitRepository', ns, 'repo-b');
    const { client } = await connect(server.url, { token: BOB });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'repo-b',
      namespace: ns,
    });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain(
      `forbidden: user bob cannot patch gitrepositories.source.toolkit.fluxcd.io in namespace ${ns}`,
    );
    const after = await api.get(V.source, 'GitRepository', ns, 'repo-b');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec?.suspend).toBeUndefined();
    expect(auditRecords().at(-1)).toMatchObject({
      identity: 'bob',
      groups: [teamB],
      tool: 'suspend_flux_reconciliation',
      outcome: 'error',
      message: expect.stringContaining('forbidden: user bob cannot patch'),
    });
    await client.close();
  });

  it('still lets that caller read what its group may read', async () => {
    const { client } = await connect(server.url, { token: BOB });
    const call = await callTool(client, 'get_kubernetes_resources', {
      kind: 'GitRepository',
      namespace: ns,
      name: 'repo-b',
    });
    expect(call.structured.count).toBe(1);
    await client.close();
  });

  it('never hands a caller a group Kubernetes keeps for itself, such as system:masters', async () => {
    const { client } = await connect(server.url, { token: CAROL });
    const who = await callTool(client, 'get_kubeconfig_contexts');
    expect(who.structured.actingAs).toEqual({
      user: 'carol',
      groups: [teamB, 'system:authenticated'],
      source: 'api-server',
    });
    const call = await callTool(client, 'suspend_flux_reconciliation', {
      kind: 'GitRepository',
      name: 'repo-c',
      namespace: ns,
    });
    expect(call.text).toContain('forbidden: user carol cannot patch');
    await client.close();
  });

  it("uses the callers' rights, not its own: its service account alone may not even read the object", async () => {
    const review = await api.request<{ status: { allowed: boolean } }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: impersonator.name,
          resourceAttributes: {
            verb: 'get',
            group: 'source.toolkit.fluxcd.io',
            resource: 'gitrepositories',
            namespace: ns,
          },
        },
      },
    );
    expect(review.status.allowed).toBe(false);
  });
});

describe('the --impersonate start check', () => {
  it('refuses to start when the server may not impersonate, and says what to grant', async () => {
    const plain = await namespaceUser(api, ns, 'plain', []);
    const { code, stderr } = await failedStart(plain.kubeconfig);
    expect(code).toBe(1);
    expect(stderr).toContain("--impersonate: the server's own credentials may not impersonate its callers");
    expect(stderr).toContain(
      `context plain: system:serviceaccount:${ns}:plain may not impersonate user alice, user bob, user carol`,
    );
    expect(stderr).toContain('deploy/optional/impersonation.yaml');
  });

  it("starts with a role narrowed to the token file's names, and names the ones missing from it", async () => {
    const narrowed = `${ns}-narrowed`;
    const rules = (names: { users: string[]; groups: string[] }) => [
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: names.users },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: names.groups },
    ];
    await api.apply({
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: narrowed },
      rules: rules({ users: ['alice', 'bob'], groups: [teamA, readers, teamB] }),
    });
    const user = await clusterRoleUser(api, ns, 'narrowed', narrowed);
    try {
      const file = join(dir, 'tokens-ab');
      writeFileSync(file, `alice:${ALICE}:${teamA},${readers}\nbob:${BOB}:${teamB}\n`);
      const s = await startAs(user.kubeconfig, file);
      await s.stop();
      const { stderr } = await failedStart(user.kubeconfig, tokens);
      expect(stderr).toContain(`may not impersonate user carol`);
      expect(stderr).not.toContain('group system:masters');
    } finally {
      await user.cleanup();
      await api.delete(RBAC, 'ClusterRole', undefined, narrowed);
    }
  });

  it('starts when a context cannot be reached, says so, and serves the others', async () => {
    const config = parse(readFileSync(impersonator.kubeconfig, 'utf8')) as {
      clusters: { name: string; cluster: Record<string, unknown> }[];
      contexts: { name: string; context: Record<string, unknown> }[];
    };
    config.clusters.push({ name: 'gone', cluster: { server: 'https://127.0.0.1:1' } });
    config.contexts.push({
      name: 'gone',
      context: { cluster: 'gone', user: config.contexts[0]!.context.user },
    });
    const kubeconfig = join(dir, 'two-contexts');
    writeFileSync(kubeconfig, stringify(config));
    const s = await startAs(kubeconfig);
    try {
      expect(s.logs()).toContainEqual(
        expect.objectContaining({
          context: 'gone',
          msg: expect.stringMatching(/^--impersonate: cannot ask this context now/),
        }),
      );
      const { client } = await connect(s.url, { token: ALICE });
      const call = await callTool(client, 'get_kubernetes_resources', {
        kind: 'GitRepository',
        namespace: ns,
        name: 'repo',
      });
      expect(call.structured.count).toBe(1);
      await client.close();
    } finally {
      await s.stop();
    }
  });
});
