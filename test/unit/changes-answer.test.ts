// get_flux_changes as a model reads it: failures first with what preceded them, one line per change,
// newest first, cut by size with the busiest objects summarised and an offset to page on; the structured
// answer in rows of the same words, within 1.25 times the text.
import { describe, expect, it } from 'vitest';
import type { ClusterChanges } from '../../src/flux/changes.js';
import type { Change, Failure } from '../../src/flux/timeline.js';
import { renderChanges, renderFleetChanges } from '../../src/format/changes.js';
import type { FleetEntry } from '../../src/kube/fleet.js';

const T0 = Date.parse('2026-11-26T14:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.000Z$/, 'Z');
const window = { from: T0 - 3600_000, to: T0 + 300_000 };
const now = T0 + 300_000;
const ref = (kind: string, name: string, namespace = 'apps') => ({ kind, namespace, name });
const SHA_A = '3b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b';
const SHA_B = 'efe2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8';

const failing: Change = {
  at: at(0),
  ref: ref('Kustomization', 'web'),
  what: 'failing',
  origin: 'event',
  reason: 'HealthCheckFailed',
  message: "health check failed after 30s: timeout waiting for: [Deployment/apps/web status: 'InProgress']",
  revision: `main@sha1:${SHA_B}`,
};
const commit: Change = {
  at: at(-40),
  ref: ref('GitRepository', 'flux-system', 'flux-system'),
  what: 'revision',
  origin: 'event',
  revision: `main@sha1:${SHA_B}`,
  previous: `main@sha1:${SHA_A}`,
  message: 'bump web to 1.4',
};
const upgrade: Change = {
  at: at(-900),
  ref: ref('HelmRelease', 'redis'),
  what: 'upgraded',
  origin: 'history',
  release: 5,
  chart: 'redis@17.2.0',
  previousChart: 'redis@17.1.0',
};
const suspension: Change = {
  at: at(-1200),
  ref: ref('HelmRelease', 'pay'),
  what: 'suspended',
  origin: 'annotation',
  by: 'jane',
  message: 'INC-1 db migration',
};

function cluster(
  changes: Change[],
  failures: Failure[] = [],
  extra: Partial<ClusterChanges> = {},
): ClusterChanges {
  return {
    context: 'prod',
    objects: 40,
    elsewhere: 0,
    notes: [],
    timeline: { changes: [...changes].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)), failures },
    ...extra,
  };
}

/** A busy object: `n` runs of a failure, 30 s apart. */
function flaky(n: number): Change[] {
  return Array.from({ length: n }, (_, i) => ({
    at: at(-100 - i * 30),
    ref: ref('Kustomization', 'flaky'),
    what: 'failing' as const,
    origin: 'event' as const,
    reason: i % 2 ? 'ReconciliationFailed' : 'HealthCheckFailed',
    message: 'Deployment/apps/x dry-run failed: field is immutable',
  }));
}

/** `n` objects that each applied a revision of their own once (`alike`: all the same revision). */
function applies(n: number, alike = false): Change[] {
  return Array.from({ length: n }, (_, i) => ({
    at: at(-2000 - i * 30),
    ref: ref('Kustomization', `app-${i}`),
    what: 'applied' as const,
    origin: 'event' as const,
    revision: alike ? `main@sha1:${SHA_B}` : `main@sha1:${String(i).padStart(8, '0')}${SHA_B.slice(8)}`,
    previous: `main@sha1:${SHA_A}`,
  }));
}

const bytes = (v: unknown) => Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v));
const preceded: Failure = { change: failing, path: [commit.ref], preceded: [commit] };

