// Cold start: spawn to initialize response, and RSS after initialize, of the built server against a bare
// SDK server, interleaved in one run.
import { join } from 'node:path';
import { ROOT, SERVER_ENTRY } from '../test/support/env.js';
import { median, percentile, round } from './stats.js';
import { initializeOnce as once, type ServerCommand } from './stdio.js';
import type { BenchEnv, BenchResult } from './types.js';

export async function coldStart(env: BenchEnv): Promise<BenchResult> {
  const runs = env.quick ? 5 : 20;
  const ours = { ms: [] as number[], rss: [] as number[] };
  const floor = { ms: [] as number[], rss: [] as number[] };
  const oursArgs: ServerCommand = {
    command: process.execPath,
    args: [SERVER_ENTRY, '--kubeconfig', env.cluster.kubeconfig, '--log-level', 'silent'],
  };
  const floorArgs: ServerCommand = {
    command: process.execPath,
    args: [join(ROOT, 'bench', 'floor-server.mjs')],
  };
  await once(oursArgs); // warm the file system cache for both
  await once(floorArgs);
  for (let i = 0; i < runs; i++) {
    const a = await once(oursArgs);
    const b = await once(floorArgs);
    ours.ms.push(a.ms);
    ours.rss.push(a.rssKb);
    floor.ms.push(b.ms);
    floor.rss.push(b.rssKb);
  }
  return {
    name: 'cold start (spawn to initialize response)',
    rows: [
      { metric: 'flux-ops-mcp median', value: round(median(ours.ms)), unit: 'ms' },
      { metric: 'flux-ops-mcp p95', value: round(percentile(ours.ms, 95)), unit: 'ms' },
      { metric: 'bare SDK server median', value: round(median(floor.ms)), unit: 'ms' },
      {
        metric: 'ratio of medians',
        value: round(median(ours.ms) / median(floor.ms), 2),
        unit: 'x',
        note: 'vs bare SDK server',
      },
      { metric: 'flux-ops-mcp RSS after initialize', value: round(median(ours.rss) / 1024), unit: 'MiB' },
      { metric: 'bare SDK server RSS', value: round(median(floor.rss) / 1024), unit: 'MiB' },
    ],
  };
}
