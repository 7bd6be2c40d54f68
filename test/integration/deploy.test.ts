// deploy/ (the Helm chart rendered with its defaults, see build/render-deploy.ts): the manifests are accepted by the API server (server-side dry run, strict field validation), the
// service account may do exactly what the tools need (SubjectAccessReviews), and the server runs in-cluster
// from that service account's token.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { FLUX_KINDS } from '../../src/flux/kinds.js';
import { parseOptions } from '../../src/options.js';
import { TestApi, type TestObject } from '../support/api.js';
import { adminApi, cluster, ROOT } from '../support/env.js';
import { gitRepository, kustomization } from '../support/flux.js';

const DEPLOY = join(ROOT, 'deploy');
const kustomizationFile = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')) as {
  namespace: string;
  resources: string[];
};
const NS = kustomizationFile.namespace;
const SA_USER = `system:serviceaccount:${NS}:flux-ops-mcp`;
const SA_GROUPS = ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'];
const NAMESPACED = new Set([
  'ServiceAccount',
  'Deployment',
  'Service',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'Secret',
]);

function manifests(): TestObject[] {
  return kustomizationFile.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8')).map((d) => d.toJS() as TestObject),
  );
}

function find(kind: string): TestObject {
  const obj = manifests().find((m) => m.kind === kind);
  if (!obj) throw new Error(`deploy/ has no ${kind}`);
  return obj;
}

let api: TestApi;

async function applyObject(obj: TestObject, dryRun: boolean): Promise<TestObject> {
  const path = TestApi.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
  const query = `fieldManager=deploy-test&force=true&fieldValidation=Strict${dryRun ? '&dryRun=All' : ''}`;
  return api.request<TestObject>('PATCH', `${path}?${query}`, obj, 'application/apply-patch+yaml');
}

interface Access {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

async function allowed(a: Access): Promise<boolean> {
  const review = await api.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: SA_USER, groups: SA_GROUPS, resourceAttributes: a },
    },
  );
  return review.status.allowed;
}

function label(a: Access): string {
  const res = `${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}`;
  return `${a.verb} ${res}${a.namespace ? ` in ${a.namespace}` : ''}`;
}

beforeAll(async () => {
  api = adminApi();
  await applyObject(find('Namespace'), false);
});
afterAll(async () => api?.close());

