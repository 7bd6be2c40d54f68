// get_flux_status at scale: text size and time for 1,000 Flux objects with 50 failing, then 10,000 with 500
// failing (5% both times), spread over 20 namespaces and five kinds, each with the status a controller
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
import { median, round } from './stats.js';
import type { BenchEnv, BenchResult, Row } from './types.js';

const NAMESPACES = Array.from({ length: 20 }, (_, i) => `bench-status-${i}`);
const KINDS = [
  { make: kustomization, apiVersion: V.kustomization, kind: 'Kustomization' },
  { make: helmRelease, apiVersion: V.helmRelease, kind: 'HelmRelease' },
  { make: gitRepository, apiVersion: V.source, kind: 'GitRepository' },
  { make: helmRepository, apiVersion: V.source, kind: 'HelmRepository' },
  { make: helmChart, apiVersion: V.source, kind: 'HelmChart' },
] as const;
const REVISION = 'main@sha1:3f2a9c1e0123456789abcdef0123456789abcdef';

function statusFor(kind: string, ns: string, i: number, failing: boolean): Record<string, unknown> {
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

async function measure(
  api: TestApi,
  client: Awaited<ReturnType<typeof startServer>>['client'],
  runs: number,
  label: string,
): Promise<Row[]> {
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
    total = (r.structured.totals as { total: number }).total;
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
  ];
}

export async function fluxStatus(env: BenchEnv): Promise<BenchResult> {
  const api = adminApiFor(env.cluster);
  const small = env.quick ? 200 : 1_000;
  const large = env.quick ? 2_000 : 10_000;
  await ensureNamespaces(api, NAMESPACES);
  await seed(api, 0, small);
  const server = await startServer([], { kubeconfig: env.cluster.kubeconfig });
  const rows: Row[] = [];
  try {
    rows.push(
      ...(await measure(api, server.client, env.quick ? 3 : 10, `${small} objects, ${small / 20} failing`)),
    );
    await seed(api, small, large);
    rows.push(
      ...(await measure(api, server.client, env.quick ? 2 : 5, `${large} objects, ${large / 20} failing`)),
    );
  } finally {
    await server.close();
    await api.close();
  }
  return { name: 'get_flux_status at scale (all namespaces, default limit 10 per section)', rows };
}
