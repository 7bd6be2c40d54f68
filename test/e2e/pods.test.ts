// Workloads delivered by the real Flux controllers that roll out on the test cluster: kube-controller-manager
// makes ReplicaSets and Pods, kube-scheduler binds them to the kwok node, and kwok runs them as a kubelet
// would, or fails them as production Pods fail (test/cluster/kwok: an image tag ending in -missing cannot be
// pulled; flux-ops-mcp.test/crash-loop makes a container exit after each start). kustomize-controller's
// health checks and helm-controller's waits see what they see on a real cluster, and our tools name the
// Pod's reason: "why is it failing?" in at most two calls.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webServerLines, writeCrashingWorkerLogs } from '../cluster/app-logs.js';
import type { GitRepository } from '../cluster/git-repositories.js';
import { appendContainerLog, serveNamespaceLogs } from '../cluster/pods.js';
import { deploymentTemplate, deploymentYaml } from '../cluster/real-flux.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, cluster, startServer, type ServerHandle } from '../support/env.js';
import { V } from '../support/flux.js';
import {
  gitRepository,
  hasCondition,
  helmRelease,
  helmRepository,
  kustomization,
  kustomizationYaml,
  sources,
  waitForObject,
} from './support/e2e.js';

let api: TestApi;
let server: ServerHandle;
let repo: GitRepository;
let ns: string;
let apps: string;

const MISSING_IMAGE = 'ghcr.io/example/checkout:2.4.1-missing';
const PULL_FAILURE = /ImagePullBackOff|ErrImagePull/;

const ks = (name: string): Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> => ({
  apiVersion: V.kustomization,
  kind: 'Kustomization',
  metadata: { name, namespace: ns },
});
const hr = (name: string): Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> => ({
  apiVersion: V.helmRelease,
  kind: 'HelmRelease',
  metadata: { name, namespace: ns },
});

/** A Kustomization of the repository's directory, waiting (health checks) up to 30 s. */
function waiting(name: string, suspend = false): TestObject {
  const k = kustomization(name, ns, { path: `./${name}`, source: 'repo', targetNamespace: apps });
  return { ...k, spec: { ...k.spec, wait: true, timeout: '30s', ...(suspend ? { suspend: true } : {}) } };
}

