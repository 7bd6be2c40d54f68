// Kustomizations reconciled by the real source-controller and kustomize-controller from a Git repository
// served on loopback, driven through our server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepository } from '../cluster/git-repositories.js';
import type { TestApi } from '../support/api.js';
import { adminApi, callTool, startServer, type ServerHandle } from '../support/env.js';
import { V } from '../support/flux.js';
import {
  capture,
  configMapYaml,
  gitRepository,
  kustomization,
  kustomizationYaml,
  sources,
  waitForObject,
} from './support/e2e.js';

let api: TestApi;
let server: ServerHandle;
let repo: GitRepository;
let ns: string;
let target: string;

const revision = (sha: string) => `main@sha1:${sha}`;

async function configMapData(name: string): Promise<Record<string, string> | undefined> {
  const cm = await api.get('v1', 'ConfigMap', target, name).catch(() => undefined);
  return cm?.data as Record<string, string> | undefined;
}

/** The app: one ConfigMap whose content the tests change. */
function app(greeting: string): Record<string, string> {
  return {
    'app/kustomization.yaml': kustomizationYaml(['settings.yaml']),
    'app/settings.yaml': configMapYaml('settings', { greeting }),
  };
}

beforeAll(async () => {
  api = adminApi();
  const id = randomBytes(3).toString('hex');
  ns = `e2e-ks-${id}`;
  target = `e2e-ks-apps-${id}`;
  for (const name of [ns, target]) {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  repo = await sources().gitRepository(`ks-${id}`);
  await repo.commit(
    {
      ...app('hello'),
      'infra/kustomization.yaml': kustomizationYaml(['base.yaml']),
      'infra/base.yaml': configMapYaml('infra-base', { tier: 'infra' }),
      'platform/kustomization.yaml': kustomizationYaml(['platform.yaml']),
      'platform/platform.yaml': configMapYaml('platform', { tier: 'platform' }),
      'frontend/kustomization.yaml': kustomizationYaml(['frontend.yaml']),
      'frontend/frontend.yaml': configMapYaml('frontend', { tier: 'frontend' }),
    },
    'first',
  );
  await api.apply(gitRepository('repo', ns, repo.url));
  await api.apply(kustomization('app', ns, { path: './app', source: 'repo', targetNamespace: target }));
  await waitForObject(api, {
    apiVersion: V.kustomization,
    kind: 'Kustomization',
    metadata: { name: 'app', namespace: ns },
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('a commit reconciled with its source', () => {
  it('lands the new revision, and the answer names it', async () => {
    const sha = await repo.commit(app('hello again'), 'change the greeting');
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'app',
      namespace: ns,
      with_source: true,
    });
    expect(result.isError).toBeFalsy();
    expect(structured).toMatchObject({ result: 'ready', revision: revision(sha) });
    expect(text).toContain(`applied revision main@sha1:${sha.slice(0, 8)}`);
    expect(text).toContain(`1. GitRepository ${ns}/repo: fetched revision main@sha1:${sha.slice(0, 8)}`);
    expect(await configMapData('settings')).toEqual({ greeting: 'hello again' });
    await capture(api, 'kustomization-after-reconcile-with-source', {
      apiVersion: V.kustomization,
      kind: 'Kustomization',
      metadata: { name: 'app', namespace: ns },
    });
  });
});

describe('a broken commit', () => {
  let broken: string;

  beforeAll(async () => {
    broken = await repo.commit(
      { 'app/kustomization.yaml': kustomizationYaml(['settings.yaml', 'missing.yaml']) },
      'reference a file that does not exist',
    );
  });

  afterAll(async () => {
    await repo.commit(app('hello again'), 'fix the kustomization');
    await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'app',
      namespace: ns,
      with_source: true,
    });
  });

  it('fails the reconcile, and the answer names the controller reason and its message', async () => {
    const { result, text, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'app',
      namespace: ns,
      with_source: true,
    });
    expect(result.isError).toBe(true);
    expect(structured.result).toBe('failed');
    expect(structured.message).toMatch(/^BuildFailed: kustomize build failed: .*missing\.yaml/);
    expect(text).toMatch(/failed after .*: BuildFailed: kustomize build failed/);
    const steps = structured.steps as { role: string; revision?: string }[];
    expect(steps.find((s) => s.role === 'target')?.revision).toBe(revision(broken));
    expect(text).toContain(`(attempted rev main@sha1:${broken.slice(0, 8)}): BuildFailed`);
    await capture(api, 'kustomization-build-failed', {
      apiVersion: V.kustomization,
      kind: 'Kustomization',
      metadata: { name: 'app', namespace: ns },
    });
  });

  it('is listed by get_flux_status with the reason, the message and the commit it failed on', async () => {
    const { structured, text } = await callTool(server.client, 'get_flux_status', { namespace: ns });
    const failing = structured.failing as { kind: string; name: string; reason?: string; message?: string }[];
    expect(failing).toContainEqual(
      expect.objectContaining({
        kind: 'Kustomization',
        name: 'app',
        reason: 'BuildFailed',
        message: expect.stringContaining('missing.yaml'),
        attemptedRevision: revision(broken),
      }),
    );
    expect(text).toContain(`Kustomization ${ns}/app  BuildFailed`);
    expect(text).toContain(`attempted rev main@sha1:${broken.slice(0, 8)} (applied main@sha1:`);
    expect(structured.stale).toEqual([]);
  });

  it('has events that name the cause', async () => {
    const { structured } = await callTool(server.client, 'get_flux_events', {
      kind: 'Kustomization',
      name: 'app',
      namespace: ns,
    });
    const events = structured.events as { reason: string; message: string; type: string }[];
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'BuildFailed',
        message: expect.stringContaining('missing.yaml'),
      }),
    );
    expect(broken).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('a suspended Kustomization', () => {
  let sha: string;

  it('refuses a reconcile and applies nothing', async () => {
    const suspended = await callTool(server.client, 'suspend_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'app',
      namespace: ns,
      reason: 'e2e: hold the app',
    });
    expect(suspended.result.isError).toBeFalsy();
    sha = await repo.commit(app('while suspended'), 'change while suspended');

    const { result, text } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'app',
      namespace: ns,
      with_source: true,
    });
    expect(result.isError).toBe(true);
    expect(text).toContain(`Kustomization ${ns}/app is suspended`);
    expect(text).toContain('e2e: hold the app');
    // The source may fetch the commit (a plain source reconcile does), but nothing is applied.
    await callTool(server.client, 'reconcile_flux_source', {
      kind: 'GitRepository',
      name: 'repo',
      namespace: ns,
    });
    expect(await configMapData('settings')).toEqual({ greeting: 'hello again' });
  });

  it('still records a reconcile request it does not act on (set by another client)', async () => {
    const ref = {
      apiVersion: V.kustomization,
      kind: 'Kustomization',
      metadata: { name: 'app', namespace: ns },
    };
    const token = `e2e-${Date.now()}`;
    await api.mergePatch(ref, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } });
    const live = await waitForObject(api, ref, (o) => o.status?.lastHandledReconcileAt === token);
    expect(live.status?.observedGeneration).toBe(live.metadata.generation);
    expect(await configMapData('settings')).toEqual({ greeting: 'hello again' });
    await capture(api, 'kustomization-suspended-after-request', ref);
  });

  it('applies the commit on resume, and the answer names the revision', async () => {
    const { result, structured, text } = await callTool(server.client, 'resume_flux_reconciliation', {
      kind: 'Kustomization',
      name: 'app',
      namespace: ns,
    });
    expect(result.isError).toBeFalsy();
    const objects = structured.objects as { result: string; revision?: string; message: string }[];
    expect(objects[0]).toMatchObject({ result: 'ready', revision: revision(sha) });
    expect(text).toContain(`main@sha1:${sha.slice(0, 8)}`);
    expect(await configMapData('settings')).toEqual({ greeting: 'while suspended' });
  });
});

