// The fleet view at 10 and 100 kubeconfig contexts spread over two API servers started for it (each context
// its own user entry, as separate clusters would have): get_flux_status and get_flux_instance with
// contexts=all, against the sum of the single-cluster calls a client would otherwise make one after the
// other, and the size of the answers. Each API server holds 250 Flux objects in 10 namespaces, 5% failing.
// Measured twice: on loopback, where the API servers and this server share the machine's cores, and through
// a proxy that delays every packet by 10 ms each way, as clusters in other places would.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type ClusterInfo } from '../test/cluster/cluster.js';
import { callTool, startServer } from '../test/support/env.js';
import type { TestApi } from '../test/support/api.js';
import { failedStatus, gitRepository, kustomization, readyStatus } from '../test/support/flux.js';
import { adminApiFor, ensureNamespaces, inBatches } from './seed.js';
import { median, round } from './stats.js';
import type { BenchEnv, BenchResult, Row } from './types.js';

const NAMESPACES = Array.from({ length: 10 }, (_, i) => `bench-fleet-${i}`);
const PER_NAMESPACE = 25;

async function seed(api: TestApi): Promise<void> {
  await ensureNamespaces(api, NAMESPACES);
  const work = NAMESPACES.flatMap((ns) => Array.from({ length: PER_NAMESPACE }, (_, i) => ({ ns, i })));
  await inBatches(work, 25, async ({ ns, i }) => {
    const obj = i % 5 === 0 ? gitRepository(`repo-${i}`, ns) : kustomization(`ks-${i}`, ns);
    await api.create(obj).catch(() => api.apply(obj));
    const status =
      i % 20 === 7
        ? failedStatus(
            1,
            'HealthCheckFailed',
            `health check failed after 5m0s: Deployment/${ns}/app-${i} not ready`,
          )
        : readyStatus(1, { revision: 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef' });
    await api.patchStatus(obj, status);
  });
}

/** A TCP proxy to `target` (https://127.0.0.1:port) that holds every chunk `delayMs` in each direction. */
async function latencyProxy(target: string, delayMs: number): Promise<{ server: string; close(): void }> {
  const port = Number(new URL(target).port);
  const sockets: Socket[] = [];
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
  };
  const proxy: Server = createServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    sockets.push(client, upstream);
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    server: `https://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      proxy.close();
    },
  };
}

/** A kubeconfig of `n` contexts, alternating between the API servers, each with its own user entry. */
function kubeconfigOf(n: number, servers: ClusterInfo[]): { file: string; contexts: string[] } {
  const clusters = servers
    .map(
      (s, i) =>
        `- name: server-${i}\n  cluster:\n    server: ${s.server}\n    certificate-authority-data: ${readFileSync(s.caFile).toString('base64')}\n`,
    )
    .join('');
  const contexts = Array.from({ length: n }, (_, i) => `cluster-${String(i).padStart(3, '0')}`);
  const users = contexts
    .map((c, i) => `- name: ${c}\n  user:\n    token: ${servers[i % servers.length]!.adminToken}\n`)
    .join('');
  const ctx = contexts
    .map((c, i) => `- name: ${c}\n  context:\n    cluster: server-${i % servers.length}\n    user: ${c}\n`)
    .join('');
  const file = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-bench-fleet-')), 'kubeconfig');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n${clusters}users:\n${users}contexts:\n${ctx}current-context: ${contexts[0]}\n`,
  );
  return { file, contexts };
}

function peakRssMiB(pid: number | null): number {
  if (!pid) return NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : NaN;
}

async function measure(n: number, servers: ClusterInfo[], runs: number, where: string): Promise<Row[]> {
  const { file, contexts } = kubeconfigOf(n, servers);
  // The server as clients get it: compact structured content (the default; the test harness asks for full).
  const server = await startServer(['--structured-content', 'compact'], { kubeconfig: file });
  const rows: Row[] = [];
  try {
    for (const tool of ['get_flux_status', 'get_flux_instance'] as const) {
      const fleet: number[] = [];
      const singles: number[] = [];
      let fleetText = '';
      let fleetStructured = '';
      let singleText = 0;
      let answered = 0;
      // Warm-up: discovery and a connection per context, for both ways of asking.
      await callTool(server.client, tool, { contexts: 'all' }, { timeout: 600_000 });
      for (let r = 0; r < runs; r++) {
        let t = performance.now();
        const all = await callTool(server.client, tool, { contexts: 'all' }, { timeout: 600_000 });
        fleet.push(performance.now() - t);
        fleetText = all.text;
        fleetStructured = JSON.stringify(all.structured);
        answered = all.structured.answered as number;
        t = performance.now();
        let bytes = 0;
        for (const context of contexts) {
          const one = await callTool(server.client, tool, { context }, { timeout: 600_000 });
          if (one.result.isError) throw new Error(`${tool} in ${context}: ${one.text}`);
          bytes += Buffer.byteLength(one.text);
        }
        singles.push(performance.now() - t);
        singleText = bytes;
      }
      if (answered !== n) throw new Error(`${tool}: ${answered} of ${n} contexts answered`);
      const label = `${n} contexts ${where}, ${tool}`;
      rows.push(
        { metric: `${label}: contexts=all median`, value: round(median(fleet)), unit: 'ms' },
        { metric: `${label}: sum of ${n} single calls median`, value: round(median(singles)), unit: 'ms' },
        {
          metric: `${label}: speed-up`,
          value: round(median(singles) / median(fleet), 2),
          unit: 'x',
          note: 'sum of single calls / contexts=all',
        },
        { metric: `${label}: text of contexts=all`, value: Buffer.byteLength(fleetText), unit: 'bytes' },
        { metric: `${label}: text of the ${n} single calls`, value: singleText, unit: 'bytes' },
        {
          metric: `${label}: structuredContent of contexts=all`,
          value: Buffer.byteLength(fleetStructured),
          unit: 'bytes',
        },
      );
    }
    rows.push({
      metric: `${n} contexts ${where}: server peak RSS`,
      value: peakRssMiB(server.pid),
      unit: 'MiB',
    });
  } finally {
    await server.close();
  }
  return rows;
}

export async function fleet(env: BenchEnv): Promise<BenchResult> {
  // Two API servers of its own: the shared one holds what the other benchmarks seeded.
  const running = await Promise.all([startTestCluster(), startTestCluster()]);
  const servers: ClusterInfo[] = running.map(({ stop: _stop, ...info }) => info);
  const apis = servers.map(adminApiFor);
  const rows: Row[] = [];
  const proxies = await Promise.all(servers.map((s) => latencyProxy(s.server, 10)));
  const distant = servers.map((s, i) => ({ ...s, server: proxies[i]!.server }));
  try {
    await Promise.all(apis.map(seed));
    for (const n of env.quick ? [10] : [10, 100]) {
      rows.push(...(await measure(n, servers, env.quick ? 1 : 3, 'on loopback')));
      rows.push(...(await measure(n, distant, env.quick ? 1 : 3, 'at 20 ms round trip')));
    }
  } finally {
    for (const p of proxies) p.close();
    await Promise.all(apis.map((a) => a.close()));
    await Promise.all(running.map((r) => r.stop()));
  }
  return {
    name: `fleet view: contexts=all over 2 API servers (${NAMESPACES.length * PER_NAMESPACE} Flux objects each)`,
    rows,
  };
}
