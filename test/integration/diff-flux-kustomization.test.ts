// diff_flux_kustomization against the real API server: a local directory, the Kustomization's transforms,
// server-side apply dry runs as kustomize-controller, prune from the inventory. Built with kubectl's
// kustomize when it is on PATH, and without any binary by a server whose PATH has none.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { connect, startHttpServer } from '../support/http.js';
import { kustomization } from '../support/flux.js';
import { findKustomize } from '../../src/flux/local-build.js';

let api: TestApi;
let ns: string;
let server: ServerHandle;
/** The same server with no kustomize or kubectl on its PATH. */
let bare: ServerHandle;
let plain: string;
let overlay: string;
const OWNER = (namespace: string) => ({
  'kustomize.toolkit.fluxcd.io/name': 'apps',
  'kustomize.toolkit.fluxcd.io/namespace': namespace,
  team: 'payments',
});

interface DiffObject {
  action: string;
  kind: string;
  namespace?: string;
  name: string;
  changes?: { path: string; before?: string; after?: string }[];
  message?: string;
}

function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'diff');
  const labels = OWNER(ns);
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: ns, labels },
    data: { mode: 'fast' },
  });
  await api.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: ns, labels },
    data: { password: Buffer.from('old-secret-value').toString('base64') },
  });
  await api.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
      },
    },
  });
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'retired', namespace: ns, labels },
    data: { a: '1' },
  });
  // Applied by kustomize-controller with a key the build no longer has: the dry run as that field manager
  // removes it, as the next apply would.
  await api.request(
    'PATCH',
    `/api/v1/namespaces/${ns}/configmaps/owned?fieldManager=kustomize-controller&force=true`,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owned', namespace: ns, labels },
      data: { a: '1', legacy: 'x' },
    },
    'application/apply-patch+yaml',
  );
  const ks = await api.apply(
    kustomization('apps', ns, {
      spec: {
        targetNamespace: ns,
        prune: true,
        commonMetadata: { labels: { team: 'payments' } },
        patches: [
          {
            target: { kind: 'Deployment', name: 'web' },
            patch: '- op: replace\n  path: /spec/replicas\n  value: 3\n',
          },
          {
            patch:
              'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    tier: frontend\n',
          },
        ],
      },
    }),
  );
  // A Kustomization with no transforms of its own and nothing applied yet.
  await api.apply(kustomization('bare', ns, { spec: { targetNamespace: ns } }));
  await api.patchStatus(ks, {
    inventory: {
      entries: ['settings', 'retired']
        .map((n) => ({ id: `${ns}_${n}__ConfigMap`, v: 'v1' }))
        .concat([
          { id: `${ns}_creds__Secret`, v: 'v1' },
          { id: `${ns}_web_apps_Deployment`, v: 'v1' },
        ]),
    },
  });

  const root = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-diff-'));
  plain = join(root, 'plain');
  write(
    plain,
    'config.yaml',
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
data:
  b: "2"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
data:
  a: "1"
`,
  );
  write(
    plain,
    'app/secret.yaml',
    `apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: new-secret-value
`,
  );
  write(
    plain,
    'app/web.yml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`,
  );
  write(plain, '.github/workflow.yaml', 'not: [a, kubernetes, object\n');
  write(plain, 'README.md', '# not read\n');

  overlay = join(root, 'overlay');
  write(overlay, 'kustomization.yaml', 'resources:\n  - base\nnamePrefix: ov-\n');
  write(overlay, 'base/kustomization.yaml', 'resources:\n  - config.yaml\n');
  write(
    overlay,
    'base/config.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  b: "2"\n',
  );
  server = await startServer();
  bare = await startServer([], { env: { PATH: dirname(process.execPath) } });
});

afterAll(async () => {
  await server?.close();
  await bare?.close();
  await api?.close();
});

async function diff(s: ServerHandle, path: string, name = 'apps') {
  return callTool(s.client, 'diff_flux_kustomization', { name, namespace: ns, path });
}

function find(objects: unknown, kind: string, name: string): DiffObject {
  return (objects as DiffObject[]).find((o) => o.kind === kind && o.name === name)!;
}

