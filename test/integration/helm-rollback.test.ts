// rollback_flux_helmrelease: the emergency procedure step by step, its refusals, a failed rollback, and what
// it records. (That the result equals helm rollback's is helm-rollback-vs-helm.test.ts.)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi, TestObject } from '../support/api.js';
import {
  adminApi,
  callTool,
  fluxAtLeast,
  startServer,
  testNamespace,
  type ServerHandle,
} from '../support/env.js';
import { helmRelease, readyStatus, V } from '../support/flux.js';
import { helmStorageSecret, historySnapshot, type ReleaseRecord } from '../support/helm.js';
import { decodeRecord } from '../support/helm-cli.js';
import { SUSPEND_REASON } from '../../src/flux/suspension.js';

let api: TestApi;
let server: ServerHandle;
let ns: string;
let audit: string;

const cm = (name: string, data: Record<string, string>) =>
  `---\n# Source: demo/templates/${name}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(
    data,
  )
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;

function auditRecords(): Record<string, unknown>[] {
  return readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function liveConfigMap(
  name: string,
  data: Record<string, string>,
  manager = 'helm-controller',
): Promise<void> {
  await api.request(
    'PATCH',
    `/api/v1/namespaces/${ns}/configmaps/${name}?fieldManager=${manager}&force=true`,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: ns,
        labels: { 'app.kubernetes.io/managed-by': 'Helm' },
        // The objects of release <release> are named <release>-<something> here.
        annotations: {
          'meta.helm.sh/release-name': name.split('-')[0]!,
          'meta.helm.sh/release-namespace': ns,
        },
      },
      data,
    },
    'application/apply-patch+yaml',
  );
}

/** A HelmRelease `name` whose Helm release has these revisions, the newest observed by helm-controller. */
async function release(
  name: string,
  records: Omit<ReleaseRecord, 'name' | 'namespace'>[],
  hrSpec: Record<string, unknown> = {},
  v2Snapshot = true,
): Promise<void> {
  const full = records.map((r) => ({ ...r, name, namespace: ns }));
  for (const r of full) await api.apply(helmStorageSecret(ns, r));
  const hr = await api.apply(helmRelease(name, ns, { spec: hrSpec }));
  const latest = full.at(-1)!;
  await api.patchStatus(
    hr,
    readyStatus(1, {
      storageNamespace: ns,
      history: [{ ...historySnapshot(latest), ...(v2Snapshot ? { apiVersion: 'v2' } : {}) }],
    }),
  );
}

async function records(
  name: string,
): Promise<
  Record<number, { status: string; labels: Record<string, string>; json: Record<string, unknown> }>
> {
  const out: Record<
    number,
    { status: string; labels: Record<string, string>; json: Record<string, unknown> }
  > = {};
  for (const s of await api.list('v1', 'Secret', ns)) {
    if (s.metadata.labels?.name !== name || s.metadata.labels.owner !== 'helm') continue;
    const json = decodeRecord(s);
    out[json.version as number] = {
      status: (json.info as { status: string }).status,
      labels: s.metadata.labels,
      json,
    };
  }
  return out;
}

const hrOf = (name: string) => api.get<TestObject>(V.helmRelease, 'HelmRelease', ns, name);

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'rollback');
  audit = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-audit-')), 'audit.jsonl');
  server = await startServer(['--audit-log', audit]);
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('rollback_flux_helmrelease', () => {
  it('dry run: shows the target, each object created, changed field by field or deleted, and changes nothing', async () => {
    await release('plan', [
      { revision: 1, status: 'superseded', manifest: cm('plan-a', { v: 'one' }) + cm('plan-b', { k: 'b' }) },
      { revision: 2, status: 'deployed', manifest: cm('plan-a', { v: 'two' }) + cm('plan-c', { k: 'c' }) },
    ]);
    await liveConfigMap('plan-a', { v: 'two' });
    await liveConfigMap('plan-c', { k: 'c' });
    const before = await records('plan');
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'plan',
      namespace: ns,
      dry_run: true,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.structured).toMatchObject({
      result: 'dry-run',
      fromRevision: 2,
      targetRevision: 1,
      newRevision: 3,
      defaultTarget: true,
    });
    expect(call.structured.objects).toEqual([
      expect.objectContaining({
        name: 'plan-a',
        action: 'update',
        result: 'dry-run',
        changes: [{ path: 'data.v', op: 'replace', before: '"two"', after: '"one"' }],
      }),
      expect.objectContaining({ name: 'plan-b', action: 'create', result: 'dry-run' }),
      expect.objectContaining({ name: 'plan-c', action: 'delete', result: 'dry-run' }),
    ]);
    expect(call.text).toContain('data.v "two" -> "one"');
    expect(await records('plan')).toEqual(before);
    expect((await hrOf('plan')).spec?.suspend).toBeUndefined();
    const live = await api.get('v1', 'ConfigMap', ns, 'plan-a');
    expect(live.data).toEqual({ v: 'two' });
    expect(auditRecords().at(-1)).toMatchObject({ tool: 'rollback_flux_helmrelease', outcome: 'dry-run' });
  });

  it('suspends the HelmRelease with the reason, rolls back as the field manager that owns the objects, and records it', async () => {
    await release('roll', [
      { revision: 1, status: 'superseded', manifest: cm('roll-a', { v: 'one' }) },
      { revision: 2, status: 'deployed', manifest: cm('roll-a', { v: 'two' }) },
    ]);
    await liveConfigMap('roll-a', { v: 'two' });
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'roll',
      namespace: ns,
      reason: 'chart 2 breaks logins',
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.structured).toMatchObject({
      result: 'rolled-back',
      fieldManager: 'helm-controller',
      applyMethod: 'three-way merge',
      suspend: { result: 'suspended' },
      storage: { record: 'sh.helm.release.v1.roll.v3', status: 'deployed', superseded: [2] },
    });
    const hr = await hrOf('roll');
    expect(hr.spec?.suspend).toBe(true);
    expect(hr.metadata.annotations?.[SUSPEND_REASON]).toBe('chart 2 breaks logins');
    const recs = await records('roll');
    expect(recs[3]).toMatchObject({
      status: 'deployed',
      labels: { status: 'deployed', version: '3', owner: 'helm' },
    });
    expect((recs[3]!.json.info as { description: string }).description).toBe('Rollback to 1');
    expect(recs[2]!.status).toBe('superseded');
    const live = await api.get('v1', 'ConfigMap', ns, 'roll-a');
    expect(live.data).toEqual({ v: 'one' });
    const managers = (live.metadata.managedFields as { manager: string }[]).map((m) => m.manager);
    expect(managers).toContain('helm-controller');
    expect(managers).not.toContain('flux-ops-mcp');
    expect(call.text).toContain('upgrades the release back to the chart and values of the HelmRelease');
    expect(auditRecords().at(-1)).toMatchObject({ outcome: 'rolled-back: v2 to v1 as v3' });
  });

  it('leaves an already suspended HelmRelease suspended as it was', async () => {
    await release('held', [
      { revision: 1, status: 'superseded', manifest: cm('held-a', { v: 'one' }) },
      { revision: 2, status: 'deployed', manifest: cm('held-a', { v: 'two' }) },
    ]);
    await api.mergePatch(await hrOf('held'), { spec: { suspend: true } });
    await liveConfigMap('held-a', { v: 'two' });
    const call = await callTool(server.client, 'rollback_flux_helmrelease', { name: 'held', namespace: ns });
    expect(call.structured).toMatchObject({
      result: 'rolled-back',
      suspend: { result: 'already-suspended' },
    });
    expect(call.text).toContain('already suspended');
  });

  it('refuses a default target that failed, naming the good ones, and changes nothing', async () => {
    await release('stuck', [
      { revision: 1, status: 'superseded', manifest: cm('stuck-a', { v: 'one' }) },
      { revision: 2, status: 'failed', manifest: cm('stuck-a', { v: 'two' }) },
      { revision: 3, status: 'deployed', manifest: cm('stuck-a', { v: 'three' }) },
    ]);
    const before = await records('stuck');
    const call = await callTool(server.client, 'rollback_flux_helmrelease', { name: 'stuck', namespace: ns });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain('the previous revision, v2, which helm rollback picks by default, is failed');
    expect(call.text).toContain('v1 (superseded');
    expect(await records('stuck')).toEqual(before);
    expect((await hrOf('stuck')).spec?.suspend).toBeUndefined();
  });

  it('refuses a revision that is not stored, one without its chart, and a release with an action in progress', async () => {
    await release('gaps', [
      { revision: 1, status: 'superseded', manifest: cm('gaps-a', { v: 'one' }), noChart: true },
      { revision: 2, status: 'deployed', manifest: cm('gaps-a', { v: 'two' }) },
    ]);
    const missing = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'gaps',
      namespace: ns,
      revision: 7,
    });
    expect(missing.text).toContain('has no revision 7');
    const chartless = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'gaps',
      namespace: ns,
      revision: 1,
    });
    expect(chartless.text).toContain('v1 has no chart stored');
    await release('busy', [
      { revision: 1, status: 'deployed', manifest: cm('busy-a', { v: 'one' }) },
      { revision: 2, status: 'pending-upgrade', manifest: cm('busy-a', { v: 'two' }) },
    ]);
    const busy = await callTool(server.client, 'rollback_flux_helmrelease', { name: 'busy', namespace: ns });
    expect(busy.text).toContain('is pending-upgrade');
    for (const c of [missing, chartless, busy]) expect(c.result.isError).toBe(true);
    expect((await hrOf('busy')).spec?.suspend).toBeUndefined();
  });

  it('records a rollback the API server refuses as failed, as helm rollback does, and says so', async () => {
    await release('bad', [
      { revision: 1, status: 'superseded', manifest: cm('Bad_Name', { v: 'one' }) },
      { revision: 2, status: 'deployed', manifest: cm('bad-a', { v: 'two' }) },
    ]);
    await liveConfigMap('bad-a', { v: 'two' });
    const call = await callTool(server.client, 'rollback_flux_helmrelease', { name: 'bad', namespace: ns });
    expect(call.result.isError).toBe(true);
    expect(call.structured).toMatchObject({ result: 'failed', storage: { status: 'failed' } });
    expect(call.text).toContain('FAILED');
    const recs = await records('bad');
    expect(recs[3]!.status).toBe('failed');
    expect((recs[3]!.json.info as { description: string }).description).toMatch(/^Rollback "bad" failed: /);
    expect(recs[2]!.status).toBe('superseded');
    // The object of the current revision is not deleted after a failed create.
    expect((await api.get('v1', 'ConfigMap', ns, 'bad-a')).data).toEqual({ v: 'two' });
    expect(auditRecords().at(-1)).toMatchObject({ outcome: 'failed' });
  });

  it('names the rollback hooks of the target it did not run', async () => {
    await release('hooks', [
      {
        revision: 1,
        status: 'superseded',
        manifest: cm('hooks-a', { v: 'one' }),
        hooks: [
          { name: 'db-migrate', kind: 'Job', events: ['pre-rollback', 'pre-upgrade'] },
          { name: 'smoke', kind: 'Pod', events: ['test'] },
        ],
      },
      { revision: 2, status: 'deployed', manifest: cm('hooks-a', { v: 'two' }) },
    ]);
    await liveConfigMap('hooks-a', { v: 'two' });
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'hooks',
      namespace: ns,
      dry_run: true,
    });
    expect(call.structured.hooks).toEqual({ skipped: ['pre-rollback Job/db-migrate'], others: 1 });
    expect(call.text).toContain('NOT run: pre-rollback Job/db-migrate');
  });

  it('refuses, changing nothing, a rollback that would touch a namespace outside --allowed-namespaces', async () => {
    await release('fenced', [
      {
        revision: 1,
        status: 'superseded',
        manifest: `${cm('fenced-a', { v: 'one' })}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fenced-b\n  namespace: kube-system\ndata: {}\n`,
      },
      { revision: 2, status: 'deployed', manifest: cm('fenced-a', { v: 'two' }) },
    ]);
    const before = await records('fenced');
    const fencedServer = await startServer(['--allowed-namespaces', ns]);
    try {
      const call = await callTool(fencedServer.client, 'rollback_flux_helmrelease', {
        name: 'fenced',
        namespace: ns,
      });
      expect(call.result.isError).toBe(true);
      expect(call.text).toContain('namespace kube-system is not one of --allowed-namespaces');
    } finally {
      await fencedServer.close();
    }
    expect(await records('fenced')).toEqual(before);
    expect((await hrOf('fenced')).spec?.suspend).toBeUndefined();
  });

  it('says what helm-controller does on resume when its record of the release has no apiVersion', async () => {
    await release(
      'legacy',
      [
        {
          revision: 1,
          status: 'superseded',
          manifest: cm('legacy-a', { v: 'one' }),
          chart: { name: 'legacy', version: '1.0.0' },
        },
        {
          revision: 2,
          status: 'deployed',
          manifest: cm('legacy-a', { v: 'two' }),
          chart: { name: 'legacy', version: '2.0.0' },
        },
      ],
      {},
      false,
    );
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'legacy',
      namespace: ns,
      dry_run: true,
    });
    // A Flux 2.8+ helm-controller does not check who made a revision against a record an older controller
    // wrote, so only the chart it sees tells it to upgrade; the 2.7 one checks every record.
    expect(call.structured.resume).toContain(
      fluxAtLeast('2.8')
        ? 'sees chart legacy 1.0.0 where the HelmRelease asks for 2.0.0'
        : 'finds revision 3, which it did not make (it recorded v2), and upgrades the release back',
    );
  });
});
