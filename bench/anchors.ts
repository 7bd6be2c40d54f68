// The peer comparison: this server, the Flux Operator MCP server (the Go binary bench/anchors/build.sh builds
// from its module) and the bare SDK server (bench/floor-server.mjs), interleaved in one run against the same
// test cluster: cold start, the first cluster call of a session, the tool list, and three questions asked
// the way each server's instructions lead a model to answer them (Q1 what is failing among 1,000 Flux
// objects, Q2 why is apps/podinfo failing, Q3 reconcile it with its source): the calls, and the bytes a
// client puts into the model's context, for a client that shows the text (Claude Desktop, claude.ai,
// ChatGPT) and for one that shows JSON.stringify(structuredContent) when there is one (Claude Code, Codex).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { parseAllDocuments } from 'yaml';
import type { TestApi, TestObject } from '../test/support/api.js';
import { ROOT, SERVER_ENTRY } from '../test/support/env.js';
import { FakeFluxController } from '../test/support/controller.js';
import { fluxEvent, kubeletEvent } from '../test/support/events.js';
import { failedStatus, gitRepository, kustomization, readyStatus, V } from '../test/support/flux.js';
import { deployment, imagePullBackOff, podWithContainers } from '../test/support/workloads.js';
import { KINDS, statusFor } from './flux-status.js';
import { PEER, peerServer } from './peer.js';
import { adminApiFor, ensureNamespaces, inBatches } from './seed.js';
import { median, percentile, round } from './stats.js';
import { connect, initializeOnce, rawRequest, type ServerCommand } from './stdio.js';
import type { BenchEnv, BenchResult, Row } from './types.js';

// ---- the 1,000 objects: 5 kinds over 50 namespaces, 10 failing, 3 suspended (spread over the kinds)

const COUNT = 1_000;
const NAMESPACES = Array.from({ length: 50 }, (_, i) => `bench-anchors-${i}`);
const FAILING = new Set([7, 108, 209, 310, 411, 507, 608, 709, 810, 911]);
const SUSPENDED = new Set([21, 442, 863]);
const nameOf = (i: number) => `obj-${i}`;

async function seedFailing(api: TestApi): Promise<void> {
  await ensureNamespaces(api, NAMESPACES);
  const items = Array.from({ length: COUNT }, (_, i) => {
    const k = KINDS[i % KINDS.length]!;
    const ns = NAMESPACES[i % NAMESPACES.length]!;
    const obj = k.make(nameOf(i), ns, SUSPENDED.has(i) ? { spec: { suspend: true } } : {});
    return { obj, status: statusFor(k.kind, ns, i, FAILING.has(i)) };
  });
  await inBatches(items, 50, async ({ obj, status }) => {
    await api.create(obj).catch(() => api.apply(obj));
    await api.patchStatus(obj, status);
  });
}

// ---- measuring

interface Answer {
  result: CallToolResult;
  text: string;
  ms: number;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Answer> {
  const t = performance.now();
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    timeout: 600_000,
  })) as CallToolResult;
  const ms = performance.now() - t;
  const text = result.content
    .map((c) => (c.type === 'text' ? c.text : ''))
    .filter(Boolean)
    .join('\n');
  return { result, text, ms };
}

/** BENCH_ANCHORS_DUMP=<dir>: the answers' texts are written there, to see what each server said. */
function dump(file: string, text: string): void {
  const dir = process.env.BENCH_ANCHORS_DUMP;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
}

const bytes = (v: unknown) => Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v));

/**
 * What a client puts into the model's context for one answer: the text (content-first clients: Claude Desktop,
 * claude.ai, ChatGPT, opencode), or JSON.stringify(structuredContent) when the answer has one and is not an
 * error (structured-first clients: Claude Code, Codex; Claude Code shows the text of an error).
 */
function contextBytes(a: Answer): { content: number; structured: number } {
  const content = bytes(a.text);
  const structured =
    a.result.structuredContent && !a.result.isError ? bytes(a.result.structuredContent) : content;
  return { content, structured };
}

/** The calls one question took, and what they put into the model's context in each kind of client. */
interface Asked {
  calls: string[];
  content: number;
  structured: number;
  ms: number;
  texts: string[];
}