describe('deploy/ manifests', () => {
  it('put every namespaced object in the kustomization namespace', () => {
    for (const m of manifests().filter((m) => NAMESPACED.has(m.kind))) {
      expect(`${m.kind}/${m.metadata.name} in ${m.metadata.namespace}`).toBe(
        `${m.kind}/${m.metadata.name} in ${NS}`,
      );
    }
  });

  it('are accepted by the API server in a server-side dry run with strict field validation', async () => {
    const kinds: string[] = [];
    for (const m of manifests()) {
      const applied = await applyObject(m, true);
      kinds.push(applied.kind);
    }
    expect(kinds.sort()).toEqual(
      [
        'ClusterRole',
        'ClusterRoleBinding',
        'Deployment',
        'Namespace',
        'NetworkPolicy',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
  });

  it('run the server as non-root on a read-only root filesystem, with limits and probes', () => {
    const spec = (find('Deployment').spec as { template: { spec: Record<string, unknown> } }).template.spec;
    const pod = spec as {
      securityContext: { runAsNonRoot: boolean };
      containers: {
        args: string[];
        securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
        resources: { limits: { cpu: string; memory: string } };
        readinessProbe: { httpGet: { path: string } };
        livenessProbe: { httpGet: { path: string } };
        volumeMounts: { name: string; mountPath: string }[];
      }[];
      volumes: { name: string; secret?: { secretName: string } }[];
    };
    const [c] = pod.containers;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c!.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(Object.keys(c!.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(c!.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c!.livenessProbe.httpGet.path).toBe('/healthz');
    const auth = pod.volumes.find((v) => v.secret)!;
    const mount = c!.volumeMounts.find((m) => m.name === auth.name)!;
    expect(c!.args).toContain(`--auth-tokens=${mount.mountPath}/tokens`);
  });

  it('pass the server flags it accepts', () => {
    const spec = (find('Deployment').spec as { template: { spec: { containers: { args: string[] }[] } } })
      .template.spec;
    const parsed = parseOptions(spec.containers[0]!.args, {});
    expect(parsed).toMatchObject({ kind: 'run', options: { transport: 'http', http: { host: '0.0.0.0' } } });
  });
});

describe('the service account of deploy/', () => {
  const fluxRead: Access[] = FLUX_KINDS.flatMap((k) =>
    ['get', 'list', 'watch'].map((verb) => ({ verb, group: k.group, resource: k.plural, namespace: 'apps' })),
  );
  const fluxPatch: Access[] = FLUX_KINDS.filter((k) => k.reconcilable || k.suspend.type !== 'none').map(
    (k) => ({
      verb: 'patch',
      group: k.group,
      resource: k.plural,
      namespace: 'apps',
    }),
  );
  const needed: Access[] = [
    ...fluxRead,
    ...fluxPatch,
    ...['get', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'events', namespace: 'apps' })),
    ...['get', 'list', 'watch'].map((verb) => ({
      verb,
      group: 'apps',
      resource: 'deployments',
      namespace: 'flux-system',
    })),
    { verb: 'list', group: '', resource: 'pods', namespace: 'flux-system' },
    // get_flux_tree reads the Pods of failing workloads; get_kubernetes_events those of any workload.
    { verb: 'list', group: '', resource: 'pods', namespace: 'apps' },
    ...[
      ['apps', 'replicasets'],
      ['apps', 'statefulsets'],
      ['apps', 'daemonsets'],
      ['batch', 'jobs'],
      ['batch', 'cronjobs'],
    ].flatMap(([group, resource]) =>
      ['get', 'list'].map((verb) => ({ verb, group: group!, resource: resource!, namespace: 'apps' })),
    ),
    { verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'flux-system' },
    { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
    { verb: 'create', group: 'authentication.k8s.io', resource: 'selfsubjectreviews' },
  ];
  const beyond: Access[] = [
    ...['get', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'secrets', namespace: 'apps' })),
    { verb: 'get', group: '', resource: 'configmaps', namespace: 'apps' },
    { verb: 'patch', group: 'source.toolkit.fluxcd.io', resource: 'externalartifacts', namespace: 'apps' },
    ...FLUX_KINDS.flatMap((k) =>
      ['create', 'update', 'delete', 'deletecollection'].map((verb) => ({
        verb,
        group: k.group,
        resource: k.plural,
        namespace: 'apps',
      })),
    ),
    {
      verb: 'patch',
      group: 'kustomize.toolkit.fluxcd.io',
      resource: 'kustomizations',
      subresource: 'status',
    },
    { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'apps' },
    { verb: 'delete', group: '', resource: 'pods', namespace: 'flux-system' },
    { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'flux-system' },
    { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: NS },
    { verb: 'impersonate', group: '', resource: 'users' },
    { verb: 'patch', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
    { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  ];

  beforeAll(async () => {
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'])
      await applyObject(find(kind), false);
  });

  it('may do everything the tools need', async () => {
    const denied: string[] = [];
    for (const a of needed) if (!(await allowed(a))) denied.push(label(a));
    expect(denied).toEqual([]);
  });

  it('may do nothing more: no Secrets, no create, update or delete, no status, no other kinds', async () => {
    const granted: string[] = [];
    for (const a of beyond) if (await allowed(a)) granted.push(label(a));
    expect(granted).toEqual([]);
  });

  it('has a ClusterRole with named resources and verbs only, and patch only on Flux kinds', () => {
    const rules = (
      find('ClusterRole') as unknown as {
        rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      }
    ).rules;
    for (const rule of rules) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      for (const verb of rule.verbs) expect(['get', 'list', 'watch', 'patch']).toContain(verb);
      if (rule.verbs.includes('patch'))
        for (const g of rule.apiGroups) expect(g).toMatch(/fluxcd\.(io|controlplane\.io)$/);
    }
  });
});

describe('the optional grants of deploy/optional', () => {
  const OPTIONAL = join(DEPLOY, 'optional');
  let ns: string;
  let other: string;

  /** The manifest's ClusterRole, and its RoleBinding moved to namespace `ns`. */
  function optional(file: string): TestObject[] {
    return parseAllDocuments(readFileSync(join(OPTIONAL, file), 'utf8')).map((d) => {
      const obj = d.toJS() as TestObject;
      return obj.kind === 'RoleBinding' ? { ...obj, metadata: { ...obj.metadata, namespace: ns } } : obj;
    });
  }

  beforeAll(async () => {
    ns = `optional-${Math.random().toString(16).slice(2, 8)}`;
    other = `${ns}-other`;
    for (const name of [ns, other])
      await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'])
      await applyObject(find(kind), false);
    for (const file of ['helm-storage-reader.yaml', 'drift-checker.yaml', 'helm-rollback.yaml'])
      for (const obj of optional(file)) await applyObject(obj, false);
  });

  afterAll(async () => {
    for (const name of [
      'flux-ops-mcp-helm-storage-reader',
      'flux-ops-mcp-drift-checker',
      'flux-ops-mcp-helm-rollback',
    ])
      await api.delete('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, name);
  });

  it('let the service account read Helm storage, dry-run patch for drift, and roll back, in the bound namespace', async () => {
    const wanted: Access[] = [
      { verb: 'list', group: '', resource: 'secrets', namespace: ns },
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: ns },
      { verb: 'create', group: '', resource: 'secrets', namespace: ns },
      { verb: 'update', group: '', resource: 'secrets', namespace: ns },
      { verb: 'delete', group: '', resource: 'configmaps', namespace: ns },
      { verb: 'create', group: 'networking.k8s.io', resource: 'ingresses', namespace: ns },
    ];
    const denied: string[] = [];
    for (const a of wanted) if (!(await allowed(a))) denied.push(label(a));
    expect(denied).toEqual([]);
  });

  it('grant nothing in other namespaces or cluster-wide', async () => {
    const notWanted: Access[] = [
      { verb: 'list', group: '', resource: 'secrets', namespace: other },
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: other },
      { verb: 'create', group: '', resource: 'secrets', namespace: other },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
      { verb: 'delete', group: '', resource: 'namespaces' },
    ];
    const granted: string[] = [];
    for (const a of notWanted) if (await allowed(a)) granted.push(label(a));
    expect(granted).toEqual([]);
  });
});

describe('in-cluster mode', () => {
  let root: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'])
      await applyObject(find(kind), false);
    const review = await api.request<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${NS}/serviceaccounts/flux-ops-mcp/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
    );
    root = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-pod-'));
    const dir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), review.status.token);
    writeFileSync(join(dir, 'ca.crt'), readFileSync(cluster().caFile));
    writeFileSync(join(dir, 'namespace'), NS);
    const server = new URL(cluster().server);
    process.env.KUBERNETES_SERVICE_HOST = server.hostname;
    process.env.KUBERNETES_SERVICE_PORT = server.port;
    delete process.env.KUBECONFIG;
    process.env.HOME = root;
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps-incluster' } });
    await api.apply(gitRepository('repo', 'apps-incluster'));
    await api.apply(kustomization('apps', 'apps-incluster'));
  });
  afterAll(() => {
    process.env = saved;
  });

  async function access() {
    const { KubeAccess } = await import('../../src/kube/access.js');
    return new KubeAccess({ serviceAccountRoot: root });
  }

  it('uses the service account as one context named in-cluster', async () => {
    const kube = await access();
    expect(kube.names()).toEqual(['in-cluster']);
    expect(kube.cluster().defaultNamespace).toBe(NS);
    expect(await kube.cluster().identity()).toBe(SA_USER);
  });

  it('reads and patches Flux objects with the service account', async () => {
    const c = (await access()).cluster();
    const r = await c.discovery.resolve({ kind: 'Kustomization' });
    expect((await c.list(r, { namespace: 'apps-incluster' })).items.map((i) => i.metadata?.name)).toEqual([
      'apps',
    ]);
    const patched = await c.mergePatch(r, 'apps-incluster', 'apps', {
      metadata: { annotations: { probe: 'x' } },
    });
    expect(patched.metadata?.annotations?.probe).toBe('x');
  });

  it('is forbidden to read Secrets', async () => {
    const c = (await access()).cluster();
    const r = await c.discovery.resolve({ kind: 'Secret' });
    await expect(c.list(r, { namespace: 'apps-incluster' })).rejects.toThrow(
      `forbidden: user ${SA_USER} cannot list secrets in namespace apps-incluster`,
    );
  });

  it('says what is missing when the pod has no service account token', async () => {
    const { KubeAccess } = await import('../../src/kube/access.js');
    const kube = new KubeAccess({ serviceAccountRoot: join(root, 'nowhere') });
    expect(() => kube.names()).toThrow(
      /KUBERNETES_SERVICE_HOST is set but there is no service account token/,
    );
  });
});

