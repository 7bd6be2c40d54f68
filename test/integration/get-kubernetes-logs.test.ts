import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCAN_LINES } from '../../src/flux/controller-logs.js';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { appendContainerLog, servePodLogs } from '../cluster/pods.js';
import type { TestApi, TestObject } from '../support/api.js';
import {
  adminApi,
  callTool,
  cluster,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { KUSTOMIZE_CONTROLLER_LOG } from '../support/flux-logs.js';
import { nodeName, podOnNode, runPod } from '../support/pods.js';
import { deployment, runningPod } from '../support/workloads.js';

// Logs travel kubelet -> API server -> us: kwok plays the kubelet of the test cluster's node
// (test/cluster/pods.ts) and reads the containers' logs from files in the kubelet's format, with tailLines,
// sinceSeconds, limitBytes and previous as a kubelet applies them; the API server path (pods/log, its
// query, RBAC) is real.

const FLUX = { 'app.kubernetes.io/part-of': 'flux' };
const POD = 'kustomize-controller-6f7d8b9c4-x2x7q';
const lines = (text: string) => text.trimEnd().split('\n');

let api: TestApi;
let server: ServerHandle;
let ns: string;

interface Line {
  time?: string;
  level?: string;
  message: string;
  error?: string;
  pod: string;
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'logs');
  await api.apply(
    deployment('kustomize-controller', ns, {
      image: 'ghcr.io/fluxcd/kustomize-controller:v1.7.3',
      labels: FLUX,
    }),
  );
  await runPod(
    api,
    podOnNode(POD, ns, { labels: { app: 'kustomize-controller' }, containers: ['manager', 'sidecar'] }),
    {
      manager: lines(KUSTOMIZE_CONTROLLER_LOG),
      sidecar: ['plain sidecar line one', 'plain sidecar line two'],
    },
  );
  // A newer pod of the same Deployment that no scheduler has bound: logs are read from the running one.
  await api.apply({
    ...runningPod('kustomize-controller-6f7d8b9c4-pending', ns, { labels: { app: 'kustomize-controller' } }),
    status: { phase: 'Pending' },
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function logs(args: Record<string, unknown>) {
  return callTool(server.client, 'get_kubernetes_logs', { controller_namespace: ns, ...args });
}

describe('get_kubernetes_logs for a Flux object', () => {
  it("reads the controller's manager container and keeps only the lines about the object", async () => {
    const { structured, result } = await logs({ kind: 'Kustomization', name: 'podinfo', namespace: 'apps' });
    expect(result.isError).toBeFalsy();
    expect(structured.controller).toBe(`Deployment ${ns}/kustomize-controller`);
    expect(structured.sources).toEqual([{ namespace: ns, pod: POD, container: 'manager', node: nodeName() }]);
    expect((structured.lines as Line[]).map((l) => l.time)).toEqual([
      '2026-03-01T10:00:01.100Z',
      '2026-03-01T10:00:05.200Z',
      '2026-03-01T10:00:09.000Z',
      '2026-03-01T10:00:10.000Z',
    ]);
    expect(structured).toMatchObject({ scanned: 8, matched: 4 });
  });

  it('writes one line per log line with time, level, message and error', async () => {
    const { text } = await logs({
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: 'apps',
      level: 'error',
    });
    expect(text.split('\n')).toEqual([
      `Logs of Kustomization apps/podinfo from Deployment ${ns}/kustomize-controller (pod ${ns}/${POD} container manager), context admin, level error: 2 matching lines (scanned 8 lines, at most the last 10000 per container).`,
      "2026-03-01T10:00:05.200Z error  Reconciliation failed after 4.1s, next try in 5m0s: health check failed after 4.0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
      '2026-03-01T10:00:09.000Z error  Reconciler error: kustomize build failed: accumulating resources',
    ]);
  });

  it('returns the newest lines when more match than the limit, and says how many were left out', async () => {
    const { structured, text } = await logs({
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: 'apps',
      limit: 1,
    });
    expect((structured.lines as Line[]).map((l) => l.time)).toEqual(['2026-03-01T10:00:10.000Z']);
    expect(text).toContain(
      '3 older matching lines not shown: narrow with since, level or grep, or raise limit',
    );
  });

  it('names the Flux controllers of the namespace when the one for the kind is missing', async () => {
    const { result, text } = await logs({ kind: 'HelmRelease', name: 'redis', namespace: 'apps' });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `no Deployment helm-controller (the controller of HelmRelease) in namespace ${ns} of context admin; Flux controllers there: kustomize-controller`,
    );
  });
});

describe('get_kubernetes_logs for a pod', () => {
  it('accepts the Flux Operator parameters pod_name, pod_namespace and container_name and keeps plain lines', async () => {
    const { structured } = await callTool(server.client, 'get_kubernetes_logs', {
      pod_name: POD,
      pod_namespace: ns,
      container_name: 'sidecar',
    });
    expect((structured.lines as Line[]).map((l) => l.message)).toEqual([
      'plain sidecar line one',
      'plain sidecar line two',
    ]);
  });

  it('reads the pods of the Deployment of a name given without a kind, when no Pod has that name', async () => {
    const { result, structured } = await logs({ name: 'kustomize-controller', namespace: ns });
    expect(result.isError).toBeFalsy();
    expect(structured.subject).toBe(`Deployment ${ns}/kustomize-controller`);
    expect(structured.sources).toEqual([expect.objectContaining({ pod: POD })]);
  });

  it("reads a Job's Pods, and a CronJob's newest Job's Pods, as the Flux Operator MCP server's kinds", async () => {
    // Suspended, so that no controller makes Pods of its own: the test runs the one it reads.
    const job = (name: string, owner?: TestObject): TestObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: ns,
        ...(owner
          ? {
              ownerReferences: [
                {
                  apiVersion: 'batch/v1',
                  kind: 'CronJob',
                  name: owner.metadata.name,
                  uid: owner.metadata.uid!,
                },
              ],
            }
          : {}),
      },
      spec: {
        suspend: true,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'backup', image: 'ghcr.io/acme/backup:v1' }] },
        },
      },
    });
    const podOf = async (j: TestObject, pod: string, line: string) => {
      const created = await api.get<TestObject>('batch/v1', 'Job', ns, j.metadata.name);
      const labels = (created.spec as { selector: { matchLabels: Record<string, string> } }).selector
        .matchLabels;
      await runPod(api, podOnNode(pod, ns, { labels, containers: ['backup'] }), { backup: [line] });
    };
    await api.apply(job('backup-once'));
    await podOf(job('backup-once'), 'backup-once-x7k2p', 'backup of the database done in 12s');
    const once = await logs({ kind: 'Job', name: 'backup-once', namespace: ns });
    expect(once.result.isError, once.text).toBeFalsy();
    expect(once.text).toContain('backup of the database done in 12s');

    const cron = await api.apply({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup', namespace: ns },
      spec: { schedule: '0 3 * * *', suspend: true, jobTemplate: { spec: job('template').spec } },
    });
    await api.apply(job('backup-29000000', cron));
    await podOf(job('backup-29000000', cron), 'backup-29000000-q9w4z', 'nightly backup done');
    const nightly = await logs({ kind: 'CronJob', name: 'backup', namespace: ns });
    expect(nightly.result.isError, nightly.text).toBeFalsy();
    expect(nightly.text).toContain('nightly backup done');
  });

  it('says neither a Pod nor a Deployment has a name given without a kind', async () => {
    const { result, text } = await logs({ name: 'helm-controller', namespace: ns });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      new RegExp(`^no Pod or Deployment ${ns}/helm-controller in context admin; give kind`),
    );
  });

  it('says which containers exist when the container asked for does not', async () => {
    const { result, text } = await logs({ kind: 'Pod', name: POD, namespace: ns, container: 'nope' });
    expect(result.isError).toBe(true);
    expect(text).toBe(`pod ${ns}/${POD} has no container nope (containers: manager, sidecar)`);
  });

  it('explains that a pod without a node has no logs to read', async () => {
    const { result, text } = await logs({
      kind: 'Pod',
      name: 'kustomize-controller-6f7d8b9c4-pending',
      namespace: ns,
    });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `cannot read the logs of Pod ${ns}/kustomize-controller-6f7d8b9c4-pending: pod ${ns}/kustomize-controller-6f7d8b9c4-pending is not scheduled on a node, so it has no logs yet`,
    );
  });

  it('is a forbidden error for a user who may not read pod logs there', async () => {
    const { result, text } = await logs({ kind: 'Pod', name: POD, namespace: ns, context: 'restricted' });
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `forbidden: user jane cannot get pods in namespace ${ns} (context restricted); ask a cluster admin for RBAC access or use another context`,
    );
  });
});

