// The timeline of get_flux_changes assembled from fixed inputs: events written as the controllers write them
// (reasons, messages and revision annotations of source-controller v1.9, kustomize-controller v1.9 and
// helm-controller v1.6), and objects as the real controllers left them (test/fixtures/real-flux).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { changeSetLines, commitSubject } from '../../src/flux/change-events.js';
import type { StoredRelease } from '../../src/flux/helm-records.js';
import { assembleTimeline, type Change, type TimelineInput, type Window } from '../../src/flux/timeline.js';
import type { KubeObject } from '../../src/kube/types.js';

const NS = 'apps';
const SHA = {
  a: '3b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b',
  b: 'efe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
  c: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
};
const rev = (sha: string) => `main@sha1:${sha}`;
const T0 = Date.parse('2026-11-26T14:00:00Z');
/** An RFC 3339 time `s` seconds after 14:00:00. */
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.000Z$/, 'Z');
const window: Window = { from: T0 - 3600_000, to: T0 + 3600_000 };

function fixture(name: string): KubeObject {
  return parse(
    readFileSync(new URL(`../fixtures/real-flux/${name}.yaml`, import.meta.url), 'utf8'),
  ) as KubeObject;
}

interface EventSpec {
  kind: string;
  name: string;
  namespace?: string;
  reason: string;
  message: string;
  at: number;
  type?: 'Normal' | 'Warning';
  revision?: string;
  count?: number;
  last?: number;
}

const GROUPS: Record<string, string> = {
  GitRepository: 'source.toolkit.fluxcd.io/v1',
  HelmRepository: 'source.toolkit.fluxcd.io/v1',
  HelmChart: 'source.toolkit.fluxcd.io/v1',
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
};

