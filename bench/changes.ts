// "What changed in the last hour before apps/web failed?": the calls and bytes it takes this server
// (get_flux_changes, one call) and the Flux Operator MCP server (its resources and events, the way its
// instructions work) to find the commit that preceded the failure. The hour is seeded as the controllers
// would have left it: statuses with their histories, and core/v1 Events with the controllers' reasons,
// messages and revision annotations, among the routine events of 40 other objects.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { SERVER_ENTRY } from '../test/support/env.js';
import type { TestApi, TestObject } from '../test/support/api.js';
import { fluxEvent } from '../test/support/events.js';
import {
  failedStatus,
  gitRepository,
  helmRelease,
  kustomization,
  readyStatus,
  V,
} from '../test/support/flux.js';
import { PEER, peerServer } from './peer.js';
import { adminApiFor, ensureNamespaces, inBatches } from './seed.js';
import { median, round } from './stats.js';
import { connect, type ServerCommand } from './stdio.js';
import type { BenchEnv, BenchResult, Row } from './types.js';

const APPS = 'bench-changes-apps';
const SYSTEM = 'bench-changes-system';
const COMMITS = [
  { sha: '1a1a1a1a2b2b2b2b3c3c3c3c4d4d4d4d5e5e5e5e', subject: 'add web', minutesAgo: 55 },
  { sha: '3b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b', subject: 'web 1.3: new cache settings', minutesAgo: 41 },
  { sha: 'efe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8', subject: 'bump web to 1.4', minutesAgo: 6 },
];
const CULPRIT = COMMITS[2]!;
const OTHERS = 30;
const RELEASES = 10;
const rev = (sha: string) => `main@sha1:${sha}`;
const ago = (minutes: number) =>
  new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

function historyEntry(
  sha: string,
  minutesAgo: number,
  status = 'ReconciliationSucceeded',
  last = minutesAgo,
) {
  return {
    digest: `sha256:${sha.slice(0, 16)}`,
    firstReconciled: ago(minutesAgo),
    lastReconciled: ago(last),
    lastReconciledDuration: '1.2s',
    lastReconciledStatus: status,
    metadata: { revision: rev(sha) },
    totalReconciliations: 3,
  };
}

