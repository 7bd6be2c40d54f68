// Waits against the real kustomize-controller where a request's answer depends on another object or another
// request: the canonical layout, `apps` depending on `infra` on one GitRepository, reconciled with its source
// after each of ten commits (kustomize-controller says DependencyNotReady while `infra` applies the commit
// and, left alone, looks again only after --requeue-dependency, 30 s here as by default); and two callers
// reconciling one Kustomization at once, where the controller handles only the later request.
//
// The test cluster runs no Deployment controller: the test plays it for the Deployments `infra` and `race`
// health-check, marking each generation ready when the test decides, so that `infra` is still applying
// when `apps` is requested and `race` is busy when both callers patch it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { GitRepository } from '../cluster/git-repositories.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, startServer, type ServerHandle } from '../support/env.js';
import { V } from '../support/flux.js';
import {
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
const ks = (name: string): Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'> => ({
  apiVersion: V.kustomization,
  kind: 'Kustomization',
  metadata: { name, namespace: ns },
});

/** A Deployment whose pod template changes with `serial`: each commit gives it a new generation. */
function deploymentYaml(name: string, serial: number): string {
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'ghcr.io/example/web:1.0.0',
              env: [{ name: 'SERIAL', value: String(serial) }],
            },
          ],
        },
      },
    },
  });
}

/** What a Deployment controller writes once the current generation is rolled out (kstatus: Current). */
async function markRolledOut(name: string): Promise<boolean> {
  const d = await api.get('apps/v1', 'Deployment', target, name).catch(() => undefined);
  if (!d || d.status?.observedGeneration === d.metadata.generation) return false;
  await api.patchStatus(d, {
    observedGeneration: d.metadata.generation,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'ok' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ok' },
    ],
  });
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function chainFiles(serial: number): Record<string, string> {
  return {
    'chain/infra/kustomization.yaml': kustomizationYaml(['deployment.yaml', 'settings.yaml']),
    'chain/infra/deployment.yaml': deploymentYaml('infra-web', serial),
    'chain/infra/settings.yaml': configMapYaml('infra-settings', { serial: String(serial) }),
    'chain/apps/kustomization.yaml': kustomizationYaml(['settings.yaml']),
    'chain/apps/settings.yaml': configMapYaml('apps-settings', { serial: String(serial) }),
  };
}