describe('the answer of get_flux_changes', () => {
  it('puts each failure first, with the commit that came before it on its path and how long before', () => {
    const { text } = renderChanges(cluster([failing, commit, upgrade], [preceded]), { window, now });
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'Changes to Flux objects in all namespaces in context prod, 2026-11-26 13:00:00 to 14:05:00 UTC: 3 changes, 1 started failing.',
    );
    expect(text).toContain('(preceded by, not caused by)');
    expect(text).toContain(
      '  14:00:00  Kustomization apps/web  failing (HealthCheckFailed) at main@sha1:efe2a1b2: health check failed after 30s',
    );
    expect(text).toContain(
      '    preceded by (40s before) 13:59:20  GitRepository flux-system/flux-system  new revision main@sha1:3b0a1c2d -> main@sha1:efe2a1b2 "bump web to 1.4"',
    );
  });

  it('says so when nothing on the path of a failure changed before it', () => {
    const { text } = renderChanges(cluster([failing], [{ change: failing, path: [], preceded: [] }]), {
      window,
      now,
    });
    expect(text).toContain('preceded by nothing on its path in the window');
  });

  it('lists the changes newest first, one line each, marking those read from what the objects keep', () => {
    const { text } = renderChanges(cluster([commit, upgrade, suspension]), { window, now });
    const list = text.split('Changes (newest first):\n')[1]!.split('\n');
    expect(list).toEqual([
      '  13:59:20  GitRepository flux-system/flux-system  new revision main@sha1:3b0a1c2d -> main@sha1:efe2a1b2 "bump web to 1.4"',
      '  13:45:00  HelmRelease apps/redis  upgraded redis 17.1.0 -> 17.2.0 (v5)  (status.history)',
      '  13:40:00  HelmRelease apps/pay  suspended by jane: "INC-1 db migration"  (annotation)',
    ]);
  });

  it('says when the window reaches past the events the API server keeps', () => {
    const { text } = renderChanges(
      cluster([commit], [], { timeline: { changes: [commit], failures: [], eventsSince: at(-1800) } }),
      {
        window,
        now,
      },
    );
    expect(text).toContain('The window reaches past the events the API server keeps (1h by default');
    expect(text).toContain('no Flux event older than 2026-11-26T13:30:00Z is kept');
  });

  it('stays within about 3 KB of text, summarising the busiest object and counting the older changes', () => {
    const { text, structured } = renderChanges(
      cluster([failing, commit, upgrade, suspension, ...flaky(40), ...applies(60)], [preceded]),
      { window, now },
    );
    expect(bytes(text)).toBeLessThanOrEqual(3 * 1024 + 200);
    expect(text).toContain('Summarised (pass limit to list every change):');
    expect(text).toContain(
      '  Kustomization apps/flaky: 40 changes (40 failing) from 13:38:50 to 13:58:20: pass kind=Kustomization name=flaky namespace=apps to list them',
    );
    expect(text).not.toMatch(/\d\d:\d\d:\d\d {2}Kustomization apps\/flaky/);
    expect(text).toMatch(
      /\n {2}\d+ older changes: pass offset=\d+ since=2026-11-26T13:00:00Z until=2026-11-26T14:05:00Z$/,
    );
    expect(structured.summarised).toEqual([
      expect.objectContaining({ group: 'Kustomization apps/flaky', changes: 40 }),
    ]);
    expect(structured.more?.changes).toBeGreaterThan(0);
  });

  it('folds the routine changes, requests and creations, before it summarises any object', () => {
    const requests: Change[] = Array.from({ length: 30 }, (_, i) => ({
      at: at(-300 - i),
      ref: ref('GitRepository', `repo-${i}`),
      what: 'requested',
      origin: 'annotation',
      request: 'reconcile',
      handled: i > 0,
      by: 'flux',
    }));
    const created: Change[] = Array.from({ length: 30 }, (_, i) => ({
      at: at(-400 - i),
      ref: ref('Kustomization', `new-${i}`),
      what: 'created',
      origin: 'metadata',
    }));
    const { text, structured } = renderChanges(
      cluster([failing, commit, upgrade, suspension, ...flaky(6), ...requests, ...created], [preceded]),
      { window, now },
    );
    expect(text).toContain(
      '  30 reconcile, force or reset requests, 29 handled from 13:54:31 to 13:55:00: GitRepository apps/repo-0, GitRepository apps/repo-1, GitRepository apps/repo-2, GitRepository apps/repo-3 and 26 more',
    );
    expect(text).toContain('  30 Flux objects created from 13:52:51 to 13:53:20: Kustomization apps/new-0');
    // What is left fits: the busy object keeps its lines.
    expect(text).toContain('  13:58:20  Kustomization apps/flaky  failing (HealthCheckFailed)');
    expect(structured.summarised?.map((g) => g.group)).toEqual(['requested', 'created']);
    expect(bytes(structured) / bytes(text)).toBeLessThanOrEqual(1.25);
  });

  it('folds one change many objects made alike, a revision rolled out, into one line', () => {
    const { text, structured } = renderChanges(cluster([failing, commit, ...applies(60, true)], [preceded]), {
      window,
      now,
    });
    expect(text).toContain(
      '  60 objects applied main@sha1:efe2a1b2 (was main@sha1:3b0a1c2d) from 12:57:10 to 13:26:40: Kustomization apps/app-0, Kustomization apps/app-1, Kustomization apps/app-2, Kustomization apps/app-3 and 56 more',
    );
    expect(structured.summarised).toEqual([
      expect.objectContaining({
        changes: 60,
        objects: 60,
        names: expect.arrayContaining(['Kustomization apps/app-0']),
      }),
    ]);
    expect(structured.more).toBeUndefined();
  });

  it('pages on from the offset it names, until every change not summarised has been listed once', () => {
    const all = [failing, commit, upgrade, suspension, ...flaky(40), ...applies(60)];
    const c = cluster(all, [preceded]);
    const seen: string[] = [];
    let offset = 0;
    for (let page = 0; page < 20; page++) {
      const { structured } = renderChanges(c, { window, now, offset });
      seen.push(...structured.changes.map((r) => `${r[0]} ${r[1]}`));
      if (!structured.more) break;
      offset = structured.more.offset;
    }
    const expected = all
      .filter((ch) => ch.ref.name !== 'flaky')
      .map((ch) => `${ch.at.slice(11, 19)} ${ch.ref.kind} ${ch.ref.namespace}/${ch.ref.name}`);
    // The busy object is summarised on the first page only; the later pages list its changes.
    expect(seen.filter((s) => !s.includes('flaky')).sort()).toEqual(expected.sort());
  });

  it('shows at most `limit` changes with their messages, and how to get the rest', () => {
    const { text, structured } = renderChanges(cluster([...flaky(10)]), { window, now, limit: 3 });
    expect(structured.changes).toHaveLength(3);
    expect(text).toContain('field is immutable');
    expect(text).toMatch(/7 older changes: pass offset=3 .*, or raise limit$/);
  });

  it('says there is nothing when nothing changed', () => {
    const { text, structured } = renderChanges(cluster([]), { window, now });
    expect(text).toContain(': none.');
    expect(text).toContain('No changes in the window.');
    expect(structured).toMatchObject({ changes: [], total: 0 });
  });

  it('names the object and its path when one object is asked for, and does not summarise it', () => {
    const { text } = renderChanges(
      cluster(flaky(80), [], {
        focus: { ref: ref('Kustomization', 'flaky'), path: [ref('GitRepository', 'repo')] },
      }),
      { window, now },
    );
    expect(text).toMatch(/^Changes to Kustomization apps\/flaky and its path \(GitRepository apps\/repo\)/);
    expect(text).not.toContain('Summarised');
  });
});

