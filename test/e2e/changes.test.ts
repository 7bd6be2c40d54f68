// The timeline of get_flux_changes against the real controllers: a sequence of commits, a chart upgrade, a
// broken commit, a suspension and a Helm rollback, made through our server one after another; the
// timeline lists each in order, at times within the controllers' own, and names the commit that preceded
// the failure.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepository } from '../cluster/git-repositories.js';
import type { HelmChartRepository } from '../cluster/helm-charts.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, startServer, type ServerHandle } from '../support/env.js';
import { V } from '../support/flux.js';
import {
  configMapYaml,
  gitRepository,
  helmRelease,
  helmRepository,
  kustomization,
  kustomizationYaml,
  SETTINGS_TEMPLATE,
  sources,
  waitForObject,
} from './support/e2e.js';

let api: TestApi;
let server: ServerHandle;
let repo: GitRepository;
let charts: HelmChartRepository;
let ns: string;

/** A step of the sequence: what the test did, between which times (ms), and the commit it made. */
interface Step {
  from: number;
  to: number;
  sha?: string;
}
const steps: Record<string, Step> = {};

async function step(name: string, act: () => Promise<string | void>): Promise<void> {
  // The controllers write times in whole seconds: each step starts in a second of its own, so that the
  // order of the steps is the order of their times.
  await new Promise((r) => setTimeout(r, 1100));
  const from = Math.floor(Date.now() / 1000) * 1000;
  const sha = await act();
  steps[name] = { from, to: Date.now() + 1000, ...(sha ? { sha } : {}) };
}

const ks: Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> = {
  apiVersion: V.kustomization,
  kind: 'Kustomization',
  metadata: { name: 'app', namespace: '' },
};
const hr: Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> = {
  apiVersion: V.helmRelease,
  kind: 'HelmRelease',
  metadata: { name: 'web', namespace: '' },
};

function app(greeting: string): Record<string, string> {
  return {
    'app/kustomization.yaml': kustomizationYaml(['settings.yaml']),
    'app/settings.yaml': configMapYaml('settings', { greeting }),
  };
}

async function ok(tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { result, text, structured } = await callTool(server.client, tool, args);
  expect(result.isError, text).toBeFalsy();
  return structured;
}

/** A row's time (hh:mm:ss, or MM-DD hh:mm:ss) as milliseconds, the date taken from the window. */
function rowTime(row: string[], to: string): number {
  const t = row[0]!;
  const date = t.length > 8 ? `${to.slice(0, 5)}${t.slice(0, 5)}` : to.slice(0, 10);
  return Date.parse(`${date}T${t.slice(-8)}Z`);
}

beforeAll(async () => {
  api = adminApi();
  ns = `e2e-ch-${randomBytes(3).toString('hex')}`;
  ks.metadata.namespace = ns;
  hr.metadata.namespace = ns;
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  repo = await sources().gitRepository(`ch-${ns}`);
  await repo.commit(app('hello'), 'first');
  await api.apply(gitRepository('repo', ns, repo.url));
  await api.apply(kustomization('app', ns, { path: './app', source: 'repo', targetNamespace: ns }));
  await waitForObject(api, ks);
  charts = sources().helmRepository(ns);
  for (const [version, greeting] of [
    ['1.0.0', 'hello'],
    ['2.0.0', 'hello again'],
  ] as const)
    charts.publish({
      name: 'web',
      version,
      templates: { 'settings.yaml': SETTINGS_TEMPLATE },
      values: { greeting },
    });
  await api.apply(helmRepository('charts', ns, charts.url));
  await api.apply(helmRelease('web', ns, { chart: 'web', version: '1.0.0', repository: 'charts' }));
  await waitForObject(api, hr);
  server = await startServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('an afternoon of changes, made with the real controllers', () => {
  it('makes a sequence of commits, each fetched and applied', async () => {
    await step('commit B', async () => {
      const sha = await repo.commit(app('hello again'), 'change the greeting');
      await ok('reconcile_flux_kustomization', { name: 'app', namespace: ns, with_source: true });
      return sha;
    });
    await step('commit C', async () => {
      const sha = await repo.commit(app('bonjour'), 'greet in French');
      await ok('reconcile_flux_kustomization', { name: 'app', namespace: ns, with_source: true });
      return sha;
    });
  });

  it('upgrades a chart', async () => {
    await step('chart upgrade', async () => {
      await api.mergePatch(hr, { spec: { chart: { spec: { version: '2.0.0' } } } });
      await ok('reconcile_flux_helmrelease', { name: 'web', namespace: ns, with_source: true });
    });
  });

  it('pushes a broken commit', async () => {
    await step('broken commit', async () => {
      const sha = await repo.commit(
        { 'app/kustomization.yaml': kustomizationYaml(['settings.yaml', 'missing.yaml']) },
        'reference a file that does not exist',
      );
      const { result } = await callTool(server.client, 'reconcile_flux_kustomization', {
        name: 'app',
        namespace: ns,
        with_source: true,
      });
      expect(result.isError).toBe(true);
      return sha;
    });
  });

  it('suspends the failing Kustomization', async () => {
    await step('suspension', async () => {
      await ok('suspend_flux_reconciliation', {
        kind: 'Kustomization',
        name: 'app',
        namespace: ns,
        reason: 'INC-7 freeze while the fix is reviewed',
      });
    });
  });

  it('rolls the HelmRelease back', async () => {
    await step('helm rollback', async () => {
      const done = await ok('rollback_flux_helmrelease', {
        name: 'web',
        namespace: ns,
        reason: 'INC-7 back to 1.0.0',
      });
      expect(done).toMatchObject({ result: 'rolled-back', targetRevision: 1, newRevision: 3 });
    });
  });
});

/**
 * Keeps the Flux objects and the events of the namespace as the controllers left them, when
 * FLUX_OPS_MCP_CAPTURE_DIR is set: the unit tests of the timeline read them
 * (test/fixtures/real-flux/changes-of-an-afternoon.yaml), with the commits of the steps.
 */
async function captureAfternoon(): Promise<void> {
  const dir = process.env.FLUX_OPS_MCP_CAPTURE_DIR;
  if (!dir) return;
  const strip = (list: TestObject[]) => {
    for (const o of list) delete (o.metadata as Record<string, unknown>).managedFields;
    return list;
  };
  const objects: TestObject[] = [];
  for (const [apiVersion, kind] of [
    [V.source, 'GitRepository'],
    [V.source, 'HelmRepository'],
    [V.source, 'HelmChart'],
    [V.kustomization, 'Kustomization'],
    [V.helmRelease, 'HelmRelease'],
  ] as const)
    objects.push(...strip(await api.list(apiVersion, kind, ns)).map((o) => ({ ...o, apiVersion, kind })));
  const events = strip(await api.list('v1', 'Event', ns));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'changes-of-an-afternoon.yaml'),
    `# captured ${new Date().toISOString()} by test/e2e/changes.test.ts (FLUX_OPS_MCP_CAPTURE_DIR)\n${stringify({ namespace: ns, steps, objects, events })}`,
  );
}

