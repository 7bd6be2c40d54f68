// `npm run sandbox`: a throwaway Flux to try the server on. Builds what is missing, starts a kube-apiserver
// with etcd, kube-controller-manager, kube-scheduler and kwok as the kubelet of one node (Pods run and fail
// as on a real cluster, test/cluster/pods.ts), the real Flux controllers (as local processes, shown as the
// Deployments `flux install` creates, their Pods' logs being the processes' output), a Git and a Helm
// server on loopback, and a demo: a healthy chain delivering a Deployment, a Deployment whose image cannot be
// pulled, a crash-looping one behind a HelmRelease, a failing Kustomization, a suspended one and a
// HelmRelease stuck after a failed upgrade. Prints the MCP client configuration and where the Git repository
// is, stays up until Ctrl-C or SIGTERM, then stops everything it started and removes its kubeconfig.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeCrashingWorkerLogs, webServerLines } from '../test/cluster/app-logs.js';
import { binaries, startTestCluster, type RunningCluster } from '../test/cluster/cluster.js';
import { controllerBuild, startControllers } from '../test/cluster/controllers.js';
import { deployControllers } from '../test/cluster/flux-deployments.js';
import { appendContainerLog, serveNamespaceLogs } from '../test/cluster/pods.js';
import {
  configMapYaml,
  deploymentTemplate,
  deploymentYaml,
  gitRepository,
  helmRelease,
  helmRepository,
  kustomization,
  kustomizationYaml,
  waitForObject,
} from '../test/cluster/real-flux.js';
import { Sources, startSourcesServer } from '../test/cluster/sources-server.js';
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

/** The image the checkout Deployment asks for: a tag its registry does not have (test/cluster/kwok). */
const MISSING_IMAGE = 'ghcr.io/example/checkout:2.4.1-missing';

/**
 * The demo applications' logs: the frontend's requests and the worker's crashes, served by kwok as the
 * logs of their containers in the demo namespace (the checkout container never starts: it has none).
 */
async function serveAppLogs(api: TestApi, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const frontend = join(dir, 'frontend.log');
  appendContainerLog(frontend, webServerLines('frontend', 40));
  const worker = writeCrashingWorkerLogs(dir, 'worker', 'queue.demo-apps.svc:5672');
  await serveNamespaceLogs(api, 'demo-apps', [APPS], { frontend: { log: frontend }, worker });
}

/** The demo: what a newcomer asks the tools about. Returns the Git repository's clone URL. */
async function seedDemo(api: TestApi, sources: Sources): Promise<string> {
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } });
  const repo = await sources.gitRepository('demo');
  await repo.commit(
    {
      'infra/kustomization.yaml': kustomizationYaml(['settings.yaml']),
      'infra/settings.yaml': configMapYaml('infra-settings', { tier: 'infra' }),
      'apps/kustomization.yaml': kustomizationYaml(['frontend.yaml', 'backend.yaml']),
      'apps/frontend.yaml': deploymentYaml('frontend', {
        image: 'ghcr.io/stefanprodan/podinfo:6.9.2',
        replicas: 2,
      }),
      'apps/backend.yaml': configMapYaml('backend', { replicas: '3' }),
      'checkout/kustomization.yaml': kustomizationYaml(['checkout.yaml']),
      'checkout/checkout.yaml': deploymentYaml('checkout', { image: MISSING_IMAGE }),
      'payments/kustomization.yaml': kustomizationYaml(['payments.yaml']),
      'payments/payments.yaml': configMapYaml('payments', { mode: 'live' }),
      'reports/kustomization.yaml': kustomizationYaml(['reports.yaml']),
      'reports/reports.yaml': configMapYaml('reports', { schedule: 'daily' }),
    },
    'demo: infra, apps, checkout, payments, reports',
  );
  await api.apply(gitRepository('demo', NS, repo.url));
  await api.apply(kustomization('infra', NS, { path: './infra', source: 'demo', targetNamespace: APPS }));
  // apps and checkout wait for their Deployments (kustomize-controller's health checks).
  const waiting = (k: TestObject): TestObject => ({ ...k, spec: { ...k.spec, wait: true, timeout: '30s' } });
  await api.apply(
    waiting(
      kustomization('apps', NS, {
        path: './apps',
        source: 'demo',
        targetNamespace: APPS,
        dependsOn: ['infra'],
      }),
    ),
  );
  await api.apply(
    waiting(kustomization('checkout', NS, { path: './checkout', source: 'demo', targetNamespace: APPS })),
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
  // A worker that crash-loops (it cannot reach its queue): helm-controller's install waits for it in vain.
  charts.publish({
    name: 'worker',
    version: '2.3.0',
    templates: {
      'deployment.yaml': deploymentTemplate({
        image: 'ghcr.io/example/worker:2.3.0',
        container: 'worker',
        podAnnotations: { 'flux-ops-mcp.test/crash-loop': 'worker' },
      }),
    },
  });
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
  const worker = helmRelease('worker', NS, { chart: 'worker', version: '2.3.0', repository: 'charts' });
  await api.apply({
    ...worker,
    spec: {
      ...worker.spec,
      targetNamespace: APPS,
      timeout: '30s',
      // Uninstalled and tried once more; the last failed install stays, so its Pods can be looked at.
      install: { remediation: { retries: 1, remediateLastFailure: false } },
    },
  });
  for (const name of ['web', 'cache']) await waitForObject(api, ref('HelmRelease', name));
  // An upgrade to a chart with an invalid object: helm-controller gives up (Stalled, RetriesExceeded).
  await api.mergePatch(ref('HelmRelease', 'cache'), { spec: { chart: { spec: { version: '1.1.0' } } } });
  await waitForObject(api, ref('HelmRelease', 'cache'), stalled);
  await waitForObject(api, ref('Kustomization', 'apps'));
  return repo.url;
}

