// Fixed answers of every tool, as their renderers make them from fixed data of the sizes the benchmarks use:
// test/unit/structured-budget.test.ts holds the compact structuredContent of each to the text's facts and to
// 1.25x its bytes. A new tool adds its fixture here.
import type { FluxOverview, FailingObject } from '../../src/flux/overview.js';
import type { ClusterStatus } from '../../src/flux/fleet.js';
import type { Installation } from '../../src/flux/installation.js';
import type { FleetEntry } from '../../src/kube/fleet.js';
import { renderFleetInstallations, renderFleetStatus } from '../../src/format/fleet.js';
import { compactInstallation, renderInstallation } from '../../src/format/installation.js';
import { renderOverview } from '../../src/format/overview.js';
import { renderTree } from '../../src/format/tree.js';
import { helmHistoryAnswer } from '../../src/format/helm-history.js';
import type { HelmHistory } from '../../src/flux/helm-history.js';
import { renderEvents, subjectsPhrase } from '../../src/format/events.js';
import type { EventRecord } from '../../src/kube/events.js';
import { renderLogs } from '../../src/format/logs.js';
import type { LogsAnswer } from '../../src/flux/controller-logs.js';
import type { Tree, TreeNode } from '../../src/flux/tree.js';

/**
 * The facts of a text a reader would miss: names, revisions, versions, ages, counts, paths; each must be
 * written in the JSON as well. Words are left aside: the JSON says "failing" as a key, not in a sentence.
 */
export function factTokens(text: string): string[] {
  const tokens = text.match(/[A-Za-z0-9@:._/+-]*[0-9/@][A-Za-z0-9@:._/+-]*/g) ?? [];
  const cleaned = tokens.map((t) => t.replace(/^[.:/-]+|[.:,;]+$/g, '').replace(/^x(\d+)$/, '$1'));
  return [...new Set(cleaned.filter((t) => t.length > 1))];
}

export interface Answer {
  tool: string;
  fixture: string;
  /** What the call gave, which the text may repeat and the compact form leaves out (no echo of the input). */
  given?: string[];
  render(): { text: string; compact: unknown };
}

