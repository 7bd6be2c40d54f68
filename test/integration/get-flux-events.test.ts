import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { fluxEvent } from '../support/events.js';
import { gitRepository, helmRelease, helmRepository, kustomization, V } from '../support/flux.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let sourceNs: string;

interface Event {
  type: string;
  reason: string;
  message: string;
  count: number;
  object: { kind: string; namespace: string; name: string };
  revision?: string;
}

const ks = (name: string, namespace: string) => ({
  apiVersion: V.kustomization,
  kind: 'Kustomization',
  name,
  namespace,
});

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'events');
  sourceNs = await testNamespace(api, 'events-src');
  await api.apply(gitRepository('repo', sourceNs));
  await api.apply(
    kustomization('podinfo', ns, {
      spec: { sourceRef: { kind: 'GitRepository', name: 'repo', namespace: sourceNs } },
    }),
  );
  await api.apply(kustomization('other', ns));
  await api.apply(helmRepository('charts', ns));
  await api.apply(helmRelease('events-redis', ns));

  for (const e of [
    fluxEvent(ks('podinfo', ns), {
      type: 'Warning',
      reason: 'HealthCheckFailed',
      message:
        'health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: InProgress]',
      minutesAgo: 3,
      count: 4,
      revision: 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef',
    }),
    fluxEvent(ks('podinfo', ns), {
      reason: 'ReconciliationSucceeded',
      message: 'Reconciliation finished',
      minutesAgo: 120,
    }),
    fluxEvent(
      { apiVersion: V.source, kind: 'GitRepository', name: 'repo', namespace: sourceNs },
      {
        reason: 'NewArtifact',
        message: "stored artifact for commit 'Merge pull request #42'",
        minutesAgo: 60,
        component: 'source-controller',
      },
    ),
    fluxEvent(ks('other', ns), {
      type: 'Warning',
      reason: 'BuildFailed',
      message: 'kustomize build failed',
      minutesAgo: 10,
    }),
    fluxEvent(
      { apiVersion: 'v1', kind: 'Pod', name: 'podinfo-abc', namespace: ns },
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        minutesAgo: 1,
        component: 'kubelet',
      },
    ),
    fluxEvent(
      { apiVersion: V.helmRelease, kind: 'HelmRelease', name: 'events-redis', namespace: ns },
      {
        type: 'Warning',
        reason: 'InstallFailed',
        message: 'Helm install failed: chart not found',
        minutesAgo: 20,
        component: 'helm-controller',
      },
    ),
    fluxEvent(
      { apiVersion: V.source, kind: 'HelmChart', name: `${ns}-events-redis`, namespace: ns },
      {
        type: 'Warning',
        reason: 'ChartPullError',
        message: 'chart "redis" version "*" not found in repository',
        minutesAgo: 21,
        component: 'source-controller',
      },
    ),
    fluxEvent(
      { apiVersion: V.source, kind: 'HelmRepository', name: 'charts', namespace: ns },
      {
        reason: 'NewArtifact',
        message: 'stored fetched index',
        minutesAgo: 30,
        component: 'source-controller',
      },
    ),
  ]) {
    await api.create(e);
  }
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function events(args: Record<string, unknown>) {
  return callTool(server.client, 'get_flux_events', args);
}

describe('get_flux_events for one object', () => {
  it('includes the events of its source, even in another namespace, newest first', async () => {
    const { structured } = await events({ kind: 'Kustomization', name: 'podinfo', namespace: ns });
    const list = structured.events as Event[];
    expect(list.map((e) => `${e.object.kind}/${e.reason}`)).toEqual([
      'Kustomization/HealthCheckFailed',
      'GitRepository/NewArtifact',
      'Kustomization/ReconciliationSucceeded',
    ]);
    expect(structured.objects).toEqual([
      { role: 'object', kind: 'Kustomization', namespace: ns, name: 'podinfo' },
      { role: 'source', kind: 'GitRepository', namespace: sourceNs, name: 'repo' },
    ]);
  });

  it('shows one line per event with object, type, reason, age, count, revision and message', async () => {
    const { text } = await events({ kind: 'Kustomization', name: 'podinfo', namespace: ns });
    expect(text.split('\n')[0]).toBe(
      `Events of Kustomization ${ns}/podinfo and its source GitRepository ${sourceNs}/repo (context admin), newest first: 3 events.`,
    );
    expect(text).toContain(
      `  Kustomization ${ns}/podinfo  Warning HealthCheckFailed 3m ago (x4)  rev main@sha1:3f2a9c1e: health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: InProgress]`,
    );
  });

  it('follows a HelmRelease to its HelmChart and the chart source', async () => {
    const { structured } = await events({ kind: 'HelmRelease', name: 'events-redis', namespace: ns });
    expect((structured.events as Event[]).map((e) => `${e.object.kind} ${e.object.name}`)).toEqual([
      'HelmRelease events-redis',
      `HelmChart ${ns}-events-redis`,
      'HelmRepository charts',
    ]);
  });

  it('keeps only events newer than since', async () => {
    const { structured, text } = await events({
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: ns,
      since: '30m',
    });
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual(['HealthCheckFailed']);
    expect(text).toContain('since 30m');
  });

  it('keeps only events of the type asked for', async () => {
    const { structured } = await events({
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: ns,
      type: 'Normal',
    });
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual([
      'NewArtifact',
      'ReconciliationSucceeded',
    ]);
  });

  it('bounds the list and says how many more there are', async () => {
    const { structured, text } = await events({
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: ns,
      limit: 1,
    });
    expect(structured).toMatchObject({ total: 3, omitted: 2 });
    expect((structured.events as Event[]).length).toBe(1);
    expect(text).toContain('  2 more events: narrow with since or type, or raise limit');
  });

  it('finds the object without a namespace when its name is unique', async () => {
    const { structured } = await events({ kind: 'HelmRelease', name: 'events-redis' });
    expect((structured.objects as { namespace: string }[])[0]!.namespace).toBe(ns);
  });

  it('is an error that says where to look when the object does not exist', async () => {
    const { result, text } = await events({ kind: 'Kustomization', name: 'missing', namespace: ns });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      new RegExp(
        `^Kustomization ${ns}/missing not found in context admin \\(namespaces with Kustomization objects: `,
      ),
    );
  });
});