describe('get_flux_changes after it', () => {
  let rows: string[][];
  let structured: Record<string, unknown>;
  let text: string;

  beforeAll(async () => {
    await captureAfternoon();
    // With a limit, every change of the quarter hour: none summarised, messages whole.
    const call = await callTool(server.client, 'get_flux_changes', {
      namespace: ns,
      since: '15m',
      limit: 200,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    structured = call.structured;
    text = call.text;
    rows = structured.changes as string[][];
  });

  /** The index of the first row of `object` whose change is `change` and whose detail matches. */
  function find(object: string, change: string, detail: RegExp | string = ''): number {
    const i = rows.findIndex(
      (r) =>
        r[1] === `${object.split(' ')[0]} ${ns}/${object.split(' ')[1]}` &&
        r[2] === change &&
        (typeof detail === 'string' ? r[3]!.includes(detail) : detail.test(r[3]!)),
    );
    expect(i, `${object} ${change} ${detail} in\n${text}`).toBeGreaterThanOrEqual(0);
    return i;
  }

  function within(i: number, name: string): void {
    const t = rowTime(rows[i]!, structured.to as string);
    const s = steps[name]!;
    expect(t, `${rows[i]!.join(' | ')} during ${name}`).toBeGreaterThanOrEqual(s.from);
    expect(t, `${rows[i]!.join(' | ')} during ${name}`).toBeLessThanOrEqual(s.to);
  }

  const short = (name: string) => steps[name]!.sha!.slice(0, 8);

  it('lists each change newest first, at the time it was made', () => {
    const order: [number, string][] = [
      [find('HelmRelease web', 'outside', 'rolled back to v1 as v3'), 'helm rollback'],
      [find('HelmRelease web', 'suspended', 'INC-7 back to 1.0.0'), 'helm rollback'],
      [
        find('Kustomization app', 'suspended', 'by admin: "INC-7 freeze while the fix is reviewed"'),
        'suspension',
      ],
      [
        find('Kustomization app', 'failing', `(BuildFailed) at main@sha1:${short('broken commit')}`),
        'broken commit',
      ],
      [
        find(
          'GitRepository repo',
          'revision',
          `-> main@sha1:${short('broken commit')} "reference a file that does not exist"`,
        ),
        'broken commit',
      ],
      [find('HelmRelease web', 'upgraded', 'web 1.0.0 -> 2.0.0 (v2)'), 'chart upgrade'],
      [
        find(
          'Kustomization app',
          'applied',
          `main@sha1:${short('commit C')} (was main@sha1:${short('commit B')})`,
        ),
        'commit C',
      ],
      [
        find(
          'GitRepository repo',
          'revision',
          `main@sha1:${short('commit B')} -> main@sha1:${short('commit C')} "greet in French"`,
        ),
        'commit C',
      ],
      [find('Kustomization app', 'applied', new RegExp(`^main@sha1:${short('commit B')}`)), 'commit B'],
      [
        find('GitRepository repo', 'revision', `-> main@sha1:${short('commit B')} "change the greeting"`),
        'commit B',
      ],
    ];
    for (const [i, name] of order) within(i, name);
    const indexes = order.map(([i]) => i);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  });

  it('says what each applied commit changed, and who wrote the rollback', () => {
    // Commit C changed the same object as commit B: the controller's event recorder counts the second
    // identical change set on the first event, which keeps the revision of commit B.
    const i = find(
      'Kustomization app',
      'objects',
      `ConfigMap/${ns}/settings configured at main@sha1:${short('commit B')}`,
    );
    within(i, 'commit B');
    const last = /\(x2, last (\d\d:\d\d:\d\d)\)$/.exec(rows[i]![3]!)?.[1];
    expect(last, rows[i]![3]).toBeDefined();
    const lastMs = Date.parse(`${(structured.to as string).slice(0, 10)}T${last}Z`);
    expect(lastMs).toBeGreaterThanOrEqual(steps['commit C']!.from);
    expect(lastMs).toBeLessThanOrEqual(steps['commit C']!.to);
    const rollback = rows[find('HelmRelease web', 'outside')]!;
    expect(rollback[3]).toContain('written by flux-ops-mcp (rollback_flux_helmrelease)');
    expect(rollback[4]).toBe('Helm storage');
  });

  it('names the commit that preceded the failure, as "preceded by"', () => {
    const failing = structured.failing as { object: string; detail: string; preceded: string[][] }[];
    const app = failing.find((f) => f.object === `Kustomization ${ns}/app`)!;
    expect(app.detail).toMatch(
      /^failing \(BuildFailed\) at main@sha1:\w{8}( \(x\d+, last [\d:]+\))?: kustomize build failed/,
    );
    expect(app.preceded[0]).toEqual([
      expect.any(String),
      `GitRepository ${ns}/repo`,
      'revision',
      `new revision main@sha1:${short('commit C')} -> main@sha1:${short('broken commit')} "reference a file that does not exist"`,
    ]);
    expect(text).toMatch(
      new RegExp(
        `preceded by \\([^)]+\\) \\d\\d:\\d\\d:\\d\\d {2}GitRepository ${ns}/repo {2}new revision main@sha1:${short('commit C')} -> main@sha1:${short('broken commit')} "reference a file that does not exist"`,
      ),
    );
  });

  it('gives the times the controllers wrote: the Ready transition of the failure, the deployment of the upgrade', async () => {
    const live = await api.get(V.kustomization, 'Kustomization', ns, 'app');
    // The suspended Kustomization keeps the Ready condition of its failure.
    const ready = ((live.status?.conditions ?? []) as { type: string; lastTransitionTime: string }[]).find(
      (c) => c.type === 'Ready',
    )!;
    const failing = rows[find('Kustomization app', 'failing')]!;
    expect(
      Math.abs(rowTime(failing, structured.to as string) - Date.parse(ready.lastTransitionTime)),
    ).toBeLessThanOrEqual(1000);
    const web = await api.get(V.helmRelease, 'HelmRelease', ns, 'web');
    const v2 = ((web.status?.history ?? []) as { version: number; lastDeployed: string }[]).find(
      (s) => s.version === 2,
    )!;
    const upgraded = rows[find('HelmRelease web', 'upgraded')]!;
    expect(
      Math.abs(rowTime(upgraded, structured.to as string) - Date.parse(v2.lastDeployed)),
    ).toBeLessThanOrEqual(1000);
  });

  it('narrows to one object and its path: the Kustomization and its source, nothing of the HelmRelease', async () => {
    const call = await callTool(server.client, 'get_flux_changes', {
      kind: 'Kustomization',
      name: 'app',
      namespace: ns,
      since: '15m',
    });
    expect(call.result.isError, call.text).toBeFalsy();
    const objects = new Set((call.structured.changes as string[][]).map((r) => r[1]));
    expect([...objects].sort()).toEqual([`GitRepository ${ns}/repo`, `Kustomization ${ns}/app`]);
    expect(call.text).toMatch(
      new RegExp(`^Changes to Kustomization ${ns}/app and its path \\(GitRepository ${ns}/repo\\)`),
    );
  });

  it('records the resumption with who did it', async () => {
    const from = Math.floor(Date.now() / 1000) * 1000;
    const resumed = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
    });
    expect(resumed.result.isError, resumed.text).toBeFalsy();
    const call = await callTool(server.client, 'get_flux_changes', {
      kind: 'HelmRelease',
      name: 'web',
      namespace: ns,
      since: '15m',
    });
    const r = call.structured.changes as string[][];
    const line = r.find((x) => x[2] === 'resumed')!;
    expect(line[3]).toBe('by admin');
    expect(rowTime(line, call.structured.to as string)).toBeGreaterThanOrEqual(from);
    // helm-controller upgrades back to the chart the HelmRelease asks for: a new release, newer than the resumption.
    const upgrade = r.findIndex((x) => x[2] === 'upgraded' && x[3]!.includes('(v4)'));
    expect(upgrade, call.text).toBeGreaterThanOrEqual(0);
    expect(upgrade).toBeLessThan(r.indexOf(line));
    // From the chart of the rollback, which only Helm storage records.
    expect(r[upgrade]![3]).toBe('web 1.0.0 -> 2.0.0 (v4)');
  });
});
