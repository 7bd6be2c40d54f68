// npm run bench: starts the test cluster, runs each benchmark, prints a table and writes JSON with the
// machine, Node version and commit to bench/results/. Not part of npm test; no pass/fail thresholds.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { startTestCluster } from '../test/cluster/cluster.js';
import { ROOT } from '../test/support/env.js';
import { anchors } from './anchors.js';
import { changes } from './changes.js';
import { coldStart } from './cold-start.js';
import { firstCall } from './first-call.js';
import { fleet } from './fleet.js';
import { fluxStatus } from './flux-status.js';
import { httpLoad } from './http-load.js';
import { impersonation } from './impersonation.js';
import { npxStart } from './npx-start.js';
import { reconcileDetection } from './reconcile-detection.js';
import { toolOverhead } from './tool-overhead.js';
import type { BenchEnv, BenchResult } from './types.js';

// first-call runs first, on the cluster as it starts (get_flux_status reads every Flux object in it), and
// anchors next: it counts every Flux object of the cluster, and the others seed their own.
const BENCHES: Record<string, (env: BenchEnv) => Promise<BenchResult>> = {
  'first-call': firstCall,
  anchors,
  'tool-overhead': toolOverhead,
  'reconcile-detection': reconcileDetection,
  'cold-start': coldStart,
  'npx-start': npxStart,
  'http-load': httpLoad,
  impersonation,
  'flux-status': fluxStatus,
  fleet,
  changes,
};

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = Object.entries(BENCHES).filter(([name]) => only.length === 0 || only.includes(name));
  const cluster = await startTestCluster();
  const { stop, ...info } = cluster;
  const env: BenchEnv = { cluster: info, quick: process.env.BENCH_QUICK === '1' };
  const results: BenchResult[] = [];
  try {
    for (const [name, bench] of selected) {
      process.stderr.write(`running ${name}...\n`);
      const result = await bench(env);
      results.push(result);
      process.stdout.write(`\n${result.name}\n`);
      for (const row of result.rows) {
        process.stdout.write(
          `  ${row.metric.padEnd(48)} ${String(row.value).padStart(10)} ${row.unit}${row.note ? `  (${row.note})` : ''}\n`,
        );
      }
      if (result.table) process.stdout.write(`\n${result.table}\n`);
    }
  } finally {
    await stop();
  }
  const report = {
    date: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    machine: {
      platform: platform(),
      release: release(),
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    quick: env.quick,
    results,
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
