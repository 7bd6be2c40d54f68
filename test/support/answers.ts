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
import { compactTrace, renderTrace } from '../../src/format/trace.js';
import type { Trace } from '../../src/flux/trace.js';
import { compactDrift, renderDrift } from '../../src/format/drift.js';
import type { DriftReport } from '../../src/flux/drift.js';
import { fitListing, listingAnswer, summarizeObject, type ListingPage } from '../../src/format/objects.js';
import { parseFieldPath, project } from '../../src/kube/jsonpath.js';
import { stringify } from '../../src/kube/yaml.js';
import type { KubeObject } from '../../src/kube/types.js';
import { compactUpgradeCheck, renderUpgradeCheck } from '../../src/format/upgrade-check.js';
import type { UpgradeCheck } from '../../src/flux/upgrade-check.js';
import { compactDiff, renderDiff } from '../../src/format/diff.js';
import type { KustomizationDiff } from '../../src/flux/diff.js';
import { compactReconcile, renderReconcile } from '../../src/format/reconcile.js';
import type { ReconcileOutcome } from '../../src/flux/reconcile.js';
import { compactSelection, renderSelection } from '../../src/format/selection.js';
import type { ResumeOutcome, SuspendOutcome } from '../../src/flux/suspend.js';
import { compactMigration, renderMigration } from '../../src/format/storage-migration.js';
import type { Migration } from '../../src/flux/storage-migration.js';
import { compactRollback, renderRollback } from '../../src/format/helm-rollback.js';
import type { RollbackOutcome } from '../../src/flux/helm-rollback.js';
import { compactDriftDetection, renderDriftDetection } from '../../src/format/drift-detection.js';
import type { DriftDetectionOutcome } from '../../src/flux/drift-detection.js';
import { compactInstanceUpgrade, renderInstanceUpgrade } from '../../src/format/instance-upgrade.js';
import type { InstanceUpgrade } from '../../src/flux/instance-upgrade.js';
import { contextsAnswer } from '../../src/format/contexts.js';
import type { Tree, TreeNode } from '../../src/flux/tree.js';
import type { ClusterChanges } from '../../src/flux/changes.js';
import type { Change, Failure } from '../../src/flux/timeline.js';
import { renderChanges, renderFleetChanges } from '../../src/format/changes.js';

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
  /** Figures the text works out from others the compact form carries (a gap between two times, a sum). */
  derived?: string[];
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

/** A Pod of a Deployment a HelmRelease installs, the HelmRelease applied by a Kustomization. */
function trace(): Trace {
  return {
    object: { apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name: 'podinfo-7d9c6b5f4-ax2lq' },
    owners: [
      { kind: 'ReplicaSet', namespace: 'apps', name: 'podinfo-7d9c6b5f4' },
      { kind: 'Deployment', namespace: 'apps', name: 'podinfo' },
    ],
    chain: [
      {
        kind: 'HelmRelease',
        namespace: 'apps',
        name: 'podinfo',
        visibility: 'found',
        state: 'Failing',
        reason: 'UpgradeFailed',
        message:
          'Helm upgrade failed for release apps/podinfo with chart podinfo@6.7.1: context deadline exceeded',
        revision: '6.7.1',
        since: ago(25 * MIN),
        sources: [
          {
            role: 'chart',
            kind: 'HelmChart',
            namespace: 'flux-system',
            name: 'apps-podinfo',
            visibility: 'found',
            state: 'Ready',
            revision: '6.7.1',
          },
          {
            role: 'source',
            kind: 'HelmRepository',
            namespace: 'flux-system',
            name: 'podinfo',
            visibility: 'found',
            state: 'Ready',
            revision: 'sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b',
            url: 'https://stefanprodan.github.io/podinfo',
          },
        ],
      },
      {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps',
        visibility: 'found',
        state: 'Ready',
        revision: REVISION,
        sources: [
          {
            role: 'source',
            kind: 'GitRepository',
            namespace: 'flux-system',
            name: 'flux-system',
            visibility: 'found',
            state: 'Ready',
            revision: REVISION,
            url: 'https://github.com/acme/fleet',
          },
        ],
      },
    ],
  };
}