beforeAll(async () => {
  api = adminApi();
  const id = randomBytes(3).toString('hex');
  ns = `e2e-pods-${id}`;
  apps = `e2e-pods-apps-${id}`;
  for (const name of [ns, apps]) {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // What the applications write: kwok serves these files as their containers' logs.
  const logs = join(cluster().dir, `app-logs-${id}`);
  mkdirSync(logs, { recursive: true });
  appendContainerLog(join(logs, 'web.log'), webServerLines('web', 20));
  const worker = writeCrashingWorkerLogs(logs, 'worker', 'queue.example.svc:5672');
  await serveNamespaceLogs(api, `e2e-pods-${id}`, [apps], { web: { log: join(logs, 'web.log') }, worker });

  // The crash-looping release, suspended: resumed by the first test, its install waits 20 s twice while the
  // Kustomization tests run.
  const charts = sources().helmRepository(ns);
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
  await api.apply(helmRepository('charts', ns, charts.url));
  const release = helmRelease('worker', ns, { chart: 'worker', version: '2.3.0', repository: 'charts' });
  await api.apply({
    ...release,
    spec: {
      ...release.spec,
      suspend: true,
      targetNamespace: apps,
      timeout: '20s',
      // Uninstalled and tried once more; the last failed install stays, so its Pods can be looked at.
      install: { remediation: { retries: 1, remediateLastFailure: false } },
    },
  });

  repo = await sources().gitRepository(`pods-${id}`);
  await repo.commit(
    {
      'web/kustomization.yaml': kustomizationYaml(['web.yaml']),
      'web/web.yaml': deploymentYaml('web', { image: 'ghcr.io/example/web:1.0.0', replicas: 2 }),
      'checkout/kustomization.yaml': kustomizationYaml(['checkout.yaml']),
      'checkout/checkout.yaml': deploymentYaml('checkout', { image: MISSING_IMAGE }),
    },
    'web and checkout',
  );
  await api.apply(gitRepository('repo', ns, repo.url));
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('a HelmRelease whose Deployment crash-loops, while Helm waits for it', () => {
  it('a wait that ends while Helm installs names the Deployment and its failing Pod', async () => {
    const { result, structured, text } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'HelmRelease',
      name: 'worker',
      namespace: ns,
      timeout: '8s',
    });
    expect(result.isError).toBe(true);
    expect((structured.objects as { result: string }[])[0]!.result).toBe('timeout');
    expect(text).toContain(`not ready: Deployment ${apps}/worker (`);
  });
});

describe('a Kustomization waiting for a Deployment that becomes ready', () => {
  beforeAll(async () => {
    await api.apply(waiting('web'));
  });

  it('is Ready once the Deployment has rolled out, and get_flux_tree shows it ready', async () => {
    const { result, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'web',
      namespace: ns,
      with_source: true,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.result).toBe('ready');
    const deployment = await api.get('apps/v1', 'Deployment', apps, 'web');
    expect(deployment.status?.readyReplicas).toBe(2);
    const tree = await callTool(server.client, 'get_flux_tree', { name: 'web', namespace: ns });
    expect(tree.structured.nodes).toContainEqual(
      expect.objectContaining({ kind: 'Deployment', namespace: apps, name: 'web', status: 'ready' }),
    );
  });

  it('get_kubernetes_logs reads its Pods through the API server', async () => {
    const { result, structured, text } = await callTool(server.client, 'get_kubernetes_logs', {
      kind: 'Deployment',
      name: 'web',
      namespace: apps,
      limit: 5,
    });
    expect(result.isError).toBeFalsy();
    const sources = structured.sources as { pod: string; node?: string; state?: string }[];
    expect(sources.length).toBe(2);
    expect(sources.every((s) => s.pod.startsWith('web-') && s.node === 'kwok-node' && !s.state)).toBe(true);
    expect(text).toContain('info  request');
  });
});

describe('a Kustomization whose Deployment image cannot be pulled', () => {
  beforeAll(async () => {
    // Created suspended, so that the resume below starts its first reconcile.
    await api.apply(waiting('checkout', true));
  });

  it('a wait that ends during the health check names the Deployment and why its Pod is not ready', async () => {
    const { result, structured, text } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'checkout',
      namespace: ns,
      timeout: '10s',
    });
    expect(result.isError).toBe(true);
    expect((structured.objects as { result: string }[])[0]!.result).toBe('timeout');
    expect(text).toContain('Running health checks for revision');
    expect(text).toContain(`not ready: Deployment ${apps}/checkout (`);
    expect(text).toMatch(PULL_FAILURE);
  });

  it('fails with HealthCheckFailed; "why?" in one call: get_flux_status says the image cannot be pulled', async () => {
    await waitForObject(api, ks('checkout'), hasCondition('Ready', 'False'), 60_000);
    const { structured, text } = await callTool(server.client, 'get_flux_status', { namespace: ns });
    expect(structured.failing).toContainEqual(
      expect.objectContaining({
        kind: 'Kustomization',
        name: 'checkout',
        reason: 'HealthCheckFailed',
        // Most often "timeout waiting for: [Deployment/<ns>/checkout status: 'InProgress']"; on a busy
        // controller its client's rate limiter ends the wait first, and the message names no object.
        message: expect.stringMatching(/^health check failed after /),
        notReady: expect.stringMatching(PULL_FAILURE),
      }),
    );
    expect(text).toContain(`not ready: Deployment ${apps}/checkout (`);
    expect(text).toContain(MISSING_IMAGE);
  });

  it('get_flux_tree names the Pod and its reason', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_tree', {
      name: 'checkout',
      namespace: ns,
    });
    expect(structured.nodes).toContainEqual(
      expect.objectContaining({
        kind: 'Deployment',
        name: 'checkout',
        status: 'not-ready',
        pods: expect.stringMatching(PULL_FAILURE),
      }),
    );
    expect(text).toMatch(/checkout-[a-z0-9]+-[a-z0-9]+: container checkout (ImagePullBackOff|ErrImagePull)/);
  });

  it("get_kubernetes_events has the kubelet's pull failure, with the registry's answer", async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Deployment',
      name: 'checkout',
      namespace: apps,
    });
    const events = structured.events as { type: string; reason: string; message: string; source?: string }[];
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'Failed',
        message: expect.stringContaining(`Failed to pull image "${MISSING_IMAGE}"`),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' }),
    );
  });

  it('get_kubernetes_logs says the container is waiting to start, and why', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_logs', {
      kind: 'Deployment',
      name: 'checkout',
      namespace: apps,
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(/container checkout is waiting to start: (ImagePullBackOff|ErrImagePull)/);
  });
});

