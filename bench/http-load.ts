// HTTP under load on loopback: SESSIONS concurrent MCP sessions, CALLS read-tool calls each, ROUNDS times
// on the same server. Calls per second, latency percentiles, and the server's memory before, after each
// round and at the peak: memory that keeps growing from round to round would be a leak.
import { readFileSync } from 'node:fs';
import { callTool } from '../test/support/env.js';
import { gitRepository, kustomization } from '../test/support/flux.js';
import { connect, startHttpServer } from '../test/support/http.js';
import { adminApiFor, ensureNamespaces, inBatches } from './seed.js';
import { percentile, round } from './stats.js';
import type { BenchEnv, BenchResult } from './types.js';

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return round(Number(m![1]) / 1024);
}

export async function httpLoad(env: BenchEnv): Promise<BenchResult> {
  const sessions = Number(process.env.BENCH_SESSIONS ?? (env.quick ? 10 : 50));
  const calls = Number(process.env.BENCH_CALLS ?? (env.quick ? 20 : 100));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const api = adminApiFor(env.cluster);
  const ns = 'bench-http';
  await ensureNamespaces(api, [ns]);
  await api.apply(gitRepository('repo', ns));
  await inBatches(
    Array.from({ length: 10 }, (_, i) => kustomization(`app-${i}`, ns)),
    10,
    (o) => api.apply(o),
  );
  // One anonymous caller makes every call: the limits per caller would throttle the load being measured.
  const server = await startHttpServer(
    ['--rate-limit', 'off', '--max-sessions-per-caller', '1000', '--structured-content', 'compact'],
    {
      kubeconfig: env.cluster.kubeconfig,
    },
  );
  const pid = server.process.pid!;
  const latencies: number[] = [];
  const errors: string[] = [];
  const afterRound: number[] = [];
  let before: number;
  let peak = 0;
  let seconds: number;
  try {
    // One session first, so the Kubernetes client and discovery are loaded before "before" is measured.
    const warm = await connect(server.url);
    await callTool(warm.client, 'get_kubernetes_resources', { kind: 'Kustomization', namespace: ns });
    await warm.client.close();
    before = rssMiB(pid);
    peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      await Promise.all(
        Array.from({ length: sessions }, async (_, s) => {
          const { client, transport } = await connect(server.url);
          for (let i = 0; i < calls; i++) {
            const t0 = performance.now();
            try {
              const call =
                i % 2 === 0
                  ? await callTool(client, 'get_kubernetes_resources', {
                      kind: 'Kustomization',
                      namespace: ns,
                    })
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
    seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, ...afterRound);
  } finally {
    await server.stop();
    await api.close();
  }
  if (errors.length > 0) throw new Error(`http load: ${errors.length} errors, first: ${errors[0]}`);
  return {
    name: `HTTP: ${sessions} concurrent sessions x ${calls} calls x ${rounds} rounds (read tools)`,
    rows: [
      { metric: 'calls', value: latencies.length, unit: '' },
      { metric: 'errors', value: errors.length, unit: '' },
      { metric: 'calls per second', value: Math.round(latencies.length / seconds), unit: '/s' },
      { metric: 'p50', value: round(percentile(latencies, 50)), unit: 'ms' },
      { metric: 'p99', value: round(percentile(latencies, 99)), unit: 'ms' },
      { metric: 'server RSS before', value: before, unit: 'MiB' },
      ...afterRound.map((v, i) => ({ metric: `server RSS after round ${i + 1}`, value: v, unit: 'MiB' })),
      { metric: 'server RSS peak', value: peak, unit: 'MiB' },
    ],
  };
}