export const NOW = Date.parse('2026-11-26T10:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d+Z$/, 'Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const REVISION = 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef';
const KINDS = ['Kustomization', 'HelmRelease', 'GitRepository', 'HelmRepository', 'HelmChart'];

/** As bench/anchors.ts seeds them: 1,000 objects of 5 kinds in 50 namespaces, 10 failing, 3 suspended. */
function benchOverview(context: string, count = 1000): FluxOverview {
  const failingAt = [7, 108, 209, 310, 411, 507, 608, 709, 810, 911].filter((i) => i < count);
  const suspendedAt = [21, 442, 863].filter((i) => i < count);
  const ns = (i: number) => `bench-anchors-${i % 50}`;
  const kind = (i: number) => KINDS[i % KINDS.length]!;
  const failing: FailingObject[] = failingAt.map((i) => ({
    kind: kind(i),
    namespace: ns(i),
    name: `obj-${i}`,
    stalled: false,
    reason: 'HealthCheckFailed',
    message: `health check failed after 5m0s: Deployment/${ns(i)}/app-${i} not ready`,
    revision: kind(i) === 'HelmRelease' ? '6.5.0' : REVISION,
    since: ago(12 * MIN + i * 1000),
  }));
  const perKind = KINDS.map((k) => {
    const of = (list: number[]) => list.filter((i) => kind(i) === k).length;
    const total = Math.ceil(count / KINDS.length);
    return {
      kind: k,
      total,
      ready: total - of(failingAt) - of(suspendedAt),
      failing: of(failingAt),
      progressing: 0,
      suspended: of(suspendedAt),
      stale: 0,
    };
  });
  return {
    context,
    totals: {
      total: count,
      ready: count - failingAt.length - suspendedAt.length,
      failing: failingAt.length,
      progressing: 0,
      suspended: suspendedAt.length,
      stale: 0,
    },
    kinds: perKind,
    failing,
    suspended: suspendedAt.map((i) => ({
      kind: kind(i),
      namespace: ns(i),
      name: `obj-${i}`,
      manager: 'kubectl-edit',
      at: ago(3 * HOUR),
    })),
    stale: [],
    notServed: [],
    visibility: { complete: true, unreadableNamespaces: [], unreadableKinds: [] },
  };
}

function installation(context: string): Installation {
  const controllers = [
    ['source-controller', 'v1.9.6'],
    ['kustomize-controller', 'v1.9.2'],
    ['helm-controller', 'v1.6.3'],
    ['notification-controller', 'v1.9.1'],
  ].map(([name, version]) => ({
    name: name!,
    namespace: 'flux-system',
    ready: name !== 'helm-controller',
    message: name === 'helm-controller' ? '0/1 ready: ImagePullBackOff' : '1/1 ready',
    images: [
      { container: 'manager', image: `ghcr.io/fluxcd/${name}:${version}`, name: name!, version: version! },
    ],
    distribution: 'v2.9.5',
  }));
  const crd = (
    group: string,
    kind: string,
    storage: string,
    served: string[],
    deprecated: string[] = [],
  ) => ({
    name: `${kind.toLowerCase()}s.${group}`,
    group,
    kind,
    storageVersion: storage,
    served,
    deprecated,
    storedVersions: [storage],
    distribution: 'v2.9.5',
  });
  return {
    context,
    namespace: 'flux-system',
    kubernetesVersion: 'v1.34.4',
    distribution: { version: 'v2.9.5', from: 'app.kubernetes.io/version labels' },
    controllers,
    crds: [
      crd('source.toolkit.fluxcd.io', 'GitRepository', 'v1', ['v1', 'v1beta2'], ['v1beta2']),
      crd('source.toolkit.fluxcd.io', 'HelmRepository', 'v1', ['v1', 'v1beta2'], ['v1beta2']),
      crd('source.toolkit.fluxcd.io', 'HelmChart', 'v1', ['v1']),
      crd('source.toolkit.fluxcd.io', 'OCIRepository', 'v1', ['v1', 'v1beta2'], ['v1beta2']),
      crd('source.toolkit.fluxcd.io', 'Bucket', 'v1', ['v1']),
      crd('kustomize.toolkit.fluxcd.io', 'Kustomization', 'v1', ['v1']),
      crd('helm.toolkit.fluxcd.io', 'HelmRelease', 'v2', ['v2']),
      crd('notification.toolkit.fluxcd.io', 'Alert', 'v1beta3', ['v1beta3']),
      crd('notification.toolkit.fluxcd.io', 'Provider', 'v1beta3', ['v1beta3']),
      crd('notification.toolkit.fluxcd.io', 'Receiver', 'v1', ['v1']),
    ],
    operator: [],
    problems: ['Deployment flux-system/helm-controller is not ready: 0/1 ready: ImagePullBackOff'],
    notVisible: [],
  };
}

/** A fleet of 20 contexts: 18 answer, with 1,000 objects each; one is forbidden, one unreachable. */
function fleetEntries<T>(value: (context: string, i: number) => T): FleetEntry<T>[] {
  return Array.from({ length: 20 }, (_, i) => {
    const context = `cluster-${String(i).padStart(3, '0')}`;
    if (i === 18)
      return {
        context,
        state: 'forbidden',
        error: 'forbidden: user jane cannot list namespaces',
        durationMs: 20,
      };
    if (i === 19)
      return {
        context,
        state: 'unreachable',
        error: 'cluster unreachable: connect ECONNREFUSED 10.0.0.19:6443',
        durationMs: 3000,
      };
    return { context, state: 'ok', value: value(context, i), durationMs: 120 + i };
  });
}

/**
 * The tree of a large Kustomization: 10 Kustomizations under it, each applying a namespace's objects and a
 * HelmRelease with its own; one Deployment and one HelmRelease not ready.
 */
function largeTree(): Tree {
  const nodes: TreeNode[] = [
    {
      depth: 0,
      kind: 'Kustomization',
      group: 'kustomize.toolkit.fluxcd.io',
      namespace: 'flux-system',
      name: 'apps',
      status: 'ready',
      revision: REVISION,
      note: 'from status.inventory',
    },
  ];
  const node = (
    depth: number,
    kind: string,
    group: string,
    namespace: string | undefined,
    name: string,
    extra: Partial<TreeNode> = {},
  ): TreeNode => ({
    depth,
    kind,
    group,
    ...(namespace ? { namespace } : {}),
    name,
    status: 'ready',
    ...extra,
  });
  for (let a = 0; a < 10; a++) {
    const ns = `team-${a}`;
    nodes.push(
      node(1, 'Kustomization', 'kustomize.toolkit.fluxcd.io', 'flux-system', `app-${a}`, {
        revision: REVISION,
        note: 'from status.inventory',
      }),
    );
    nodes.push(node(2, 'Namespace', '', undefined, ns, { status: 'present' }));
    nodes.push(node(2, 'ServiceAccount', '', ns, 'app', { status: 'present' }));
    nodes.push(node(2, 'ConfigMap', '', ns, 'app-settings', { status: 'present' }));
    nodes.push(node(2, 'Secret', '', ns, 'app-credentials', { status: 'present' }));
    nodes.push(node(2, 'Service', '', ns, 'app', { status: 'present' }));
    nodes.push(
      a === 3
        ? node(2, 'Deployment', 'apps', ns, 'app', {
            status: 'not-ready',
            message: '0/2 ready: Deployment does not have minimum availability',
            pods: 'pods: 2 of 2 not ready (ImagePullBackOff: Back-off pulling image "ghcr.io/acme/app:v2.1.0")',
          })
        : node(2, 'Deployment', 'apps', ns, 'app'),
    );
    nodes.push(node(2, 'HorizontalPodAutoscaler', 'autoscaling', ns, 'app', { status: 'present' }));
    nodes.push(node(2, 'NetworkPolicy', 'networking.k8s.io', ns, 'default-deny', { status: 'present' }));
    nodes.push(
      node(2, 'HelmRepository', 'source.toolkit.fluxcd.io', ns, 'bitnami', { revision: 'sha256:43ad78c9' }),
    );
    nodes.push(
      node(
        2,
        'HelmRelease',
        'helm.toolkit.fluxcd.io',
        ns,
        'redis',
        a === 7
          ? {
              status: 'not-ready',
              message:
                'UpgradeFailed: Helm upgrade failed for release team-7/redis with chart redis@19.6.4: context deadline exceeded',
              revision: '19.6.4',
              note: 'from status.inventory',
            }
          : { revision: '19.6.4', note: 'from status.inventory' },
      ),
    );
    for (const [kind, group, name] of [
      ['StatefulSet', 'apps', 'redis-master'],
      ['Service', '', 'redis-master'],
      ['Service', '', 'redis-headless'],
      ['ConfigMap', '', 'redis-configuration'],
      ['Secret', '', 'redis'],
    ] as const)
      nodes.push(node(3, kind, group, ns, name, kind === 'StatefulSet' ? {} : { status: 'present' }));
  }
  return {
    nodes,
    counts: { total: nodes.length - 1, missing: 0, notReady: 2, notVisible: 0, unknownKind: 0 },
  };
}

/** Helm history of a HelmRelease at maxHistory 10: upgrades, a failed one remediated by a rollback. */
function helmHistory(): HelmHistory {
  const revisions = Array.from({ length: 10 }, (_, k) => {
    const revision = 12 - k;
    const failed = revision === 12 || revision === 9;
    const rolledBack = revision === 10;
    const chartVersion = `6.${revision >= 10 ? 7 : 6}.${revision % 4}`;
    return {
      revision,
      status: revision === 12 ? 'failed' : revision === 11 ? 'deployed' : failed ? 'failed' : 'superseded',
      chartName: 'podinfo',
      chartVersion,
      appVersion: chartVersion,
      action: rolledBack ? 'rollback' : 'upgrade',
      deployed: ago((k + 1) * 26 * HOUR),
      description: failed
        ? `Upgrade "podinfo" failed: context deadline exceeded`
        : rolledBack
          ? 'Rollback to 8'
          : 'Upgrade complete',
      live: revision === 11,
      observed: revision >= 11,
      ...(revision === 12 ? { observedStatus: 'failed' } : {}),
      rollbackTarget: revision <= 11 && !failed && revision !== 12,
      stored: true,
    };
  });
  return {
    namespace: 'apps',
    name: 'podinfo',
    release: 'podinfo',
    releaseNamespace: 'apps',
    storageNamespace: 'apps',
    storage: 'read',
    suspended: false,
    lastAttemptedReleaseAction: 'upgrade',
    remediation: {
      install: { retries: 3, remediateLastFailure: true },
      upgrade: { retries: 3, remediateLastFailure: true, strategy: 'rollback' },
      rollback: {
        disableWait: false,
        disableHooks: false,
        recreate: false,
        force: false,
        cleanupOnFail: true,
      },
      maxHistory: 10,
    },
    failures: { failures: 4, installFailures: 0, upgradeFailures: 4 },
    revisions,
    notes: [],
  };
}

const MANIFEST = Array.from(
  { length: 6 },
  (_, i) =>
    `---\n# Source: podinfo/templates/cm-${i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-${i}\n  labels:\n    app.kubernetes.io/name: podinfo\n    app.kubernetes.io/version: "6.7.3"\ndata:\n  PODINFO_UI_MESSAGE: "hello from podinfo ${i}"\n  PODINFO_UI_COLOR: "#34577c"\n`,
).join('');

/** A HelmRelease failing its upgrade, with its chart and repository: 14 events, newest first. */
function fluxEvents(): EventRecord[] {
  const hr = { kind: 'HelmRelease', namespace: 'apps', name: 'podinfo' };
  const chart = { kind: 'HelmChart', namespace: 'flux-system', name: 'apps-podinfo' };
  const repo = { kind: 'HelmRepository', namespace: 'flux-system', name: 'podinfo' };
  const events: EventRecord[] = [];
  for (let i = 0; i < 6; i++) {
    events.push({
      time: ago((i * 10 + 2) * MIN),
      type: 'Warning',
      reason: i % 2 === 0 ? 'UpgradeFailed' : 'RemediationFailed',
      message:
        i % 2 === 0
          ? 'Helm upgrade failed for release apps/podinfo with chart podinfo@6.7.1: context deadline exceeded'
          : 'Helm rollback to previous release apps/podinfo.v11 with chart podinfo@6.7.0 failed: timed out waiting for the condition',
      count: i === 0 ? 4 : 1,
      object: hr,
      source: 'helm-controller',
      revision: '6.7.1',
    });
  }
  for (let i = 0; i < 4; i++)
    events.push({
      time: ago((i * 30 + 5) * MIN),
      type: 'Normal',
      reason: 'ChartPullSucceeded',
      message: "pulled 'podinfo' chart with version '6.7.1'",
      count: 1,
      object: chart,
      source: 'source-controller',
    });
  for (let i = 0; i < 4; i++)
    events.push({
      time: ago((i * 60 + 7) * MIN),
      type: 'Normal',
      reason: 'NewArtifact',
      message: 'stored fetched index of size 42.5kB from https://stefanprodan.github.io/podinfo',
      count: 1,
      object: repo,
      source: 'source-controller',
      revision: 'sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b',
    });
  return events.sort((a, b) => Date.parse(b.time!) - Date.parse(a.time!));
}

/** A Deployment whose new Pods cannot pull their image: its events, its ReplicaSet's and its Pods'. */
function podEvents(): EventRecord[] {
  const events: EventRecord[] = [];
  for (let p = 0; p < 5; p++) {
    const pod = { kind: 'Pod', namespace: 'apps', name: `podinfo-7d9c6b5f4-${'abcde'[p]}x2lq` };
    events.push(
      {
        time: ago((p + 1) * MIN),
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        count: 24,
        object: pod,
        source: 'kubelet',
      },
      {
        time: ago((p + 1) * MIN + 5000),
        type: 'Normal',
        reason: 'BackOff',
        message: 'Back-off pulling image "ghcr.io/stefanprodan/podinfo:6.7.9"',
        count: 25,
        object: pod,
        source: 'kubelet',
      },
      {
        time: ago((p + 2) * MIN),
        type: 'Warning',
        reason: 'Failed',
        message:
          'Failed to pull image "ghcr.io/stefanprodan/podinfo:6.7.9": rpc error: code = NotFound desc = failed to pull and unpack image: not found',
        count: 6,
        object: pod,
        source: 'kubelet',
      },
    );
  }
  events.push({
    time: ago(12 * MIN),
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set podinfo-7d9c6b5f4 to 5',
    count: 1,
    object: { kind: 'Deployment', namespace: 'apps', name: 'podinfo' },
    source: 'deployment-controller',
  });
  return events.sort((a, b) => Date.parse(b.time!) - Date.parse(a.time!));
}

/** kustomize-controller's lines about one Kustomization: 60 of them matched, in 3,000 lines read. */
function controllerLogs(): LogsAnswer {
  const lines = Array.from({ length: 60 }, (_, i) => {
    const failed = i % 3 === 2;
    return {
      time: ago((60 - i) * MIN),
      level: failed ? 'error' : 'info',
      message: failed ? 'Reconciler error' : 'server-side apply for cluster definitions completed',
      ...(failed
        ? {
            error:
              "health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
          }
        : {}),
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: 'apps',
      pod: 'kustomize-controller-5f8d9c7b6-q2w7x',
    };
  });
  return {
    subject: 'Kustomization apps/podinfo',
    controller: 'Deployment flux-system/kustomize-controller',
    oneObject: true,
    sources: [
      { namespace: 'flux-system', pod: 'kustomize-controller-5f8d9c7b6-q2w7x', container: 'manager' },
    ],
    lines,
    scanned: 3000,
    matched: 60,
    failures: [],
  };
}

export const ANSWERS: Answer[] = [
  {
    tool: 'get_flux_status',
    fixture: '1,000 Flux objects, 10 failing, 3 suspended',
    render: () => renderOverview(benchOverview('prod'), undefined, NOW),
  },
  {
    tool: 'get_flux_status',
    fixture: 'a fleet of 20 contexts, limit 3 per cluster',
    render: () => {
      const entries = fleetEntries<ClusterStatus>((c) => ({ overview: benchOverview(c), version: 'v2.9.5' }));
      return renderFleetStatus(entries, 3, 1450, NOW);
    },
  },
  {
    tool: 'get_flux_instance',
    fixture: 'Flux 2.9 with a controller not ready',
    render: () => {
      const i = installation('prod');
      return { text: renderInstallation(i), compact: compactInstallation(i) };
    },
  },
  {
    tool: 'get_flux_tree',
    fixture: 'a large Kustomization (160 objects), first page',
    render: () => renderTree(largeTree(), { offset: 0, problemsOnly: false }, 'prod'),
  },
  {
    tool: 'get_flux_tree',
    fixture: 'a large Kustomization, problems only',
    render: () => renderTree(largeTree(), { offset: 0, problemsOnly: true }, 'prod'),
  },
  {
    tool: 'get_helmrelease_history',
    fixture: '10 revisions, a failed upgrade',
    given: ['apps/podinfo'],
    render: () => helmHistoryAnswer(helmHistory(), 'prod', undefined, NOW),
  },
  {
    tool: 'get_helmrelease_history',
    fixture: 'with the manifest of a revision',
    given: ['apps/podinfo'],
    render: () => helmHistoryAnswer(helmHistory(), 'prod', { revision: 11, text: MANIFEST }, NOW),
  },
  {
    tool: 'get_flux_events',
    fixture: 'a failing HelmRelease, its chart and repository: 14 events',
    given: ['apps/podinfo'],
    render: () =>
      renderEvents(
        {
          objects: [
            { kind: 'HelmRelease', namespace: 'apps', name: 'podinfo', role: 'object' },
            { kind: 'HelmChart', namespace: 'flux-system', name: 'apps-podinfo', role: 'chart' },
            { kind: 'HelmRepository', namespace: 'flux-system', name: 'podinfo', role: 'source' },
          ],
          events: fluxEvents(),
          notVisible: [],
        },
        { context: 'prod', narrow: 'since or type' },
        NOW,
      ),
  },
  {
    tool: 'get_kubernetes_events',
    fixture: 'a Deployment whose Pods cannot pull their image: 16 events',
    given: ['apps/podinfo'],
    render: () => {
      const subjects = [
        { kind: 'Deployment', namespace: 'apps', name: 'podinfo', role: 'object' as const },
        { kind: 'ReplicaSet', namespace: 'apps', name: 'podinfo-7d9c6b5f4', role: 'replica set' as const },
        ...Array.from({ length: 5 }, (_, p) => ({
          kind: 'Pod',
          namespace: 'apps',
          name: `podinfo-7d9c6b5f4-${'abcde'[p]}x2lq`,
          role: 'pod' as const,
        })),
      ];
      return renderEvents(
        { events: podEvents(), notVisible: [] },
        {
          context: 'prod',
          narrow: 'since, type or grep',
          subject: subjectsPhrase(subjects, { namespace: 'apps', kind: 'Deployment', name: 'podinfo' }),
        },
        NOW,
      );
    },
  },
  {
    tool: 'get_kubernetes_logs',
    fixture: "kustomize-controller's lines about a Kustomization: 60 of 3,000",
    given: ['apps/podinfo'],
    render: () => renderLogs(controllerLogs(), { filters: [], context: 'prod' }),
  },
  {
    tool: 'get_flux_instance',
    fixture: 'a fleet of 20 contexts',
    render: () => renderFleetInstallations(fleetEntries(installation), 900),
  },
];