/** A core/v1 Event as the controllers' event recorder writes it. */
function event(e: EventSpec): KubeObject {
  const group = GROUPS[e.kind]!.split('/')[0]!;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${e.name}.${e.at}`,
      namespace: e.namespace ?? NS,
      ...(e.revision ? { annotations: { [`${group}/revision`]: e.revision } } : {}),
    },
    involvedObject: {
      apiVersion: GROUPS[e.kind],
      kind: e.kind,
      name: e.name,
      namespace: e.namespace ?? NS,
    },
    reason: e.reason,
    message: e.message,
    type: e.type ?? 'Normal',
    count: e.count ?? 1,
    firstTimestamp: at(e.at),
    lastTimestamp: at(e.last ?? e.at),
    source: { component: 'controller' },
  };
}

function gitRepository(name = 'repo', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: GROUPS.GitRepository,
    kind: 'GitRepository',
    metadata: { name, namespace: NS, creationTimestamp: '2026-11-01T00:00:00Z' },
    spec: { url: 'http://git/repo.git', interval: '1h' },
    ...extra,
  };
}

function kustomization(
  name: string,
  opts: { source?: string; dependsOn?: string[]; status?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: GROUPS.Kustomization,
    kind: 'Kustomization',
    metadata: { name, namespace: NS, creationTimestamp: '2026-11-01T00:00:00Z' },
    spec: {
      interval: '1h',
      path: `./${name}`,
      sourceRef: { kind: 'GitRepository', name: opts.source ?? 'repo' },
      ...(opts.dependsOn ? { dependsOn: opts.dependsOn.map((d) => ({ name: d })) } : {}),
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

const newArtifact = (s: number, sha: string, subject: string): EventSpec => ({
  kind: 'GitRepository',
  name: 'repo',
  reason: 'NewArtifact',
  message: `stored artifact for commit '${subject}'`,
  at: s,
  revision: rev(sha),
});

const finished = (s: number, name: string, sha: string): EventSpec => ({
  kind: 'Kustomization',
  name,
  reason: 'ReconciliationSucceeded',
  message: 'Reconciliation finished in 128.827337ms, next run in 1h0m0s',
  at: s,
  revision: rev(sha),
});

function timeline(parts: Partial<TimelineInput> & { events?: KubeObject[] }) {
  return assembleTimeline({
    objects: parts.objects ?? [],
    events: parts.events ?? [],
    releases: parts.releases ?? new Map(),
    window: parts.window ?? window,
  });
}

/** The changes as `what object at` strings, newest first. */
function whats(changes: Change[]): string[] {
  return changes.map((c) => `${c.what} ${c.ref.kind}/${c.ref.name}`);
}

describe('the messages the controllers write', () => {
  it('carry the commit subject in a GitRepository NewArtifact event', () => {
    expect(commitSubject("stored artifact for commit 'bump web to 1.4'")).toBe('bump web to 1.4');
  });

  it('name the commit by its reference when the controller did not clone it again: no subject', () => {
    expect(commitSubject(`stored artifact for commit '${rev(SHA.a)}'`)).toBeUndefined();
  });

  it('list the objects of a change set one per line', () => {
    expect(changeSetLines('ConfigMap/apps/settings configured\nDeployment/apps/web created')).toEqual([
      'ConfigMap/apps/settings configured',
      'Deployment/apps/web created',
    ]);
    expect(changeSetLines('Reconciliation finished in 1s, next run in 1h0m0s')).toBeUndefined();
  });
});

describe('source revisions', () => {
  it('move from the revision of the previous artifact to the new one, with the commit subject', () => {
    const t = timeline({
      objects: [gitRepository()],
      events: [event(newArtifact(-600, SHA.a, 'first')), event(newArtifact(0, SHA.b, 'bump web to 1.4'))],
    });
    expect(t.changes[0]).toMatchObject({
      what: 'revision',
      revision: rev(SHA.b),
      previous: rev(SHA.a),
      message: 'bump web to 1.4',
      origin: 'event',
    });
  });

  it('take the revision before from the history of a Kustomization that reads the source, once its events expired', () => {
    const ks = kustomization('web', {
      status: {
        history: [
          {
            firstReconciled: at(1),
            lastReconciled: at(1),
            lastReconciledStatus: 'ReconciliationSucceeded',
            metadata: { revision: rev(SHA.b) },
          },
          {
            firstReconciled: at(-7200),
            lastReconciled: at(-10),
            lastReconciledStatus: 'ReconciliationSucceeded',
            metadata: { revision: rev(SHA.a) },
          },
        ],
      },
    });
    const t = timeline({ objects: [gitRepository(), ks], events: [event(newArtifact(0, SHA.b, 'bump'))] });
    expect(t.changes.find((c) => c.what === 'revision')).toMatchObject({ previous: rev(SHA.a) });
  });

  it('are read from the artifact when no event is left, marked as read from the status', () => {
    const repo = gitRepository('repo', {
      status: { artifact: { revision: rev(SHA.b), lastUpdateTime: at(0), digest: 'sha256:1' } },
    });
    const t = timeline({ objects: [repo] });
    expect(t.changes).toEqual([
      expect.objectContaining({ what: 'revision', revision: rev(SHA.b), origin: 'status' }),
    ]);
  });

  it('are one line when the event and the artifact tell the same revision', () => {
    const repo = gitRepository('repo', {
      status: { artifact: { revision: rev(SHA.b), lastUpdateTime: at(0), digest: 'sha256:1' } },
    });
    const t = timeline({ objects: [repo], events: [event(newArtifact(0, SHA.b, 'bump'))] });
    expect(t.changes.filter((c) => c.what === 'revision')).toHaveLength(1);
    expect(t.changes[0]!.origin).toBe('event');
  });
});

describe('a Kustomization applying revisions', () => {
  it('lists the objects it changed and the revision it applied, the revision before included', () => {
    const t = timeline({
      objects: [gitRepository(), kustomization('web')],
      events: [
        event(finished(-600, 'web', SHA.a)),
        event({
          kind: 'Kustomization',
          name: 'web',
          reason: 'Progressing',
          message: 'ConfigMap/apps/settings configured\nDeployment/apps/web created',
          at: 2,
          revision: rev(SHA.b),
        }),
        event(finished(3, 'web', SHA.b)),
      ],
    });
    expect(whats(t.changes)).toEqual(['applied Kustomization/web', 'objects Kustomization/web']);
    expect(t.changes[0]).toMatchObject({ revision: rev(SHA.b), previous: rev(SHA.a) });
    expect(t.changes[1]!.objects).toEqual([
      'ConfigMap/apps/settings configured',
      'Deployment/apps/web created',
    ]);
  });

  it('leaves out a reconcile that applied the revision it had applied', () => {
    const t = timeline({
      objects: [kustomization('web')],
      events: [event(finished(-600, 'web', SHA.a)), event(finished(0, 'web', SHA.a))],
    });
    expect(t.changes.filter((c) => c.at === at(0))).toEqual([]);
  });

  it('calls objects changed at the revision already applied a drift correction', () => {
    const t = timeline({
      objects: [kustomization('web')],
      events: [
        event(finished(-600, 'web', SHA.a)),
        event({
          kind: 'Kustomization',
          name: 'web',
          reason: 'ReconciliationSucceeded',
          message: 'ConfigMap/apps/settings configured',
          at: 0,
          revision: rev(SHA.a),
        }),
      ],
    });
    expect(t.changes.find((c) => c.at === at(0))).toMatchObject({ what: 'drift', drift: 'corrected' });
  });

  it('makes one failing line of a run of the same failure, with how many times and until when', () => {
    const failed = (s: number): EventSpec => ({
      kind: 'Kustomization',
      name: 'web',
      reason: 'BuildFailed',
      type: 'Warning',
      message: "kustomize build failed: accumulating resources from 'missing.yaml'",
      at: s,
      revision: rev(SHA.b),
    });
    const t = timeline({
      objects: [kustomization('web')],
      events: [
        event(finished(-600, 'web', SHA.a)),
        event(failed(0)),
        event(failed(60)),
        event({ ...failed(120), count: 2, last: 180 }),
        event(finished(240, 'web', SHA.c)),
      ],
    });
    const failing = t.changes.filter((c) => c.what === 'failing');
    expect(failing).toEqual([
      expect.objectContaining({
        at: at(0),
        reason: 'BuildFailed',
        revision: rev(SHA.b),
        count: 4,
        last: at(180),
        until: at(240),
      }),
    ]);
  });

  it('reads what it applied from status.history when the events are gone', () => {
    const ks = kustomization('web', {
      status: {
        history: [
          {
            firstReconciled: at(5),
            lastReconciled: at(5),
            lastReconciledStatus: 'ReconciliationSucceeded',
            metadata: { revision: rev(SHA.b) },
          },
          {
            firstReconciled: at(-7200),
            lastReconciled: at(-10),
            lastReconciledStatus: 'ReconciliationSucceeded',
            metadata: { revision: rev(SHA.a) },
          },
        ],
      },
    });
    expect(timeline({ objects: [ks] }).changes).toEqual([
      expect.objectContaining({
        what: 'applied',
        origin: 'history',
        revision: rev(SHA.b),
        previous: rev(SHA.a),
      }),
    ]);
  });
});

describe('a Kustomization as kustomize-controller left it after a broken commit', () => {
  const obj = fixture('kustomization-build-failed');
  const captured = Date.parse('2026-11-26T08:46:13Z');
  const w = { from: captured - 600_000, to: captured + 60_000 };

  it('failing since its Ready condition turned False, on the commit it attempted', () => {
    const t = timeline({ objects: [obj], window: w });
    expect(t.changes.find((c) => c.what === 'failing')).toMatchObject({
      at: '2026-11-26T08:46:13Z',
      reason: 'BuildFailed',
      origin: 'status',
      revision: 'main@sha1:c7ba1342d561e06e1f98af989226fef382328a6f',
    });
  });

  it('with the revisions it applied before, from status.history, oldest last', () => {
    const t = timeline({ objects: [obj], window: w });
    expect(t.changes.filter((c) => c.what === 'applied').map((c) => c.revision)).toEqual([
      'main@sha1:6ae1724f244cfc75197a81958d4ff52267eda81e',
      'main@sha1:479b8ad62b5ebc83fcbf0fc492abd8e2c073f3c9',
    ]);
  });
});

describe('what preceded a failure', () => {
  const repo = gitRepository();
  const infra = kustomization('infra');
  const web = kustomization('web', { dependsOn: ['infra'] });
  const other = kustomization('other', { source: 'elsewhere' });
  const events = [
    event(newArtifact(-1200, SHA.a, 'first')),
    event(finished(-1190, 'infra', SHA.a)),
    event(newArtifact(-40, SHA.b, 'bump web to 1.4')),
    event(finished(-30, 'infra', SHA.b)),
    event({
      kind: 'Kustomization',
      name: 'other',
      reason: 'Progressing',
      message: 'ConfigMap/apps/other configured',
      at: -20,
      revision: rev(SHA.c),
    }),
    event({
      kind: 'Kustomization',
      name: 'web',
      reason: 'HealthCheckFailed',
      type: 'Warning',
      message:
        "health check failed after 30s: timeout waiting for: [Deployment/apps/web status: 'InProgress']",
      at: 0,
      revision: rev(SHA.b),
    }),
  ];
  const t = timeline({ objects: [repo, infra, web, other], events });
  const failure = t.failures.find((f) => f.change.ref.name === 'web')!;

  it('is the failure of the object with the objects on its path: its source and its dependencies', () => {
    expect(failure.change).toMatchObject({ reason: 'HealthCheckFailed', at: at(0) });
    expect(failure.path.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'GitRepository/repo',
      'Kustomization/infra',
    ]);
  });

  it('names the commit the source moved to before it, with the revision before', () => {
    expect(failure.preceded).toContainEqual(
      expect.objectContaining({
        what: 'revision',
        revision: rev(SHA.b),
        previous: rev(SHA.a),
        message: 'bump web to 1.4',
      }),
    );
  });

  it('lists the changes of its dependencies too, newest first, at most three, and nothing off its path', () => {
    expect(failure.preceded.map((c) => `${c.what} ${c.ref.name} ${c.revision}`)).toEqual([
      `applied infra ${rev(SHA.b)}`,
      `revision repo ${rev(SHA.b)}`,
      `revision repo ${rev(SHA.a)}`,
    ]);
  });
});

describe('a HelmRelease as helm-controller left it after an upgrade', () => {
  const hr = fixture('helmrelease-upgraded');
  const w = { from: Date.parse('2026-11-26T08:40:00Z'), to: Date.parse('2026-11-26T08:50:00Z') };

  it('installed, then upgraded from the chart before, read from status.history', () => {
    const t = timeline({ objects: [hr], window: w });
    const releases = t.changes.filter((c) => ['installed', 'upgraded'].includes(c.what));
    expect(releases).toEqual([
      expect.objectContaining({
        what: 'upgraded',
        release: 2,
        chart: 'demo@0.2.0',
        previousChart: 'demo@0.1.0',
        origin: 'history',
      }),
      expect.objectContaining({ what: 'installed', release: 1, chart: 'demo@0.1.0' }),
    ]);
  });

  it('one line per release when helm-controller also sent the event', () => {
    const t = timeline({
      objects: [hr],
      window: w,
      events: [
        {
          ...event({
            kind: 'HelmRelease',
            name: 'demo',
            namespace: 'e2e-hr-ebbc49',
            reason: 'UpgradeSucceeded',
            message: 'Helm upgrade succeeded for release e2e-hr-ebbc49/demo.v2 with chart demo@0.2.0',
            at: 0,
            revision: '0.2.0',
          }),
          firstTimestamp: '2026-11-26T08:46:05Z',
          lastTimestamp: '2026-11-26T08:46:05Z',
        },
      ],
    });
    const upgrades = t.changes.filter((c) => c.what === 'upgraded');
    expect(upgrades).toEqual([
      expect.objectContaining({ origin: 'event', release: 2, previousChart: 'demo@0.1.0' }),
    ]);
  });
});

describe('a HelmRelease rolled back outside helm-controller while suspended', () => {
  const hr = fixture('helmrelease-rolled-back-while-suspended');
  const w = { from: Date.parse('2026-11-26T13:40:00Z'), to: Date.parse('2026-11-26T13:50:00Z') };
  const record = (revision: number, status: string, chart: string, description: string): StoredRelease => ({
    secret: `sh.helm.release.v1.app.v${revision}`,
    labels: {},
    json: {},
    name: 'app',
    namespace: 'e2e-rb-145cec',
    revision,
    status,
    description,
    lastDeployed: `2026-11-26T13:46:1${revision}Z`,
    chartName: 'app',
    chartVersion: chart,
    hasChart: true,
    manifest: '',
    hooks: [],
    ...(revision === 4 ? { writer: 'flux-ops-mcp' } : {}),
  });
  const releases = new Map([
    [
      'e2e-rb-145cec/app',
      [
        record(2, 'superseded', '2.0.0', 'Upgrade complete'),
        record(3, 'superseded', '3.0.0', 'Upgrade complete'),
        record(4, 'deployed', '2.0.0', 'Rollback to 2'),
      ],
    ],
  ]);
  const t = timeline({ objects: [hr], window: w, releases });

  it('shows the rollback Helm storage holds and status.history does not, with who wrote it', () => {
    expect(t.changes.filter((c) => c.what === 'outside')).toEqual([
      expect.objectContaining({
        release: 4,
        target: 2,
        chart: 'app@2.0.0',
        origin: 'helm-storage',
        by: 'flux-ops-mcp (rollback_flux_helmrelease)',
      }),
    ]);
  });

  it('shows the suspension with who and why, from the annotations', () => {
    expect(t.changes.find((c) => c.what === 'suspended')).toMatchObject({
      at: '2026-11-26T13:46:12Z',
      by: 'admin',
      message: 'chart 3.0.0 greets wrongly INC-1',
      origin: 'annotation',
    });
  });

  it('shows the reconcile request, handled, with its token time', () => {
    expect(t.changes.find((c) => c.what === 'requested')).toMatchObject({
      request: 'reconcile',
      handled: true,
      at: '2026-11-26T13:46:11.432Z',
    });
  });
});

describe('the window', () => {
  it('keeps what happened inside it, while older events still tell the revision before', () => {
    const w = { from: T0 - 60_000, to: T0 + 60_000 };
    const t = timeline({
      objects: [gitRepository()],
      events: [event(newArtifact(-600, SHA.a, 'old')), event(newArtifact(0, SHA.b, 'new'))],
      window: w,
    });
    expect(t.changes).toEqual([expect.objectContaining({ revision: rev(SHA.b), previous: rev(SHA.a) })]);
    expect(t.eventsSince).toBe(at(-600));
  });
});

describe('an upgrade after a rollback made outside helm-controller', () => {
  it('moves from the chart of the rollback, which only Helm storage records', () => {
    const snapshot = (version: number, chart: string, status: string, s: number) => ({
      apiVersion: 'v2',
      name: 'web',
      namespace: NS,
      version,
      status,
      action: version === 1 ? 'install' : 'upgrade',
      chartName: 'web',
      chartVersion: chart,
      firstDeployed: at(0),
      lastDeployed: at(s),
    });
    const hr: KubeObject = {
      apiVersion: GROUPS.HelmRelease,
      kind: 'HelmRelease',
      metadata: { name: 'web', namespace: NS, creationTimestamp: '2026-11-01T00:00:00Z' },
      spec: { chart: { spec: { chart: 'web', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
      status: {
        history: [snapshot(4, '2.0.0', 'deployed', 30), snapshot(2, '2.0.0', 'superseded', 10)],
      },
    };
    const rollback: StoredRelease = {
      secret: 'sh.helm.release.v1.web.v3',
      labels: {},
      json: {},
      name: 'web',
      namespace: NS,
      revision: 3,
      status: 'superseded',
      description: 'Rollback to 1',
      lastDeployed: at(20),
      chartName: 'web',
      chartVersion: '1.0.0',
      hasChart: true,
      manifest: '',
      hooks: [],
    };
    const t = timeline({ objects: [hr], releases: new Map([[`${NS}/web`, [rollback]]]) });
    expect(t.changes.find((c) => c.release === 4)).toMatchObject({
      what: 'upgraded',
      chart: 'web@2.0.0',
      previousChart: 'web@1.0.0',
    });
  });
});

describe('an afternoon as the real controllers recorded it (test/e2e/changes.test.ts)', () => {
  interface Afternoon {
    namespace: string;
    steps: Record<string, { from: number; to: number; sha?: string }>;
    objects: KubeObject[];
    events: KubeObject[];
  }
  const a = parse(
    readFileSync(new URL('../fixtures/real-flux/changes-of-an-afternoon.yaml', import.meta.url), 'utf8'),
  ) as Afternoon;
  const w = { from: a.steps['commit B']!.from - 60_000, to: a.steps['helm rollback']!.to };
  const t = timeline({ objects: a.objects, events: a.events, window: w });
  const sha = (step: string) => a.steps[step]!.sha!;
  const during = (c: Change | undefined, step: string) => {
    expect(c, step).toBeDefined();
    expect(Date.parse(c!.at)).toBeGreaterThanOrEqual(a.steps[step]!.from);
    expect(Date.parse(c!.at)).toBeLessThanOrEqual(a.steps[step]!.to);
  };
  const find = (kind: string, what: string, match: (c: Change) => boolean = () => true) =>
    t.changes.find((c) => c.ref.kind === kind && c.what === what && match(c));

  it('has each commit fetched, with the commit before it and its subject', () => {
    during(
      find('GitRepository', 'revision', (c) => c.revision === rev(sha('commit C'))),
      'commit C',
    );
    expect(find('GitRepository', 'revision', (c) => c.revision === rev(sha('broken commit')))).toMatchObject({
      previous: rev(sha('commit C')),
      message: 'reference a file that does not exist',
    });
  });

  it('has each commit applied, with the one before, and the objects the first of them changed', () => {
    during(
      find('Kustomization', 'applied', (c) => c.revision === rev(sha('commit C'))),
      'commit C',
    );
    expect(find('Kustomization', 'applied', (c) => c.revision === rev(sha('commit C')))!.previous).toBe(
      rev(sha('commit B')),
    );
    // The identical change set of commit C is counted on commit B's event.
    expect(find('Kustomization', 'objects', (c) => c.revision === rev(sha('commit B')))).toMatchObject({
      objects: [`ConfigMap/${a.namespace}/settings configured`],
      count: 2,
    });
  });

  it('has the chart upgrade from the chart before, once, from the event', () => {
    const upgrades = t.changes.filter((c) => c.what === 'upgraded');
    expect(upgrades).toEqual([
      expect.objectContaining({
        origin: 'event',
        release: 2,
        chart: 'web@2.0.0',
        previousChart: 'web@1.0.0',
      }),
    ]);
    during(upgrades[0], 'chart upgrade');
  });

  it('has the failure of the broken commit, preceded by that commit', () => {
    const failure = t.failures.find((f) => f.change.ref.kind === 'Kustomization')!;
    during(failure.change, 'broken commit');
    expect(failure.change).toMatchObject({ reason: 'BuildFailed', revision: rev(sha('broken commit')) });
    expect(failure.preceded[0]).toMatchObject({
      what: 'revision',
      revision: rev(sha('broken commit')),
      message: 'reference a file that does not exist',
    });
  });

  it('has the suspensions with who and why', () => {
    during(find('Kustomization', 'suspended'), 'suspension');
    expect(find('Kustomization', 'suspended')).toMatchObject({
      by: 'admin',
      message: 'INC-7 freeze while the fix is reviewed',
    });
    during(find('HelmRelease', 'suspended'), 'helm rollback');
  });

  it('has no change twice and none that is not one', () => {
    const keys = t.changes.map((c) => `${c.at} ${c.ref.kind}/${c.ref.name} ${c.what} ${c.revision ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(t.changes.filter((c) => c.what === 'drift')).toEqual([]);
  });
});

describe('events older than the object', () => {
  it('are those of an object of that name deleted before: a success among them is not a first apply', () => {
    const recreated = {
      ...kustomization('web'),
      metadata: { name: 'web', namespace: NS, creationTimestamp: at(0) },
    };
    const t = timeline({ objects: [recreated], events: [event(finished(-1200, 'web', SHA.a))] });
    expect(t.changes.filter((c) => c.what === 'applied')).toEqual([]);
  });

  it('while the first success of a new object is its first apply', () => {
    const created = {
      ...kustomization('web'),
      metadata: { name: 'web', namespace: NS, creationTimestamp: at(-5) },
    };
    const t = timeline({ objects: [created], events: [event(finished(0, 'web', SHA.a))] });
    expect(t.changes.filter((c) => c.what === 'applied')).toEqual([
      expect.objectContaining({ revision: rev(SHA.a), at: at(0) }),
    ]);
  });
});