beforeAll(async () => {
  api = adminApi();
  const id = randomBytes(3).toString('hex');
  ns = `e2e-deps-${id}`;
  target = `e2e-deps-apps-${id}`;
  for (const name of [ns, target]) {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  repo = await sources().gitRepository(`deps-${id}`);
  await repo.commit(
    {
      ...chainFiles(0),
      'race/kustomization.yaml': kustomizationYaml(['deployment.yaml']),
      'race/deployment.yaml': deploymentYaml('race-web', 0),
    },
    'first',
  );
  await api.apply(gitRepository('repo', ns, repo.url));
  const infra = kustomization('infra', ns, {
    path: './chain/infra',
    source: 'repo',
    targetNamespace: target,
  });
  await api.apply({ ...infra, spec: { ...infra.spec, wait: true, timeout: '2m' } });
  await api.apply(
    kustomization('apps', ns, {
      path: './chain/apps',
      source: 'repo',
      targetNamespace: target,
      dependsOn: ['infra'],
    }),
  );
  // The first apply of infra waits for its Deployment.
  await waitForObject(
    api,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'infra-web', namespace: target } },
    () => true,
  );
  await markRolledOut('infra-web');
  await waitForObject(api, ks('infra'));
  await waitForObject(api, ks('apps'), undefined, 90_000);
  server = await startServer();
}, 180_000);

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('apps (dependsOn infra, same GitRepository) reconciled with its source after each of ten commits', () => {
  interface Round {
    sha: string;
    /** When a watch saw infra's lastAppliedRevision become the commit (ms since epoch). */
    infraApplied?: number;
    answered: number;
    result: string;
    revision?: string;
    message: string;
    /** infra's lastAppliedRevision when the answer came. */
    infraAtAnswer?: string;
    /** apps' lastHandledReconcileAt when the answer came. */
    lastHandled?: string;
  }
  const rounds: Round[] = [];

  beforeAll(async () => {
    const stop = new AbortController();
    const applied = new Map<string, number>();
    void api.watch(
      V.kustomization,
      'Kustomization',
      (_type, o) => {
        const rev = o.status?.lastAppliedRevision as string | undefined;
        if (o.metadata.namespace === ns && o.metadata.name === 'infra' && rev && !applied.has(rev))
          applied.set(rev, Date.now());
      },
      stop.signal,
    );
    try {
      for (let serial = 1; serial <= 10; serial++) {
        const sha = await repo.commit(chainFiles(serial), `chain commit ${serial}`);
        // The Deployment controller the cluster lacks: infra's new generation is rolled out a second after
        // it is applied; meanwhile infra runs its health check and apps waits for it.
        let watching = true;
        const controller = (async () => {
          let seen: number | undefined;
          while (watching) {
            const d = await api.get('apps/v1', 'Deployment', target, 'infra-web').catch(() => undefined);
            const pending = d !== undefined && d.status?.observedGeneration !== d.metadata.generation;
            if (!pending) seen = undefined;
            else if (seen === undefined) seen = Date.now();
            else if (Date.now() - seen >= 1000) await markRolledOut('infra-web');
            await sleep(100);
          }
        })();
        const { structured } = await callTool(server.client, 'reconcile_flux_kustomization', {
          name: 'apps',
          namespace: ns,
          with_source: true,
          timeout: '2m',
        });
        const answered = Date.now();
        const [infra, apps] = await Promise.all([
          api.get(V.kustomization, 'Kustomization', ns, 'infra'),
          api.get(V.kustomization, 'Kustomization', ns, 'apps'),
        ]);
        watching = false;
        await controller;
        const infraApplied = applied.get(revision(sha));
        rounds.push({
          sha,
          ...(infraApplied ? { infraApplied } : {}),
          answered,
          result: structured.result as string,
          ...(structured.revision ? { revision: structured.revision as string } : {}),
          message: structured.message as string,
          ...(infra.status?.lastAppliedRevision
            ? { infraAtAnswer: infra.status.lastAppliedRevision as string }
            : {}),
          ...(apps.status?.lastHandledReconcileAt
            ? { lastHandled: apps.status.lastHandledReconcileAt as string }
            : {}),
        });
      }
    } finally {
      stop.abort();
    }
    // The measurement for the record (docs/flux-semantics.md, When a wait ends): how long after infra
    // applied each commit the answer for apps came; the controller alone would look again after 30 s.
    process.stderr.write(
      `e2e: apps answered after infra applied the commit: ${rounds
        .map((r) => (r.infraApplied ? `${((r.answered - r.infraApplied) / 1000).toFixed(2)}s` : 'n/a'))
        .join(', ')}\n`,
    );
  }, 900_000);

  it('answers ten times with the revision of each commit applied, in order', () => {
    expect(rounds.map((r) => [r.result, r.revision])).toEqual(rounds.map((r) => ['ready', revision(r.sha)]));
  });

  it('answers each once infra has applied the same commit', () => {
    expect(rounds.map((r) => r.infraAtAnswer)).toEqual(rounds.map((r) => revision(r.sha)));
  });

  it('requests apps again itself once infra is ready, and the reconcile it started is the one that answered', () => {
    for (const r of rounds) {
      const requests = [
        ...r.message.matchAll(
          /for Kustomization \S+\/infra, then requested the reconcile again \(([^)]+)\)/g,
        ),
      ];
      expect(requests.length, r.message).toBeGreaterThan(0);
      expect(r.lastHandled).toBe(requests[requests.length - 1]![1]);
    }
  });
});

describe('two callers reconciling one Kustomization at once', () => {
  let second: ServerHandle;

  beforeAll(async () => {
    second = await startServer();
  });

  afterAll(async () => {
    await second?.close();
  });

  it('both get the answer: the controller handled the later request, which covers the earlier', async () => {
    const race = kustomization('race', ns, { path: './race', source: 'repo', targetNamespace: target });
    await api.apply({ ...race, spec: { ...race.spec, wait: true, timeout: '2m' } });
    // The first reconcile applies the Deployment and runs its health check until the test rolls it out.
    await waitForObject(api, ks('race'), (o) =>
      ((o.status?.conditions ?? []) as { type: string; message?: string }[]).some(
        (c) => c.type === 'Reconciling' && (c.message ?? '').startsWith('Running health checks'),
      ),
    );
    const requested = async () =>
      (await api.get(V.kustomization, 'Kustomization', ns, 'race')).metadata.annotations?.[
        'reconcile.fluxcd.io/requestedAt'
      ];
    const first = callTool(server.client, 'reconcile_flux_kustomization', {
      name: 'race',
      namespace: ns,
      timeout: '2m',
    });
    while (!(await requested())) await sleep(50);
    const firstToken = await requested();
    const later = callTool(second.client, 'reconcile_flux_kustomization', {
      name: 'race',
      namespace: ns,
      timeout: '2m',
    });
    while ((await requested()) === firstToken) await sleep(50);
    await markRolledOut('race-web');
    const [a, b] = await Promise.all([first, later]);

    const live = await api.get(V.kustomization, 'Kustomization', ns, 'race');
    expect(live.status?.lastHandledReconcileAt).toBe(b.structured.token);
    expect(a.structured).toMatchObject({ result: 'ready', token: firstToken });
    expect(a.structured.message).toContain(
      `the controller handled a later request (${String(b.structured.token)}) instead of this one`,
    );
    expect(b.structured.result).toBe('ready');
    expect(b.structured.message).not.toContain('later request');
  });
});
