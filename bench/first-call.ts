// First call of a new session: from the initialize response to the answer of the first cluster call
// (get_flux_status), over stdio, for fresh server processes against a warm test cluster.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SERVER_ENTRY } from '../test/support/env.js';
import { median, percentile, round } from './stats.js';
import type { BenchEnv, BenchResult } from './types.js';

async function once(kubeconfig: string): Promise<number> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY, '--kubeconfig', kubeconfig, '--log-level', 'silent'],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(transport);
  const initialized = performance.now();
  await client.callTool({ name: 'get_flux_status', arguments: {} });
  const ms = performance.now() - initialized;
  await client.close();
  return ms;
}

export async function firstCall(env: BenchEnv): Promise<BenchResult> {
  const runs = env.quick ? 5 : 20;
  await once(env.cluster.kubeconfig); // warm the file system cache and the API server
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await once(env.cluster.kubeconfig));
  return {
    name: 'first call of a new session (initialize response to get_flux_status answer)',
    rows: [
      { metric: 'median', value: round(median(ms)), unit: 'ms' },
      { metric: 'p95', value: round(percentile(ms, 95)), unit: 'ms' },
    ],
  };
}
