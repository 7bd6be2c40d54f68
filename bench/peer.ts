// The peer the benchmarks compare with: the Flux Operator MCP server, a Go binary bench/anchors/build.sh builds
// from its module once (minutes) and then takes from the cache.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../test/support/env.js';
import type { ServerCommand } from './stdio.js';

export const PEER = 'Flux Operator MCP v0.59.0';

function peerBinary(): string {
  const out = execFileSync('bash', [join(ROOT, 'bench', 'anchors', 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = /^FLUX_OPERATOR_MCP=(.+)$/m.exec(out)?.[1];
  if (!path) throw new Error(`bench/anchors/build.sh did not name the binary:\n${out}`);
  return path;
}

/** The peer over stdio; it reads the kubeconfig from KUBECONFIG only (it refuses to start without it). */
export function peerServer(kubeconfig: string): ServerCommand {
  return {
    command: peerBinary(),
    args: ['serve', '--transport', 'stdio'],
    env: { KUBECONFIG: kubeconfig },
  };
}