/** A HelmRelease with drift detection on, three objects changed by hand. */
function drift(): DriftReport {
  return {
    kind: 'HelmRelease',
    namespace: 'apps',
    name: 'podinfo',
    source: 'Helm release apps/podinfo v11 (the manifest helm-controller applied)',
    mode: 'warn',
    ignoreRules: 1,
    counts: { objects: 14, drifted: 3, missing: 1, excluded: 0, notChecked: 0 },
    objects: [
      {
        kind: 'Deployment',
        namespace: 'apps',
        name: 'podinfo',
        state: 'drifted',
        changes: [
          { op: 'replace', path: '/spec/replicas', before: '5', after: '2' },
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            before: '"ghcr.io/stefanprodan/podinfo:6.7.9"',
            after: '"ghcr.io/stefanprodan/podinfo:6.7.1"',
          },
        ],
      },
      {
        kind: 'ConfigMap',
        namespace: 'apps',
        name: 'podinfo-settings',
        state: 'drifted',
        changes: [
          { op: 'replace', path: '/data/PODINFO_UI_MESSAGE', before: '"hotfix"', after: '"hello"' },
          { op: 'remove', path: '/data/DEBUG' },
        ],
      },
      {
        kind: 'Service',
        namespace: 'apps',
        name: 'podinfo',
        state: 'drifted',
        changes: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1version', after: '"6.7.1"' }],
      },
      {
        kind: 'HorizontalPodAutoscaler',
        namespace: 'apps',
        name: 'podinfo',
        state: 'missing',
        message: 'deleted from the cluster; helm-controller would create it again',
      },
    ],
    condition: { status: 'True', reason: 'DriftDetected', message: 'drift detected in 3 objects' },
    events: [
      {
        time: ago(4 * MIN),
        message:
          'Cluster state of release apps/podinfo.v11 has drifted from the desired state: Deployment/apps/podinfo changed, ConfigMap/apps/podinfo-settings changed, Service/apps/podinfo changed',
      },
    ],
    notes: [],
  };
}

/** Kustomizations as the controller leaves them: Ready with a revision, every 25th failing its build. */
function kustomizations(n: number, namespace: string): KubeObject[] {
  return Array.from({ length: n }, (_, i) => {
    const failing = i % 25 === 7;
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: `ks-${i}`, namespace, creationTimestamp: ago(3 * 24 * HOUR), generation: 1 },
      spec: {
        interval: '10m',
        path: `./apps/ks-${i}`,
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
      },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: REVISION,
        lastAttemptedRevision: REVISION,
        conditions: [
          failing
            ? {
                type: 'Ready',
                status: 'False',
                reason: 'BuildFailed',
                message: `kustomize build failed: accumulating resources from './apps/ks-${i}': open /tmp/kustomization-${i}/apps/ks-${i}/kustomization.yaml: no such file or directory`,
                lastTransitionTime: ago(40 * MIN),
              }
            : {
                type: 'Ready',
                status: 'True',
                reason: 'ReconciliationSucceeded',
                message: `Applied revision: ${REVISION}`,
                lastTransitionTime: ago(2 * HOUR),
              },
        ],
      },
    };
  });
}