async function seed(api: TestApi): Promise<void> {
  await ensureNamespaces(api, [APPS, SYSTEM]);
  const source = await api
    .create(gitRepository('flux-system', SYSTEM))
    .catch(() => api.apply(gitRepository('flux-system', SYSTEM)));
  await api.patchStatus(
    source,
    readyStatus(1, {
      artifact: {
        revision: rev(CULPRIT.sha),
        lastUpdateTime: ago(CULPRIT.minutesAgo),
        digest: 'sha256:c',
        path: 'c',
        url: 'c',
      },
    }),
  );
  const sourceRef = { kind: 'GitRepository', name: 'flux-system', namespace: SYSTEM };
  const web = kustomization('web', APPS, { spec: { sourceRef } });
  await api.create(web).catch(() => api.apply(web));
  await api.patchStatus(
    web,
    failedStatus(
      1,
      'HealthCheckFailed',
      "health check failed after 5m0s: timeout waiting for: [Deployment/bench-changes-apps/web status: 'InProgress']",
      {
        since: ago(5),
        lastAppliedRevision: rev(COMMITS[1]!.sha),
        lastAttemptedRevision: rev(CULPRIT.sha),
        history: [
          historyEntry(CULPRIT.sha, 5, 'HealthCheckFailed'),
          historyEntry(COMMITS[1]!.sha, 40, 'ReconciliationSucceeded', 10),
          historyEntry(COMMITS[0]!.sha, 54, 'ReconciliationSucceeded', 41),
        ],
      },
    ),
  );
  const others: TestObject[] = [
    ...Array.from({ length: OTHERS }, (_, i) => kustomization(`svc-${i}`, APPS, { spec: { sourceRef } })),
    ...Array.from({ length: RELEASES }, (_, i) => helmRelease(`chart-${i}`, APPS)),
  ];
  await inBatches(others, 20, async (o) => {
    await api.create(o).catch(() => api.apply(o));
    await api.patchStatus(o, readyStatus(1, { revision: rev(CULPRIT.sha) }));
  });

  const events: TestObject[] = [];
  const ks = (name: string) => ({
    apiVersion: V.kustomization,
    kind: 'Kustomization',
    name,
    namespace: APPS,
  });
  for (const c of COMMITS)
    events.push(
      fluxEvent(
        { apiVersion: V.source, kind: 'GitRepository', name: 'flux-system', namespace: SYSTEM },
        {
          reason: 'NewArtifact',
          message: `stored artifact for commit '${c.subject}'`,
          minutesAgo: c.minutesAgo,
          revision: rev(c.sha),
          component: 'source-controller',
        },
      ),
    );
  events.push(
    fluxEvent(ks('web'), {
      reason: 'Progressing',
      message: `Deployment/${APPS}/web configured\nConfigMap/${APPS}/web-cache configured`,
      minutesAgo: 5.8,
      revision: rev(CULPRIT.sha),
    }),
    // Retried every 30 s since the first failure: one event, counted.
    {
      ...fluxEvent(ks('web'), {
        type: 'Warning',
        reason: 'HealthCheckFailed',
        message: `health check failed after 5m0s: timeout waiting for: [Deployment/${APPS}/web status: 'InProgress']`,
        minutesAgo: 0.5,
        count: 10,
        revision: rev(CULPRIT.sha),
      }),
      firstTimestamp: ago(5),
    },
  );
  // The routine of an hour: every Kustomization reconciles every ten minutes; the releases are upgraded.
  for (let i = 0; i < OTHERS; i++)
    for (const m of [3, 13, 23, 33, 43, 53])
      events.push(
        fluxEvent(ks(`svc-${i}`), {
          reason: 'ReconciliationSucceeded',
          message: `Reconciliation finished in ${100 + i}ms, next run in 10m0s`,
          minutesAgo: m + i / 10,
          revision: rev((m < CULPRIT.minutesAgo ? CULPRIT : COMMITS[1]!).sha),
        }),
      );
  for (let i = 0; i < RELEASES; i++)
    events.push(
      fluxEvent(
        { apiVersion: V.helmRelease, kind: 'HelmRelease', name: `chart-${i}`, namespace: APPS },
        {
          reason: 'UpgradeSucceeded',
          message: `Helm upgrade succeeded for release ${APPS}/chart-${i}.v2 with chart chart-${i}@1.${i}.0`,
          minutesAgo: 20 + i,
          revision: `1.${i}.0`,
          component: 'helm-controller',
        },
      ),
    );
  await inBatches(events, 25, (e) => api.create(e));
}

interface Answer {
  calls: string[];
  textBytes: number;
  /** What a client that shows JSON.stringify(structuredContent) puts in the context; else the text. */
  structuredBytes: number;
  ms: number;
  /** The culprit commit and its subject are in the answers, and the revision before it. */
  found: boolean;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const t = performance.now();
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    timeout: 120_000,
  })) as CallToolResult;
  const ms = performance.now() - t;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  return { result, text, ms };
}

const bytes = (v: unknown) => Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v));

function found(texts: string[]): boolean {
  const all = texts.join('\n');
  return (
    (all.includes(CULPRIT.sha) || all.includes(CULPRIT.sha.slice(0, 8))) &&
    all.includes(CULPRIT.subject) &&
    all.includes(COMMITS[1]!.sha.slice(0, 8))
  );
}

/** BENCH_ANCHORS_DUMP=<dir>: the answers' texts are written there, to see what each server said. */
function dump(file: string, text: string): void {
  const dir = process.env.BENCH_ANCHORS_DUMP;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
}

async function ours(client: Client, args: Record<string, unknown>, label: string): Promise<Answer> {
  const a = await call(client, 'get_flux_changes', args);
  dump(`changes-ours-${label.replace(/[^a-z]+/gi, '-')}.txt`, a.text);
  if (a.result.isError) throw new Error(`get_flux_changes failed: ${a.text}`);
  // The failure with the commit that preceded it, in the answer's own words.
  if (!/preceded by .*bump web to 1\.4/.test(a.text))
    throw new Error(`${label}: no preceded-by line:\n${a.text}`);
  return {
    calls: [`get_flux_changes ${label}`],
    textBytes: bytes(a.text),
    structuredBytes: bytes(a.result.structuredContent ?? a.text),
    ms: a.ms,
    found: found([a.text]),
  };
}

/**
 * Theirs, as its instructions lead a model: the failing object (its status names the source), the source
 * (its revision), then the events of both namespaces of the last hour, to order what happened.
 */