describe('the structured answer of get_flux_changes', () => {
  const cases: [string, ClusterChanges][] = [
    ['a failure and what preceded it', cluster([failing, commit, upgrade, suspension], [preceded])],
    [
      'a busy hour',
      cluster([failing, commit, upgrade, suspension, ...flaky(40), ...applies(60)], [preceded]),
    ],
    ['many applies', cluster(applies(200))],
  ];

  it.each(cases)('is within 1.25 times the bytes of the text: %s', (_, c) => {
    const { text, structured } = renderChanges(c, { window, now });
    expect(bytes(structured) / bytes(text)).toBeLessThanOrEqual(1.25);
  });

  it.each(cases)('names in the text every change it carries: %s', (_, c) => {
    const { text, structured } = renderChanges(c, { window, now });
    for (const row of structured.changes) expect(text).toContain(`${row[0]}  ${row[1]}`);
  });

  it('declares its columns, with the origin only on lines not read from events', () => {
    const { structured } = renderChanges(cluster([commit, upgrade]), { window, now });
    expect(structured.cols).toEqual(['at', 'object', 'change', 'detail', 'origin']);
    expect(structured.changes).toEqual([
      [
        '13:59:20',
        'GitRepository flux-system/flux-system',
        'revision',
        'new revision main@sha1:3b0a1c2d -> main@sha1:efe2a1b2 "bump web to 1.4"',
      ],
      ['13:45:00', 'HelmRelease apps/redis', 'upgraded', 'redis 17.1.0 -> 17.2.0 (v5)', 'status.history'],
    ]);
  });
});

describe('the answer over several contexts', () => {
  const entries: FleetEntry<ClusterChanges>[] = [
    { context: 'prod', state: 'ok', durationMs: 40, value: cluster([failing, commit], [preceded]) },
    {
      context: 'staging',
      state: 'ok',
      durationMs: 30,
      value: { ...cluster([{ ...commit, at: at(-600) }]), context: 'staging' },
    },
    {
      context: 'edge',
      state: 'unreachable',
      durationMs: 5,
      error: 'cluster unreachable: connect ECONNREFUSED',
    },
  ];

  it('gives a line per cluster, then one timeline whose lines name their cluster', () => {
    const { text, structured } = renderFleetChanges(entries, { window, now }, 50);
    expect(text).toContain('across 3 contexts');
    expect(text).toContain('  prod     2 changes, 1 started failing');
    expect(text).toContain('  edge     cluster unreachable: connect ECONNREFUSED');
    expect(text).toContain('  13:50:00  staging  GitRepository flux-system/flux-system  new revision');
    expect(structured.cols).toEqual(['at', 'context', 'object', 'change', 'detail', 'origin']);
    expect(structured.clusters).toEqual([
      { context: 'prod', state: 'ok', changes: 2, failing: 1 },
      { context: 'staging', state: 'ok', changes: 1, failing: 0 },
      { context: 'edge', state: 'unreachable', error: 'cluster unreachable: connect ECONNREFUSED' },
    ]);
  });
});