describe('get_kubernetes_logs reads what the kubelet keeps', () => {
  const WINDOWED = 'windowed-0';
  const LONG_LOG = 'long-log-0';
  const CRASHING = 'crashing-0';
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);

  beforeAll(async () => {
    await runPod(api, podOnNode(WINDOWED, ns, { containers: ['app'] }), {
      app: [
        { text: 'two hours ago', time: ago(120) },
        { text: 'an hour ago', time: ago(60) },
        { text: 'five minutes ago', time: ago(5) },
        { text: 'just now', time: ago(0) },
      ],
    });
    await runPod(api, podOnNode(LONG_LOG, ns, { containers: ['app'] }), {
      app: Array.from({ length: SCAN_LINES + 50 }, (_, i) => `line ${i}`),
    });
  });

  it('the lines written within since, by the time the kubelet recorded for each', async () => {
    const all = await logs({ kind: 'Pod', name: WINDOWED, namespace: ns });
    expect((all.structured.lines as Line[]).map((l) => l.message)).toEqual([
      'two hours ago',
      'an hour ago',
      'five minutes ago',
      'just now',
    ]);
    const recent = await logs({ kind: 'Pod', name: WINDOWED, namespace: ns, since: '30m' });
    expect((recent.structured.lines as Line[]).map((l) => l.message)).toEqual([
      'five minutes ago',
      'just now',
    ]);
  });

  it('lines without a time of their own (a panic) after the lines before them', async () => {
    const json = (msg: string, ts: string) => JSON.stringify({ level: 'error', ts, msg });
    await runPod(api, podOnNode('mixed-0', ns, { containers: ['app'] }), {
      app: [
        json('connecting', '2026-03-01T10:00:00.000Z'),
        json('giving up', '2026-03-01T10:00:01.000Z'),
        'panic: cannot connect',
        'goroutine 1 [running]:',
      ],
    });
    const { structured } = await logs({ kind: 'Pod', name: 'mixed-0', namespace: ns });
    expect((structured.lines as Line[]).map((l) => l.message)).toEqual([
      'connecting',
      'giving up',
      'panic: cannot connect',
      'goroutine 1 [running]:',
    ]);
  });

  it(`at most the last ${SCAN_LINES} lines of a longer log`, async () => {
    const { structured } = await logs({ kind: 'Pod', name: LONG_LOG, namespace: ns, limit: 1 });
    expect(structured).toMatchObject({ scanned: SCAN_LINES, matched: SCAN_LINES });
    expect((structured.lines as Line[])[0]!.message).toBe(`line ${SCAN_LINES + 49}`);
  });

  it('the previous instance of a container that restarted, and says a container that did not has none', async () => {
    const pod = podOnNode(CRASHING, ns, { containers: ['app'] });
    const dir = join(cluster().dir, 'pod-logs', ns);
    mkdirSync(dir, { recursive: true });
    const files = { log: join(dir, 'crashing-app.log'), previous: join(dir, 'crashing-app.previous.log') };
    appendContainerLog(files.previous, ['run 1: cannot connect']);
    appendContainerLog(files.log, ['run 2: cannot connect']);
    await servePodLogs(api, { namespace: ns, name: CRASHING }, { app: files });
    await api.apply({
      ...pod,
      metadata: { ...pod.metadata, annotations: { 'flux-ops-mcp.test/crash-loop': 'app' } },
    });
    // kwok (test/cluster/kwok/pod-failures.yaml) starts it, it exits, it is started again.
    for (let restarted = false; !restarted; await new Promise((r) => setTimeout(r, 200))) {
      const live = await api.get('v1', 'Pod', ns, CRASHING);
      const status = (
        (live.status?.containerStatuses ?? []) as { lastState?: { terminated?: unknown } }[]
      )[0];
      restarted = Boolean(status?.lastState?.terminated);
    }
    const previous = await logs({ kind: 'Pod', name: CRASHING, namespace: ns, previous: true });
    expect((previous.structured.lines as Line[]).map((l) => l.message)).toEqual(['run 1: cannot connect']);
    const current = await logs({ kind: 'Pod', name: CRASHING, namespace: ns });
    expect((current.structured.lines as Line[]).map((l) => l.message)).toEqual(['run 2: cannot connect']);
    expect((current.structured.sources as { state?: string }[])[0]!.state).toMatch(
      /^(CrashLoopBackOff|Running|Error), \d+ restarts?: container app /,
    );
    const none = await logs({ kind: 'Pod', name: WINDOWED, namespace: ns, previous: true });
    expect(none.result.isError).toBe(true);
    expect(none.text).toBe(
      `cannot read the logs of Pod ${ns}/${WINDOWED}: pod ${ns}/${WINDOWED} container app has no previous instance: it has not restarted`,
    );
  });
});

