// `npm run sandbox`: a throwaway Flux to try the server on. Builds what is missing, starts a kube-apiserver
// with etcd, the real Flux controllers, a Git and a Helm server on loopback, and a demo with a healthy
// chain, a failing Kustomization, a suspended one and a HelmRelease stuck after a failed upgrade; prints the
// MCP client configuration and stays up until Ctrl-C, then stops everything it started.
import { copyFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { binaries, startTestCluster, type RunningCluster } from '../test/cluster/cluster.js';
import { controllerBuild, startControllers, type RunningControllers } from '../test/cluster/controllers.js';
import {
  configMapYaml,
  gitRepository,
  helmRelease,
  helmRepository,
  kustomization,
  kustomizationYaml,
  waitForObject,
} from '../test/cluster/real-flux.js';
import { Sources, startSourcesServer, type RunningSources } from '../test/cluster/sources-server.js';
import { TestApi, type TestObject } from '../test/support/api.js';
import { V } from '../test/support/flux.js';
import { SUSPEND_REASON, SUSPENDED_AT, SUSPENDED_BY } from '../src/flux/suspension.js';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = process.env.FLUX_OPS_MCP_CACHE ?? join(homedir(), '.cache', 'flux-ops-mcp');
const NS = 'flux-system';
const APPS = 'demo-apps';

async function step<T>(what: string, run: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  process.stderr.write(`sandbox: ${what}...\n`);
  const result = await run();
  process.stderr.write(`sandbox: ${what}: done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return result;
}

const ref = (kind: string, name: string): Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> => ({
  apiVersion: kind === 'HelmRelease' ? V.helmRelease : kind === 'Kustomization' ? V.kustomization : V.source,
  kind,
  metadata: { name, namespace: NS },
});

const failed = (o: TestObject) =>
  ((o.status?.conditions ?? []) as { type: string; status: string }[]).some(
    (c) => (c.type === 'Ready' && c.status === 'False') || (c.type === 'Stalled' && c.status === 'True'),
  );

const stalled = (o: TestObject) =>
  ((o.status?.conditions ?? []) as { type: string; status: string }[]).some(
    (c) => c.type === 'Stalled' && c.status === 'True',
  );

const configMapChart = (name: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-${name}
data:
  version: {{ .Chart.Version | quote }}
`;

/** The demo: what a newcomer asks the tools about. */
async function seedDemo(api: TestApi, sources: Sources): Promise<void> {
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } });
  const repo = await sources.gitRepository('demo');
  await repo.commit(
    {
      'infra/kustomization.yaml': kustomizationYaml(['settings.yaml']),
      'infra/settings.yaml': configMapYaml('infra-settings', { tier: 'infra' }),
      'apps/kustomization.yaml': kustomizationYaml(['frontend.yaml', 'backend.yaml']),
      'apps/frontend.yaml': configMapYaml('frontend', { replicas: '2' }),
      'apps/backend.yaml': configMapYaml('backend', { replicas: '3' }),
      'payments/kustomization.yaml': kustomizationYaml(['payments.yaml']),
      'payments/payments.yaml': configMapYaml('payments', { mode: 'live' }),
      'reports/kustomization.yaml': kustomizationYaml(['reports.yaml']),
      'reports/reports.yaml': configMapYaml('reports', { schedule: 'daily' }),
    },
    'demo: infra, apps, payments, reports',
  );
  await api.apply(gitRepository('demo', NS, repo.url));
  await api.apply(kustomization('infra', NS, { path: './infra', source: 'demo', targetNamespace: APPS }));
  await api.apply(
    kustomization('apps', NS, {
      path: './apps',
      source: 'demo',
      targetNamespace: APPS,
      dependsOn: ['infra'],
    }),
  );
  await api.apply(
    kustomization('payments', NS, { path: './payments', source: 'demo', targetNamespace: APPS }),
  );
  await api.apply(kustomization('reports', NS, { path: './reports', source: 'demo', targetNamespace: APPS }));
  for (const name of ['infra', 'apps', 'payments', 'reports'])
    await waitForObject(api, ref('Kustomization', name));

  // A bad commit: reports now lists a file that is not there.
  const bad = await repo.commit(
    { 'reports/kustomization.yaml': kustomizationYaml(['reports.yaml', 'weekly.yaml']) },
    'reports: add the weekly schedule',
  );
  await api.mergePatch(ref('GitRepository', 'demo'), {
    metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': `sandbox-${Date.now()}` } },
  });
  await waitForObject(api, ref('Kustomization', 'reports'), failed);
  // The chain applies the new revision too (apps waits for infra: DependencyNotReady for a moment).
  for (const name of ['infra', 'apps']) {
    await waitForObject(
      api,
      ref('Kustomization', name),
      (o) => o.status?.lastAppliedRevision === `main@sha1:${bad}` && !failed(o),
    );
  }

  // Suspended for maintenance, with who, when and why, as suspend_flux_reconciliation records them.
  await api.mergePatch(ref('Kustomization', 'payments'), {
    spec: { suspend: true },
    metadata: {
      annotations: {
        [SUSPENDED_BY]: 'jane',
        [SUSPENDED_AT]: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        [SUSPEND_REASON]: 'database migration INC-4411',
      },
    },
  });

  const charts = sources.helmRepository('demo');
  charts.publish({ name: 'web', version: '1.0.0', templates: { 'web.yaml': configMapChart('web') } });
  charts.publish({ name: 'cache', version: '1.0.0', templates: { 'cache.yaml': configMapChart('cache') } });
  charts.publish({
    name: 'cache',
    version: '1.1.0',
    templates: {
      'cache.yaml': configMapChart('cache'),
      'broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Cache_Settings\ndata: {}\n',
    },
  });
  await api.apply(helmRepository('charts', NS, charts.url));
  await api.apply(helmRelease('web', NS, { chart: 'web', version: '1.0.0', repository: 'charts' }));
  await api.apply(helmRelease('cache', NS, { chart: 'cache', version: '1.0.0', repository: 'charts' }));
  for (const name of ['web', 'cache']) await waitForObject(api, ref('HelmRelease', name));
  // An upgrade to a chart with an invalid object: helm-controller gives up (Stalled, RetriesExceeded).
  await api.mergePatch(ref('HelmRelease', 'cache'), { spec: { chart: { spec: { version: '1.1.0' } } } });
  await waitForObject(api, ref('HelmRelease', 'cache'), stalled);
}

