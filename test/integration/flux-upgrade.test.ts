// An upgrade across removed API versions, for real, on a cluster of its own: CRDs that stored objects in
// v1beta2 (v2beta2 for HelmRelease), objects created then, the Flux 2.7 CRDs that still serve both, the
// pre-flight for 2.9, the storage migration (dry run, refusal, a stop midway and its continuation), and the
// API server then accepting the 2.9 CRDs that no longer list the old versions.
//
// The CRDs of Flux 2.6 and older, whose storage version v1beta2 was, are not served by the Go module
// proxy; the 2.7 CRDs with v1beta2 made the storage version stand in for them. They store objects exactly
// as those releases did.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binaries,
  installCrds,
  readCrds,
  startTestCluster,
  type RunningCluster,
} from '../cluster/cluster.js';
import { ApiError, TestApi, type TestObject } from '../support/api.js';
import { callTool, startServer, type ServerHandle } from '../support/env.js';
import { storedApiVersion } from '../support/etcd.js';
import { fluxCommands, fluxCli, helpListsFlag, parseCommand, runFlux } from '../support/flux-cli.js';
import { fluxInstallLabels } from '../support/flux.js';
import { deployment } from '../support/workloads.js';

const CRD = 'apiextensions.k8s.io/v1';
const OLD = 'v2.6.5';
const { crdSets } = binaries();
const SET_27 = crdSets['2.7']!;
const SET_29 = crdSets['2.9']!;
/** Kinds whose old CRDs stored v1beta2 (HelmRelease: v2beta2). */
const OLD_STORAGE: Record<string, string> = {
  GitRepository: 'v1beta2',
  Kustomization: 'v1beta2',
  HelmRelease: 'v2beta2',
  ImageRepository: 'v1beta2',
};
const NAMESPACES = ['mig-a', 'mig-b', 'mig-c'];
const GIT = 'source.toolkit.fluxcd.io';

let running: RunningCluster;
let api: TestApi;
let server: ServerHandle;

interface CrdSpec {
  group: string;
  names: { kind: string; plural: string };
  versions: { name: string; storage: boolean; served: boolean }[];
}

function spec(crd: TestObject): CrdSpec {
  return crd.spec as unknown as CrdSpec;
}

/** The 2.7 CRDs as the older releases installed them: the old version is the storage version. */
function oldCrds(): TestObject[] {
  return readCrds({ ...SET_27, release: OLD }).map((crd) => {
    const old = OLD_STORAGE[spec(crd).names.kind];
    if (!old) return crd;
    const versions = spec(crd).versions.map((v) => ({ ...v, storage: v.name === old }));
    return { ...crd, spec: { ...crd.spec, versions } };
  });
}

async function storedVersions(plural: string, group: string): Promise<string[]> {
  const crd = await api.get(CRD, 'CustomResourceDefinition', undefined, `${plural}.${group}`);
  return (crd.status as { storedVersions: string[] }).storedVersions;
}

