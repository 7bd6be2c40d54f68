// A bounded load run on loopback: SESSIONS concurrent MCP sessions over HTTP, CALLS tool calls each, read
// tools against the test cluster. Reports calls per second, latency percentiles, and the server's memory
// before and after; fails only on errors. Figures go to stdout and bench/results/http-load.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestApi } from '../test/support/api.js';
import { adminApi, callTool, ROOT, testNamespace } from '../test/support/env.js';
import { gitRepository, kustomization } from '../test/support/flux.js';
import { connect, startHttpServer, type HttpServer } from '../test/support/http.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
/** The same load again on the same server: memory that keeps growing from round to round would be a leak. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

let api: TestApi;
let ns: string;
let server: HttpServer;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m![1]) / 102.4) / 10;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'bench');
  await api.apply(gitRepository('repo', ns));
  for (let i = 0; i < 10; i++) await api.apply(kustomization(`app-${i}`, ns));
  server = await startHttpServer([], {
    env: process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {},
  });
});
afterAll(async () => {
  await server?.stop();
  await api?.close();
});

it(`serves ${SESSIONS} concurrent sessions x ${CALLS} calls (x ${ROUNDS} rounds) without an error`, async () => {
  const pid = server.process.pid!;
  // One session first, so the Kubernetes client and discovery are loaded before "before" is measured.
  const warm = await connect(server.url);
  await callTool(warm.client, 'get_kubernetes_resources', { kind: 'Kustomization', namespace: ns });
  await warm.client.close();
  const before = rssMiB(pid);

  const latencies: number[] = [];
  const errors: string[] = [];
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const started = performance.now();
  const afterRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        const { client, transport } = await connect(server.url);
        for (let i = 0; i < CALLS; i++) {
          const t0 = performance.now();
          try {
            const call =
              i % 2 === 0
                ? await callTool(client, 'get_kubernetes_resources', { kind: 'Kustomization', namespace: ns })
                : await callTool(client, 'get_kubeconfig_contexts');
            if (call.result.isError) errors.push(`session ${s} call ${i}: ${call.text}`);
          } catch (err) {
            errors.push(`session ${s} call ${i}: ${String(err)}`);
          }
          latencies.push(performance.now() - t0);
        }
        await transport.terminateSession();
        await client.close();
      }),
    );
    afterRound.push(rssMiB(pid));
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssMiB(pid);

  latencies.sort((a, b) => a - b);
  const figures = {
    sessions: SESSIONS,
    callsPerSession: CALLS,
    rounds: ROUNDS,
    calls: latencies.length,
    errors: errors.length,
    seconds: Math.round(seconds * 100) / 100,
    callsPerSecond: Math.round(latencies.length / seconds),
    p50ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99ms: Math.round(percentile(latencies, 99) * 10) / 10,
    maxMs: Math.round(latencies.at(-1)! * 10) / 10,
    rssMiB: { before, afterEachRound: afterRound, peak, after },
    node: process.version,
  };
  process.stdout.write(`\nhttp-load: ${JSON.stringify(figures, null, 2)}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'http-load.json'), `${JSON.stringify(figures, null, 2)}\n`);
  expect(errors.slice(0, 5)).toEqual([]);
  expect(latencies.length).toBe(SESSIONS * CALLS * ROUNDS);
});