function tally(answers: { label: string; answer: Answer }[]): Asked {
  const sizes = answers.map((a) => contextBytes(a.answer));
  return {
    calls: answers.map((a) => a.label),
    content: sizes.reduce((n, s) => n + s.content, 0),
    structured: sizes.reduce((n, s) => n + s.structured, 0),
    ms: answers.reduce((n, a) => n + a.answer.ms, 0),
    texts: answers.map((a) => a.answer.text),
  };
}

async function ask(client: Client, calls: [string, Record<string, unknown>][]): Promise<Asked> {
  const answers: { label: string; answer: Answer }[] = [];
  for (const [tool, args] of calls) {
    const answer = await call(client, tool, args);
    if (answer.result.isError) throw new Error(`${tool} failed: ${answer.text.slice(0, 300)}`);
    answers.push({ label: tool, answer });
  }
  return tally(answers);
}

/** Milliseconds from the initialize response to the answer of the session's first call. */
async function firstCallMs(
  server: ServerCommand,
  tool: string,
  args: Record<string, unknown>,
): Promise<number> {
  const client = await connect(server);
  try {
    const a = await call(client, tool, args);
    if (a.result.isError) throw new Error(`${tool} failed: ${a.text.slice(0, 300)}`);
    return a.ms;
  } finally {
    await client.close();
  }
}

/** What a client puts in the model's context for each tool: name, title, description, input schema. */
function contextCost(tools: readonly Tool[]): number {
  return bytes(
    tools.map((t) => ({
      name: t.name,
      title: t.title ?? t.annotations?.title,
      description: t.description,
      inputSchema: t.inputSchema,
    })),
  );
}

interface FailingAnswer extends Asked {
  failing: number;
  suspended: number;
}

/** Ours: one get_flux_status over all namespaces. */
async function oursWhatIsFailing(client: Client): Promise<FailingAnswer> {
  const a = await call(client, 'get_flux_status', {});
  dump('ours-get_flux_status.txt', a.text);
  dump('ours-get_flux_status.json', JSON.stringify(a.result.structuredContent));
  const counts = (a.result.structuredContent as { counts: { failing?: number; suspended?: number } }).counts;
  const missing = [...FAILING, ...SUSPENDED]
    .map(nameOf)
    .filter(
      (n) =>
        !new RegExp(`\\b${n}\\b`).test(a.text) ||
        !JSON.stringify(a.result.structuredContent).includes(`/${n}"`),
    );
  if (missing.length > 0) throw new Error(`get_flux_status does not name ${missing.join(', ')}`);
  return {
    ...tally([{ label: 'get_flux_status', answer: a }]),
    failing: counts.failing ?? 0,
    suspended: counts.suspended ?? 0,
  };
}

/**
 * Whether an object in the peer's answer is failing (Ready False) or suspended, read from the projected
 * fields (keys named by their JSONPath) or from the whole object.
 */
