// rollback_flux_helmrelease against `helm rollback` itself: the same release state is built twice with the
// real Helm CLI (revisions 1..4, the last one failed, then fields changed by another field manager), rolled
// back once by Helm and once by the tool, and both results must be the same: every live object (field
// managers and their fields included) and every storage record, times aside. For a Helm 3 release
// (client-side three-way merge, Helm 3 records), a Helm 4 release applied server-side (ssa) and one applied
// client-side (csa). Then the same while another writer changes the Deployment between the tool's read and
// its write (a busy Deployment during an incident): the tool reads, merges and sends again, and still ends
// where helm rollback ends.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../support/api.js';
import {
  adminApi,
  callTool,
  cluster,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { helmRelease } from '../support/flux.js';
import { startRacingProxy, type RacingProxy } from '../support/racing-proxy.js';
import {
  HelmCli,
  helmClis,
  releaseState,
  setArgs,
  writeCharts,
  type ReleaseState,
} from '../support/helm-cli.js';

const BUILD_TIMEOUT_MS = 30 * 60_000;
const MAX_HISTORY = 4;

interface Flavor {
  title: string;
  cli: 'helm3' | 'helm4';
  installArgs: string[];
  serverSide: boolean;
  /** Helm 3 fails a rollback that brings back an object the current revision does not have; Helm 4 merges it. */
  keptObject: boolean;
}

const FLAVORS: Flavor[] = [
  {
    title: 'a Helm 3 release (client-side three-way merge)',
    cli: 'helm3',
    installArgs: [],
    serverSide: false,
    keptObject: false,
  },
  {
    title: 'a Helm 4 release applied server-side (ssa)',
    cli: 'helm4',
    installArgs: [],
    serverSide: true,
    keptObject: true,
  },
  {
    title: 'a Helm 4 release applied client-side (csa)',
    cli: 'helm4',
    installArgs: ['--server-side=false'],
    serverSide: false,
    keptObject: true,
  },
];

const REV3 = { greeting: 'hey', image: 'nginx:1.2', env: { B: '2' }, recreate: true, metrics: true };

function revisions(flavor: Flavor): { chart: string; values: Record<string, unknown>; fails?: boolean }[] {
  const keep = flavor.keptObject ? { keep: true } : {};
  return [
    { chart: '1.0.0', values: { ...keep } },
    {
      chart: '1.1.0',
      values: {
        ...keep,
        greeting: 'hi',
        extra: true,
        image: 'nginx:1.1',
        env: { A: '1' },
        tier: 'web',
        password: 'two',
      },
    },
    { chart: '1.2.0', values: REV3 },
    { chart: '1.3.0', values: { ...REV3, bad: true }, fails: true },
  ];
}

let api: TestApi;
let server: ServerHandle;
let charts: Record<string, string>;
let clis: Record<Flavor['cli'], HelmCli>;

beforeAll(async () => {
  api = adminApi();
  const bins = helmClis();
  const kubeconfig = cluster().kubeconfig;
  clis = { helm3: new HelmCli(bins.helm3, kubeconfig), helm4: new HelmCli(bins.helm4, kubeconfig) };
  charts = writeCharts(['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
  server = await startServer();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
});

/** Revisions 1..4 (4 failed), then a kubectl-edit style change of a field Helm set and of fields it did not. */
async function buildRelease(flavor: Flavor, ns: string): Promise<void> {
  const helm = clis[flavor.cli];
  const revs = revisions(flavor);
  revs.forEach((r, i) => {
    const verb = i === 0 ? ['install', ...flavor.installArgs] : ['upgrade'];
    helm.run([...verb, 'demo', charts[r.chart]!, '-n', ns, ...setArgs(r.values)], r.fails);
  });
  await api.request(
    'PATCH',
    `/api/v1/namespaces/${ns}/configmaps/demo-settings?fieldManager=kubectl-edit`,
    { data: { greeting: 'edited by hand', manual: 'x' } },
    'application/merge-patch+json',
  );
  await api.request(
    'PATCH',
    `/apis/apps/v1/namespaces/${ns}/deployments/demo?fieldManager=kubectl-edit`,
    { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'C', value: '3' }] }] } } } },
    'application/strategic-merge-patch+json',
  );
}

async function clear(ns: string): Promise<void> {
  for (const [apiVersion, kind] of [
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['apps/v1', 'Deployment'],
    ['v1', 'Service'],
  ] as const) {
    for (const obj of await api.list(apiVersion, kind, ns))
      await api.delete(apiVersion, kind, ns, obj.metadata.name);
  }
  await api.delete(helmRelease('demo', ns).apiVersion, 'HelmRelease', ns, 'demo');
}

async function rolledBackByHelm(flavor: Flavor, ns: string, revision?: number): Promise<ReleaseState> {
  await buildRelease(flavor, ns);
  clis[flavor.cli].run([
    'rollback',
    'demo',
    ...(revision ? [String(revision)] : []),
    '-n',
    ns,
    '--history-max',
    String(MAX_HISTORY),
    ...(flavor.serverSide ? ['--force-conflicts'] : []),
  ]);
  const state = await releaseState(api, ns);
  await clear(ns);
  return state;
}

async function rolledBackByTool(flavor: Flavor, ns: string, revision?: number): Promise<ReleaseState> {
  await buildRelease(flavor, ns);
  await api.apply(helmRelease('demo', ns, { spec: { maxHistory: MAX_HISTORY } }));
  const { result, text } = await callTool(server.client, 'rollback_flux_helmrelease', {
    name: 'demo',
    namespace: ns,
    ...(revision ? { revision } : {}),
    reason: 'differential test',
  });
  expect(result.isError, text).toBeFalsy();
  const state = await releaseState(api, ns);
  await clear(ns);
  return state;
}