/** get_kubernetes_resources' answer, as the tool puts it together (tools/get_kubernetes_resources.ts). */
function listing(objects: KubeObject[], how: { limit?: number; fields?: string[]; yaml?: boolean }) {
  const page: ListingPage = { items: objects.map(summarizeObject) };
  if (how.fields) {
    const paths = how.fields.map(parseFieldPath);
    page.fields = objects.map((o) => project(paths, o));
  }
  if (how.yaml) page.yaml = objects.map((o) => stringify(o, { lineWidth: 0 }).trimEnd());
  const header = `${objects.length} Kustomizations (kustomize.toolkit.fluxcd.io/v1) in namespace bench-overhead, context prod`;
  const fit = fitListing(page, header, { ...(how.limit ? { limit: how.limit } : {}), minimum: 1, now: NOW });
  const shown: ListingPage = { ...page, items: page.items.slice(0, fit.shown[0]) };
  if (page.fields) shown.fields = page.fields.slice(0, fit.shown[0]);
  if (page.yaml) shown.yaml = page.yaml.slice(0, fit.shown[0]);
  if (fit.shown[0]! < page.items.length) {
    shown.continue =
      'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDUsInN0YXJ0IjoiYmVuY2gtb3ZlcmhlYWQva3MtOVx1MDAwMCJ9';
    shown.remainingItemCount = page.items.length - fit.shown[0]!;
  }
  const h = `${shown.items.length} Kustomizations (kustomize.toolkit.fluxcd.io/v1) in namespace bench-overhead, context prod`;
  return listingAnswer(shown, h, {
    context: 'prod',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    messageMax: fit.messageMax,
    now: NOW,
  });
}

/** Flux 2.7 bootstrapped, to 2.9: a stored version to migrate, objects in Git in a removed version. */
function upgradeCheck(): UpgradeCheck {
  const applied = (i: number) => ({
    kind: 'HelmRepository',
    namespace: `team-${i}`,
    name: 'bitnami',
    apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
    appliedBy: `Kustomization flux-system/app-${i}`,
  });
  return {
    context: 'prod',
    target: { requested: '2.9', minor: '2.9', version: 'v2.9.5' },
    installed: { version: 'v2.7.3', from: 'app.kubernetes.io/version labels' },
    method: {
      kind: 'bootstrap',
      detail: 'flux bootstrap (Kustomization flux-system/flux-system applies gotk-components.yaml)',
    },
    kubernetes: { version: 'v1.34.4', minimum: 'v1.33', tooOld: false },
    storage: [
      {
        crd: 'helmrepositories.source.toolkit.fluxcd.io',
        kind: 'HelmRepository',
        storageVersion: 'v1',
        storedVersions: ['v1beta2', 'v1'],
        removedInTarget: ['v1beta2'],
        objects: 12,
      },
      {
        crd: 'kustomizations.kustomize.toolkit.fluxcd.io',
        kind: 'Kustomization',
        storageVersion: 'v1',
        storedVersions: ['v1'],
        removedInTarget: [],
        objects: 40,
      },
    ],
    removedInUse: Array.from({ length: 12 }, (_, i) => applied(i)),
    deprecatedInUse: [],
    omitted: { removedInUse: 0, deprecatedInUse: 0 },
    blockers: [
      'HelmRepository is stored in v1beta2, which Flux 2.9 does not serve: migrate the storage first (migrate_flux_storage)',
      '12 HelmRepository objects are applied from Git in source.toolkit.fluxcd.io/v1beta2: change them to v1 in Git first',
    ],
    warnings: [
      'image-reflector-controller and image-automation-controller run: bootstrap again with --components-extra',
    ],
    steps: [
      {
        title: 'Change the objects applied in removed versions, in Git',
        actions: [
          'sed -i "s#source.toolkit.fluxcd.io/v1beta2#source.toolkit.fluxcd.io/v1#" on the 12 files',
          'commit and push; wait for Kustomization flux-system/flux-system to be Ready',
        ],
      },
      {
        title: 'Migrate the storage',
        actions: ['migrate_flux_storage with dry_run: false (or flux migrate -v 2.9)'],
      },
      {
        title: 'Upgrade',
        actions: [
          'flux bootstrap github --owner=acme --repository=fleet --path=clusters/prod --version=v2.9.5 --components-extra=image-reflector-controller,image-automation-controller',
        ],
      },
    ],
    notVisible: [],
  };
}