describe('get_flux_events answers cut by size', () => {
  let busyNs: string;

  beforeAll(async () => {
    busyNs = await testNamespace(api, 'events-busy');
    await api.apply(kustomization('busy', busyNs));
    await api.apply(kustomization('noisy', busyNs));
    for (let i = 0; i < 34; i++) {
      await api.create(
        fluxEvent(ks('busy', busyNs), { reason: 'Progressing', message: `step ${i}`, minutesAgo: i }),
      );
    }
    for (let i = 0; i < 60; i++) {
      await api.create(
        fluxEvent(ks('noisy', busyNs), {
          type: 'Warning',
          reason: 'BuildFailed',
          message: `kustomize build failed at step ${i}: ${'accumulating resources '.repeat(6)}`,
          minutesAgo: i,
        }),
      );
    }
  });

  it('lists all of 34 short events without a limit, where a default count of 30 cut them', async () => {
    const { structured, text } = await events({ kind: 'Kustomization', name: 'busy', namespace: busyNs });
    expect(structured).toMatchObject({ total: 34, omitted: 0 });
    expect((structured.events as Event[]).map((e) => e.message)).toEqual(
      Array.from({ length: 34 }, (_, i) => `step ${i}`),
    );
    expect(text).not.toContain('more events');
  });

  it('past about 3 KB of text, lists the newest events and counts the rest with how to get them', async () => {
    const { structured, text } = await events({ kind: 'Kustomization', name: 'noisy', namespace: busyNs });
    const shown = (structured.events as Event[]).length;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(structured).toMatchObject({ total: 60, omitted: 60 - shown });
    expect((structured.events as Event[])[0]!.message).toMatch(/^kustomize build failed at step 0:/);
    expect(text).toContain(`  ${60 - shown} more events: narrow with since or type, or pass limit`);
  });

  it('lists as many events as limit asks for, past the size the text would otherwise keep to', async () => {
    const { structured } = await events({
      kind: 'Kustomization',
      name: 'noisy',
      namespace: busyNs,
      limit: 60,
    });
    expect(structured).toMatchObject({ total: 60, omitted: 0 });
    expect(structured.events).toHaveLength(60);
  });
});

describe('get_flux_events for a namespace', () => {
  it('lists the events of every Flux object there and of nothing else', async () => {
    const { structured } = await events({ namespace: ns });
    const list = structured.events as Event[];
    expect(list.map((e) => e.reason)).toEqual([
      'HealthCheckFailed',
      'BuildFailed',
      'InstallFailed',
      'ChartPullError',
      'NewArtifact',
      'ReconciliationSucceeded',
    ]);
    expect(list.map((e) => e.object.kind)).not.toContain('Pod');
  });

  it('narrows to one kind', async () => {
    const { structured } = await events({ namespace: ns, kind: 'Kustomization', type: 'Warning' });
    expect((structured.events as Event[]).map((e) => e.object.name)).toEqual(['podinfo', 'other']);
  });
});

describe('get_flux_events for a user who cannot read everything', () => {
  beforeAll(async () => {
    await api.apply(
      kustomization('events-team-a', RESTRICTED_NAMESPACE, {
        spec: { sourceRef: { kind: 'GitRepository', name: 'repo', namespace: sourceNs } },
      }),
    );
    await api.create(
      fluxEvent(ks('events-team-a', RESTRICTED_NAMESPACE), {
        type: 'Warning',
        reason: 'ArtifactFailed',
        message: 'source not ready',
        minutesAgo: 2,
      }),
    );
  });

  afterAll(async () => {
    await api.delete(V.kustomization, 'Kustomization', RESTRICTED_NAMESPACE, 'events-team-a');
  });

  it("shows the object's events and names the source whose events it may not read", async () => {
    const { structured, text, result } = await events({
      kind: 'Kustomization',
      name: 'events-team-a',
      namespace: RESTRICTED_NAMESPACE,
      context: 'restricted',
    });
    expect(result.isError).toBeFalsy();
    expect((structured.events as Event[]).map((e) => e.reason)).toEqual(['ArtifactFailed']);
    expect(structured.notVisible).toEqual([`GitRepository ${sourceNs}/repo (forbidden)`]);
    expect(text).toContain(`Not visible to this user: events of GitRepository ${sourceNs}/repo (forbidden).`);
  });

  it('is a forbidden error for a namespace the user cannot read', async () => {
    const { result, text } = await events({ namespace: ns, context: 'restricted' });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `forbidden: user jane cannot list events in namespace ${ns} (context restricted); ask a cluster admin for RBAC access or use another context`,
    );
  });
});
