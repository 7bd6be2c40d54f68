import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  cluster,
  fluxAtLeast,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { failedStatus, gitRepository, kustomization, readyStatus } from '../support/flux.js';

const SECRET_VALUE = 'hunter2-very-secret';
const SECRET_B64 = Buffer.from(SECRET_VALUE).toString('base64');

let api: TestApi;
let server: ServerHandle;
let ns: string;
let otherNs: string;

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'res');
  otherNs = await testNamespace(api, 'res-other');
  await api.apply(gitRepository('repo', ns));
  for (let i = 1; i <= 7; i++) {
    await api.apply(kustomization(`app-${i}`, ns, { labels: { tier: i <= 2 ? 'frontend' : 'backend' } }));
  }
  const revision = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
  await api.patchStatus(
    kustomization('app-1', ns),
    readyStatus(1, { revision, lastAppliedRevision: revision }),
  );
  await api.patchStatus(
    kustomization('app-2', ns),
    failedStatus(1, 'HealthCheckFailed', 'health check failed after 5m0s: Deployment/apps/podinfo not ready'),
  );
  await api.apply(kustomization('elsewhere', otherNs));
  await api.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'creds',
      namespace: ns,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
          stringData: { password: SECRET_VALUE },
        }),
      },
    },
    type: 'Opaque',
    data: { password: SECRET_B64 },
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

interface Page {
  text: string;
  items: { namespace: string; name: string }[];
}

/** Every page of a listing, following the continue tokens. */
async function allPages(args: Record<string, unknown>): Promise<Page[]> {
  const pages: Page[] = [];
  let token: string | undefined;
  do {
    const { result, structured, text } = await callTool(server.client, 'get_kubernetes_resources', {
      ...args,
      ...(token ? { continue: token } : {}),
    });
    expect(result.isError).toBeFalsy();
    pages.push({ text, items: structured.items as Page['items'] });
    token = structured.continue as string | undefined;
    if (token) expect(text).toContain(`continue: "${token}"`);
  } while (token);
  return pages;
}