async function main(): Promise<void> {
  const started = Date.now();
  // What to stop, in order; the stops of one group run together.
  const stops: (() => Promise<void>)[][] = [];
  let stopping = false;
  const dir = join(CACHE, 'sandbox');
  const kubeconfig = join(dir, 'kubeconfig');
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('\nsandbox: stopping...\n');
    // The kubeconfig would point at an API server that is going away.
    rmSync(kubeconfig, { force: true });
    for (const group of stops) await Promise.all(group.map((stop) => stop().catch(() => undefined)));
    process.stderr.write('sandbox: stopped\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));

  try {
    await step(
      'test cluster binaries (kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kwok; built once, minutes)',
      () => binaries('workloads'),
    );
    const build = await step('Flux controllers (built once, 15-20 minutes on 2 cores)', () =>
      controllerBuild(),
    );
    const cluster: RunningCluster = await step(
      `API server with the Flux ${build.release} CRDs, controller manager, scheduler and a kwok node`,
      () => startTestCluster({ crds: { dir: build.crds, release: build.release }, pods: 'workloads' }),
    );
    stops.unshift([cluster.stop]);
    const [controllers, sourcesServer] = await Promise.all([
      step('Flux controllers', () =>
        startControllers({
          kubeconfig: cluster.kubeconfig,
          dir: cluster.dir,
          build,
          requeueDependency: '2s',
        }),
      ),
      step('Git and Helm servers', () => startSourcesServer(join(cluster.dir, 'sources'))),
    ]);
    stops.unshift([controllers.stop, sourcesServer.stop]);
    const api = new TestApi(cluster.server, cluster.adminToken, cluster.caFile);
    const [repoUrl] = await Promise.all([
      step('demo repository, applications and Flux objects', async () => {
        await serveAppLogs(api, join(cluster.dir, 'app-logs'));
        return seedDemo(api, new Sources(sourcesServer));
      }),
      step('the controllers as Deployments in flux-system', () =>
        deployControllers(api, controllers, build.manifests),
      ),
    ]);
    await api.close();

    mkdirSync(dir, { recursive: true });
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
        `  files and logs: ${cluster.dir}`,
        '  demo: Kustomizations infra -> apps (healthy chain; Deployment frontend running),',
        `        checkout (its Deployment's image ${MISSING_IMAGE} cannot be pulled:`,
        '        ImagePullBackOff, the health check fails after 30s), reports (failing on a bad commit),',
        '        payments (suspended by jane: "database migration INC-4411");',
        '        HelmReleases web (healthy), cache (stuck after a failed upgrade to 1.1.0),',
        '        worker (its Deployment crash-loops: the install fails after 30s, is uninstalled and tried',
        '        once more, then stays failed).',
        '',
        `Git repository: ${repoUrl} (pushes accepted). To change what Flux applies:`,
        `  git clone ${repoUrl} flux-sandbox-demo && cd flux-sandbox-demo`,
        '  # edit apps/frontend.yaml, then:',
        '  git commit -am "scale the frontend" && git push',
        'and ask for a reconcile of the GitRepository demo (Flux fetches it every hour by itself).',
        '',
        'Add this to your MCP client configuration (e.g. mcp.json or claude_desktop_config.json):',
        JSON.stringify(mcp, null, 2),
        '',
        'Then ask, for example: "What is wrong with Flux?", "Why is the checkout Kustomization failing?",',
        '"Why is the worker HelmRelease failing?", "Reconcile the apps Kustomization with its dependencies".',
        'Press Ctrl-C (or send SIGTERM) to stop the sandbox.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
  }
}

void main();
