// Tool overhead: get_kubernetes_resources listing 100 Kustomizations through the server over stdio, against
// the same list as a direct HTTPS request with the same HTTP client, interleaved.
import { adminApiFor, seedKustomizations } from './seed.js';
import { median, percentile, round } from './stats.js';
import { startServer, callTool } from '../test/support/env.js';
import type { BenchEnv, BenchResult } from './types.js';

export async function toolOverhead(env: BenchEnv): Promise<BenchResult> {
  const api = adminApiFor(env.cluster);
  const ns = 'bench-overhead';
  await seedKustomizations(api, [ns], 100);
  const server = await startServer([], { kubeconfig: env.cluster.kubeconfig });
  const runs = env.quick ? 20 : 200;
  const viaTool: number[] = [];
  const direct: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      await callTool(server.client, 'get_kubernetes_resources', {
        kind: 'Kustomization',
        namespace: ns,
        limit: 100,
      });
      await api.list('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ns);
    }
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const r = await callTool(server.client, 'get_kubernetes_resources', {
        kind: 'Kustomization',
        namespace: ns,
        limit: 100,
      });
      viaTool.push(performance.now() - t);
      if (r.structured.count !== 100)
        throw new Error(`expected 100 objects, got ${String(r.structured.count)}`);
      t = performance.now();
      await api.list('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', ns);
      direct.push(performance.now() - t);
    }
  } finally {
    await server.close();
    await api.close();
  }
  return {
    name: 'tool overhead (list 100 Kustomizations)',
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
    ],
  };
}
