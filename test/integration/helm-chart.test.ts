// The Helm chart charts/flux-ops-mcp: `helm lint` (Helm 4 and 3) accepts it, `helm template` renders server
// flags the server accepts and refuses values the server would refuse, deploy/ is the chart rendered
// (build/render-deploy.ts), and `helm install` puts every object into the test cluster's API server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CHART, renderDeploy } from '../../build/render-deploy.js';
import { parseOptions } from '../../src/options.js';
import { TOOLS } from '../../tools/index.js';
import type { TestApi } from '../support/api.js';
import { adminApi, cluster, ROOT, testNamespace } from '../support/env.js';
import { HelmCli, helmClis } from '../support/helm-cli.js';

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  rules?: { resources: string[]; verbs: string[]; resourceNames?: string[] }[];
}

let helm4: HelmCli;
let helm3: HelmCli;
let api: TestApi;

beforeAll(() => {
  const clis = helmClis();
  helm4 = new HelmCli(clis.helm4, cluster().kubeconfig);
  helm3 = new HelmCli(clis.helm3, cluster().kubeconfig);
  api = adminApi();
}, 600_000);
afterAll(async () => api?.close());

function setArgs(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

function template(values: Record<string, string> = {}, release = 'flux-ops-mcp'): Manifest[] {
  return parseAllDocuments(helm4.run(['template', release, CHART, '--namespace', 'ops', ...setArgs(values)]))
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

function refusal(values: Record<string, string>): string {
  return helm4.run(['template', 'flux-ops-mcp', CHART, ...setArgs(values)], true);
}

function serverArgs(manifests: Manifest[]): string[] {
  const deployment = manifests.find((m) => m.kind === 'Deployment') as unknown as {
    spec: { template: { spec: { containers: { args: string[] }[] } } };
  };
  return deployment.spec.template.spec.containers[0]!.args;
}

function serverOptions(manifests: Manifest[]) {
  const parsed = parseOptions(
    serverArgs(manifests),
    {},
    TOOLS.map((t) => t.name),
  );
  if (parsed.kind !== 'run')
    throw new Error(`the server refuses the chart's flags: ${JSON.stringify(parsed)}`);
  return parsed.options;
}

const FULL = {
  'auth.oidc.issuer': 'https://id.example.com/realms/eng',
  'auth.oidc.audience': 'flux-ops',
  'auth.oidc.requiredScopes[0]': 'flux:operate',
  'auth.oidc.writeScopes[0]': 'flux:write',
  'auth.oidc.usernamePrefix': 'oidc:',
  'auth.oidc.groupsPrefix': 'oidc:',
  requestTimeout: '20s',
  maxConnections: '500',
  'impersonate.enabled': 'true',
  'impersonate.users[0]': 'alice',
  'impersonate.groups[0]': 'team-a',
  'rbac.create': 'false',
  readOnly: 'true',
  'allowedNamespaces[0]': 'apps',
  'allowedNamespaces[1]': 'infra',
  'allowedContexts[0]': 'prod',
  'kubeconfig.existingSecret': 'fleet-kubeconfig',
  'tls.secretName': 'flux-ops-tls',
  'allowedHosts[0]': 'flux-ops.example.com',
  stateless: 'true',
  'autoscaling.enabled': 'true',
  'networkPolicy.from[0].namespaceSelector.matchLabels.team': 'sre',
};

describe('helm lint', () => {
  it('accepts the chart with Helm 4 and Helm 3', () => {
    for (const helm of [helm4, helm3])
      expect(helm.run(['lint', CHART])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('accepts the chart with every option set', () => {
    expect(helm4.run(['lint', CHART, ...setArgs(FULL)])).toMatch(/0 chart\(s\) failed/);
  });
});

describe('helm template', () => {
  it('renders by default a ServiceAccount, the least-privilege ClusterRole and its binding, a Deployment, a Service and a NetworkPolicy', () => {
    expect(
      template()
        .map((m) => m.kind)
        .sort(),
    ).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'NetworkPolicy',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('renders by default flags the server accepts: HTTP on the pod address with bearer tokens, its Service names as hosts', () => {
    const options = serverOptions(template());
    expect(options).toMatchObject({
      transport: 'http',
      readOnly: false,
      http: {
        host: '0.0.0.0',
        port: 8080,
        stateless: false,
        impersonate: false,
        authTokensFile: '/etc/flux-ops-mcp/auth/tokens',
        allowedHosts: ['flux-ops-mcp.ops.svc', 'flux-ops-mcp.ops.svc.cluster.local'],
      },
    });
  });

  it('turns every option into the flag the server accepts', () => {
    const manifests = template(FULL);
    expect(serverOptions(manifests)).toMatchObject({
      readOnly: true,
      kubeconfig: '/etc/flux-ops-mcp/kubeconfig/config',
      allowedNamespaces: ['apps', 'infra'],
      allowedContexts: ['prod'],
      http: {
        stateless: true,
        impersonate: true,
        requestTimeoutMs: 20_000,
        maxConnections: 500,
        tlsCert: '/etc/flux-ops-mcp/tls/tls.crt',
        oidc: {
          issuer: 'https://id.example.com/realms/eng',
          audience: 'flux-ops',
          requiredScopes: ['flux:operate'],
          writeScopes: ['flux:write'],
          usernamePrefix: 'oidc:',
          groupsPrefix: 'oidc:',
        },
        allowedHosts: expect.arrayContaining(['flux-ops.example.com']),
      },
    });
  });

  it('grants impersonation of the named users and groups, and no rights of its own, with impersonate on', () => {
    const roles = template(FULL).filter((m) => m.kind === 'ClusterRole');
    expect(roles.map((r) => r.metadata.name)).toEqual(['flux-ops-mcp-impersonator']);
    expect(roles[0]!.rules).toEqual([
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['alice'] },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['team-a'] },
    ]);
  });

  it('scales out with an HPA and no fixed replica count when autoscaling is on', () => {
    const manifests = template(FULL);
    const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler');
    expect(hpa?.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 5,
      scaleTargetRef: { kind: 'Deployment' },
    });
    expect(manifests.find((m) => m.kind === 'Deployment')?.spec?.replicas).toBeUndefined();
  });

  it('probes over HTTPS when the server serves TLS', () => {
    const deployment = template(FULL).find((m) => m.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { readinessProbe: { httpGet: { scheme?: string } } }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]!.readinessProbe.httpGet.scheme).toBe('HTTPS');
  });

  it('keeps replicas on one Service with ClientIP affinity when sessions are kept', () => {
    const manifests = template({ replicaCount: '3', sessionAffinity: 'true' });
    expect(manifests.find((m) => m.kind === 'Service')?.spec?.sessionAffinity).toBe('ClientIP');
    expect(manifests.find((m) => m.kind === 'Deployment')?.spec?.replicas).toBe(3);
    expect(serverOptions(manifests).http.stateless).toBe(false);
  });

  it('refuses several replicas that keep sessions apart', () => {
    expect(refusal({ replicaCount: '2' })).toContain('set stateless: true or sessionAffinity: true');
    expect(refusal({ 'autoscaling.enabled': 'true' })).toContain(
      'set stateless: true or sessionAffinity: true',
    );
  });

  it('refuses to serve without authentication, as the server does', () => {
    expect(refusal({ 'auth.tokens.existingSecret': '' })).toContain(
      'set auth.tokens.existingSecret or auth.oidc.issuer',
    );
    expect(refusal({ 'auth.oidc.issuer': 'https://id.example.com' })).toContain(
      'auth.oidc.issuer needs auth.oidc.audience',
    );
  });

  it('names cluster-scoped objects after the release, so two releases do not collide', () => {
    const names = template({}, 'team-a')
      .filter((m) => m.kind.startsWith('Cluster'))
      .map((m) => m.metadata.name);
    expect(names).toEqual(['team-a-flux-ops-mcp', 'team-a-flux-ops-mcp']);
  });
});

describe('deploy/', () => {
  it('is the chart rendered with its defaults (npm run deploy:render)', () => {
    const stale: string[] = [];
    for (const [file, text] of renderDeploy(helm4.binary))
      if (readFileSync(join(ROOT, 'deploy', file), 'utf8') !== text) stale.push(file);
    expect(stale).toEqual([]);
  });

  it('lists every rendered file in its kustomization', () => {
    const kustomization = readFileSync(join(ROOT, 'deploy/kustomization.yaml'), 'utf8');
    for (const file of renderDeploy(helm4.binary).keys())
      if (!file.startsWith('optional/')) expect(kustomization).toContain(`- ${file}`);
  });
});

describe('helm install', () => {
  const installed: { release: string; namespace: string }[] = [];

  afterAll(() => {
    for (const { release, namespace } of installed)
      helm4.run(['uninstall', release, '--namespace', namespace]);
  });

  async function install(release: string, values: Record<string, string>): Promise<string> {
    const namespace = await testNamespace(api, 'chart');
    helm4.run(['install', release, CHART, '--namespace', namespace, ...setArgs(values)]);
    installed.push({ release, namespace });
    return namespace;
  }

  it('puts the objects of the defaults into the cluster', async () => {
    const release = `fom-${Math.random().toString(16).slice(2, 8)}`;
    const namespace = await install(release, {});
    const name = `${release}-flux-ops-mcp`;
    expect((await api.get('apps/v1', 'Deployment', namespace, name)).metadata.name).toBe(name);
    expect((await api.get('v1', 'Service', namespace, name)).metadata.name).toBe(name);
    expect((await api.get('networking.k8s.io/v1', 'NetworkPolicy', namespace, name)).metadata.name).toBe(
      name,
    );
    expect(
      (await api.get('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, name)).metadata.name,
    ).toBe(name);
  });

  it('puts the objects of every option into the cluster, an HPA and the impersonation grant among them', async () => {
    const release = `fom-${Math.random().toString(16).slice(2, 8)}`;
    const namespace = await install(release, FULL);
    const name = `${release}-flux-ops-mcp`;
    expect((await api.get('autoscaling/v2', 'HorizontalPodAutoscaler', namespace, name)).metadata.name).toBe(
      name,
    );
    const impersonator = `${name}-impersonator`;
    expect(
      (await api.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, impersonator)).metadata
        .name,
    ).toBe(impersonator);
    const roles = await api.list('rbac.authorization.k8s.io/v1', 'ClusterRole');
    expect(roles.map((r) => r.metadata.name)).not.toContain(name);
  });
});