async function main(): Promise<void> {
  const started = Date.now();
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nsandbox: stopping...\n');
    for (const stop of stops) await stop().catch(() => undefined);
    process.stderr.write('sandbox: stopped\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    await step('test cluster binaries (kube-apiserver, etcd; built once, minutes)', () => binaries());
    const build = await step('Flux controllers (built once, 15-20 minutes on 2 cores)', () =>
      controllerBuild(),
    );
    const cluster: RunningCluster = await step(`API server with the Flux ${build.release} CRDs`, () =>
      startTestCluster({ crds: { dir: build.crds, release: build.release } }),
    );
    stops.unshift(cluster.stop);
    const controllers: RunningControllers = await step('Flux controllers', () =>
      startControllers({ kubeconfig: cluster.kubeconfig, dir: cluster.dir, build, requeueDependency: '5s' }),
    );
    stops.unshift(controllers.stop);
    const sourcesServer: RunningSources = await step('Git and Helm servers', () =>
      startSourcesServer(join(cluster.dir, 'sources')),
    );
    stops.unshift(sourcesServer.stop);
    const api = new TestApi(cluster.server, cluster.adminToken, cluster.caFile);
    await step('demo repository and Flux objects', () => seedDemo(api, new Sources(sourcesServer)));
    await api.close();

    const dir = join(CACHE, 'sandbox');
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, 'kubeconfig');
    copyFileSync(cluster.kubeconfig, kubeconfig);
    const mcp = {
      mcpServers: {
        'flux-sandbox': {
          command: process.execPath,
          args: [join(ROOT, 'dist', 'cli.js'), '--kubeconfig', kubeconfig],
        },
      },
    };
    const versions = Object.entries(controllers.versions)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ');
    process.stdout.write(
      [
        '',
        `Flux ${build.release} sandbox ready in ${((Date.now() - started) / 1000).toFixed(0)}s: ${versions}.`,
        `  kubeconfig: ${kubeconfig}   (export KUBECONFIG=${kubeconfig})`,
        `  controller logs: ${cluster.dir}`,
        '  demo: Kustomizations infra -> apps (healthy chain), reports (failing on a bad commit),',
        '        payments (suspended by jane: "database migration INC-4411");',
        '        HelmReleases web (healthy), cache (stuck after a failed upgrade to 1.1.0).',
        '',
        'Add this to your MCP client configuration (e.g. mcp.json or claude_desktop_config.json):',
        JSON.stringify(mcp, null, 2),
        '',
        'Then ask, for example: "What is wrong with Flux?", "Why is the cache HelmRelease stuck?",',
        '"Reconcile the apps Kustomization with its dependencies".',
        'Press Ctrl-C to stop the sandbox.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}

void main();