describe('diff_flux_kustomization', () => {
  it('reports what would be created, changed and deleted', async () => {
    const { structured, text } = await diff(server, plain);
    expect(structured.counts).toEqual({
      created: 1,
      changed: 3,
      unchanged: 1,
      skipped: 0,
      deleted: 1,
      error: 0,
    });
    expect(find(structured.objects, 'ConfigMap', 'extra')).toMatchObject({
      action: 'created',
      namespace: ns,
    });
    expect(find(structured.objects, 'ConfigMap', 'retired').action).toBe('deleted');
    expect(text).toContain(`  - ConfigMap ${ns}/retired deleted`);
  });

  it('shows field changes, with the Kustomization patches and targetNamespace applied', async () => {
    const { structured, text } = await diff(server, plain);
    expect(find(structured.objects, 'Deployment', 'web').changes).toEqual([
      { path: 'metadata.labels.tier', op: 'add', after: '"frontend"' },
      { path: 'spec.replicas', op: 'replace', before: '1', after: '3' },
      {
        path: 'spec.template.spec.containers[name=web].image',
        op: 'replace',
        before: '"nginx:1.25"',
        after: '"nginx:1.27"',
      },
    ]);
    expect(text).toContain('      spec.replicas: 1 -> 3');
  });

  it('applies as kustomize-controller: a field it applied before and the build drops is removed', async () => {
    const { structured } = await diff(server, plain);
    expect(find(structured.objects, 'ConfigMap', 'owned').changes).toEqual([
      { path: 'data.legacy', op: 'remove', before: '"x"' },
    ]);
  });

  it('masks Secret values, before and after', async () => {
    const { structured, text } = await diff(server, plain);
    expect(find(structured.objects, 'Secret', 'creds').changes).toEqual([
      { path: 'data.password', op: 'replace' },
    ]);
    for (const value of ['old-secret-value', 'new-secret-value']) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
      expect(JSON.stringify(structured)).not.toContain(Buffer.from(value).toString('base64'));
    }
  });

  it('changes nothing in the cluster', async () => {
    await diff(server, plain);
    const web = await api.get('apps/v1', 'Deployment', ns, 'web');
    expect(web.spec?.replicas).toBe(1);
    await expect(api.get('v1', 'ConfigMap', ns, 'extra')).rejects.toMatchObject({ status: 404 });
  });

  it('builds a kustomize overlay with the kustomize of kubectl when it is on PATH', async (ctx) => {
    const binary = await findKustomize();
    if (!binary) ctx.skip();
    const { structured } = await diff(server, overlay, 'bare');
    expect(structured.builder).toBe(binary!.name === 'kustomize' ? 'kustomize' : 'kubectl kustomize');
    expect(structured.objects).toEqual([
      { action: 'created', apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'ov-extra' },
    ]);
  });

  it('without a kustomize binary builds plain YAML, applies the same transforms, and says so', async () => {
    const { structured, text } = await diff(bare, plain);
    expect(structured.builder).toBe('plain YAML');
    expect(find(structured.objects, 'Deployment', 'web').changes).toEqual(
      find((await diff(server, plain)).structured.objects, 'Deployment', 'web').changes,
    );
    expect(text).toContain("Note: no kustomize or kubectl binary on the server's PATH");
  });

  it('without a kustomize binary refuses an overlay and says what is missing', async () => {
    const call = await diff(bare, overlay, 'bare');
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe(
      `${overlay} is a kustomize overlay (kustomization.yaml); building it needs a kustomize or kubectl binary on the server's PATH, and there is none`,
    );
  });

  it('wants an absolute path', async () => {
    const call = await diff(server, 'plain');
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe('path must be absolute, not "plain"');
  });
});

describe('--allowed-paths', () => {
  let fenced: ServerHandle;
  let outside: string;

  beforeAll(async () => {
    outside = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-outside-'));
    write(outside, 'cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n');
    symlinkSync(outside, join(plain, 'link'));
    fenced = await startServer(['--allowed-paths', dirname(plain)]);
  });
  afterAll(async () => fenced?.close());

  it('refuses a directory outside the allowed ones, reading nothing', async () => {
    const call = await diff(fenced, outside);
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain(`${outside} is outside the directories this server may read`);
  });

  it('refuses a symbolic link inside that leads outside', async () => {
    const call = await diff(fenced, plain);
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('is outside the directories this server may read');
  });

  it('refuses an overlay that reaches outside through ../', async () => {
    const escape = join(dirname(plain), 'escape');
    write(escape, 'kustomization.yaml', `resources:\n  - ../../${outside.split('/').pop()}\n`);
    const call = await diff(fenced, escape);
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('is outside the directories this server may read');
  });
});

describe('over HTTP', () => {
  it('does not offer the tool without --allowed-paths, and offers it with', async () => {
    for (const [args, offered] of [
      [[], false],
      [['--allowed-paths', tmpdir()], true],
    ] as const) {
      const http = await startHttpServer([...args]);
      try {
        const { client } = await connect(http.url);
        const { tools } = await client.listTools();
        expect(tools.some((t) => t.name === 'diff_flux_kustomization')).toBe(offered);
        await client.close();
      } finally {
        await http.stop();
      }
    }
  });
});
