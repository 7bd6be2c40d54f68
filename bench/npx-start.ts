// `npx -y flux-ops-mcp` as a client starts it (`npx -y --package=<tarball> flux-ops-mcp` here): from spawn to the initialize response, npx resolving the
// package from its cache (warm: every start after the first), against `node dist/cli.js` started directly,
// interleaved. The package is the `npm pack` tarball of this checkout, so no registry is involved; the npm
// cache is one of its own, emptied before the first (cold) start, which is reported too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, SERVER_ENTRY } from '../test/support/env.js';
import { median, percentile, round } from './stats.js';
import { initializeOnce as once, type ServerCommand } from './stdio.js';
import type { BenchEnv, BenchResult } from './types.js';

export async function npxStart(env: BenchEnv): Promise<BenchResult> {
  const runs = env.quick ? 5 : 20;
  const work = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-npx-'));
  try {
    const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH },
      }),
    ) as { filename: string }[];
    const home = join(work, 'home');
    mkdirSync(home);
    const npx: ServerCommand = {
      command: 'npx',
      args: [
        '-y',
        `--package=${join(work, packed[0]!.filename)}`,
        'flux-ops-mcp',
        '--kubeconfig',
        env.cluster.kubeconfig,
        '--log-level',
        'silent',
      ],
      env: {
        HOME: home,
        PATH,
        npm_config_cache: join(work, 'npm-cache'),
        npm_config_update_notifier: 'false',
      },
    };
    const direct: ServerCommand = {
      command: process.execPath,
      args: [SERVER_ENTRY, '--kubeconfig', env.cluster.kubeconfig, '--log-level', 'silent'],
    };
    const cold = await once(npx);
    await once(direct);
    const warm: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < runs; i++) {
      warm.push((await once(npx)).ms);
      node.push((await once(direct)).ms);
    }
    return {
      name: 'npx start (spawn to initialize response)',
      rows: [
        { metric: 'npx -y <tarball>, first start (empty npm cache)', value: round(cold.ms), unit: 'ms' },
        { metric: 'npx -y <tarball> warm median', value: round(median(warm)), unit: 'ms' },
        { metric: 'npx -y <tarball> warm p95', value: round(percentile(warm, 95)), unit: 'ms' },
        { metric: 'node dist/cli.js median', value: round(median(node)), unit: 'ms' },
        {
          metric: 'ratio of medians',
          value: round(median(warm) / median(node), 2),
          unit: 'x',
          note: 'npx warm vs node dist/cli.js',
        },
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