describe('get_kubernetes_logs answers cut by size', () => {
  const SHORT = 'short-lines-0';
  const LONG = 'long-lines-0';

  beforeAll(async () => {
    const short = Array.from({ length: 150 }, (_, i) => `l${i}`);
    await runPod(api, podOnNode(SHORT, ns, { containers: ['app'] }), { app: short });
    const long = Array.from({ length: 400 }, (_, i) => `request ${i} ${'b'.repeat(1_000)}`);
    await runPod(api, podOnNode(LONG, ns, { containers: ['app'] }), { app: long });
  });

  it('shows all of 150 short lines without a limit, where a default count of 100 cut them', async () => {
    const { structured, text } = await logs({ kind: 'Pod', name: SHORT, namespace: ns });
    expect(structured).toMatchObject({ matched: 150, omitted: 0 });
    expect((structured.lines as Line[]).map((l) => l.message)).toEqual(
      Array.from({ length: 150 }, (_, i) => `l${i}`),
    );
    expect(text).not.toContain('older matching lines');
  });

  it('past about 3 KB of text, keeps the newest lines, cut with a marker, and counts the older ones', async () => {
    const { structured, text } = await logs({ kind: 'Pod', name: LONG, namespace: ns });
    const lines = structured.lines as Line[];
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(lines.at(-1)!.message).toMatch(/^request 399 /);
    expect(structured).toMatchObject({ matched: 400, omitted: 400 - lines.length });
    expect(text).toMatch(/\nrequest 399 b+ \.\.\. \[\d+ more characters\]\n/);
    expect(text).toContain(
      `${400 - lines.length} older matching lines not shown: narrow with since, level or grep, or pass limit`,
    );
  });

  it('shows as many lines as limit asks for, past the size the text would otherwise keep to', async () => {
    const { structured } = await logs({ kind: 'Pod', name: LONG, namespace: ns, limit: 300 });
    expect(structured).toMatchObject({ matched: 400, omitted: 100 });
    expect((structured.lines as Line[])[0]!.message).toMatch(/^request 100 /);
  });
});

