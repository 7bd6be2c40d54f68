// "Why is this Kustomization failing?" when its Pods cannot start: the answer is in the tree, the Pod
// listing and the Pod's events. These Pods are bound to no node: the tests write their status and events as
// a kubelet would (test/e2e/pods.test.ts has Pods that kwok fails as a kubelet does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { kubeletEvent } from '../support/events.js';
import { failedStatus, kustomization } from '../support/flux.js';
import {
  deployment,
  imagePullBackOff,
  oomCrashLoop,
  podWithContainers,
  runningContainer,
} from '../support/workloads.js';

const BAD_IMAGE = 'ghcr.io/example/web:6.99';
const PULL_MESSAGE = `Back-off pulling image "${BAD_IMAGE}"`;

let api: TestApi;
let server: ServerHandle;
let ns: string;

interface TreeNode {
  kind: string;
  name: string;
  status: string;
  pods?: string;
}

interface PodItem {
  name: string;
  status?: string;
  containers?: string;
  restarts?: number;
  message?: string;
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'pods');
  for (const name of ['web', 'worker', 'idle'])
    await api.apply(deployment(name, ns, { image: `ghcr.io/example/${name}:1`, ready: false }));
  await api.apply(deployment('api', ns, { image: 'ghcr.io/example/api:1' }));
  await api.apply(
    podWithContainers('web-5d4f-abcde', ns, {
      labels: { app: 'web' },
      containers: [imagePullBackOff('web', BAD_IMAGE)],
    }),
  );
  await api.apply(
    podWithContainers('worker-7c9b-fghij', ns, {
      labels: { app: 'worker' },
      containers: [oomCrashLoop('worker', 'ghcr.io/example/worker:1', 'worker-7c9b-fghij', 7)],
    }),
  );
  await api.apply(
    podWithContainers('api-6f8d-klmno', ns, {
      labels: { app: 'api' },
      containers: [runningContainer('api', 'ghcr.io/example/api:1')],
    }),
  );
  await api.apply(
    kubeletEvent(
      { name: 'web-5d4f-abcde', namespace: ns },
      {
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${BAD_IMAGE}": rpc error: code = NotFound desc = failed to pull and unpack image "${BAD_IMAGE}": not found`,
        minutesAgo: 2,
        count: 4,
      },
    ),
  );
  const entries = ['web', 'worker', 'idle', 'api'].map((d) => ({
    id: `${ns}_${d}_apps_Deployment`,
    v: 'v1',
  }));
  await api.apply({
    ...kustomization('apps', ns),
    status: failedStatus(
      1,
      'HealthCheckFailed',
      `health check failed after 5m0s: timeout waiting for: [Deployment/${ns}/web status: 'InProgress']`,
      { inventory: { entries } },
    ),
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function tree(): Promise<{ text: string; nodes: TreeNode[] }> {
  const { text, structured } = await callTool(server.client, 'get_flux_tree', {
    name: 'apps',
    namespace: ns,
  });
  return { text, nodes: structured.nodes as TreeNode[] };
}

describe('get_flux_tree', () => {
  it("puts the reason of a workload's failing Pods on its NOT READY line", async () => {
    const { text, nodes } = await tree();
    const expected = `pods: 1 of 1 not ready (1 ImagePullBackOff); web-5d4f-abcde: container web ImagePullBackOff: ${PULL_MESSAGE}`;
    expect(nodes.find((n) => n.name === 'web')?.pods).toBe(expected);
    expect(text).toContain(`  Deployment ${ns}/web  NOT READY: `);
    expect(text.split('\n').find((l) => l.includes(`Deployment ${ns}/web `))).toContain(`; ${expected}`);
  });

  it('says a crash loop, its restarts and why the container last ended', async () => {
    const { nodes } = await tree();
    expect(nodes.find((n) => n.name === 'worker')?.pods).toBe(
      'pods: 1 of 1 not ready (1 CrashLoopBackOff); worker-7c9b-fghij: container worker CrashLoopBackOff: back-off 5m0s restarting failed container=worker pod=worker-7c9b-fghij; last terminated OOMKilled (exit code 137)',
    );
  });

  it('says when a workload that is not ready has no Pods at all', async () => {
    const { nodes } = await tree();
    expect(nodes.find((n) => n.name === 'idle')?.pods).toBe('no pods match its selector');
  });

  it('adds nothing to a ready workload', async () => {
    const { nodes } = await tree();
    const ready = nodes.find((n) => n.name === 'api');
    expect(ready?.status).toBe('ready');
    expect(ready).not.toHaveProperty('pods');
  });
});

describe('get_kubernetes_resources of Pods', () => {
  it("shows each Pod's status as kubectl does, ready containers, restarts and the container problem", async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_resources', {
      kind: 'Pod',
      namespace: ns,
    });
    const items = structured.items as PodItem[];
    expect(items.find((i) => i.name === 'web-5d4f-abcde')).toMatchObject({
      status: 'ImagePullBackOff',
      containers: '0/1',
      restarts: 0,
      message: `container web ImagePullBackOff: ${PULL_MESSAGE}`,
    });
    expect(items.find((i) => i.name === 'api-6f8d-klmno')).toMatchObject({
      status: 'Running',
      containers: '1/1',
    });
    expect(text).toMatch(new RegExp(`Pod ${ns}/web-5d4f-abcde  ImagePullBackOff  ready 0/1  age \\S+\\n`));
    expect(text).toContain(`\n    container web ImagePullBackOff: ${PULL_MESSAGE}`);
    expect(text).toMatch(
      new RegExp(`Pod ${ns}/worker-7c9b-fghij  CrashLoopBackOff  ready 0/1  restarts 7  age \\S+\\n`),
    );
    expect(text).toContain('last terminated OOMKilled (exit code 137)');
  });
});

describe('why a Kustomization fails when its Pod cannot pull its image', () => {
  it('is answered in two calls: the tree names the Pod and the reason, its events say why the pull failed', async () => {
    const first = await callTool(server.client, 'get_flux_tree', {
      name: 'apps',
      namespace: ns,
      problems_only: true,
    });
    expect(first.text).toContain(`web-5d4f-abcde: container web ImagePullBackOff: ${PULL_MESSAGE}`);
    const second = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Pod',
      name: 'web-5d4f-abcde',
      namespace: ns,
      type: 'Warning',
    });
    expect(second.result.isError).toBeFalsy();
    expect(second.text).toMatch(
      new RegExp(
        `Pod ${ns}/web-5d4f-abcde  Warning Failed \\S+ ago \\(x4\\): Failed to pull image "ghcr.io/example/web:6.99": rpc error: code = NotFound`,
      ),
    );
  });
});
