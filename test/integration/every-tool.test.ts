// Every tool the server offers, called the way a real client calls it (tools/list first, so the SDK client
// checks every structuredContent against the tool's output schema), in each outcome it has: success,
// refusal, dry run, timeout, not found, forbidden. A protocol error in any of them fails the test. The server
// answers in its default, compact structured content, the form clients get.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTRICTED_NAMESPACE } from '../cluster/cluster.js';
import type { TestApi } from '../support/api.js';
import { FakeFluxController } from '../support/controller.js';
import { FakeFluxOperator, fluxInstance, fluxReport } from '../support/operator.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { KUSTOMIZE_CONTROLLER_LOG } from '../support/flux-logs.js';
import {
  fluxInstallLabels,
  gitRepository,
  helmChart,
  helmRelease,
  helmRepository,
  kustomization,
  readyStatus,
  V,
} from '../support/flux.js';
import { helmStorageSecret, historySnapshot } from '../support/helm.js';
import { podOnNode, runPod } from '../support/pods.js';
import { deployment } from '../support/workloads.js';

type Expect = 'success' | 'error';

interface Scenario {
  outcome: string;
  args: () => Record<string, unknown>;
  expect: Expect;
  /** Part of the text that shows the outcome is the one meant. */
  says?: string | RegExp;
}

let api: TestApi;
let server: ServerHandle;
let controller: FakeFluxController;
let ns: string;
/** A namespace with a Flux controller left over from an older release. */
let oldNs: string;
/** A namespace with a FluxInstance, run by a stand-in for the Flux Operator. */
let opNs: string;
/** A directory with the manifests of the Kustomization `app`, for diff_flux_kustomization. */
let localDir: string;
let operator: FakeFluxOperator;
/** A namespace jane may read but not write. */
const janes = RESTRICTED_NAMESPACE;
const JANE = { context: 'restricted' };
const suffix = Math.random().toString(16).slice(2, 8);
const janeKs = `every-${suffix}`;
const janeHr = `every-${suffix}`;

/** A ConfigMap manifest as a chart renders it. */
function configMapManifest(name: string, value: string): string {
  return `---\n# Source: demo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;
}

/** A HelmRelease with Helm revisions 1 and 2, the first one `first`, its objects live as revision 2 made them. */
async function releaseWithTwoRevisions(namespace: string, name: string, first: string): Promise<void> {
  const records = [
    { name, namespace, revision: 1, status: first, manifest: configMapManifest(`${name}-settings`, 'one') },
    {
      name,
      namespace,
      revision: 2,
      status: 'deployed',
      manifest: configMapManifest(`${name}-settings`, 'two'),
    },
  ];
  for (const r of records) await api.apply(helmStorageSecret(namespace, r));
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${name}-settings`,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': name, 'meta.helm.sh/release-namespace': namespace },
    },
    data: { value: 'two' },
  });
  const hr = await api.apply(helmRelease(name, namespace));
  await api.patchStatus(
    hr,
    readyStatus(1, { storageNamespace: namespace, history: [historySnapshot(records[1]!)] }),
  );
}