/** A local change to a Kustomization's directory: 2 objects changed, 1 created, 1 to delete. */
function diff(): KustomizationDiff {
  return {
    context: 'prod',
    kustomization: { namespace: 'flux-system', name: 'apps' },
    path: '/home/jane/fleet/apps',
    builder: 'kustomize v5.7.1 (built in)',
    counts: { created: 1, changed: 2, unchanged: 37, skipped: 0, deleted: 1, error: 0 },
    objects: [
      {
        action: 'changed',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'apps',
        name: 'podinfo',
        changes: [
          { op: 'replace', path: '/spec/replicas', before: '2', after: '3' },
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            before: '"ghcr.io/stefanprodan/podinfo:6.7.1"',
            after: '"ghcr.io/stefanprodan/podinfo:6.7.2"',
          },
        ],
      },
      {
        action: 'changed',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: 'apps',
        name: 'podinfo-settings',
        changes: [{ op: 'add', path: '/data/PODINFO_UI_COLOR', after: '"#34577c"' }],
      },
      {
        action: 'created',
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        namespace: 'apps',
        name: 'podinfo',
      },
      {
        action: 'deleted',
        apiVersion: 'v1',
        kind: 'Service',
        namespace: 'apps',
        name: 'podinfo-canary',
        message: 'pruned: in the inventory, not in the build',
      },
    ],
    omitted: 0,
    notes: [],
  };
}

/** reconcile with_source of a Kustomization: its GitRepository fetched, then the Kustomization applied. */
function reconcileWithSource(result: 'ready' | 'failed' | 'timeout' | 'dry-run'): ReconcileOutcome {
  const object = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'podinfo',
  };
  const source = {
    role: 'source' as const,
    kind: 'GitRepository',
    namespace: 'flux-system',
    name: 'podinfo',
    result: result === 'dry-run' ? ('dry-run' as const) : ('ready' as const),
    message:
      result === 'dry-run' ? 'would request a reconcile' : `stored artifact for revision '${REVISION}'`,
    revision: REVISION,
    durationMs: 1140,
    ...(result === 'dry-run'
      ? {
          patch: {
            metadata: {
              annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-11-26T10:00:00.123456789Z' },
            },
          },
        }
      : {}),
  };
  const targetMessage = {
    ready: `Applied revision: ${REVISION}`,
    failed:
      "health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
    timeout: 'Reconciliation in progress: Deployment/apps/podinfo has 1 of 2 replicas ready',
    'dry-run': 'would request a reconcile',
  }[result];
  const target = {
    role: 'target' as const,
    ...object,
    result,
    message: targetMessage,
    ...(result === 'failed'
      ? { reason: 'HealthCheckFailed', revision: 'main@sha1:9d0c4b2a0123456789abcdef0123456789abcdef' }
      : { revision: REVISION }),
    durationMs: result === 'timeout' ? 48860 : 3080,
    ...(result === 'dry-run' ? { patch: source.patch } : {}),
  };
  return {
    object,
    token: '2026-11-26T10:00:00.123456789Z',
    result,
    ...(result === 'failed' ? { reason: 'HealthCheckFailed' } : {}),
    message: targetMessage,
    durationMs: result === 'timeout' ? 50000 : 4220,
    steps: [source, target],
  };
}

function suspendAll(): SuspendOutcome {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    namespace: 'apps',
    objects: Array.from({ length: 8 }, (_, i) =>
      i === 5
        ? {
            name: `app-${i}`,
            result: 'forbidden' as const,
            message: 'user jane cannot patch kustomizations in namespace apps',
          }
        : {
            name: `app-${i}`,
            result: 'suspended' as const,
            message: 'by jane: "db migration INC-4411"',
            durationMs: 40 + i,
          },
    ),
  };
}

function resumeOne(): ResumeOutcome {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    namespace: 'apps',
    token: '2026-11-26T10:00:00.123456789Z',
    objects: [
      {
        name: 'podinfo',
        result: 'ready',
        message: 'Helm upgrade succeeded for release apps/podinfo.v13 with chart podinfo@6.7.1',
        revision: '6.7.1',
        durationMs: 9400,
      },
    ],
  };
}

