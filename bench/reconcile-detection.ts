// Reconcile detection: from the controller writing Ready to reconcile_flux_kustomization returning, against
// a 2-second polling loop (the flux CLI's interval) on the same objects, in the same run.
import { FakeFluxController } from '../test/support/controller.js';
import { callTool, startServer } from '../test/support/env.js';
import type { TestApi } from '../test/support/api.js';
import { adminApiFor, seedKustomizations } from './seed.js';
import { median, percentile, round } from './stats.js';
import type { BenchEnv, BenchResult } from './types.js';

const V = 'kustomize.toolkit.fluxcd.io/v1';

/** What `flux reconcile` does: annotate, then GET every 2 seconds until the controller handled it and it is Ready. */
async function pollingReconcile(
  api: TestApi,
  ns: string,
  name: string,
): Promise<{ done: number; token: string }> {
  const token = new Date().toISOString();
  await api.mergePatch(
    { apiVersion: V, kind: 'Kustomization', metadata: { name, namespace: ns } },
    { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } },
  );
  for (;;) {
    const obj = await api.get(V, 'Kustomization', ns, name);
    const ready = (obj.status?.conditions as { type: string; status: string }[] | undefined)?.find(
      (c) => c.type === 'Ready',
    );
    if (obj.status?.lastHandledReconcileAt === token && ready?.status === 'True')
      return { done: performance.now(), token };
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function reconcileDetection(env: BenchEnv): Promise<BenchResult> {
  const api = adminApiFor(env.cluster);
  const ns = 'bench-reconcile';
  const runs = env.quick ? 5 : 20;
  await seedKustomizations(api, [ns], runs);
  const controller = new FakeFluxController(api, [ns]);
  controller.start();
  const server = await startServer(['--structured-content', 'compact'], {
    kubeconfig: env.cluster.kubeconfig,
  });
  // performance.now() and Date.now() differ by a constant: the controller records Date.now().
  const offset = Date.now() - performance.now();
  const watchLatency: number[] = [];
  const pollLatency: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 500)); // let the controller's watches start
    for (let i = 0; i < runs; i++) {
      const name = `ks-${i}`;
      // Spread the controller's answer over the polling interval, so polling is not measured at one phase.
      controller.script('Kustomization', ns, name, { outcome: 'succeed', delayMs: 100 + ((i * 997) % 1900) });
      const r = await callTool(server.client, 'reconcile_flux_kustomization', { name, namespace: ns });
      const returned = performance.now() + offset;
      if (r.structured.result !== 'ready') throw new Error(`reconcile of ${name}: ${r.text}`);
      const written = controller.handledFor('Kustomization', ns, name).at(-1)!.at;
      watchLatency.push(returned - written);

      const polled = await pollingReconcile(api, ns, name);
      const writtenPoll = controller.handled.find((h) => h.token === polled.token)!.at;
      pollLatency.push(polled.done + offset - writtenPoll);
    }
  } finally {
    controller.stop();
    await server.close();
    await api.close();
  }
  return {
    name: 'reconcile detection (controller writes Ready -> caller knows)',
    rows: [
      { metric: 'watch (flux-ops-mcp) median', value: round(median(watchLatency)), unit: 'ms' },
      { metric: 'watch (flux-ops-mcp) p95', value: round(percentile(watchLatency, 95)), unit: 'ms' },
      { metric: '2s polling loop median', value: round(median(pollLatency)), unit: 'ms' },
      { metric: '2s polling loop p95', value: round(percentile(pollLatency, 95)), unit: 'ms' },
      {
        metric: 'ratio of medians',
        value: round(median(pollLatency) / median(watchLatency), 1),
        unit: 'x',
        note: 'polling / watch',
      },
    ],
  };
}