const SCENARIOS: Record<string, Scenario[]> = {
  get_kubeconfig_contexts: [{ outcome: 'success', args: () => ({}), expect: 'success', says: 'admin' }],
  set_kubeconfig_context: [
    { outcome: 'success', args: () => ({ name: 'admin' }), expect: 'success', says: 'admin' },
    { outcome: 'not found', args: () => ({ name: 'nowhere' }), expect: 'error', says: 'nowhere' },
  ],
  get_flux_status: [
    { outcome: 'success', args: () => ({ namespace: ns }), expect: 'success', says: 'Flux in namespace' },
    {
      outcome: 'forbidden',
      args: () => ({ namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
    { outcome: 'not found', args: () => ({ context: 'nowhere' }), expect: 'error', says: 'nowhere' },
    {
      outcome: 'success (fleet, one context forbidden)',
      args: () => ({ namespace: ns, contexts: 'all' }),
      expect: 'success',
      says: /^Flux across 2 contexts in .*: 1 answered, 1 did not/,
    },
  ],
  get_flux_instance: [
    { outcome: 'success', args: () => ({ namespace: ns }), expect: 'success' },
    {
      outcome: 'success (fleet)',
      args: () => ({ namespace: ns, contexts: ['admin', 'restricted', 'nowhere'] }),
      expect: 'success',
      says: /^Flux installations across 3 contexts in .*: 1 answered, 2 did not/,
    },
    { outcome: 'forbidden', args: () => ({ namespace: ns, ...JANE }), expect: 'error', says: 'forbidden' },
  ],
  get_flux_changes: [
    {
      outcome: 'success',
      args: () => ({ namespace: ns, since: '2h' }),
      expect: 'success',
      says: /^Changes to/,
    },
    {
      outcome: 'success (one object)',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns }),
      expect: 'success',
      says: /^Changes to Kustomization \S+\/app/,
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'Kustomization', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    { outcome: 'forbidden', args: () => ({ namespace: ns, ...JANE }), expect: 'error', says: 'forbidden' },
  ],
  get_flux_events: [
    {
      outcome: 'success',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns }),
      expect: 'success',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'Kustomization', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  get_kubernetes_events: [
    {
      outcome: 'success',
      args: () => ({ kind: 'Pod', name: 'controller-pod', namespace: ns }),
      expect: 'success',
    },
    {
      outcome: 'none (an object that is gone may still have events)',
      args: () => ({ kind: 'Pod', name: 'missing', namespace: ns }),
      expect: 'success',
      says: 'none',
    },
    {
      outcome: 'forbidden',
      args: () => ({ namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  get_kubernetes_logs: [
    {
      outcome: 'success',
      args: () => ({ kind: 'Kustomization', name: 'podinfo', namespace: 'apps', controller_namespace: ns }),
      expect: 'success',
      says: 'podinfo',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'Pod', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ kind: 'Pod', name: 'controller-pod', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  get_flux_tree: [
    { outcome: 'success', args: () => ({ name: 'app', namespace: ns }), expect: 'success' },
    {
      outcome: 'success (HelmRelease)',
      args: () => ({ kind: 'HelmRelease', name: 'chart', namespace: ns }),
      expect: 'success',
      says: 'ConfigMap',
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ name: 'app', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  trace_kubernetes_resource: [
    {
      outcome: 'success',
      args: () => ({ kind: 'ConfigMap', name: 'settings', namespace: ns }),
      expect: 'success',
      says: 'Kustomization',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'ConfigMap', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ kind: 'ConfigMap', name: 'settings', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  get_kubernetes_resources: [
    { outcome: 'success', args: () => ({ kind: 'Kustomization', namespace: ns }), expect: 'success' },
    {
      outcome: 'success (yaml)',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns, output: 'yaml' }),
      expect: 'success',
      says: 'kind: Kustomization',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'Kustomization', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ kind: 'Kustomization', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  check_flux_upgrade: [
    {
      outcome: 'success',
      args: () => ({ version: '2.9', namespace: ns }),
      expect: 'success',
      says: /^Upgrade of Flux/,
    },
    {
      outcome: 'not a version',
      args: () => ({ version: 'next' }),
      expect: 'error',
      says: 'not a Flux version',
    },
    {
      outcome: 'forbidden',
      args: () => ({ version: '2.9', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  diff_flux_kustomization: [
    {
      outcome: 'success',
      args: () => ({ name: 'app', namespace: ns, path: localDir }),
      expect: 'success',
      says: /^Kustomization \S+\/app against/,
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns, path: localDir }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'refusal (relative path)',
      args: () => ({ name: 'app', namespace: ns, path: 'apps' }),
      expect: 'error',
      says: 'must be absolute',
    },
    {
      outcome: 'forbidden',
      args: () => ({ name: 'app', namespace: ns, path: localDir, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  reconcile_flux_kustomization: [
    {
      outcome: 'success',
      args: () => ({ name: 'app', namespace: ns, with_source: true }),
      expect: 'success',
      says: 'Reconciled',
    },
    {
      outcome: 'failed',
      args: () => ({ name: 'broken', namespace: ns }),
      expect: 'error',
      says: 'failed',
    },
    {
      outcome: 'refusal (suspended)',
      args: () => ({ name: 'held', namespace: ns }),
      expect: 'error',
      says: 'is suspended',
    },
    {
      outcome: 'dry run',
      args: () => ({ name: 'app', namespace: ns, with_source: true, dry_run: true }),
      expect: 'success',
      says: 'Dry run',
    },
    {
      outcome: 'timeout',
      args: () => ({ name: 'silent', namespace: ns, timeout: '1s' }),
      expect: 'error',
      says: 'Timed out',
    },
    {
      outcome: 'not waiting',
      args: () => ({ name: 'app', namespace: ns, wait: false }),
      expect: 'success',
      says: 'not waiting',
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ name: janeKs, namespace: janes, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  reconcile_flux_helmrelease: [
    {
      outcome: 'success',
      args: () => ({ name: 'chart', namespace: ns, with_source: true, force: true }),
      expect: 'success',
      says: 'Reconciled',
    },
    {
      outcome: 'dry run',
      args: () => ({ name: 'chart', namespace: ns, reset: true, dry_run: true }),
      expect: 'success',
      says: 'Dry run',
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
  ],
  reconcile_flux_source: [
    {
      outcome: 'success',
      args: () => ({ kind: 'GitRepository', name: 'repo', namespace: ns }),
      expect: 'success',
      says: 'fetched revision',
    },
    {
      outcome: 'not supported (static OCI HelmRepository)',
      args: () => ({ kind: 'HelmRepository', name: 'oci-charts', namespace: ns }),
      expect: 'success',
      says: 'static',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'Bucket', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
  ],
  reconcile_flux_resource: [
    {
      outcome: 'success',
      args: () => ({ kind: 'HelmChart', name: 'chart-source', namespace: ns }),
      expect: 'success',
    },
    {
      outcome: 'refusal (not reconcilable)',
      args: () => ({ kind: 'Provider', name: 'anything', namespace: ns }),
      expect: 'error',
    },
    {
      outcome: 'refusal (not a Flux kind)',
      args: () => ({ kind: 'Deployment', name: 'anything', namespace: ns }),
      expect: 'error',
      says: 'not a Flux kind',
    },
  ],
  get_helmrelease_history: [
    {
      outcome: 'success',
      args: () => ({ name: 'rollme', namespace: ns }),
      expect: 'success',
      says: 'Rollback targets: v1',
    },
    {
      outcome: 'success (manifest)',
      args: () => ({ name: 'rollme', namespace: ns, manifest_revision: 1 }),
      expect: 'success',
      says: 'rollme-settings',
    },
    {
      outcome: 'not found (revision)',
      args: () => ({ name: 'rollme', namespace: ns, manifest_revision: 9 }),
      expect: 'error',
      says: 'not in Helm storage',
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ name: 'rollme', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  get_flux_drift: [
    {
      outcome: 'success (HelmRelease)',
      args: () => ({ kind: 'HelmRelease', name: 'rollme', namespace: ns }),
      expect: 'success',
      says: 'Drift of HelmRelease',
    },
    {
      outcome: 'success (Kustomization)',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns }),
      expect: 'success',
      says: 'needs its source',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'HelmRelease', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  set_flux_drift_detection: [
    {
      outcome: 'dry run',
      args: () => ({ name: 'stuck', namespace: ns, mode: 'warn', dry_run: true }),
      expect: 'success',
      says: 'Dry run',
    },
    {
      outcome: 'success',
      args: () => ({ name: 'stuck', namespace: ns, mode: 'warn', ignore: [{ paths: ['/data'] }] }),
      expect: 'success',
      says: 'disabled -> warn',
    },
    {
      outcome: 'refusal (invalid ignore rule)',
      args: () => ({ name: 'stuck', namespace: ns, mode: 'warn', ignore: [{ target: { kind: 'X' } }] }),
      expect: 'error',
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns, mode: 'enabled' }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ name: janeHr, namespace: janes, mode: 'enabled', ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  rollback_flux_helmrelease: [
    {
      outcome: 'dry run',
      args: () => ({ name: 'rollme', namespace: ns, dry_run: true }),
      expect: 'success',
      says: 'Dry run',
    },
    {
      outcome: 'success',
      args: () => ({ name: 'rollme', namespace: ns, reason: 'every tool' }),
      expect: 'success',
      says: 'Rolled back',
    },
    {
      outcome: 'refusal (previous revision failed)',
      args: () => ({ name: 'stuck', namespace: ns }),
      expect: 'error',
      says: 'is failed',
    },
    {
      outcome: 'not found',
      args: () => ({ name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
    {
      outcome: 'forbidden',
      args: () => ({ name: janeHr, namespace: janes, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  suspend_flux_reconciliation: [
    {
      outcome: 'success',
      args: () => ({ kind: 'Kustomization', name: 'pausable', namespace: ns, reason: 'every tool' }),
      expect: 'success',
      says: 'suspended',
    },
    {
      outcome: 'already suspended',
      args: () => ({ kind: 'Kustomization', name: 'held', namespace: ns }),
      expect: 'success',
      says: 'already suspended',
    },
    {
      outcome: 'dry run (all)',
      args: () => ({ kind: 'Kustomization', namespace: ns, all: true, dry_run: true }),
      expect: 'success',
      says: 'Dry run',
    },
    {
      outcome: 'refusal (name and all)',
      args: () => ({ kind: 'Kustomization', name: 'app', namespace: ns, all: true }),
      expect: 'error',
    },
    {
      outcome: 'forbidden',
      args: () => ({ kind: 'Kustomization', name: janeKs, namespace: janes, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
  resume_flux_reconciliation: [
    {
      outcome: 'success',
      args: () => ({ kind: 'Kustomization', name: 'pausable', namespace: ns }),
      expect: 'success',
      says: 'applied revision',
    },
    {
      outcome: 'dry run',
      args: () => ({ kind: 'Kustomization', name: 'held', namespace: ns, dry_run: true }),
      expect: 'success',
      says: 'dry run',
    },
    {
      outcome: 'timeout',
      args: () => ({ kind: 'Kustomization', name: 'silent', namespace: ns, timeout: '1s' }),
      expect: 'error',
      says: 'has not finished',
    },
    {
      outcome: 'not found',
      args: () => ({ kind: 'Kustomization', name: 'missing', namespace: ns }),
      expect: 'error',
      says: 'not found',
    },
  ],
  migrate_flux_storage: [
    {
      outcome: 'dry run (default)',
      args: () => ({ namespace: ns }),
      expect: 'success',
      says: /storage migration/i,
    },
    {
      outcome: 'refusal (controllers of another release)',
      args: () => ({ namespace: oldNs, dry_run: false }),
      expect: 'error',
      says: 'another release',
    },
    { outcome: 'forbidden', args: () => ({ ...JANE }), expect: 'error', says: 'forbidden' },
  ],
  upgrade_flux_instance: [
    {
      outcome: 'dry run',
      args: () => ({ version: '2.9.x', namespace: opNs, dry_run: true }),
      expect: 'success',
      says: 'Dry run',
    },
    {
      outcome: 'success',
      args: () => ({ version: '2.9.x', namespace: opNs }),
      expect: 'success',
      says: 'applied v2.9.5',
    },
    {
      outcome: 'refusal (downgrade)',
      args: () => ({ version: '2.8.x', namespace: opNs }),
      expect: 'error',
      says: 'not supported',
    },
    {
      outcome: 'no operator',
      args: () => ({ version: '2.9.x', namespace: ns }),
      expect: 'success',
      says: 'No FluxInstance',
    },
    {
      outcome: 'forbidden',
      args: () => ({ version: '2.9.x', namespace: ns, ...JANE }),
      expect: 'error',
      says: 'forbidden',
    },
  ],
};

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'every');
  oldNs = await testNamespace(api, 'every-old');
  localDir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-every-'));
  writeFileSync(
    join(localDir, 'settings.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${ns}\ndata:\n  a: "2"\n`,
  );
  opNs = await testNamespace(api, 'every-op');
  operator = new FakeFluxOperator(api, [opNs]);
  operator.start();
  await api.apply(fluxReport(opNs, 'unknown'));
  await api.apply(fluxInstance(opNs, '2.8.x'));
  while (!(await api.get(V.operator, 'FluxInstance', opNs, 'flux')).status?.lastAppliedRevision) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await api.apply(
    deployment('helm-controller', oldNs, {
      image: 'ghcr.io/fluxcd/helm-controller:v1.3.0',
      labels: fluxInstallLabels('v2.6.0'),
    }),
  );
  controller = new FakeFluxController(api, [ns]);
  controller.script('Kustomization', ns, 'broken', {
    outcome: 'fail',
    reason: 'BuildFailed',
    message: 'kustomize build failed: accumulating resources',
  });
  controller.script('Kustomization', ns, 'silent', { outcome: 'ignore' });
  controller.start();

  await api.apply(gitRepository('repo', ns));
  await api.apply(helmRepository('charts', ns));
  await api.apply(helmRepository('oci-charts', ns, { spec: { type: 'oci', url: 'oci://ghcr.io/x' } }));
  await api.apply(helmChart('chart-source', ns));
  await api.apply(
    kustomization('app', ns, {
      spec: { sourceRef: { kind: 'GitRepository', name: 'repo' } },
    }),
  );
  for (const name of ['broken', 'silent', 'pausable']) await api.apply(kustomization(name, ns));
  await api.apply(kustomization('held', ns, { spec: { suspend: true } }));
  const release = {
    name: 'chart',
    namespace: ns,
    revision: 1,
    manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: chart-values\n  namespace: ${ns}\n`,
  };
  await api.apply(helmChart(`${ns}-chart`, ns, { spec: { chart: 'chart' } }));
  await api.apply(helmStorageSecret(ns, release));
  const hr = await api.apply(helmRelease('chart', ns));
  await api.patchStatus(
    hr,
    readyStatus(1, {
      helmChart: `${ns}/${ns}-chart`,
      storageNamespace: ns,
      history: [historySnapshot(release)],
    }),
  );
  // Something the Kustomization applied, for trace and tree.
  await api.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'settings',
      namespace: ns,
      labels: { 'kustomize.toolkit.fluxcd.io/name': 'app', 'kustomize.toolkit.fluxcd.io/namespace': ns },
    },
    data: { a: '1' },
  });
  await api.patchStatus(await api.get('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ns, 'app'), {
    inventory: { entries: [{ id: `${ns}_settings__ConfigMap`, v: 'v1' }] },
  });
  // A kustomize-controller whose logs kwok serves.
  await api.apply(
    deployment('kustomize-controller', ns, {
      image: 'ghcr.io/fluxcd/kustomize-controller:v1.7.3',
      labels: { 'app.kubernetes.io/part-of': 'flux' },
    }),
  );
  await runPod(api, podOnNode('controller-pod', ns, { labels: { app: 'kustomize-controller' } }), {
    manager: KUSTOMIZE_CONTROLLER_LOG.trimEnd().split('\n'),
  });
  await api.apply(kustomization(janeKs, janes));
  await releaseWithTwoRevisions(ns, 'rollme', 'superseded');
  await releaseWithTwoRevisions(ns, 'stuck', 'failed');
  await releaseWithTwoRevisions(janes, janeHr, 'superseded');
  server = await startServer(['--structured-content', 'compact']);
});

afterAll(async () => {
  expect(controller.errors).toEqual([]);
  expect(operator.errors).toEqual([]);
  controller?.stop();
  operator?.stop();
  await server?.close();
  await api?.delete('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', janes, janeKs);
  await api?.delete(helmRelease(janeHr, janes).apiVersion, 'HelmRelease', janes, janeHr);
  await api?.delete('v1', 'ConfigMap', janes, `${janeHr}-settings`);
  for (const v of [1, 2]) await api?.delete('v1', 'Secret', janes, `sh.helm.release.v1.${janeHr}.v${v}`);
  await api?.close();
});

describe('every tool in every outcome, through a client that validates results', () => {
  it('has scenarios for exactly the tools the server lists', async () => {
    const { tools } = await server.client.listTools();
    expect(Object.keys(SCENARIOS).sort()).toEqual(tools.map((t) => t.name).sort());
  });

  for (const [tool, scenarios] of Object.entries(SCENARIOS)) {
    for (const s of scenarios) {
      it(`${tool}: ${s.outcome}`, async () => {
        const call = await callTool(server.client, tool, s.args());
        expect(call.text.length).toBeGreaterThan(0);
        expect(Boolean(call.result.isError), call.text).toBe(s.expect === 'error');
        if (s.expect === 'success') expect(call.result.structuredContent).toBeDefined();
        if (s.says) expect(call.text).toMatch(s.says);
      });
    }
  }
});