function stateOf(o: Record<string, unknown> | null): { failing: boolean; suspended: boolean } {
  if (!o) return { failing: false, suspended: false };
  const spec = o.spec as { suspend?: unknown } | undefined;
  const conditions = (o.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  const ready =
    o['status.conditions[?(@.type=="Ready")].status'] ?? conditions?.find((c) => c.type === 'Ready')?.status;
  return { failing: ready === 'False', suspended: (o['spec.suspend'] ?? spec?.suspend) === true };
}

/**
 * Theirs, the way their server instructions tell a model to work: get_kubernetes_api_versions for the Flux
 * kinds and their versions ("never guess an apiVersion"), then get_kubernetes_resources for each Flux kind in
 * all namespaces. With `fields` (what their instructions recommend when listing many) each object comes back
 * as its name, namespace, suspend switch and Ready condition; without it, as the whole object.
 */
async function theirsWhatIsFailing(client: Client, withFields: boolean): Promise<FailingAnswer> {
  const apis = await call(client, 'get_kubernetes_api_versions', {});
  const kinds = parseAllDocuments(apis.text)
    .map((d) => d.toJSON() as { group?: string; kind?: string; version?: string } | null)
    .filter((d): d is { group: string; kind: string; version: string } =>
      Boolean(d?.group?.includes('fluxcd.') && d.kind && d.version),
    );
  const answers = [{ label: 'get_kubernetes_api_versions', answer: apis }];
  let failing = 0;
  let suspended = 0;
  for (const k of kinds) {
    const a = await call(client, 'get_kubernetes_resources', {
      apiVersion: `${k.group}/${k.version}`,
      kind: k.kind,
      ...(withFields
        ? {
            fields: [
              'spec.suspend',
              'status.conditions[?(@.type=="Ready")].status',
              'status.conditions[?(@.type=="Ready")].reason',
              'status.conditions[?(@.type=="Ready")].message',
            ],
          }
        : {}),
    });
    answers.push({ label: `get_kubernetes_resources ${k.kind}`, answer: a });
    dump(`theirs-${withFields ? 'fields' : 'whole'}-${k.kind}.txt`, a.text);
    if (a.result.isError) continue; // "No resources found" for a kind without objects
    for (const doc of parseAllDocuments(a.text)) {
      const state = stateOf(doc.toJSON() as Record<string, unknown> | null);
      if (state.failing) failing++;
      if (state.suspended) suspended++;
    }
  }
  return { ...tally(answers), failing, suspended };
}

// ---- Q2 and Q3: Kustomization apps/podinfo fails its health check: its Deployment's Pods cannot pull the image

const APP_NS = 'apps';
const APP_REVISION = 'main@sha1:9d0c4b2a0123456789abcdef0123456789abcdef';
const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.9';
const HEALTH =
  "health check failed after 5m0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']";

async function seedPodinfo(api: TestApi): Promise<void> {
  await ensureNamespaces(api, [APP_NS]);
  const put = async (obj: TestObject, status?: Record<string, unknown>) => {
    const created = await api.create(obj).catch(() => api.apply(obj));
    if (status) await api.patchStatus(created, status);
    return created;
  };
  await put(gitRepository('podinfo', APP_NS, { spec: { url: 'https://github.com/stefanprodan/podinfo' } }), {
    ...readyStatus(1, { message: `stored artifact for revision '${APP_REVISION}'` }),
    artifact: {
      revision: APP_REVISION,
      digest: 'sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b',
      path: 'gitrepository/apps/podinfo/9d0c4b2a.tar.gz',
      url: 'http://source-controller.flux-system.svc.cluster.local./gitrepository/apps/podinfo/9d0c4b2a.tar.gz',
      lastUpdateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  });
  await put(
    kustomization('podinfo', APP_NS, {
      spec: { sourceRef: { kind: 'GitRepository', name: 'podinfo' }, path: './kustomize', wait: true },
    }),
    failedStatus(1, 'HealthCheckFailed', HEALTH, {
      lastAppliedRevision: APP_REVISION,
      lastAttemptedRevision: APP_REVISION,
      inventory: {
        entries: [
          { id: `${APP_NS}_podinfo__Service`, v: 'v1' },
          { id: `${APP_NS}_podinfo_apps_Deployment`, v: 'v1' },
          { id: `${APP_NS}_podinfo-settings__ConfigMap`, v: 'v1' },
        ],
      },
    }),
  );
  const labels = {
    'kustomize.toolkit.fluxcd.io/name': 'podinfo',
    'kustomize.toolkit.fluxcd.io/namespace': APP_NS,
  };
  const dep = deployment('podinfo', APP_NS, { image: IMAGE, labels, ready: false, containers: ['podinfod'] });
  await put(dep, dep.status as Record<string, unknown>);
  await put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'podinfo', namespace: APP_NS, labels },
    spec: { selector: { app: 'podinfo' }, ports: [{ port: 9898 }] },
  });
  await put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'podinfo-settings', namespace: APP_NS, labels },
    data: { PODINFO_UI_MESSAGE: 'hello', PODINFO_UI_COLOR: '#34577c' },
  });
  for (const suffix of ['7xk2p', 'q9w4z']) {
    const pod = podWithContainers(`podinfo-7d9c6b5f4-${suffix}`, APP_NS, {
      labels: { app: 'podinfo' },
      containers: [imagePullBackOff('podinfod', IMAGE)],
    });
    await put(pod, pod.status as Record<string, unknown>);
    const where = { name: pod.metadata.name, namespace: APP_NS };
    await put(
      kubeletEvent(where, {
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${IMAGE}": rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": not found`,
        minutesAgo: 6,
        count: 6,
      }),
    );
    await put(
      kubeletEvent(where, {
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        minutesAgo: 1,
        count: 24,
      }),
    );
  }
  const ksRef = { apiVersion: V.kustomization, kind: 'Kustomization', name: 'podinfo', namespace: APP_NS };
  const repoRef = { apiVersion: V.source, kind: 'GitRepository', name: 'podinfo', namespace: APP_NS };
  await put(
    fluxEvent(ksRef, {
      type: 'Warning',
      reason: 'HealthCheckFailed',
      message: HEALTH,
      minutesAgo: 2,
      count: 5,
      revision: APP_REVISION,
    }),
  );
  await put(
    fluxEvent(ksRef, {
      reason: 'Progressing',
      message:
        'ConfigMap/apps/podinfo-settings unchanged\nDeployment/apps/podinfo configured\nService/apps/podinfo unchanged',
      minutesAgo: 8,
      revision: APP_REVISION,
    }),
  );
  await put(
    fluxEvent(repoRef, {
      reason: 'NewArtifact',
      message: `stored artifact for commit 'Bump podinfo to 6.7.9'`,
      minutesAgo: 9,
      revision: APP_REVISION,
      component: 'source-controller',
    }),
  );
}

/** Q2 with ours: the events of the Kustomization and its source, then what it manages that is not ready. */
function oursWhy(client: Client): Promise<Asked> {
  return ask(client, [
    ['get_flux_events', { kind: 'Kustomization', name: 'podinfo', namespace: APP_NS }],
    ['get_flux_tree', { name: 'podinfo', namespace: APP_NS, problems_only: true }],
  ]);
}

/**
 * Q2 with theirs, as its instructions lead: the Kustomization (whole: its events come with it), then the Warning
 * events where the workload its message names runs (the Deployment's own events say nothing of its Pods).
 */
function theirsWhy(client: Client): Promise<Asked> {
  return ask(client, [
    [
      'get_kubernetes_resources',
      { apiVersion: V.kustomization, kind: 'Kustomization', name: 'podinfo', namespace: APP_NS },
    ],
    ['get_kubernetes_events', { namespace: APP_NS, type: 'Warning' }],
  ]);
}

/** Q3 with ours: one call that requests the source and the Kustomization and waits for both. */
async function oursReconcile(client: Client): Promise<Asked> {
  const asked = await ask(client, [
    ['reconcile_flux_kustomization', { name: 'podinfo', namespace: APP_NS, with_source: true }],
  ]);
  if (!asked.texts[0]!.startsWith('Reconciled Kustomization apps/podinfo'))
    throw new Error(`reconcile_flux_kustomization: ${asked.texts[0]!.slice(0, 300)}`);
  return asked;
}

/**
 * Q3 with theirs: reconcile_flux_resource with_source (it requests and returns), then, as its instructions
 * say, the outcome verified with get_kubernetes_resources once the controller has handled the request.
 */
async function theirsReconcile(client: Client, controller: FakeFluxController): Promise<Asked> {
  const before = controller.handledFor('Kustomization', APP_NS, 'podinfo').length;
  const request = await call(client, 'reconcile_flux_resource', {
    kind: 'Kustomization',
    name: 'podinfo',
    namespace: APP_NS,
    with_source: true,
  });
  if (request.result.isError)
    throw new Error(`reconcile_flux_resource failed: ${request.text.slice(0, 300)}`);
  const deadline = Date.now() + 30_000;
  while (controller.handledFor('Kustomization', APP_NS, 'podinfo').length === before) {
    if (Date.now() > deadline) throw new Error("the controller did not handle the peer's request");
    await new Promise((r) => setTimeout(r, 20));
  }
  const verify = await call(client, 'get_kubernetes_resources', {
    apiVersion: V.kustomization,
    kind: 'Kustomization',
    name: 'podinfo',
    namespace: APP_NS,
    fields: [
      'status.lastHandledReconcileAt',
      'status.lastAppliedRevision',
      'status.conditions[?(@.type=="Ready")].status',
      'status.conditions[?(@.type=="Ready")].message',
    ],
  });
  return tally([
    { label: 'reconcile_flux_resource', answer: request },
    { label: 'get_kubernetes_resources', answer: verify },
  ]);
}

// ---- the table

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (values: number[]) => `${fmt(median(values))} ms (p95 ${fmt(percentile(values, 95))})`;
const mib = (kb: number[]) => `${round(median(kb) / 1024)} MiB`;

export async function anchors(env: BenchEnv): Promise<BenchResult> {
  const runs = env.quick ? 5 : 20;
  const kubeconfig = env.cluster.kubeconfig;
  const ours: ServerCommand = {
    command: process.execPath,
    args: [SERVER_ENTRY, '--kubeconfig', kubeconfig, '--log-level', 'silent'],
  };
  const theirs = peerServer(kubeconfig);
  const floor: ServerCommand = { command: process.execPath, args: [join(ROOT, 'bench', 'floor-server.mjs')] };
  const api = adminApiFor(env.cluster);
  try {
    // A few Flux objects for the first calls to list; the 1,000 come after, so that the first call measures
    // the start of a session rather than the size of the answer.
    await ensureNamespaces(api, ['bench-anchors-first']);
    for (let i = 0; i < 10; i++) {
      const obj = kustomization(`app-${i}`, 'bench-anchors-first');
      await api.create(obj).catch(() => api.apply(obj));
      await api.patchStatus(obj, readyStatus(1, { revision: 'main@sha1:3f2a9c1e' }));
    }

    // Cold start, interleaved.
    const start = { ours: [] as number[], theirs: [] as number[], floor: [] as number[] };
    const rss = { ours: [] as number[], theirs: [] as number[], floor: [] as number[] };
    for (const s of [ours, theirs, floor]) await initializeOnce(s); // file system cache
    for (let i = 0; i < runs; i++) {
      for (const [key, s] of [
        ['ours', ours],
        ['theirs', theirs],
        ['floor', floor],
      ] as const) {
        const r = await initializeOnce(s);
        start[key].push(r.ms);
        rss[key].push(r.rssKb);
      }
    }

    // The first cluster call of a new session, interleaved. Ours: get_flux_status, the call its instructions
    // start with, and the same listing as theirs; theirs: get_kubernetes_resources of the Kustomizations, with
    // the fields its instructions recommend.
    const fieldsReady = ['spec.suspend', 'status.conditions[?(@.type=="Ready")].status'];
    const first = {
      oursStatus: [] as number[],
      oursList: [] as number[],
      theirsList: [] as number[],
    };
    const firstCalls = [
      ['oursStatus', ours, 'get_flux_status', {}],
      ['oursList', ours, 'get_kubernetes_resources', { kind: 'Kustomization' }],
      [
        'theirsList',
        theirs,
        'get_kubernetes_resources',
        { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', fields: fieldsReady },
      ],
    ] as const;
    for (const [, s, tool, args] of firstCalls) await firstCallMs(s, tool, args); // warm the API server
    for (let i = 0; i < runs; i++) {
      for (const [key, s, tool, args] of firstCalls) first[key].push(await firstCallMs(s, tool, args));
    }

    // The tool lists, as each server sends them.
    const lists = {
      ours: await rawRequest(ours, 'tools/list'),
      theirs: await rawRequest(theirs, 'tools/list'),
      floor: await rawRequest(floor, 'tools/list'),
    };
    const toolsOf = (l: (typeof lists)['ours']) => l.result.tools as Tool[];

    // Q1: what is failing among 1,000 Flux objects.
    await seedFailing(api);
    const oursClient = await connect(ours);
    const theirsClient = await connect(theirs);
    // The same server answering with the full machine form (--structured-content full), the structured
    // content every answer had before the compact form: what it would put in a structured-first client.
    const oursFullClient = await connect({ ...ours, args: [...ours.args, '--structured-content', 'full'] });
    const full: Record<'q1' | 'q2' | 'q3', Asked | undefined> = {
      q1: undefined,
      q2: undefined,
      q3: undefined,
    };
    const failing = { ours: [] as FailingAnswer[], theirs: [] as FailingAnswer[] };
    let theirsWhole: FailingAnswer | undefined;
    let why: { ours: Asked; theirs: Asked } | undefined;
    let reconciled: { ours: Asked; theirs: Asked } | undefined;
    const controller = new FakeFluxController(api, [APP_NS]);
    try {
      await oursClient.listTools(); // as real clients do: the answers are then checked against the schemas
      await theirsClient.listTools();
      await oursWhatIsFailing(oursClient); // warm-up
      await theirsWhatIsFailing(theirsClient, true);
      for (let i = 0; i < (env.quick ? 2 : 5); i++) {
        failing.ours.push(await oursWhatIsFailing(oursClient));
        failing.theirs.push(await theirsWhatIsFailing(theirsClient, true));
      }
      theirsWhole = await theirsWhatIsFailing(theirsClient, false);
      await oursFullClient.listTools();
      full.q1 = await ask(oursFullClient, [['get_flux_status', {}]]);

      // Q2: why is apps/podinfo failing; Q3: reconcile it with its source (the stand-in controller answers).
      await seedPodinfo(api);
      why = { ours: await oursWhy(oursClient), theirs: await theirsWhy(theirsClient) };
      full.q2 = await oursWhy(oursFullClient);
      if (!why.ours.texts.join('\n').includes('ImagePullBackOff'))
        throw new Error(`our answer to Q2 does not say why:\n${why.ours.texts.join('\n')}`);
      if (!why.theirs.texts.join('\n').includes('ImagePullBackOff'))
        throw new Error(`their answer to Q2 does not say why:\n${why.theirs.texts.join('\n')}`);
      controller.start();
      reconciled = {
        ours: await oursReconcile(oursClient),
        theirs: await theirsReconcile(theirsClient, controller),
      };
      full.q3 = await oursReconcile(oursFullClient);
      why.ours.texts.forEach((t, i) => dump(`q2-ours-${i}.txt`, t));
      why.theirs.texts.forEach((t, i) => dump(`q2-theirs-${i}.txt`, t));
      reconciled.ours.texts.forEach((t, i) => dump(`q3-ours-${i}.txt`, t));
      reconciled.theirs.texts.forEach((t, i) => dump(`q3-theirs-${i}.txt`, t));
    } finally {
      controller.stop();
      await oursClient.close();
      await theirsClient.close();
      await oursFullClient.close();
    }
    const whole = theirsWhole!;
    const o = failing.ours.at(-1)!;
    const t = failing.theirs.at(-1)!;
    const questions = [
      {
        q: 'Q1 what is failing (1,000 objects, 10 failing, 3 suspended)',
        ours: o,
        theirs: t,
        full: full.q1!,
      },
      { q: 'Q2 why is apps/podinfo failing', ...why!, full: full.q2! },
      { q: 'Q3 reconcile apps/podinfo with its source', ...reconciled!, full: full.q3! },
    ];

    const rows: Row[] = [
      { metric: 'ours: spawn to initialize median', value: round(median(start.ours)), unit: 'ms' },
      { metric: 'theirs: spawn to initialize median', value: round(median(start.theirs)), unit: 'ms' },
      { metric: 'floor: spawn to initialize median', value: round(median(start.floor)), unit: 'ms' },
      {
        metric: 'ours: spawn to initialize vs floor',
        value: round(median(start.ours) / median(start.floor), 2),
        unit: 'x',
        note: 'ratio of medians',
      },
      { metric: 'ours: RSS after initialize', value: round(median(rss.ours) / 1024), unit: 'MiB' },
      { metric: 'theirs: RSS after initialize', value: round(median(rss.theirs) / 1024), unit: 'MiB' },
      { metric: 'floor: RSS after initialize', value: round(median(rss.floor) / 1024), unit: 'MiB' },
      {
        metric: 'ours: first call get_flux_status median',
        value: round(median(first.oursStatus)),
        unit: 'ms',
      },
      {
        metric: 'ours: first call get_flux_status p95',
        value: round(percentile(first.oursStatus, 95)),
        unit: 'ms',
      },
      {
        metric: 'ours: first call get_kubernetes_resources median',
        value: round(median(first.oursList)),
        unit: 'ms',
      },
      {
        metric: 'theirs: first call get_kubernetes_resources median',
        value: round(median(first.theirsList)),
        unit: 'ms',
      },
      {
        metric: 'theirs: first call get_kubernetes_resources p95',
        value: round(percentile(first.theirsList, 95)),
        unit: 'ms',
      },
      {
        metric: 'ours: tools/list',
        value: lists.ours.bytes,
        unit: 'bytes',
        note: `${toolsOf(lists.ours).length} tools`,
      },
      {
        metric: 'theirs: tools/list',
        value: lists.theirs.bytes,
        unit: 'bytes',
        note: `${toolsOf(lists.theirs).length} tools`,
      },
      { metric: 'floor: tools/list', value: lists.floor.bytes, unit: 'bytes' },
      {
        metric: 'ours: names, titles, descriptions, input schemas',
        value: contextCost(toolsOf(lists.ours)),
        unit: 'bytes',
      },
      {
        metric: 'theirs: names, titles, descriptions, input schemas',
        value: contextCost(toolsOf(lists.theirs)),
        unit: 'bytes',
      },
      { metric: 'ours: instructions', value: bytes(lists.ours.instructions), unit: 'bytes' },
      { metric: 'theirs: instructions', value: bytes(lists.theirs.instructions), unit: 'bytes' },
      ...questions.flatMap(({ q, ours: a, theirs: b, full: f }) => {
        const id = q.slice(0, 2);
        return [
          { metric: `${id} ours: calls`, value: a.calls.length, unit: 'calls', note: a.calls.join(', ') },
          { metric: `${id} ours: content-first client`, value: a.content, unit: 'bytes', note: 'the text' },
          {
            metric: `${id} ours with --structured-content full: structured-first client`,
            value: f.structured,
            unit: 'bytes',
            note: 'the form before the compact one',
          },
          {
            metric: `${id} ours: structured-first client`,
            value: a.structured,
            unit: 'bytes',
            note: 'JSON of structuredContent',
          },
          { metric: `${id} theirs: calls`, value: b.calls.length, unit: 'calls', note: b.calls.join(', ') },
          { metric: `${id} theirs: content-first client`, value: b.content, unit: 'bytes' },
          {
            metric: `${id} theirs: structured-first client`,
            value: b.structured,
            unit: 'bytes',
            note: 'no structuredContent: the text',
          },
        ];
      }),
      {
        metric: 'Q1 ours: time median',
        value: round(median(failing.ours.map((a) => a.ms))),
        unit: 'ms',
      },
      {
        metric: 'Q1 theirs: time median',
        value: round(median(failing.theirs.map((a) => a.ms))),
        unit: 'ms',
        note: 'the calls one after another',
      },
      { metric: 'Q1 theirs without fields: text', value: whole.content, unit: 'bytes' },
      { metric: 'Q1 theirs without fields: time', value: round(whole.ms), unit: 'ms' },
    ];
    const found = (a: FailingAnswer) => `${a.failing} failing and ${a.suspended} suspended found`;
    const kb = (n: number) => (n >= 10_000 ? `${fmt(n / 1024)} KB` : `${fmt(n)} B`);
    const asked = (a: Asked) =>
      `${a.calls.length} call${a.calls.length > 1 ? 's' : ''}: ${kb(a.content)} / ${kb(a.structured)}`;
    const table = [
      `| | flux-ops-mcp | ${PEER} | bare SDK server |`,
      '|---|---|---|---|',
      `| spawn to initialize response, median (p95) | ${ms(start.ours)} | ${ms(start.theirs)} | ${ms(start.floor)} |`,
      `| RSS after initialize, median | ${mib(rss.ours)} | ${mib(rss.theirs)} | ${mib(rss.floor)} |`,
      `| first cluster call of a new session (initialize response to answer), median (p95) | get_flux_status ${ms(first.oursStatus)}; get_kubernetes_resources ${ms(first.oursList)} | get_kubernetes_resources ${ms(first.theirsList)} | |`,
      `| tools/list answer | ${fmt(lists.ours.bytes)} B, ${toolsOf(lists.ours).length} tools | ${fmt(lists.theirs.bytes)} B, ${toolsOf(lists.theirs).length} tools | ${fmt(lists.floor.bytes)} B, ${toolsOf(lists.floor).length} tool |`,
      `| names + titles + descriptions + input schemas | ${fmt(contextCost(toolsOf(lists.ours)))} B | ${fmt(contextCost(toolsOf(lists.theirs)))} B | |`,
      `| instructions sent with initialize | ${fmt(bytes(lists.ours.instructions))} B | ${fmt(bytes(lists.theirs.instructions))} B | |`,
      ...questions.map(
        ({ q, ours: a, theirs: b, full: f }) =>
          `| ${q}: calls, bytes in the model's context (text-first client / structured-first client) | ${asked(a)} (full form: ${kb(f.structured)}) | ${asked(b)} | |`,
      ),
      `| Q1: time (median), what was found | ${fmt(median(failing.ours.map((a) => a.ms)))} ms; ${found(o)} | ${fmt(median(failing.theirs.map((a) => a.ms)))} ms; ${found(t)} | |`,
      `| Q1 without \`fields\` (whole objects) | | ${whole.calls.length} calls, ${kb(whole.content)}, ${fmt(whole.ms)} ms | |`,
    ].join('\n');
    return { name: `anchors: flux-ops-mcp, ${PEER} and a bare SDK server, interleaved`, rows, table };
  } finally {
    await api.close();
  }
}
