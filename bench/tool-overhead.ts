// Tool overhead: get_kubernetes_resources listing 100 Kustomizations through the server over stdio, against
// the same list as a direct HTTPS request with the same HTTP client, interleaved. The same answer replayed by a
// bare SDK server (bench/replay-server.mjs) is what the MCP client, the SDK and the pipe cost for an answer of
// that size; what is left is the server's own work per call:
//   own work = via tool - direct list - replay of the same answer,
// stated as a share of the direct list. The Flux Operator MCP server's list is measured the same way, its own
// answer replayed alike.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PEER, peerServer } from './peer.js';
import { adminApiFor, seedKustomizations } from './seed.js';
import { median, percentile, round } from './stats.js';
import { connect } from './stdio.js';
import { startServer, callTool, ROOT } from '../test/support/env.js';
import type { BenchEnv, BenchResult } from './types.js';

const TOOL = 'get_kubernetes_resources';

const fmtKb = (n: number) => `${round(n / 1024, 1)} KB`;

async function startReplay(tools: unknown[], answer: unknown): Promise<Client> {
  const file = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-replay-')), 'answer.json');
  writeFileSync(file, JSON.stringify({ tools, answer }));
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, 'bench', 'replay-server.mjs'), file],
      stderr: 'inherit',
    }),
  );
  await client.listTools(); // as with our server: the client checks each answer against the output schema
  return client;
}