function migration(result: 'dry-run' | 'migrated'): Migration {
  const crd = (kind: string, name: string, before: string[], n: number) => ({
    crd: name,
    kind,
    storageVersion: 'v1',
    storedVersionsBefore: before,
    storedVersionsAfter: result === 'migrated' ? ['v1'] : before,
    result,
    objects: n,
    rewritten: n,
    managedFieldsFixed: Math.floor(n / 2),
    doneBefore: 0,
    gone: 0,
    failed: 0,
    errors: [],
  });
  return {
    context: 'prod',
    dryRun: result === 'dry-run',
    result,
    crds: [
      crd('HelmRepository', 'helmrepositories.source.toolkit.fluxcd.io', ['v1beta2', 'v1'], 12),
      crd('GitRepository', 'gitrepositories.source.toolkit.fluxcd.io', ['v1beta2', 'v1'], 30),
      {
        ...crd('Kustomization', 'kustomizations.kustomize.toolkit.fluxcd.io', ['v1'], 40),
        result: 'up-to-date' as const,
        rewritten: 0,
        managedFieldsFixed: 0,
      },
    ],
  };
}

function rollback(result: 'dry-run' | 'rolled-back'): RollbackOutcome {
  const dry = result === 'dry-run';
  return {
    namespace: 'apps',
    name: 'podinfo',
    release: 'podinfo',
    releaseNamespace: 'apps',
    storageNamespace: 'apps',
    result,
    fromRevision: 12,
    targetRevision: 11,
    newRevision: 13,
    defaultTarget: true,
    applyMethod: 'server-side apply',
    fieldManager: 'helm-controller',
    suspend: {
      result: dry ? 'dry-run' : 'suspended',
      message: dry ? 'would set spec.suspend: true, reason "INC-4412"' : 'suspended by jane: "INC-4412"',
    },
    objects: [
      {
        kind: 'Deployment',
        namespace: 'apps',
        name: 'podinfo',
        action: 'update',
        result: dry ? 'dry-run' : 'done',
        changes: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            before: '"ghcr.io/stefanprodan/podinfo:6.7.1"',
            after: '"ghcr.io/stefanprodan/podinfo:6.7.0"',
          },
          {
            op: 'replace',
            path: '/metadata/labels/helm.sh~1chart',
            before: '"podinfo-6.7.1"',
            after: '"podinfo-6.7.0"',
          },
        ],
      },
      {
        kind: 'ConfigMap',
        namespace: 'apps',
        name: 'podinfo-settings',
        action: 'update',
        result: dry ? 'dry-run' : 'done',
        changes: [{ op: 'remove', path: '/data/FEATURE_X' }],
      },
      ...['Service', 'ServiceAccount', 'HorizontalPodAutoscaler'].map((kind) => ({
        kind,
        namespace: 'apps',
        name: 'podinfo',
        action: 'unchanged' as const,
        result: dry ? ('dry-run' as const) : ('done' as const),
      })),
    ],
    storage: {
      record: 'sh.helm.release.v1.podinfo.v13',
      status: dry ? 'pending-rollback' : 'deployed',
      superseded: [12, 11],
      pruned: [3],
    },
    hooks: { skipped: [], others: 1 },
    resume:
      'Resuming it makes helm-controller upgrade to the chart in Git again (6.7.1), unless Git is fixed first.',
  } as RollbackOutcome;
}

function driftDetection(): DriftDetectionOutcome {
  return {
    namespace: 'apps',
    name: 'podinfo',
    result: 'changed',
    before: { mode: 'disabled', ignore: [] },
    after: { mode: 'enabled', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] },
    patch: {
      spec: {
        driftDetection: {
          mode: 'enabled',
          ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }],
        },
      },
    },
    appliedBy: { namespace: 'flux-system', name: 'apps', revertsChange: true },
    yaml: 'spec:\n  driftDetection:\n    mode: enabled\n    ignore:\n      - paths: ["/spec/replicas"]\n        target:\n          kind: Deployment\n',
  };
}