describe('deploy/optional/impersonation.yaml (for --impersonate)', () => {
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, 'optional/impersonation.yaml'), 'utf8')).map(
    (d) => d.toJS() as TestObject,
  );
  const role = docs.find((d) => d.kind === 'ClusterRole')!;
  const binding = docs.find((d) => d.kind === 'ClusterRoleBinding')!;
  const probe = 'impersonation-probe';

  beforeAll(async () => {
    await applyObject(role, false);
    await api.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: probe },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: probe }],
    });
  });
  afterAll(async () => api.delete('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, probe));

  async function probeMay(a: Access): Promise<boolean> {
    const review = await api.request<{ status: { allowed: boolean } }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: probe, resourceAttributes: a },
      },
    );
    return review.status.allowed;
  }

  it('is accepted by the API server in a server-side dry run with strict field validation', async () => {
    for (const d of docs) expect((await applyObject(d, true)).kind).toBe(d.kind);
  });

  it("binds the ClusterRole to deploy/'s service account", () => {
    expect((binding as unknown as { subjects: unknown[] }).subjects).toEqual([
      { kind: 'ServiceAccount', name: find('ServiceAccount').metadata.name, namespace: NS },
    ]);
  });

  it('lets its subject impersonate users and groups, and do nothing else', async () => {
    const may = {
      users: await probeMay({ verb: 'impersonate', group: '', resource: 'users' }),
      groups: await probeMay({ verb: 'impersonate', group: '', resource: 'groups' }),
      serviceaccounts: await probeMay({
        verb: 'impersonate',
        group: '',
        resource: 'serviceaccounts',
        namespace: NS,
      }),
      uids: await probeMay({ verb: 'impersonate', group: 'authentication.k8s.io', resource: 'uids' }),
      userextras: await probeMay({
        verb: 'impersonate',
        group: 'authentication.k8s.io',
        resource: 'userextras',
      }),
      readFlux: await probeMay({
        verb: 'get',
        group: 'kustomize.toolkit.fluxcd.io',
        resource: 'kustomizations',
        namespace: 'apps',
      }),
    };
    expect(may).toEqual({
      users: true,
      groups: true,
      serviceaccounts: false,
      uids: false,
      userextras: false,
      readFlux: false,
    });
  });
});

describe('deploy/examples/team-flux-operator.yaml', () => {
  it('is accepted by the API server in a server-side dry run with strict field validation', async () => {
    const docs = parseAllDocuments(
      readFileSync(join(DEPLOY, 'examples/team-flux-operator.yaml'), 'utf8'),
    ).map((d) => d.toJS() as TestObject);
    expect(docs.map((d) => d.kind)).toEqual(['Role', 'RoleBinding']);
    for (const d of docs) {
      d.metadata.namespace = NS;
      expect((await applyObject(d, true)).kind).toBe(d.kind);
    }
  });
});
