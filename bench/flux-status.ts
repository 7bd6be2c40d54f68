// get_flux_status at scale: text size, time and the server's peak memory for 1,000 Flux objects with 50
// failing (5% every time), then 5,000 and 10,000, spread over 200 namespaces and five kinds, each with the status a controller
// writes (conditions, revision, a 10-entry inventory and a history entry for Kustomizations). Measured over
// stdio through the built server, against listing the same kinds directly with the same HTTP client.
import { callTool, startServer } from '../test/support/env.js';
import type { TestApi, TestObject } from '../test/support/api.js';
import {
  failedStatus,
  gitRepository,
  helmChart,
  helmRelease,
  helmRepository,
  kustomization,
  readyStatus,
  V,
} from '../test/support/flux.js';
import { adminApiFor, ensureNamespaces, inBatches } from './seed.js';
import { readFileSync } from 'node:fs';
import { median, round } from './stats.js';
import type { BenchEnv, BenchResult, Row } from './types.js';

const NAMESPACES = Array.from({ length: 200 }, (_, i) => `bench-status-${i}`);
export const KINDS = [
  { make: kustomization, apiVersion: V.kustomization, kind: 'Kustomization' },
  { make: helmRelease, apiVersion: V.helmRelease, kind: 'HelmRelease' },
  { make: gitRepository, apiVersion: V.source, kind: 'GitRepository' },
  { make: helmRepository, apiVersion: V.source, kind: 'HelmRepository' },
  { make: helmChart, apiVersion: V.source, kind: 'HelmChart' },
] as const;
const REVISION = 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef';

export function statusFor(kind: string, ns: string, i: number, failing: boolean): Record<string, unknown> {
  if (failing) {
    return failedStatus(
      1,
      'HealthCheckFailed',
      `health check failed after 5m0s: Deployment/${ns}/app-${i} not ready`,
      {
        lastAppliedRevision: REVISION,
      },
    );
  }
  if (kind !== 'Kustomization') return readyStatus(1, { revision: REVISION });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return readyStatus(1, {
    lastAppliedRevision: REVISION,
    inventory: {
      entries: Array.from({ length: 10 }, (_, j) => ({ id: `${ns}_app-${i}-${j}_apps_Deployment`, v: 'v1' })),
    },
    history: [
      {
        digest: 'sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b',
        firstReconciled: now,
        lastReconciled: now,
        lastReconciledDuration: '1.2s',
        lastReconciledStatus: 'ReconciliationSucceeded',
        totalReconciliations: 42,
        metadata: { revision: REVISION },
      },
    ],
  });
}

/** Objects `from`..`to` (exclusive) of the series; every 20th one fails. */
function objects(from: number, to: number): { obj: TestObject; status: Record<string, unknown> }[] {
  const out: { obj: TestObject; status: Record<string, unknown> }[] = [];
  for (let i = from; i < to; i++) {
    const k = KINDS[i % KINDS.length]!;
    const ns = NAMESPACES[i % NAMESPACES.length]!;
    out.push({ obj: k.make(`obj-${i}`, ns), status: statusFor(k.kind, ns, i, i % 20 === 7) });
  }
  return out;
}

async function seed(api: TestApi, from: number, to: number): Promise<void> {
  await inBatches(objects(from, to), 50, async ({ obj, status }) => {
    await api.create(obj).catch(() => api.apply(obj));
    await api.patchStatus(obj, status);
  });
}

/** The server's peak resident memory so far (VmHWM), in MiB. */
function peakRssMiB(pid: number | null): number {
  if (!pid) return NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024) : NaN;
}

async function measure(
  api: TestApi,
  server: Awaited<ReturnType<typeof startServer>>,
  runs: number,
  label: string,
): Promise<Row[]> {
  const client = server.client;
  const viaTool: number[] = [];
  const direct: number[] = [];
  let text = '';
  let structured = '';
  let total = 0;
  for (let i = 0; i < runs + 1; i++) {
    let t = performance.now();
    const r = await callTool(client, 'get_flux_status', {}, { timeout: 600_000 });
    const ms = performance.now() - t;
    t = performance.now();
    await Promise.all(KINDS.map((k) => api.list(k.apiVersion, k.kind)));
    const directMs = performance.now() - t;
    if (i === 0) continue; // warm-up: discovery, connections
    viaTool.push(ms);
    direct.push(directMs);
    text = r.text;
    structured = JSON.stringify(r.structured);
    total = (r.structured.counts as { total: number }).total;
  }
  return [
    { metric: `${label}: objects counted`, value: total, unit: 'objects' },
    { metric: `${label}: text size`, value: Buffer.byteLength(text), unit: 'bytes' },
    { metric: `${label}: structuredContent size`, value: Buffer.byteLength(structured), unit: 'bytes' },
    { metric: `${label}: get_flux_status median`, value: round(median(viaTool)), unit: 'ms' },
    { metric: `${label}: direct list of the 5 kinds median`, value: round(median(direct)), unit: 'ms' },
    {
      metric: `${label}: ratio of medians`,
      value: round(median(viaTool) / median(direct), 2),
      unit: 'x',
      note: 'vs direct list',
    },
    { metric: `${label}: server peak RSS so far`, value: peakRssMiB(server.pid), unit: 'MiB' },
  ];
}

export async function fluxStatus(env: BenchEnv): Promise<BenchResult> {
  const api = adminApiFor(env.cluster);
  const sizes = env.quick ? [200, 1_000, 2_000] : [1_000, 5_000, 10_000];
  await ensureNamespaces(api, NAMESPACES);
  // The server as clients get it: compact structured content (the default; the test harness asks for full).
  const server = await startServer(['--structured-content', 'compact'], {
    kubeconfig: env.cluster.kubeconfig,
  });
  const rows: Row[] = [];
  try {
    let seeded = 0;
    for (const size of sizes) {
      await seed(api, seeded, size);
      seeded = size;
      rows.push(
        ...(await measure(
          api,
          server,
          env.quick ? 3 : size >= 10_000 ? 5 : 10,
          `${size} objects, ${size / 20} failing`,
        )),
      );
    }
  } finally {
    await server.close();
    await api.close();
  }
  return { name: 'get_flux_status at scale (all namespaces, no limit: the text cut at about 3 KB)', rows };
}