describe('get_kubernetes_logs grep', () => {
  const NOISY = 'noisy-app-0';
  // JavaScript's backtracking RegExp needs minutes for this pattern on one line of 30 characters without "zzz".
  const CATASTROPHIC = '([^z]+)+zzz';

  beforeAll(async () => {
    const noisy = Array.from({ length: 2_000 }, (_, i) => `request ${i} ${'a'.repeat(4_000)}`);
    noisy[1_234] += ' zzz';
    await runPod(api, podOnNode(NOISY, ns, { containers: ['app'] }), { app: noisy });
  });

  it('answers a catastrophic regular expression over long lines with the one line that matches', async () => {
    const { result, structured } = await logs({
      kind: 'Pod',
      name: NOISY,
      namespace: ns,
      grep: CATASTROPHIC,
      grep_regex: true,
    });
    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({ scanned: 2_000, matched: 1 });
    expect((structured.lines as Line[])[0]?.message).toMatch(/^request 1234 a{100}/);
  });

  it('reads grep as plain text by default, so the same pattern matches only itself', async () => {
    const { structured, text } = await logs({ kind: 'Pod', name: NOISY, namespace: ns, grep: CATASTROPHIC });
    expect(structured).toMatchObject({ scanned: 2_000, matched: 0 });
    expect(text.split('\n')[0]).toContain(`grep "${CATASTROPHIC}": 0 matching lines`);
  });

  it('says how to ask for a regular expression when a plain grep that looks like one matches nothing', async () => {
    const plain = await logs({ kind: 'Kustomization', namespace: 'apps', grep: 'accumulating|health check' });
    expect(plain.structured.matched).toBe(0);
    expect(plain.text.split('\n').at(-1)).toBe(
      'grep is matched as plain text; to read "accumulating|health check" as a regular expression, pass grep_regex: true',
    );
    const regex = await logs({
      kind: 'Kustomization',
      namespace: 'apps',
      grep: 'accumulating|health check',
      grep_regex: true,
    });
    expect((regex.structured.lines as Line[]).map((l) => l.time)).toEqual([
      '2026-03-01T10:00:05.200Z',
      '2026-03-01T10:00:09.000Z',
    ]);
  });

  it('refuses a regular expression RE2 does not accept, saying why', async () => {
    const { result, text } = await logs({
      kind: 'Pod',
      name: NOISY,
      namespace: ns,
      grep: '(a)\\1',
      grep_regex: true,
    });
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      /^grep is not a regular expression RE2 accepts \(no backreferences or lookaround\): /,
    );
  });
});
