// The peer comparison: this server, the Flux Operator MCP server (the Go binary bench/anchors/build.sh builds
// from its module) and the bare SDK server (bench/floor-server.mjs), interleaved in one run against the same
// test cluster: cold start, the first cluster call of a session, the tool list, and the calls and bytes it
// takes to learn what is failing among 1,000 Flux objects.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { parseAllDocuments } from 'yaml';
import type { TestApi } from '../test/support/api.js';
import { ROOT, SERVER_ENTRY } from '../test/support/env.js';
import { kustomization, readyStatus } from '../test/support/flux.js';
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

interface FailingAnswer {
  calls: string[];
  textBytes: number;
  answerBytes: number;
  ms: number;
  failing: number;
  suspended: number;
}

/** Ours: one get_flux_status over all namespaces. */
async function oursWhatIsFailing(client: Client): Promise<FailingAnswer> {
  const a = await call(client, 'get_flux_status', {});
  dump('ours-get_flux_status.txt', a.text);
  const totals = (a.result.structuredContent as { totals: { failing: number; suspended: number } }).totals;
  const missing = [...FAILING, ...SUSPENDED]
    .map(nameOf)
    .filter((n) => !new RegExp(`\\b${n}\\b`).test(a.text));
  if (missing.length > 0) throw new Error(`get_flux_status does not name ${missing.join(', ')}`);
  return {
    calls: ['get_flux_status'],
    textBytes: bytes(a.text),
    answerBytes: bytes(a.result),
    ms: a.ms,
    failing: totals.failing,
    suspended: totals.suspended,
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
  const answers = [apis];
  const calls = ['get_kubernetes_api_versions'];
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
    answers.push(a);
    calls.push(`get_kubernetes_resources ${k.kind}`);
    dump(`theirs-${withFields ? 'fields' : 'whole'}-${k.kind}.txt`, a.text);
    if (a.result.isError) continue; // "No resources found" for a kind without objects
    for (const doc of parseAllDocuments(a.text)) {
      const state = stateOf(doc.toJSON() as Record<string, unknown> | null);
      if (state.failing) failing++;
      if (state.suspended) suspended++;
    }
  }
  return {
    calls,
    textBytes: answers.reduce((n, a) => n + bytes(a.text), 0),
    answerBytes: answers.reduce((n, a) => n + bytes(a.result), 0),
    ms: answers.reduce((n, a) => n + a.ms, 0),
    failing,
    suspended,
  };
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

    // What is failing among 1,000 Flux objects.
    await seedFailing(api);
    const oursClient = await connect(ours);
    const theirsClient = await connect(theirs);
    const failing = { ours: [] as FailingAnswer[], theirs: [] as FailingAnswer[] };
    let theirsWhole: FailingAnswer | undefined;
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
    } finally {
      await oursClient.close();
      await theirsClient.close();
    }
    const whole = theirsWhole!;
    const o = failing.ours.at(-1)!;
    const t = failing.theirs.at(-1)!;

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
      { metric: 'ours: what is failing, calls', value: o.calls.length, unit: 'calls' },
      { metric: 'ours: what is failing, text', value: o.textBytes, unit: 'bytes' },
      { metric: 'ours: what is failing, whole answers', value: o.answerBytes, unit: 'bytes' },
      {
        metric: 'ours: what is failing, time median',
        value: round(median(failing.ours.map((a) => a.ms))),
        unit: 'ms',
      },
      {
        metric: 'theirs: what is failing, calls',
        value: t.calls.length,
        unit: 'calls',
        note: t.calls.join(', '),
      },
      { metric: 'theirs: what is failing, text', value: t.textBytes, unit: 'bytes' },
      { metric: 'theirs: what is failing, whole answers', value: t.answerBytes, unit: 'bytes' },
      {
        metric: 'theirs: what is failing, time median',
        value: round(median(failing.theirs.map((a) => a.ms))),
        unit: 'ms',
        note: 'the calls one after another',
      },
      { metric: 'theirs without fields: text', value: whole.textBytes, unit: 'bytes' },
      { metric: 'theirs without fields: time', value: round(whole.ms), unit: 'ms' },
    ];
    const found = (a: FailingAnswer) => `${a.failing} failing and ${a.suspended} suspended found`;
    const table = [
      `| | flux-ops-mcp | ${PEER} | bare SDK server |`,
      '|---|---|---|---|',
      `| spawn to initialize response, median (p95) | ${ms(start.ours)} | ${ms(start.theirs)} | ${ms(start.floor)} |`,
      `| RSS after initialize, median | ${mib(rss.ours)} | ${mib(rss.theirs)} | ${mib(rss.floor)} |`,
      `| first cluster call of a new session (initialize response to answer), median (p95) | get_flux_status ${ms(first.oursStatus)}; get_kubernetes_resources ${ms(first.oursList)} | get_kubernetes_resources ${ms(first.theirsList)} | |`,
      `| tools/list answer | ${fmt(lists.ours.bytes)} B, ${toolsOf(lists.ours).length} tools | ${fmt(lists.theirs.bytes)} B, ${toolsOf(lists.theirs).length} tools | ${fmt(lists.floor.bytes)} B, ${toolsOf(lists.floor).length} tool |`,
      `| names + titles + descriptions + input schemas | ${fmt(contextCost(toolsOf(lists.ours)))} B | ${fmt(contextCost(toolsOf(lists.theirs)))} B | |`,
      `| instructions sent with initialize | ${fmt(bytes(lists.ours.instructions))} B | ${fmt(bytes(lists.theirs.instructions))} B | |`,
      `| what is failing among ${fmt(COUNT)} Flux objects (${FAILING.size} failing, ${SUSPENDED.size} suspended): calls, text, whole answers, time (median) | ${o.calls.length} call, ${fmt(o.textBytes)} B text, ${fmt(o.answerBytes)} B in all, ${fmt(median(failing.ours.map((a) => a.ms)))} ms; ${found(o)} | ${t.calls.length} calls, ${fmt(t.textBytes)} B text, ${fmt(t.answerBytes)} B in all, ${fmt(median(failing.theirs.map((a) => a.ms)))} ms; ${found(t)} | |`,
      `| the same without \`fields\` (whole objects) | | ${theirsWhole.calls.length} calls, ${fmt(whole.textBytes)} B text, ${fmt(theirsWhole.ms)} ms | |`,
    ].join('\n');
    return { name: `anchors: flux-ops-mcp, ${PEER} and a bare SDK server, interleaved`, rows, table };
  } finally {
    await api.close();
  }
}