describe('get_kubernetes_resources', () => {
  it('lists Kustomizations across all namespaces when no namespace is given', async () => {
    const pages = await allPages({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' });
    const items = pages.flatMap((p) => p.items);
    expect(items.map((i) => `${i.namespace}/${i.name}`)).toEqual(
      expect.arrayContaining([`${ns}/app-1`, `${ns}/app-7`, `${otherNs}/elsewhere`]),
    );
  });

  it('resolves the API version from discovery when only the kind is given', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'ks',
      namespace: ns,
    });
    expect(structured.apiVersion).toBe('kustomize.toolkit.fluxcd.io/v1');
    expect(structured.kind).toBe('Kustomization');
    expect(structured.count).toBe(7);
  });

  it('gets one object by name with its readiness, reason and revision', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'app-2',
      namespace: ns,
    });
    const [item] = structured.items as Record<string, unknown>[];
    expect(item).toMatchObject({
      name: 'app-2',
      namespace: ns,
      ready: 'False',
      state: 'Failing',
      reason: 'HealthCheckFailed',
    });
    expect(text).toContain(`Kustomization ${ns}/app-2  Failing HealthCheckFailed`);
    expect(text).toContain('health check failed after 5m0s');
  });

  it('shortens long revision digests in text but keeps them whole in structured content', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'app-1',
      namespace: ns,
    });
    expect(text).toContain('rev main@sha1:01234567');
    expect(text).not.toContain('0123456789abcdef0123456789abcdef01234567');
    expect((structured.items as { revision: string }[])[0]!.revision).toBe(
      'main@sha1:0123456789abcdef0123456789abcdef01234567',
    );
  });

  it('finds an object by name in every namespace when no namespace is given', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'elsewhere',
    });
    expect((structured.items as { namespace: string }[]).map((i) => i.namespace)).toEqual([otherNs]);
  });

  it('filters by label selector', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      selector: 'tier=frontend',
    });
    expect((structured.items as { name: string }[]).map((i) => i.name).sort()).toEqual(['app-1', 'app-2']);
  });

  it('pages through more objects than the limit with continue tokens', async () => {
    const pages = await allPages({ kind: 'Kustomization', namespace: ns, limit: 3 });
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.name))).toEqual([
      'app-1',
      'app-2',
      'app-3',
      'app-4',
      'app-5',
      'app-6',
      'app-7',
    ]);
  });

  it('returns full objects as YAML without managedFields', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'app-1',
      namespace: ns,
      output: 'yaml',
    });
    expect(text).toContain('kind: Kustomization');
    expect(text).toContain('path: ./apps/app-1');
    expect(text).not.toContain('managedFields');
    const [obj] = structured.objects as { metadata: Record<string, unknown> }[];
    expect(obj!.metadata).not.toHaveProperty('managedFields');
  });

  it('never returns Secret values, in compact, YAML or structured output', async () => {
    for (const output of ['compact', 'yaml'] as const) {
      for (const args of [
        { kind: 'Secret', namespace: ns, output },
        { kind: 'Secret', name: 'creds', namespace: ns, output },
        { apiVersion: 'v1', kind: 'secrets', output },
      ]) {
        const { result, text, structured } = await callTool(server.client, 'get_kubernetes_resources', args);
        expect(result.isError).toBeFalsy();
        const everything = text + JSON.stringify(structured) + JSON.stringify(result);
        expect(everything).not.toContain(SECRET_VALUE);
        expect(everything).not.toContain(SECRET_B64);
        expect(everything).not.toContain('last-applied-configuration');
      }
    }
    const { text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Secret',
      name: 'creds',
      namespace: ns,
      output: 'yaml',
    });
    expect(text).toContain('password: "**masked**"');
  });

  it('says which namespaces hold the kind when the named object is not there', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'missing',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      new RegExp(
        `^Kustomization ${ns}/missing not found in context admin \\(namespaces with Kustomization objects: \\S`,
      ),
    );
  });

  it('says which namespace holds an object of that name when it is not in the one asked for', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'elsewhere',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `Kustomization ${ns}/elsewhere not found in context admin (Kustomization elsewhere is in namespace ${otherNs})`,
    );
  });

  it('reports an empty list as empty, not as an error', async () => {
    const { result, structured, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'HelmRelease',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.count).toBe(0);
    expect(text).toContain('0 HelmReleases');
  });

  it('names an unknown kind in its error', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', { kind: 'FooWidget' });
    expect(result.isError).toBe(true);
    expect(text).toContain('kind FooWidget is not served by context admin');
  });

  it('names an API version the cluster does not serve', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v9',
      kind: 'Kustomization',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('kustomize.toolkit.fluxcd.io/v9 is not served');
    expect(text).toContain('v1');
  });

  // Flux 2.7 still serves v1beta2 (deprecated); 2.8 removed it. The version comes from discovery either way.
  it.runIf(!fluxAtLeast('2.8'))(
    'reads Kustomizations through v1beta2 while the cluster serves it',
    async () => {
      const { result, structured } = await callTool(server.client, 'get_kubernetes_resources', {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
        kind: 'Kustomization',
        namespace: ns,
      });
      expect(result.isError).toBeFalsy();
      expect(structured).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2', count: 7 });
    },
  );

  it.runIf(fluxAtLeast('2.8'))('names the served versions when asked for the removed v1beta2', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
      kind: 'Kustomization',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toContain(
      'kind Kustomization: kustomize.toolkit.fluxcd.io/v1beta2 is not served by context admin; served versions of kustomize.toolkit.fluxcd.io: v1',
    );
  });

  it('rejects an invalid object name before calling the cluster', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      name: 'Not_A_Name',
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(/valid Kubernetes name/);
  });
});

