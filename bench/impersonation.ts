// The cost of --impersonate: the same tool call (get_kubernetes_resources listing 100 Kustomizations) over
// HTTP from one caller, to a server that impersonates the caller and to one that does not, interleaved. Both
// use the admin kubeconfig; the impersonated caller reads through a Role bound to its group.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callTool } from '../test/support/env.js';
import { connect, startHttpServer } from '../test/support/http.js';
import { adminApiFor, seedKustomizations } from './seed.js';
import { median, percentile, round } from './stats.js';
import type { BenchEnv, BenchResult } from './types.js';

const TOKEN = 'bench-token-0123456789abcdef';

export async function impersonation(env: BenchEnv): Promise<BenchResult> {
  const api = adminApiFor(env.cluster);
  const ns = 'bench-impersonation';
  await seedKustomizations(api, [ns], 100);
  const rbac = 'rbac.authorization.k8s.io/v1';
  await api.apply({
    apiVersion: rbac,
    kind: 'Role',
    metadata: { name: 'bench-reader', namespace: ns },
    rules: [
      { apiGroups: ['kustomize.toolkit.fluxcd.io'], resources: ['kustomizations'], verbs: ['get', 'list'] },
    ],
  });
  await api.apply({
    apiVersion: rbac,
    kind: 'RoleBinding',
    metadata: { name: 'bench-reader', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bench-reader' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'bench-team' }],
  });
  const tokens = join(mkdtempSync(join(tmpdir(), 'bench-imp-')), 'tokens');
  writeFileSync(tokens, `bencher:${TOKEN}:bench-team\n`);
  const common = [
    '--auth-tokens',
    tokens,
    '--rate-limit',
    'off',
    '--allowed-contexts',
    'admin',
    // As clients get it: compact structured content (the default; the test harness asks for full).
    '--structured-content',
    'compact',
  ];
  const plain = await startHttpServer(common, { kubeconfig: env.cluster.kubeconfig });
  const acting = await startHttpServer([...common, '--impersonate'], { kubeconfig: env.cluster.kubeconfig });
  const runs = env.quick ? 20 : 200;
  const timings = { plain: [] as number[], acting: [] as number[] };
  const a = await connect(plain.url, { token: TOKEN });
  const b = await connect(acting.url, { token: TOKEN });
  const call = async (client: typeof a.client, into: number[]) => {
    const t = performance.now();
    const r = await callTool(client, 'get_kubernetes_resources', {
      kind: 'Kustomization',
      namespace: ns,
      limit: 100,
    });
    into.push(performance.now() - t);
    if (r.structured.count !== 100)
      throw new Error(`expected 100 objects, got ${String(r.structured.count)}`);
  };
  try {
    for (let i = 0; i < 10; i++) {
      await call(a.client, []);
      await call(b.client, []);
    }
    for (let i = 0; i < runs; i++) {
      await call(a.client, timings.plain);
      await call(b.client, timings.acting);
    }
  } finally {
    await a.client.close();
    await b.client.close();
    await plain.stop();
    await acting.stop();
    await api.close();
  }
  return {
    name: 'impersonation (HTTP, list 100 Kustomizations)',
    rows: [
      { metric: 'server credentials median', value: round(median(timings.plain), 2), unit: 'ms' },
      { metric: 'impersonating the caller median', value: round(median(timings.acting), 2), unit: 'ms' },
      { metric: 'impersonating the caller p95', value: round(percentile(timings.acting, 95), 2), unit: 'ms' },
      {
        metric: 'ratio of medians',
        value: round(median(timings.acting) / median(timings.plain), 2),
        unit: 'x',
        note: 'vs server credentials',
      },
    ],
  };
}