async function seed(): Promise<void> {
  for (const ns of [...NAMESPACES, 'flux-system', 'old-flux']) {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const git = (name: string, namespace: string): TestObject => ({
    apiVersion: `${GIT}/v1beta2`,
    kind: 'GitRepository',
    metadata: { name, namespace },
    spec: { url: `https://example.com/${name}.git`, interval: '10m' },
  });
  for (const ns of NAMESPACES) {
    for (let i = 0; i < 10; i++) await api.apply(git(`g-${String(i).padStart(2, '0')}`, ns));
  }
  await api.apply(git('m-blocker', 'mig-b'));
  for (const name of ['apps', 'infra']) {
    await api.apply({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
      kind: 'Kustomization',
      metadata: { name, namespace: 'flux-system' },
      spec: {
        interval: '10m',
        prune: true,
        path: `./${name}`,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
    });
  }
  await api.apply({
    apiVersion: 'helm.toolkit.fluxcd.io/v2beta2',
    kind: 'HelmRelease',
    metadata: { name: 'podinfo', namespace: 'mig-a' },
    spec: {
      interval: '10m',
      chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
    },
  });
  await api.apply({
    apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
    kind: 'ImageRepository',
    metadata: { name: 'podinfo', namespace: 'mig-a' },
    spec: { image: 'ghcr.io/stefanprodan/podinfo', interval: '5m' },
  });
}

beforeAll(async () => {
  running = await startTestCluster({ withoutCrds: true });
  api = new TestApi(running.server, running.adminToken, running.caFile);
  await installCrds(api, oldCrds());
  await seed();
  // Flux 2.7 installed over them: v1 (v2) becomes the storage version, v1beta2 is still served.
  await installCrds(api, readCrds(SET_27));
  for (const name of ['source-controller', 'kustomize-controller', 'helm-controller']) {
    await api.apply(
      deployment(name, 'flux-system', {
        image: `ghcr.io/fluxcd/${name}:v1.7.0`,
        labels: fluxInstallLabels(SET_27.release),
      }),
    );
  }
  // The Git repository still declares the child Kustomizations and a source in v1beta2: the root
  // Kustomization's inventory records the versions it applied them in.
  const root = await api.apply({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'flux-system', namespace: 'flux-system' },
    spec: {
      interval: '10m',
      prune: true,
      path: './clusters/prod',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  });
  await api.patchStatus(root, {
    inventory: {
      entries: [
        { id: 'flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization', v: 'v1beta2' },
        { id: 'flux-system_infra_kustomize.toolkit.fluxcd.io_Kustomization', v: 'v1beta2' },
        { id: 'mig-a_g-00_source.toolkit.fluxcd.io_GitRepository', v: 'v1' },
        { id: 'mig-a_podinfo_image.toolkit.fluxcd.io_ImageRepository', v: 'v1beta2' },
        { id: 'mig-a_settings__ConfigMap', v: 'v1' },
      ],
    },
  });
  server = await startServer([], { kubeconfig: running.kubeconfig });
}, 240_000);

afterAll(async () => {
  await server?.close();
  await api?.close();
  await running?.stop();
});

interface StorageFinding {
  crd: string;
  kind: string;
  storageVersion: string;
  storedVersions: string[];
  removedInTarget: string[];
  objects?: number;
}

interface CrdMigration {
  crd: string;
  kind: string;
  result: string;
  objects: number;
  rewritten: number;
  managedFieldsFixed: number;
  doneBefore: number;
  failed: number;
  storedVersionsAfter: string[];
  errors: { namespace: string; name: string; message: string }[];
}

describe('before the migration', () => {
  it('finds the objects created under the old CRDs stored in v1beta2', async () => {
    expect(await storedApiVersion(running.etcd, GIT, 'gitrepositories', 'mig-b', 'g-03')).toBe(
      `${GIT}/v1beta2`,
    );
    expect(await storedVersions('gitrepositories', GIT)).toEqual(['v1beta2', 'v1']);
  });

  it('check_flux_upgrade names every CRD whose storedVersions lists a version 2.9 drops, with its objects', async () => {
    const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
    const storage = structured.storage as StorageFinding[];
    expect(storage.map((s) => [s.kind, s.storedVersions, s.removedInTarget, s.objects])).toEqual([
      ['HelmRelease', ['v2beta2', 'v2'], ['v2beta2'], 1],
      ['ImageRepository', ['v1beta2', 'v1'], ['v1beta2'], 1],
      ['Kustomization', ['v1beta2', 'v1'], ['v1beta2'], 3],
      ['GitRepository', ['v1beta2', 'v1'], ['v1beta2'], 31],
    ]);
  });

  it('check_flux_upgrade lists the Flux objects Git still applies in removed versions, and not the others', async () => {
    const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
    expect(structured.removedInUse).toEqual([
      {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'apps',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
        appliedBy: 'Kustomization flux-system/flux-system',
      },
      {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra',
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
        appliedBy: 'Kustomization flux-system/flux-system',
      },
      {
        kind: 'ImageRepository',
        namespace: 'mig-a',
        name: 'podinfo',
        apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
        appliedBy: 'Kustomization flux-system/flux-system',
      },
    ]);
  });

  it('check_flux_upgrade to 2.8 calls image v1beta2 deprecated, not removed', async () => {
    const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.8' });
    expect((structured.removedInUse as { name: string }[]).map((o) => o.name)).toEqual(['apps', 'infra']);
    expect((structured.deprecatedInUse as { name: string }[]).map((o) => o.name)).toEqual(['podinfo']);
    const image = (structured.storage as StorageFinding[]).find((s) => s.kind === 'ImageRepository')!;
    expect(image.removedInTarget).toEqual([]);
  });

  it('check_flux_upgrade gives the steps in order with their exact commands', async () => {
    const { structured, text } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9.5' });
    const steps = structured.steps as { title: string; actions: string[] }[];
    expect(steps.map((s) => s.title.split(' ').slice(0, 2).join(' '))).toEqual([
      'Rewrite the',
      'Migrate the',
      'Upgrade Flux',
      'Verify',
    ]);
    expect(steps[0]!.actions[0]).toContain(
      'in the repository of GitRepository flux-system/flux-system, run `flux migrate -f ./clusters/prod --version 2.9`',
    );
    expect(steps[1]!.actions[0]).toContain('migrate_flux_storage dry_run=false');
    expect(steps[2]!.actions).toEqual(['with flux CLI v2.9.5: `flux install`']);
    expect(structured.method).toEqual({ kind: 'install', detail: 'flux install (not managed from Git)' });
    expect(text).toMatch(/^Upgrade of Flux v2\.7\.5 to v2\.9\.5 in context admin: not ready: 5 blockers\./);
  });

  it('check_flux_upgrade tells a bootstrap and names the gotk-components.yaml to regenerate', async () => {
    const crd = {
      apiVersion: CRD,
      kind: 'CustomResourceDefinition',
      metadata: { name: `gitrepositories.${GIT}` },
    };
    const labels = {
      'kustomize.toolkit.fluxcd.io/name': 'flux-system',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    };
    await api.mergePatch(crd, { metadata: { labels } });
    try {
      const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
      expect(structured.method).toEqual({
        kind: 'bootstrap',
        detail:
          'flux bootstrap: the components are applied from Git by Kustomization flux-system/flux-system',
      });
      const upgrade = (structured.steps as { actions: string[] }[])[2]!;
      expect(upgrade.actions[1]).toContain(
        '`flux install --export > ./clusters/prod/flux-system/gotk-components.yaml` with flux CLI v2.9.5, commit and push, then reconcile_flux_kustomization name=flux-system namespace=flux-system with_source=true',
      );
      // Its GitRepository is not there: provider and repository are for the user to fill in, said plainly.
      expect(upgrade.actions[0]).toContain(
        're-run the flux bootstrap command used at installation with --path=./clusters/prod (Kustomization flux-system/flux-system follows GitRepository flux-system/flux-system, which could not be read, so provider and repository are yours to fill in)',
      );
      await api.apply({
        apiVersion: `${GIT}/v1`,
        kind: 'GitRepository',
        metadata: { name: 'flux-system', namespace: 'flux-system' },
        spec: { url: 'https://github.com/acme/fleet.git', interval: '10m', ref: { branch: 'main' } },
      });
      try {
        const again = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
        const actions = (again.structured.steps as { actions: string[] }[])[2]!.actions;
        expect(actions[0]).toContain(
          'with flux CLI v2.9.5: `flux bootstrap github --owner=acme --repository=fleet --branch=main --path=./clusters/prod`',
        );
        expect(actions[1]).toContain('in https://github.com/acme/fleet.git (branch main)');
      } finally {
        await api.delete(`${GIT}/v1`, 'GitRepository', 'flux-system', 'flux-system');
      }
    } finally {
      await api.mergePatch(crd, {
        metadata: { labels: Object.fromEntries(Object.keys(labels).map((k) => [k, null])) },
      });
    }
  });

  it('check_flux_upgrade says plainly when the bootstrap Kustomization the CRDs name does not exist', async () => {
    const crd = {
      apiVersion: CRD,
      kind: 'CustomResourceDefinition',
      metadata: { name: `gitrepositories.${GIT}` },
    };
    const labels = {
      'kustomize.toolkit.fluxcd.io/name': 'gone',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    };
    await api.mergePatch(crd, { metadata: { labels } });
    try {
      const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
      expect((structured.method as { detail: string }).detail).toBe(
        'flux bootstrap: the components are applied from Git by Kustomization flux-system/gone (not found in the cluster)',
      );
      const upgrade = (structured.steps as { actions: string[] }[])[2]!;
      expect(upgrade.actions).toEqual([
        'Kustomization flux-system/gone could not be read, so the repository and path are not known here: with flux CLI v2.9.5, re-run the flux bootstrap command used at installation (fill in the same provider, repository and --path); it commits <path>/flux-system/gotk-components.yaml and applies it',
      ]);
    } finally {
      await api.mergePatch(crd, {
        metadata: { labels: Object.fromEntries(Object.keys(labels).map((k) => [k, null])) },
      });
    }
  });

  it('check_flux_upgrade leaves the storage migration to the Flux Operator unless spec.migrateResources is false', async () => {
    const instance = await api.apply({
      apiVersion: 'fluxcd.controlplane.io/v1',
      kind: 'FluxInstance',
      metadata: { name: 'flux', namespace: 'flux-system' },
      spec: { distribution: { version: '2.7.x', registry: 'ghcr.io/fluxcd' } },
    });
    try {
      let { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
      let steps = structured.steps as { title: string; actions: string[] }[];
      expect(steps.map((s) => s.title.split(' ').slice(0, 3).join(' '))).toEqual([
        'Rewrite the manifests',
        'Let the Flux',
        'Upgrade Flux to',
        'Verify',
      ]);
      expect(steps[1]!.actions[0]).toContain(
        'request one now: reconcile_flux_resource kind=FluxInstance name=flux namespace=flux-system',
      );
      expect(JSON.stringify(steps)).not.toContain('migrate_flux_storage dry_run=true to see');

      await api.mergePatch(instance, { spec: { migrateResources: false } });
      ({ structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' }));
      steps = structured.steps as { title: string; actions: string[] }[];
      expect(steps[1]!.title).toMatch(/^Migrate the stored objects/);
      expect(steps[1]!.actions[0]).toBe(
        'spec.migrateResources of FluxInstance flux-system/flux is false, so the Flux Operator does not do it: migrate_flux_storage dry_run=true to see what it does, then migrate_flux_storage dry_run=false',
      );
    } finally {
      await api.delete('fluxcd.controlplane.io/v1', 'FluxInstance', 'flux-system', 'flux');
    }
  });

  it('check_flux_upgrade upgrades through the FluxInstance, or through Git when Git applies the FluxInstance', async () => {
    const instance = await api.apply({
      apiVersion: 'fluxcd.controlplane.io/v1',
      kind: 'FluxInstance',
      metadata: { name: 'flux', namespace: 'flux-system' },
      spec: { distribution: { version: '2.7.x', registry: 'ghcr.io/fluxcd' } },
    });
    try {
      let { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
      expect((structured.method as { kind: string }).kind).toBe('flux-operator');
      expect((structured.steps as { actions: string[] }[])[2]!.actions).toEqual([
        'upgrade_flux_instance version=2.9.x namespace=flux-system (patches spec.distribution.version and waits for the FluxInstance and FluxReport)',
      ]);
      await api.mergePatch(instance, {
        metadata: {
          labels: {
            'kustomize.toolkit.fluxcd.io/name': 'flux-system',
            'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          },
        },
      });
      ({ structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' }));
      expect((structured.steps as { actions: string[] }[])[2]!.actions[0]).toBe(
        'in the manifest of FluxInstance flux-system/flux, set spec.distribution.version: "2.9.x", commit and push',
      );
    } finally {
      await api.delete('fluxcd.controlplane.io/v1', 'FluxInstance', 'flux-system', 'flux');
    }
  });

  it('upgrade_flux_instance refuses, changing nothing, while the pre-flight finds blockers', async () => {
    const instance = await api.apply<TestObject>({
      apiVersion: 'fluxcd.controlplane.io/v1',
      kind: 'FluxInstance',
      metadata: { name: 'flux', namespace: 'flux-system' },
      spec: { distribution: { version: '2.7.x', registry: 'ghcr.io/fluxcd' } },
      status: { lastAppliedRevision: `${SET_27.release}@sha256:0123456789abcdef` },
    });
    try {
      const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.9.x' });
      expect(call.result.isError).toBe(true);
      expect(call.text).toMatch(
        /^not upgrading FluxInstance flux-system\/flux to 2\.9\.x: CRD helmreleases\.helm\.toolkit\.fluxcd\.io lists v2beta2 in status\.storedVersions/,
      );
      expect(call.text).toContain('check_flux_upgrade version=2.9.x gives the steps. Nothing was changed');
      const live = await api.get('fluxcd.controlplane.io/v1', 'FluxInstance', 'flux-system', 'flux');
      expect(live.metadata.resourceVersion).toBe(instance.metadata.resourceVersion);
    } finally {
      await api.delete('fluxcd.controlplane.io/v1', 'FluxInstance', 'flux-system', 'flux');
    }
  });

  it('upgrade_flux_instance without the Flux Operator changes nothing and gives the steps for how Flux was installed', async () => {
    const call = await callTool(server.client, 'upgrade_flux_instance', { version: '2.9.x' });
    expect(Boolean(call.result.isError)).toBe(false);
    expect(call.structured.result).toBe('no-operator');
    expect(call.text).toMatch(
      /^No FluxInstance in context admin: nothing was changed\. Flux was installed by flux install/,
    );
    const steps = call.structured.steps as { title: string; actions: string[] }[];
    const check = await callTool(server.client, 'check_flux_upgrade', { version: '2.9.x' });
    expect(steps).toEqual(check.structured.steps);
    expect(steps.flatMap((s) => s.actions)).toContain('with flux CLI v2.9.5: `flux install`');
  });

  it('the API server refuses the 2.9 CRD that drops v1beta2 while storedVersions lists it', async () => {
    const crd = readCrds(SET_29).find((c) => c.metadata.name === `gitrepositories.${GIT}`)!;
    const err = await api.apply(crd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(422);
    expect(JSON.stringify((err as ApiError).body)).toContain('storedVersions');
  });
});

describe('every command check_flux_upgrade prints', () => {
  let cli: string;
  const printed: { target: string; command: string }[] = [];

  /** The commands of one answer, with the target release they are for. */
  async function collect(target: string): Promise<void> {
    const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: target });
    const version = (structured.target as { version: string }).version;
    const actions = (structured.steps as { actions: string[] }[]).flatMap((s) => s.actions);
    for (const command of fluxCommands(actions)) printed.push({ target: version, command });
  }

  beforeAll(async () => {
    cli = fluxCli();
    // flux install (this cluster), with Git still applying removed versions and storage to migrate.
    await collect('2.9.5');
    // Bootstrap from a GitHub repository, then from another Git server.
    const crd = {
      apiVersion: CRD,
      kind: 'CustomResourceDefinition',
      metadata: { name: `gitrepositories.${GIT}` },
    };
    const labels = {
      'kustomize.toolkit.fluxcd.io/name': 'flux-system',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    };
    const repo = (url: string): TestObject => ({
      apiVersion: `${GIT}/v1`,
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: { url, interval: '10m', ref: { branch: 'main' } },
    });
    await api.mergePatch(crd, { metadata: { labels } });
    try {
      await api.apply(repo('https://github.com/acme/fleet.git'));
      await collect('2.9.5');
      await api.apply(repo('ssh://git@git.example.com/fleet.git'));
      await collect('2.9.5');
    } finally {
      await api.delete(`${GIT}/v1`, 'GitRepository', 'flux-system', 'flux-system');
      await api.mergePatch(crd, {
        metadata: { labels: Object.fromEntries(Object.keys(labels).map((k) => [k, null])) },
      });
    }
    // The Flux Operator that does not migrate by itself.
    await api.apply({
      apiVersion: 'fluxcd.controlplane.io/v1',
      kind: 'FluxInstance',
      metadata: { name: 'flux', namespace: 'flux-system' },
      spec: { distribution: { version: '2.7.x', registry: 'ghcr.io/fluxcd' }, migrateResources: false },
    });
    try {
      await collect('2.9.5');
    } finally {
      await api.delete('fluxcd.controlplane.io/v1', 'FluxInstance', 'flux-system', 'flux');
    }
  }, 900_000);

  it('are the commands of every kind of installation', () => {
    const kinds = new Set(printed.map((p) => parseCommand(p.command).subcommand.join(' ')));
    expect([...kinds].sort()).toEqual(['bootstrap git', 'bootstrap github', 'install', 'migrate']);
    expect(new Set(printed.map((p) => p.target))).toEqual(new Set(['v2.9.5']));
  });

  it('name a subcommand and flags that the flux CLI of the target release has', () => {
    const missing: string[] = [];
    for (const { command } of printed) {
      const { subcommand, flags } = parseCommand(command);
      const help = runFlux(cli, [...subcommand, '--help']);
      if (help.status !== 0) {
        missing.push(`${command}: flux ${subcommand.join(' ')} --help failed: ${help.output}`);
        continue;
      }
      for (const { flag } of flags) {
        if (!helpListsFlag(help.output, flag))
          missing.push(`${command}: no ${flag} in flux ${subcommand.join(' ')}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('run: flux migrate -f rewrites a checkout with the --version it is given', () => {
    const migrations = printed.filter((p) => p.command.startsWith('flux migrate -f '));
    expect(migrations.length).toBeGreaterThan(0);
    for (const { command } of migrations) {
      const { flags } = parseCommand(command);
      const path = flags.find((f) => f.flag === '-f')!.value!;
      const checkout = mkdtempSync(join(tmpdir(), 'flux-migrate-'));
      mkdirSync(join(checkout, path), { recursive: true });
      writeFileSync(
        join(checkout, path, 'apps.yaml'),
        'apiVersion: kustomize.toolkit.fluxcd.io/v1beta2\nkind: Kustomization\nmetadata:\n  name: apps\n',
      );
      const args = command.split(/\s+/).slice(1);
      const run = runFlux(cli, [...args, '--dry-run'], checkout);
      expect(run.status, `${command}: ${run.output}`).toBe(0);
      expect(run.output).toContain('Kustomization v1beta2 -> v1');
    }
  });
});

describe('migrate_flux_storage', () => {
  it('changes nothing in a dry run and says what it would rewrite', async () => {
    const { structured, text } = await callTool(server.client, 'migrate_flux_storage', {});
    expect(structured.result).toBe('dry-run');
    const git = (structured.crds as CrdMigration[]).find((c) => c.kind === 'GitRepository')!;
    expect(git).toMatchObject({ result: 'dry-run', objects: 31, rewritten: 31, failed: 0 });
    expect(text).toContain('nothing was changed');
    const audit = server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"type":"audit"'))
      .map((l) => JSON.parse(l) as { tool: string; outcome: string });
    expect(audit.at(-1)).toMatchObject({
      tool: 'migrate_flux_storage',
      outcome: 'dry-run: 4 CRDs, 36 objects',
    });
    expect(await storedVersions('gitrepositories', GIT)).toEqual(['v1beta2', 'v1']);
    expect(await storedApiVersion(running.etcd, GIT, 'gitrepositories', 'mig-b', 'g-03')).toBe(
      `${GIT}/v1beta2`,
    );
  });

  it('refuses while controllers of another release than the CRDs run, and changes nothing', async () => {
    await api.apply(
      deployment('image-reflector-controller', 'old-flux', {
        image: 'ghcr.io/fluxcd/image-reflector-controller:v0.35.2',
        labels: fluxInstallLabels(OLD),
      }),
    );
    const call = await callTool(server.client, 'migrate_flux_storage', {
      dry_run: false,
      namespace: 'old-flux',
    });
    expect(call.result.isError).toBe(true);
    expect(call.text).toContain(
      `Flux controllers of another release than the CRDs (${SET_27.release}) are running in old-flux: image-reflector-controller (${OLD})`,
    );
    expect(await storedVersions('gitrepositories', GIT)).toEqual(['v1beta2', 'v1']);
  });

  it('rewrites what it can when an object is refused, and keeps that CRD storedVersions', async () => {
    await freeze('mig-b', 'm-blocker');
    const call = await callTool(server.client, 'migrate_flux_storage', { dry_run: false });
    expect(call.result.isError).toBe(true);
    expect(call.structured.result).toBe('failed');
    const crds = call.structured.crds as CrdMigration[];
    const git = crds.find((c) => c.kind === 'GitRepository')!;
    expect(git).toMatchObject({ result: 'failed', failed: 1, rewritten: 30 });
    expect(git.errors[0]).toMatchObject({ namespace: 'mig-b', name: 'm-blocker' });
    expect(git.errors[0]!.message).toContain('m-blocker is frozen');
    expect(await storedVersions('gitrepositories', GIT)).toEqual(['v1beta2', 'v1']);
    for (const kind of ['Kustomization', 'HelmRelease', 'ImageRepository']) {
      expect(crds.find((c) => c.kind === kind)!.result).toBe('migrated');
    }
    expect(await storedVersions('kustomizations', 'kustomize.toolkit.fluxcd.io')).toEqual(['v1']);
  });

  it('moves managedFields of objects applied in the old version to the storage version', async () => {
    const ks = await api.get('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'apps');
    const versions = (ks.metadata.managedFields as { apiVersion: string }[]).map((m) => m.apiVersion);
    expect(new Set(versions)).toEqual(new Set(['kustomize.toolkit.fluxcd.io/v1']));
  });

  it('continues a stopped run where it stopped: objects before the refused one are not rewritten again', async () => {
    await thaw();
    const progress: string[] = [];
    const call = await callTool(
      server.client,
      'migrate_flux_storage',
      { dry_run: false },
      { onprogress: (p) => void progress.push(p.message ?? '') },
    );
    expect(Boolean(call.result.isError), call.text).toBe(false);
    // The last notifications can arrive in the same chunk as the answer, and the SDK client drops those
    // (it handles notifications a microtask later than responses): only the first one is checked.
    expect(progress).toContain('GitRepository: continuing after mig-b/g-09 (20 done before)');
    const git = (call.structured.crds as CrdMigration[]).find((c) => c.kind === 'GitRepository')!;
    // mig-a (10) and mig-b/g-* (10) come before mig-b/m-blocker in list order.
    expect(git).toMatchObject({ result: 'migrated', doneBefore: 20, rewritten: 11, failed: 0 });
    expect(call.text).toContain('20 done by an earlier run');
    const others = (call.structured.crds as CrdMigration[]).filter((c) => c.kind !== 'GitRepository');
    expect(new Set(others.map((c) => c.result))).toEqual(new Set(['up-to-date']));
  });

  it('leaves every object stored in the storage version and storedVersions with that version alone', async () => {
    for (const ns of NAMESPACES) {
      expect(await storedApiVersion(running.etcd, GIT, 'gitrepositories', ns, 'g-07')).toBe(`${GIT}/v1`);
    }
    expect(await storedApiVersion(running.etcd, GIT, 'gitrepositories', 'mig-b', 'm-blocker')).toBe(
      `${GIT}/v1`,
    );
    expect(
      await storedApiVersion(running.etcd, 'helm.toolkit.fluxcd.io', 'helmreleases', 'mig-a', 'podinfo'),
    ).toBe('helm.toolkit.fluxcd.io/v2');
    expect(await storedVersions('gitrepositories', GIT)).toEqual(['v1']);
    const crd = await api.get(CRD, 'CustomResourceDefinition', undefined, `gitrepositories.${GIT}`);
    expect(crd.metadata.annotations?.['flux-ops-mcp.io/storage-migration']).toBeUndefined();
  });

  it('has nothing left to do on a third run', async () => {
    const call = await callTool(server.client, 'migrate_flux_storage', { dry_run: false });
    expect(call.structured.result).toBe('up-to-date');
    expect(call.text).toContain('nothing to do');
  });
});

describe('after the migration', () => {
  it('the API server accepts the 2.9 CRDs, which no longer serve v1beta2, and the objects read in v1', async () => {
    await installCrds(api, readCrds(SET_29));
    expect(await storedVersions('gitrepositories', GIT)).toEqual(['v1']);
    const repo = await api.get(`${GIT}/v1`, 'GitRepository', 'mig-c', 'g-09');
    expect(repo.spec?.url).toBe('https://example.com/g-09.git');
    const crd = await api.get(CRD, 'CustomResourceDefinition', undefined, `gitrepositories.${GIT}`);
    expect(spec(crd).versions.map((v) => v.name)).toEqual(['v1']);
  });

  it('check_flux_upgrade finds no storage left to migrate', async () => {
    const { structured } = await callTool(server.client, 'check_flux_upgrade', { version: '2.9' });
    expect(structured.storage).toEqual([]);
  });
});

const POLICY = 'flux-ops-mcp-test-freeze';
const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

/** A ValidatingAdmissionPolicy that refuses every update of one GitRepository, as a webhook might. */
async function freeze(namespace: string, name: string): Promise<void> {
  await api.request('POST', `${ADMISSION}/validatingadmissionpolicies`, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: POLICY },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: [GIT], apiVersions: ['*'], operations: ['UPDATE'], resources: ['gitrepositories'] },
        ],
      },
      validations: [
        {
          expression: `!(object.metadata.namespace == '${namespace}' && object.metadata.name == '${name}')`,
          message: `${name} is frozen`,
        },
      ],
    },
  });
  await api.request('POST', `${ADMISSION}/validatingadmissionpolicybindings`, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: POLICY },
    spec: { policyName: POLICY, validationActions: ['Deny'] },
  });
  // The policy takes effect once the API server has compiled it: wait until an update is refused.
  const path = TestApi.pathFor(`${GIT}/v1`, 'GitRepository', namespace, name);
  for (let i = 0; ; i++) {
    const refused = await api
      .request(
        'PATCH',
        `${path}?dryRun=All`,
        { metadata: { labels: { probe: String(i) } } },
        'application/merge-patch+json',
      )
      .then(
        () => false,
        () => true,
      );
    if (refused) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function thaw(): Promise<void> {
  await api.request('DELETE', `${ADMISSION}/validatingadmissionpolicybindings/${POLICY}`);
  await api.request('DELETE', `${ADMISSION}/validatingadmissionpolicies/${POLICY}`);
  const path = TestApi.pathFor(`${GIT}/v1`, 'GitRepository', 'mig-b', 'm-blocker');
  for (let i = 0; ; i++) {
    const accepted = await api
      .request(
        'PATCH',
        `${path}?dryRun=All`,
        { metadata: { labels: { probe: String(i) } } },
        'application/merge-patch+json',
      )
      .then(
        () => true,
        () => false,
      );
    if (accepted) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
