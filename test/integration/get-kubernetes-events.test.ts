import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { fluxEvent, kubeletEvent } from '../support/events.js';
import { deployment, imagePullBackOff, podWithContainers } from '../support/workloads.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let nodeName: string;

interface Event {
  type: string;
  reason: string;
  message: string;
  object: { kind: string; namespace: string; name: string };
}

const IMAGE = 'ghcr.io/example/shop:9.9';

function replicaSet(name: string, owner?: TestObject): TestObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: ns,
      labels: { app: 'shop' },
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'shop' } },
      template: {
        metadata: { labels: { app: 'shop' } },
        spec: { containers: [{ name: 'shop', image: IMAGE }] },
      },
    },
  };
}

const objectEvent = (kind: string, apiVersion: string, name: string) => ({
  apiVersion,
  kind,
  name,
  namespace: ns,
});

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'kevents');
  const shop = await api.apply(deployment('shop', ns, { image: IMAGE, ready: false }));
  await api.apply(replicaSet('shop-6c8d', shop));
  await api.apply(replicaSet('stray-6c8d'));
  await api.apply(
    podWithContainers('shop-6c8d-x1', ns, {
      labels: { app: 'shop' },
      containers: [imagePullBackOff('shop', IMAGE)],
    }),
  );
  const events = [
    fluxEvent(objectEvent('Deployment', 'apps/v1', 'shop'), {
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set shop-6c8d from 0 to 1',
      minutesAgo: 10,
      component: 'deployment-controller',
    }),
    fluxEvent(objectEvent('ReplicaSet', 'apps/v1', 'shop-6c8d'), {
      reason: 'SuccessfulCreate',
      message: 'Created pod: shop-6c8d-x1',
      minutesAgo: 9,
      component: 'replicaset-controller',
    }),
    fluxEvent(objectEvent('ReplicaSet', 'apps/v1', 'stray-6c8d'), {
      reason: 'SuccessfulCreate',
      message: 'Created pod: stray-6c8d-x1',
      minutesAgo: 9,
      component: 'replicaset-controller',
    }),
    kubeletEvent(
      { name: 'shop-6c8d-x1', namespace: ns },
      { reason: 'Pulling', message: `Pulling image "${IMAGE}"`, minutesAgo: 8 },
    ),
    kubeletEvent(
      { name: 'shop-6c8d-x1', namespace: ns },
      {
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${IMAGE}": not found`,
        minutesAgo: 1,
        count: 5,
      },
    ),
    fluxEvent(objectEvent('Deployment', 'apps/v1', 'gone'), {
      reason: 'ScalingReplicaSet',
      message: 'Scaled down replica set gone-1 from 1 to 0',
      minutesAgo: 3,
      component: 'deployment-controller',
    }),
    fluxEvent(objectEvent('Deployment', 'apps/v1', 'shop'), {
      type: 'Warning',
      reason: 'OldWarning',
      message: 'long ago',
      minutesAgo: 300,
      component: 'deployment-controller',
    }),
  ];
  for (const e of events) await api.create(e);
  nodeName = `node-${randomBytes(3).toString('hex')}`;
  // The event of a cluster-scoped object lives in the default namespace; its involvedObject has none.
  const nodeEvent = fluxEvent(
    { apiVersion: 'v1', kind: 'Node', name: nodeName, namespace: 'default' },
    {
      type: 'Warning',
      reason: 'NodeNotReady',
      message: `Node ${nodeName} status is now: NodeNotReady`,
      minutesAgo: 4,
      component: 'node-controller',
    },
  );
  delete (nodeEvent.involvedObject as { namespace?: string }).namespace;
  await api.create(nodeEvent);
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('get_kubernetes_events', () => {
  it('reads the events of a Pod, newest first', async () => {
    const { result, text, structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Pod',
      name: 'shop-6c8d-x1',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual(['Failed', 'Pulling']);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Events of Pod ${ns}/shop-6c8d-x1 (context admin), newest first: 2 events.`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^  Pod ${ns}/shop-6c8d-x1  Warning Failed \\S+ ago \\(x5\\): Failed to pull image "ghcr.io/example/shop:9.9": not found$`,
      ),
    );
    expect(lines[2]).toMatch(new RegExp(`^  Pod ${ns}/shop-6c8d-x1  Normal Pulling \\S+ ago: Pulling image`));
    expect(lines).toHaveLength(3);
  });

  it('reads a Deployment with the ReplicaSets it owns and the Pods it selects', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Deployment',
      name: 'shop',
      namespace: ns,
    });
    expect(structured.objects).toEqual([
      { role: 'object', kind: 'Deployment', namespace: ns, name: 'shop' },
      { role: 'replica set', kind: 'ReplicaSet', namespace: ns, name: 'shop-6c8d' },
      { role: 'pod', kind: 'Pod', namespace: ns, name: 'shop-6c8d-x1' },
    ]);
    expect((structured.events as Event[]).map((e) => `${e.object.kind}/${e.reason}`)).toEqual([
      'Pod/Failed',
      'Pod/Pulling',
      'ReplicaSet/SuccessfulCreate',
      'Deployment/ScalingReplicaSet',
      'Deployment/OldWarning',
    ]);
    expect(text.split('\n')[0]).toBe(
      `Events of Deployment ${ns}/shop and its 1 ReplicaSet, 1 Pod (context admin), newest first: 5 events.`,
    );
  });

  it('keeps only the events of one type', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Deployment',
      name: 'shop',
      namespace: ns,
      type: 'Warning',
    });
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual(['Failed', 'OldWarning']);
  });

  it('keeps only the events newer than since', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Deployment',
      name: 'shop',
      namespace: ns,
      since: '1h',
    });
    expect((structured.events as Event[]).map((e) => e.reason)).not.toContain('OldWarning');
    expect(structured.total).toBe(4);
  });

  it('filters by plain text in the reason, message or object, ignoring case', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_events', {
      namespace: ns,
      grep: 'PULL IMAGE',
    });
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual(['Failed']);
  });

  it('treats a pattern as text, not as a regular expression', async () => {
    const { result, structured } = await callTool(server.client, 'get_kubernetes_events', {
      namespace: ns,
      grep: '([^z]+)+zzz',
    });
    expect(result.isError).toBeFalsy();
    expect(structured.total).toBe(0);
  });

  it('says that grep is plain text when a pattern that reads like a regular expression matched nothing', async () => {
    const { text } = await callTool(server.client, 'get_kubernetes_events', {
      namespace: ns,
      grep: 'ImagePull|CrashLoop',
    });
    expect(text.split('\n').at(-1)).toBe(
      'grep is matched as plain text, not as a regular expression: "ImagePull|CrashLoop" matched nothing; give one word or phrase at a time.',
    );
  });

  it('reads every event of a namespace of one kind when no name is given', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'ReplicaSet',
      namespace: ns,
    });
    expect(structured.objects).toEqual([]);
    expect(
      (structured.events as Event[]).map((e) => e.object.name).sort((a, b) => a.localeCompare(b)),
    ).toEqual(['shop-6c8d', 'stray-6c8d']);
    expect(text.split('\n')[0]).toBe(
      `Events of ReplicaSet objects in namespace ${ns} (context admin), newest first: 2 events.`,
    );
  });

  it('reads the events left by a workload that no longer exists', async () => {
    const { result, structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Deployment',
      name: 'gone',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(structured.objects).toEqual([{ role: 'object', kind: 'Deployment', namespace: ns, name: 'gone' }]);
    expect((structured.events as Event[]).map((e) => e.message)).toEqual([
      'Scaled down replica set gone-1 from 1 to 0',
    ]);
  });

  it('reads the events of a cluster-scoped object', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Node',
      name: nodeName,
    });
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual(['NodeNotReady']);
    expect(text).toMatch(
      new RegExp(`\\n  Node ${nodeName}  Warning NodeNotReady \\S+ ago: Node ${nodeName} status is now`),
    );
  });

  it('says plainly when there are none', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Pod',
      name: 'no-such-pod',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    expect(text).toBe(`Events of Pod ${ns}/no-such-pod (context admin): none.`);
  });

  it('gives the restricted user a forbidden error for a namespace it cannot read', async () => {
    const { result, text } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Pod',
      name: 'shop-6c8d-x1',
      namespace: ns,
      context: 'restricted',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('forbidden: user jane cannot list events');
  });
});

describe('get_kubernetes_events answers cut by size', () => {
  let busyNs: string;

  beforeAll(async () => {
    busyNs = await testNamespace(api, 'kevents-busy');
    for (let i = 0; i < 60; i++) {
      await api.create(
        kubeletEvent(
          { name: 'chatty', namespace: busyNs },
          {
            type: 'Warning',
            reason: 'Unhealthy',
            message: `Readiness probe failed: attempt ${i}`,
            minutesAgo: i,
          },
        ),
      );
    }
  });

  it('past about 3 KB of text, lists the newest events and says how to narrow or count them', async () => {
    const { text, structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Pod',
      name: 'chatty',
      namespace: busyNs,
    });
    const shown = (structured.events as Event[]).length;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(structured).toMatchObject({ total: 60, omitted: 60 - shown });
    expect((structured.events as Event[])[0]!.message).toBe('Readiness probe failed: attempt 0');
    expect(text).toContain(`  ${60 - shown} more events: narrow with since, type or grep, or pass limit`);
  });

  it('lists as many events as limit asks for', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_events', {
      kind: 'Pod',
      name: 'chatty',
      namespace: busyNs,
      limit: 60,
    });
    expect(structured).toMatchObject({ total: 60, omitted: 0 });
  });
});