describe.each(FLAVORS)('rollback of $title', (flavor) => {
  let ns: string;

  beforeAll(async () => {
    ns = await testNamespace(api, `rb-${flavor.cli}`);
  });

  it('to the previous revision (the default) leaves objects and records as helm rollback does', async () => {
    const byHelm = await rolledBackByHelm(flavor, ns);
    const byTool = await rolledBackByTool(flavor, ns);
    expect(Object.keys(byHelm.records)).toContain('sh.helm.release.v1.demo.v5');
    expect(byTool).toEqual(byHelm);
  });

  it('to an older revision (objects created, deleted and brought back) leaves them as helm rollback does', async () => {
    const byHelm = await rolledBackByHelm(flavor, ns, 2);
    const byTool = await rolledBackByTool(flavor, ns, 2);
    expect(Object.keys(byHelm.objects)).toContain('ConfigMap/demo-extra');
    expect(byTool).toEqual(byHelm);
  });
});

/**
 * What a controller writing a busy Deployment does, `times` times: a status change (status subresource, its
 * own field manager), which moves the Deployment's resourceVersion and nothing else a rollback touches.
 */
async function busyWrites(ns: string, from: number, times: number): Promise<void> {
  for (let i = from; i < from + times; i++) {
    await api.request(
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/demo/status?fieldManager=busy-controller`,
      { status: { collisionCount: i } },
      'application/merge-patch+json',
    );
  }
}

/** A write of the rollback to the Deployment that carries the resourceVersion it read (not a dry run, not an apply). */
function guardedWrite(ns: string) {
  return (req: IncomingMessage) =>
    req.method === 'PATCH' &&
    (req.url ?? '').startsWith(`/apis/apps/v1/namespaces/${ns}/deployments/demo?`) &&
    !(req.url ?? '').includes('dryRun') &&
    /merge-patch|json-patch/.test(req.headers['content-type'] ?? '');
}

const RACED: (Flavor & { conflicts: number; clientSideFrom?: number })[] = [
  { ...FLAVORS[0]!, conflicts: 2 },
  { ...FLAVORS[2]!, conflicts: 4 },
  // Revisions 1 and 2 applied server-side, 3 and 4 client-side: rolling back to 2 first moves helm's
  // client-side fields into its server-side apply entry (a JSON patch guarded by the resourceVersion).
  {
    title: 'a Helm 4 release applied server-side, then upgraded client-side',
    cli: 'helm4',
    installArgs: [],
    serverSide: true,
    keptObject: true,
    conflicts: 3,
    clientSideFrom: 2,
  },
];

describe.each(RACED)('rollback of $title while another writer changes the Deployment', (flavor) => {
  let ns: string;
  let proxy: RacingProxy;
  let racing: ServerHandle;

  beforeAll(async () => {
    ns = await testNamespace(api, `rbc-${flavor.cli}`);
    proxy = await startRacingProxy(cluster());
    racing = await startServer([], { kubeconfig: proxy.kubeconfig });
  });

  afterAll(async () => {
    await racing?.close();
    await proxy?.close();
  });

  /** Revisions 1..4 as buildRelease makes them, the ones from clientSideFrom on upgraded client-side. */
  async function build(): Promise<void> {
    const from = flavor.clientSideFrom;
    if (from === undefined) return buildRelease(flavor, ns);
    const helm = clis[flavor.cli];
    revisions(flavor).forEach((r, i) => {
      const verb = i === 0 ? ['install'] : ['upgrade', ...(i >= from ? ['--server-side=false'] : [])];
      helm.run([...verb, 'demo', charts[r.chart]!, '-n', ns, ...setArgs(r.values)], r.fails);
    });
  }

  it(`reads, merges and sends again (${flavor.conflicts} conflicts), and ends where helm rollback ends`, async () => {
    await build();
    // Revision 2's Deployment differs from the latest's, so the rollback writes it.
    clis[flavor.cli].run([
      'rollback',
      'demo',
      '2',
      '-n',
      ns,
      '--history-max',
      String(MAX_HISTORY),
      ...(flavor.serverSide ? ['--force-conflicts'] : []),
    ]);
    await busyWrites(ns, 1, flavor.conflicts);
    const byHelm = await releaseState(api, ns);
    await clear(ns);

    await build();
    await api.apply(helmRelease('demo', ns, { spec: { maxHistory: MAX_HISTORY } }));
    let written = 0;
    proxy.race(guardedWrite(ns), flavor.conflicts, () => busyWrites(ns, ++written, 1));
    const { result, text, structured } = await callTool(racing.client, 'rollback_flux_helmrelease', {
      name: 'demo',
      namespace: ns,
      revision: 2,
      reason: 'differential test under conflicts',
    });
    expect(result.isError, text).toBeFalsy();
    expect(proxy.raced).toHaveLength(flavor.conflicts);
    const deployment = (structured.objects as { kind: string; name: string; message?: string }[]).find(
      (o) => o.kind === 'Deployment' && o.name === 'demo',
    );
    expect(deployment?.message).toBe(
      `changed by someone else while this ran: read, merged and sent again ${flavor.conflicts} times`,
    );
    const byTool = await releaseState(api, ns);
    await clear(ns);
    expect(byTool).toEqual(byHelm);
  });
});