describe('a dependsOn chain', () => {
  beforeAll(async () => {
    await api.apply(kustomization('infra', ns, { path: './infra', source: 'repo', targetNamespace: target }));
    await api.apply(
      kustomization('platform', ns, {
        path: './platform',
        source: 'repo',
        targetNamespace: target,
        dependsOn: ['infra'],
      }),
    );
    await api.apply(
      kustomization('frontend', ns, {
        path: './frontend',
        source: 'repo',
        targetNamespace: target,
        dependsOn: ['platform'],
      }),
    );
  });

  it('reconciles parents before children with with_dependencies', async () => {
    const { result, structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'frontend',
      namespace: ns,
      with_dependencies: true,
      with_source: true,
    });
    expect(result.isError).toBeFalsy();
    const steps = structured.steps as { role: string; kind: string; name: string; result: string }[];
    expect(steps.map((s) => `${s.role} ${s.kind}/${s.name} ${s.result}`)).toEqual([
      'source GitRepository/repo ready',
      'dependency Kustomization/infra ready',
      'dependency Kustomization/platform ready',
      'target Kustomization/frontend ready',
    ]);
    expect(await configMapData('frontend')).toEqual({ tier: 'frontend' });
  });
});

describe('inventories written by kustomize-controller', () => {
  it('get_flux_tree lists what the Kustomization applied', async () => {
    const { structured } = await callTool(server.client, 'get_flux_tree', { name: 'app', namespace: ns });
    const nodes = structured.nodes as { kind: string; namespace?: string; name: string; status: string }[];
    expect(nodes).toContainEqual(
      expect.objectContaining({ kind: 'ConfigMap', namespace: target, name: 'settings', status: 'present' }),
    );
  });

  it('trace_kubernetes_resource finds the Kustomization and its GitRepository', async () => {
    const { structured, text } = await callTool(server.client, 'trace_kubernetes_resource', {
      kind: 'ConfigMap',
      name: 'settings',
      namespace: target,
    });
    expect(structured.managed).toBe(true);
    expect(text).toContain(`Kustomization ${ns}/app`);
    expect(text).toContain(`GitRepository ${ns}/repo`);
    expect(text).toContain(repo.url);
  });
});