function instanceUpgrade(): InstanceUpgrade {
  return {
    context: 'prod',
    result: 'upgraded',
    message:
      'Flux upgraded from v2.8.3 to v2.9.5 by the Flux Operator: FluxReport flux-system/flux reports v2.9.5',
    instance: {
      namespace: 'flux-system',
      name: 'flux',
      specBefore: '2.8.x',
      specAfter: '2.9.x',
      appliedBefore: 'v2.8.3',
      appliedAfter: 'v2.9.5',
      components: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'],
    },
    report: { namespace: 'flux-system', name: 'flux', version: 'v2.9.5' },
    token: '2026-11-26T10:00:00.123456789Z',
    steps: [],
    durationMs: 84_000,
  };
}

/** An hour of changes: a failure and the commit before it, a Helm upgrade, a suspension, a flapping object, 60 applies. */
const CHANGES_WINDOW = { from: NOW - HOUR, to: NOW + 5 * MIN };
const changeAt = (s: number) => new Date(NOW + s * 1000).toISOString().replace(/\.000Z$/, 'Z');
function busyHour(context: string): ClusterChanges {
  const ref = (kind: string, name: string, namespace = 'apps') => ({ kind, namespace, name });
  const failing: Change = {
    at: changeAt(0),
    ref: ref('Kustomization', 'web'),
    what: 'failing',
    origin: 'event',
    reason: 'HealthCheckFailed',
    message: "health check failed after 30s: timeout waiting for: [Deployment/apps/web status: 'InProgress']",
    revision: 'main@sha1:efe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
  };
  const commit: Change = {
    at: changeAt(-40),
    ref: ref('GitRepository', 'flux-system', 'flux-system'),
    what: 'revision',
    origin: 'event',
    revision: 'main@sha1:efe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
    previous: REVISION,
    message: 'bump web to 1.4',
  };
  const others: Change[] = [
    {
      at: changeAt(-900),
      ref: ref('HelmRelease', 'redis'),
      what: 'upgraded',
      origin: 'history',
      release: 5,
      chart: 'redis@17.2.0',
      previousChart: 'redis@17.1.0',
    },
    {
      at: changeAt(-1200),
      ref: ref('HelmRelease', 'pay'),
      what: 'suspended',
      origin: 'annotation',
      by: 'jane',
      message: 'INC-1 db migration',
    },
    ...Array.from({ length: 40 }, (_, i) => ({
      at: changeAt(-100 - i * 30),
      ref: ref('Kustomization', 'flaky'),
      what: 'failing' as const,
      origin: 'event' as const,
      reason: i % 2 ? 'ReconciliationFailed' : 'HealthCheckFailed',
      message: 'Deployment/apps/x dry-run failed: field is immutable',
    })),
    ...Array.from({ length: 60 }, (_, i) => ({
      at: changeAt(-2000 - i * 30),
      ref: ref('Kustomization', `app-${i}`),
      what: 'applied' as const,
      origin: 'event' as const,
      revision: `main@sha1:${String(i).padStart(8, '0')}fe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8`,
      previous: REVISION,
    })),
  ];
  const changes = [failing, commit, ...others].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const preceded: Failure = { change: failing, path: [commit.ref], preceded: [commit] };
  return {
    context,
    objects: 140,
    elsewhere: 0,
    notes: [],
    timeline: { changes, failures: [preceded], eventsSince: changeAt(-3000) },
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
    tool: 'trace_kubernetes_resource',
    fixture: 'a Pod of a HelmRelease applied by a Kustomization',
    given: ['apps/podinfo-7d9c6b5f4-ax2lq'],
    render: () => ({ text: renderTrace(trace(), 'prod', NOW), compact: compactTrace(trace(), 'prod', NOW) }),
  },
  {
    tool: 'trace_kubernetes_resource',
    fixture: 'an object Flux does not manage',
    given: ['kube-system/coredns'],
    render: () => {
      const t: Trace = {
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
        owners: [],
        chain: [],
      };
      return { text: renderTrace(t, 'prod', NOW), compact: compactTrace(t, 'prod', NOW) };
    },
  },
  {
    tool: 'get_flux_drift',
    fixture: 'a HelmRelease with 3 objects changed and 1 deleted',
    given: ['apps/podinfo'],
    render: () => ({ text: renderDrift(drift(), 'prod', NOW), compact: compactDrift(drift(), 'prod', NOW) }),
  },
  {
    tool: 'get_kubernetes_resources',
    fixture: '100 Kustomizations, limit 100 (the tool-overhead bench)',
    given: ['bench-overhead'],
    render: () => listing(kustomizations(100, 'bench-overhead'), { limit: 100 }),
  },
  {
    tool: 'get_kubernetes_resources',
    fixture: '100 Kustomizations, no limit: what fits',
    given: ['bench-overhead'],
    render: () => listing(kustomizations(100, 'bench-overhead'), {}),
  },
  {
    tool: 'get_kubernetes_resources',
    fixture: "100 Kustomizations with the Flux Operator MCP server's fields",
    given: ['bench-overhead'],
    render: () =>
      listing(kustomizations(100, 'bench-overhead'), {
        limit: 100,
        fields: [
          'spec.suspend',
          'status.conditions[?(@.type=="Ready")].status',
          'status.conditions[?(@.type=="Ready")].reason',
        ],
      }),
  },
  {
    tool: 'get_kubernetes_resources',
    fixture: '3 Kustomizations as YAML',
    given: ['bench-overhead'],
    render: () => listing(kustomizations(3, 'bench-overhead'), { yaml: true }),
  },
  {
    tool: 'check_flux_upgrade',
    fixture: 'Flux 2.7 to 2.9 with storage to migrate and objects in a removed version',
    given: ['2.9'],
    render: () => ({
      text: renderUpgradeCheck(upgradeCheck()),
      compact: compactUpgradeCheck(upgradeCheck()),
    }),
  },
  {
    tool: 'diff_flux_kustomization',
    fixture: '2 objects changed, 1 created, 1 to delete',
    given: ['flux-system/apps', 'home/jane/fleet/apps'],
    render: () => ({ text: renderDiff(diff()), compact: compactDiff(diff()) }),
  },
  ...(['reconcile_flux_kustomization', 'reconcile_flux_resource'] as const).flatMap((tool) =>
    (['ready', 'failed', 'timeout', 'dry-run'] as const).map((result) => ({
      tool,
      fixture: `with_source, ${result}`,
      given: ['apps/podinfo'],
      render: () => {
        const o = reconcileWithSource(result);
        return { text: renderReconcile(o, 'prod'), compact: compactReconcile(o, 'prod') };
      },
    })),
  ),
  {
    tool: 'reconcile_flux_helmrelease',
    fixture: 'ready, one step',
    given: ['apps/podinfo'],
    render: () => {
      const o: ReconcileOutcome = {
        object: {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          namespace: 'apps',
          name: 'podinfo',
        },
        token: '2026-11-26T10:00:00.123456789Z',
        result: 'ready',
        message: 'Helm upgrade succeeded for release apps/podinfo.v13 with chart podinfo@6.7.1',
        revision: '6.7.1',
        durationMs: 7300,
        steps: [
          {
            role: 'target',
            kind: 'HelmRelease',
            namespace: 'apps',
            name: 'podinfo',
            result: 'ready',
            message: 'Helm upgrade succeeded for release apps/podinfo.v13 with chart podinfo@6.7.1',
            revision: '6.7.1',
            durationMs: 7300,
          },
        ],
      };
      return { text: renderReconcile(o, 'prod'), compact: compactReconcile(o, 'prod') };
    },
  },
  {
    tool: 'reconcile_flux_source',
    fixture: 'requested, not waited on',
    given: ['flux-system/podinfo'],
    render: () => {
      const o: ReconcileOutcome = {
        object: {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          namespace: 'flux-system',
          name: 'podinfo',
        },
        token: '2026-11-26T10:00:00.123456789Z',
        result: 'requested',
        message: 'reconcile requested',
        durationMs: 40,
        steps: [
          {
            role: 'target',
            kind: 'GitRepository',
            namespace: 'flux-system',
            name: 'podinfo',
            result: 'requested',
            message: 'reconcile requested',
          },
        ],
      };
      return { text: renderReconcile(o, 'prod'), compact: compactReconcile(o, 'prod') };
    },
  },
  {
    tool: 'suspend_flux_reconciliation',
    fixture: 'all 8 Kustomizations of a namespace, one forbidden',
    render: () => ({
      text: renderSelection('suspend', 'prod', suspendAll()),
      compact: compactSelection('prod', suspendAll()),
    }),
  },
  {
    tool: 'resume_flux_reconciliation',
    fixture: 'one HelmRelease, ready',
    render: () => ({
      text: renderSelection('resume', 'prod', resumeOne()),
      compact: compactSelection('prod', resumeOne()),
    }),
  },
  ...(['dry-run', 'migrated'] as const).map((result) => ({
    tool: 'migrate_flux_storage',
    fixture: `2 CRDs with work, ${result}`,
    render: () => ({
      text: renderMigration(migration(result)),
      compact: compactMigration(migration(result)),
    }),
  })),
  ...(['dry-run', 'rolled-back'] as const).map((result) => ({
    tool: 'rollback_flux_helmrelease',
    fixture: `to the previous revision, ${result}`,
    given: ['apps/podinfo'],
    render: () => ({
      text: renderRollback(rollback(result), 'prod'),
      compact: compactRollback(rollback(result), 'prod'),
    }),
  })),
  {
    tool: 'set_flux_drift_detection',
    fixture: 'disabled to enabled with an ignore rule, applied from Git',
    given: ['apps/podinfo'],
    render: () => ({
      text: renderDriftDetection(driftDetection(), 'prod'),
      compact: compactDriftDetection(driftDetection(), 'prod'),
    }),
  },
  {
    tool: 'upgrade_flux_instance',
    fixture: 'upgraded through the Flux Operator',
    render: () => ({
      text: renderInstanceUpgrade(instanceUpgrade()),
      compact: compactInstanceUpgrade(instanceUpgrade()),
    }),
  },
  {
    tool: 'get_kubeconfig_contexts',
    fixture: '20 contexts',
    render: () =>
      contextsAnswer(
        Array.from({ length: 20 }, (_, i) => ({
          name: `cluster-${String(i).padStart(3, '0')}`,
          cluster: `cluster-${String(i).padStart(3, '0')}`,
          server: `https://10.0.${i}.1:6443`,
          ...(i % 4 === 0 ? { namespace: 'apps' } : {}),
          current: i === 0,
        })),
        'cluster-000',
      ),
  },
  {
    tool: 'set_kubeconfig_context',
    fixture: 'from one context to another',
    given: ['cluster-007'],
    render: () => ({
      text: 'Context for this session: cluster-007 (was cluster-000); cluster tools use it when a call names no context.',
      compact: { previous: 'cluster-000', current: 'cluster-007' },
    }),
  },
  {
    tool: 'get_flux_instance',
    fixture: 'a fleet of 20 contexts',
    render: () => renderFleetInstallations(fleetEntries(installation), 900),
  },
  {
    tool: 'get_flux_changes',
    fixture: 'a busy hour: 104 changes on 65 objects, one failure',
    derived: ['40s'],
    render: () => {
      const { text, structured } = renderChanges(busyHour('prod'), {
        window: CHANGES_WINDOW,
        now: NOW + 5 * MIN,
      });
      return { text, compact: structured };
    },
  },
  {
    tool: 'get_flux_changes',
    fixture: 'a fleet of 20 contexts',
    derived: ['40s', '200'],
    render: () => {
      const { text, structured } = renderFleetChanges(
        fleetEntries(busyHour),
        {
          window: CHANGES_WINDOW,
          now: NOW + 5 * MIN,
        },
        1450,
      );
      return { text, compact: structured };
    },
  },
];