export async function toolOverhead(env: BenchEnv): Promise<BenchResult> {
  const api = adminApiFor(env.cluster);
  const ns = 'bench-overhead';
  await seedKustomizations(api, [ns], 100);
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile of the run there when it exits.
  const profileDir = process.env.BENCH_CPU_PROF;
  // The server as clients get it: compact structured content (the default; the test harness asks for full).
  const server = await startServer(['--structured-content', 'compact'], {
    kubeconfig: env.cluster.kubeconfig,
    ...(profileDir ? { env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {}),
  });
  const runs = env.quick ? 20 : Number(process.env.BENCH_RUNS ?? 200);
  const args = { kind: 'Kustomization', namespace: ns, limit: 100 };
  const peerArgs = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', ...args };
  const viaTool: number[] = [];
  const direct: number[] = [];
  const replayed: number[] = [];
  const viaPeer: number[] = [];
  const replayedPeer: number[] = [];
  let replay: Client | undefined;
  let peerReplay: Client | undefined;
  let peer: Client | undefined;
  const answerBytes = { ours: 0, peer: 0 };
  try {
    peer = await connect(peerServer(env.cluster.kubeconfig));
    await peer.listTools();
    for (let i = 0; i < 10; i++) {
      await callTool(server.client, TOOL, args);
      await api.list('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ns);
      await callTool(peer, TOOL, peerArgs);
    }
    const { tools } = await server.client.listTools();
    replay = await startReplay(
      tools.filter((t) => t.name === TOOL),
      (await callTool(server.client, TOOL, args)).result,
    );
    peerReplay = await startReplay(
      (await peer.listTools()).tools.filter((t) => t.name === TOOL),
      (await callTool(peer, TOOL, peerArgs)).result,
    );
    for (let i = 0; i < 10; i++) {
      await callTool(replay, TOOL, args);
      await callTool(peerReplay, TOOL, peerArgs);
    }
    // The five series take turns going first, round by round: the peer's calls take 30 times as long and keep
    // the machine busy a moment after they answer, which would otherwise weigh on whichever series comes next.
    const series: (() => Promise<void>)[] = [
      async () => {
        const t = performance.now();
        const r = await callTool(server.client, TOOL, args);
        viaTool.push(performance.now() - t);
        if (r.structured.count !== 100)
          throw new Error(`expected 100 objects, got ${String(r.structured.count)}`);
        answerBytes.ours = Buffer.byteLength(JSON.stringify(r.result));
      },
      async () => {
        const t = performance.now();
        await api.list('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ns);
        direct.push(performance.now() - t);
      },
      async () => {
        const t = performance.now();
        await callTool(replay!, TOOL, args);
        replayed.push(performance.now() - t);
      },
      async () => {
        const t = performance.now();
        const p = await callTool(peer!, TOOL, peerArgs);
        viaPeer.push(performance.now() - t);
        if (p.result.isError) throw new Error(`the peer's list failed: ${p.text.slice(0, 300)}`);
        answerBytes.peer = Buffer.byteLength(JSON.stringify(p.result));
      },
      async () => {
        const t = performance.now();
        await callTool(peerReplay!, TOOL, peerArgs);
        replayedPeer.push(performance.now() - t);
      },
    ];
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < series.length; j++) await series[(i + j) % series.length]!();
    }
  } finally {
    await peer?.close();
    await replay?.close();
    await peerReplay?.close();
    await server.close();
    await api.close();
  }
  const own = median(viaTool) - median(direct) - median(replayed);
  const peerOwn = median(viaPeer) - median(direct) - median(replayedPeer);
  const share = (n: number) => round(n / median(direct), 2);
  const f = (n: number) => `${round(n, 2)} ms`;
  const table = [
    `| list of 100 Kustomizations, median | flux-ops-mcp | ${PEER} |`,
    '|---|---|---|',
    `| through the MCP server | ${f(median(viaTool))} | ${f(median(viaPeer))} |`,
    `| the same list, direct HTTPS request | ${f(median(direct))} | ${f(median(direct))} |`,
    `| the same answer replayed by a bare SDK server (client, SDK, pipe) | ${f(median(replayed))} (${fmtKb(answerBytes.ours)}) | ${f(median(replayedPeer))} (${fmtKb(answerBytes.peer)}) |`,
    `| **the server's own work** (through - direct - replay) | **${f(own)} = ${share(own)}x the direct list** | **${f(peerOwn)} = ${share(peerOwn)}x** |`,
  ].join('\n');
  return {
    name: 'tool overhead (list 100 Kustomizations)',
    table,
    rows: [
      { metric: 'via get_kubernetes_resources (stdio) median', value: round(median(viaTool), 2), unit: 'ms' },
      { metric: 'via get_kubernetes_resources p95', value: round(percentile(viaTool, 95), 2), unit: 'ms' },
      { metric: 'direct HTTPS list median', value: round(median(direct), 2), unit: 'ms' },
      { metric: 'direct HTTPS list p95', value: round(percentile(direct, 95), 2), unit: 'ms' },
      {
        metric: 'ratio of medians',
        value: round(median(viaTool) / median(direct), 2),
        unit: 'x',
        note: 'vs direct list',
      },
      {
        metric: 'ratio of p95',
        value: round(percentile(viaTool, 95) / percentile(direct, 95), 2),
        unit: 'x',
        note: 'vs direct list',
      },
      {
        metric: 'same answer replayed by a bare SDK server median',
        value: round(median(replayed), 2),
        unit: 'ms',
        note: 'MCP client, SDK and pipe',
      },
      {
        metric: 'floor: direct list + replay, ratio of medians',
        value: round((median(direct) + median(replayed)) / median(direct), 2),
        unit: 'x',
        note: 'what a server doing no work would measure',
      },
      {
        metric: "the server's own work, median",
        value: round(own, 2),
        unit: 'ms',
        note: 'via tool - direct - replayed',
      },
      {
        metric: "the server's own work vs direct list",
        value: share(own),
        unit: 'x',
        note: 'ratio of medians',
      },
      { metric: 'our answer (JSON-RPC result)', value: answerBytes.ours, unit: 'B' },
      { metric: `via ${PEER} median`, value: round(median(viaPeer), 2), unit: 'ms' },
      {
        metric: `${PEER} ratio of medians`,
        value: round(median(viaPeer) / median(direct), 2),
        unit: 'x',
        note: 'vs direct list',
      },
      { metric: `${PEER} answer (JSON-RPC result)`, value: answerBytes.peer, unit: 'B' },
      { metric: `${PEER} answer replayed median`, value: round(median(replayedPeer), 2), unit: 'ms' },
      { metric: `${PEER} own work, median`, value: round(peerOwn, 2), unit: 'ms' },
      {
        metric: `${PEER} own work vs direct list`,
        value: share(peerOwn),
        unit: 'x',
        note: 'ratio of medians',
      },
    ],
  };
}