describe('a HelmRelease whose Deployment crash-loops, once Helm gave up', () => {
  it('fails the install, uninstalls and tries again, then gives up (Stalled)', async () => {
    const live = await waitForObject(api, hr('worker'), hasCondition('Stalled', 'True'), 120_000);
    expect(live.status?.installFailures).toBe(2);
  });

  it('"why?" in two calls, the first: get_flux_status names the crash loop', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_status', { namespace: ns });
    expect(structured.failing).toContainEqual(
      expect.objectContaining({
        kind: 'HelmRelease',
        name: 'worker',
        notReady: expect.stringContaining('CrashLoopBackOff'),
      }),
    );
    expect(text).toContain(`not ready: Deployment ${apps}/worker (`);
  });

  it('get_flux_tree names the Pod, its restarts and how its container last ended', async () => {
    const { structured } = await callTool(server.client, 'get_flux_tree', {
      kind: 'HelmRelease',
      name: 'worker',
      namespace: ns,
    });
    expect(structured.nodes).toContainEqual(
      expect.objectContaining({
        kind: 'Deployment',
        name: 'worker',
        status: 'not-ready',
        pods: expect.stringMatching(/CrashLoopBackOff.*last terminated Error \(exit code 1\)/),
      }),
    );
  });

  it("get_kubernetes_events has the kubelet's back-off, counted", async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Deployment',
      name: 'worker',
      namespace: apps,
      type: 'Warning',
    });
    const events = structured.events as { reason: string; message: string; count: number }[];
    const backOff = events.find((e) => e.reason === 'BackOff');
    expect(backOff?.message).toMatch(/^Back-off restarting failed container worker in pod worker-/);
    expect(backOff?.count).toBeGreaterThanOrEqual(1);
  });

  it('"why?", the second call: get_kubernetes_logs reads why the worker exits, and says the Pod crash-loops', async () => {
    const { result, structured, text } = await callTool(server.client, 'get_kubernetes_logs', {
      kind: 'Deployment',
      name: 'worker',
      namespace: apps,
    });
    expect(result.isError).toBeFalsy();
    // The worker's last words, newest last.
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^panic: cannot connect to the queue/);
    const sources = structured.sources as { state?: string }[];
    expect(sources[0]!.state).toMatch(/^(CrashLoopBackOff|Running|Error), \d+ restarts?: /);
    const previous = await callTool(server.client, 'get_kubernetes_logs', {
      kind: 'Deployment',
      name: 'worker',
      namespace: apps,
      previous: true,
    });
    expect(previous.text).toContain('giving up: cannot connect to the queue');
  });

  it("get_kubernetes_logs reads helm-controller's lines about the failed release from its Pod", async () => {
    const { result, structured, text } = await callTool(server.client, 'get_kubernetes_logs', {
      kind: 'HelmRelease',
      name: 'worker',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.controller).toBe('Deployment flux-system/helm-controller');
    expect((structured.sources as { pod: string }[])[0]!.pod).toMatch(/^helm-controller-/);
    expect(text).toContain('release is in a failed state');
  });
});

describe('the Flux controllers seen as a cluster shows them', () => {
  it('get_flux_instance finds their Deployments ready, with their images', async () => {
    const { structured } = await callTool(server.client, 'get_flux_instance', {});
    const controllers = structured.controllers as {
      name: string;
      ready: boolean;
      images: { image: string }[];
    }[];
    for (const name of ['source-controller', 'kustomize-controller', 'helm-controller']) {
      expect(controllers).toContainEqual(
        expect.objectContaining({
          name,
          ready: true,
          images: [expect.objectContaining({ image: expect.stringMatching(`^ghcr.io/fluxcd/${name}:v`) })],
        }),
      );
    }
  });
});