async function theirs(client: Client, tools: string[]): Promise<Answer> {
  const steps: [string, Record<string, unknown>][] = [
    [
      'get_kubernetes_resources',
      { apiVersion: V.kustomization, kind: 'Kustomization', name: 'web', namespace: APPS },
    ],
    [
      'get_kubernetes_resources',
      { apiVersion: V.source, kind: 'GitRepository', name: 'flux-system', namespace: SYSTEM },
    ],
  ];
  for (const ns of [APPS, SYSTEM])
    steps.push(
      tools.includes('get_kubernetes_events')
        ? ['get_kubernetes_events', { namespace: ns, since: '1h' }]
        : ['get_kubernetes_resources', { apiVersion: 'v1', kind: 'Event', namespace: ns }],
    );
  const answers = [];
  for (const [tool, args] of steps) answers.push({ tool, ...(await call(client, tool, args)) });
  answers.forEach((a, i) => dump(`changes-theirs-${i + 1}-${a.tool}.txt`, a.text));
  return {
    calls: answers.map((a) => a.tool),
    textBytes: answers.reduce((n, a) => n + bytes(a.text), 0),
    structuredBytes: answers.reduce((n, a) => n + bytes(a.result.structuredContent ?? a.text), 0),
    ms: answers.reduce((n, a) => n + a.ms, 0),
    found: found(answers.map((a) => a.text)),
  };
}

export async function changes(env: BenchEnv): Promise<BenchResult> {
  const runs = env.quick ? 3 : 10;
  const api = adminApiFor(env.cluster);
  const oursCmd: ServerCommand = {
    command: process.execPath,
    args: [SERVER_ENTRY, '--kubeconfig', env.cluster.kubeconfig, '--log-level', 'silent'],
  };
  try {
    await seed(api);
    const oursClient = await connect(oursCmd);
    const theirsClient = await connect(peerServer(env.cluster.kubeconfig));
    try {
      await oursClient.listTools();
      const peerTools = (await theirsClient.listTools()).tools.map((t: Tool) => t.name);
      const object = { kind: 'Kustomization', name: 'web', namespace: APPS, since: '1h' };
      const namespace = { namespace: APPS, since: '1h' };
      const results = { object: [] as Answer[], namespace: [] as Answer[], theirs: [] as Answer[] };
      for (let i = 0; i <= runs; i++) {
        const o = await ours(oursClient, object, 'kind=Kustomization name=web');
        const n = await ours(oursClient, namespace, `namespace=${APPS}`);
        const t = await theirs(theirsClient, peerTools);
        if (i === 0) continue; // warm-up
        results.object.push(o);
        results.namespace.push(n);
        results.theirs.push(t);
      }
      const last = (a: Answer[]) => a.at(-1)!;
      const ms = (a: Answer[]) => round(median(a.map((x) => x.ms)));
      const row = (who: string, a: Answer[]): Row[] => [
        {
          metric: `${who}: calls`,
          value: last(a).calls.length,
          unit: 'calls',
          note: last(a).calls.join(', '),
        },
        { metric: `${who}: text`, value: last(a).textBytes, unit: 'bytes' },
        { metric: `${who}: structured (JSON.stringify)`, value: last(a).structuredBytes, unit: 'bytes' },
        { metric: `${who}: time median`, value: ms(a), unit: 'ms' },
        { metric: `${who}: names the commit and the one before`, value: last(a).found ? 1 : 0, unit: 'yes' },
      ];
      const rows = [
        ...row('ours, the object and its path', results.object),
        ...row('ours, the namespace', results.namespace),
        ...row('theirs', results.theirs),
      ];
      const cell = (a: Answer[]) =>
        `${last(a).calls.length} call${last(a).calls.length > 1 ? 's' : ''}, ${last(a).textBytes.toLocaleString('en-US')} B text, ${last(a).structuredBytes.toLocaleString('en-US')} B structured, ${ms(a)} ms; ${last(a).found ? 'names' : 'does not name'} the commit, its subject and the one before`;
      const table = [
        `| "what changed in the last hour before apps/web failed?" | flux-ops-mcp | ${PEER} |`,
        '|---|---|---|',
        `| one object and its path | ${cell(results.object)} | ${cell(results.theirs)} (${last(results.theirs).calls.join(', ')}) |`,
        `| the whole namespace (${OTHERS + RELEASES + 1} objects, an hour of routine events) | ${cell(results.namespace)} | |`,
      ].join('\n');
      return { name: `changes: what changed before a failure, flux-ops-mcp and ${PEER}`, rows, table };
    } finally {
      await oursClient.close();
      await theirsClient.close();
    }
  } finally {
    await api.close();
  }
}