describe('get_kubernetes_resources pages cut by size', () => {
  let manyNs: string;
  const names = Array.from({ length: 90 }, (_, i) => `service-${String(i).padStart(3, '0')}-config`);

  beforeAll(async () => {
    manyNs = await testNamespace(api, 'res-many');
    for (const name of names) {
      await api.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: manyNs },
        data: {},
      });
    }
  });

  it('without a limit, pages by what fits in about 3 KB of text and loses no object between pages', async () => {
    const pages = await allPages({ kind: 'ConfigMap', namespace: manyNs });
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(pages.flatMap((p) => p.items.map((i) => i.name))).toEqual(names);
  });

  it('says how many objects are left and how to get them', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'ConfigMap',
      namespace: manyNs,
    });
    const left = 90 - (structured.count as number);
    expect(structured.remainingItemCount).toBe(left);
    expect(text.split('\n').at(-1)).toBe(
      `${left} more objects: call again with continue: "${structured.continue}"`,
    );
  });

  it('lists as many objects as limit asks for, past the size a page would otherwise keep to', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'ConfigMap',
      namespace: manyNs,
      limit: 90,
    });
    expect(structured.count).toBe(90);
    expect(structured.continue).toBeUndefined();
  });

  it('pages YAML the same way, whole objects only', async () => {
    const pages = await allPages({ kind: 'Kustomization', namespace: ns, output: 'yaml' });
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) {
      expect(p.text.split('\n---\n')).toHaveLength(p.items.length);
      expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(TEXT_BUDGET);
    }
    expect(pages.flatMap((p) => p.items.map((i) => i.name))).toEqual(
      Array.from({ length: 7 }, (_, i) => `app-${i + 1}`),
    );
  });
});

describe('get_kubernetes_resources as a restricted user', () => {
  it('reads the namespace the user may read', async () => {
    await api.apply(kustomization('visible', RESTRICTED_NAMESPACE));
    const { result, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: RESTRICTED_NAMESPACE,
      context: 'restricted',
    });
    expect(result.isError).toBeFalsy();
    expect((structured.items as { name: string }[]).map((i) => i.name)).toContain('visible');
  });

  it('gets a clear forbidden error for another namespace', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      context: 'restricted',
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `forbidden: user jane cannot list kustomizations.kustomize.toolkit.fluxcd.io in namespace ${ns} (context restricted); ask a cluster admin for RBAC access or use another context`,
    );
  });

  it('gets a forbidden error, not an empty list, across all namespaces', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      context: 'restricted',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain(
      'forbidden: user jane cannot list kustomizations.kustomize.toolkit.fluxcd.io at cluster scope',
    );
  });
});

describe('an unreachable cluster', () => {
  let withDown: ServerHandle;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-kc-'));
    const down = join(dir, 'down.yaml');
    const ca = readFileSync(cluster().caFile).toString('base64');
    writeFileSync(
      down,
      `apiVersion: v1
kind: Config
clusters:
- name: down
  cluster: { server: "https://127.0.0.1:9", certificate-authority-data: ${ca} }
users:
- name: nobody
  user: { token: nothing }
contexts:
- name: down
  context: { cluster: down, user: nobody }
`,
    );
    withDown = await startServer([], { kubeconfig: `${cluster().kubeconfig}:${down}` });
  });

  afterAll(async () => withDown?.close());

  it('gets a clear error and the server keeps serving the next call', async () => {
    const failed = await callTool(withDown.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      context: 'down',
    });
    expect(failed.result.isError).toBe(true);
    expect(failed.text).toMatch(/^cluster unreachable: https:\/\/127\.0\.0\.1:9 \(context down\)/);

    const next = await callTool(withDown.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
    });
    expect(next.result.isError).toBeFalsy();
    expect(next.structured.count).toBe(7);
  });

  it('names the contexts there are when an unknown context is asked for', async () => {
    const { result, text } = await callTool(withDown.client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      context: 'nope',
    });
    expect(result.isError).toBe(true);
    expect(text).toBe('context nope is not in the kubeconfig (contexts: admin, restricted, down)');
  });
});
