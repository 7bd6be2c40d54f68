import { describe, expect, it } from 'vitest';
import { ignoredPaths, parseLabelSelector, removePaths } from '../../src/flux/drift-ignore.js';
import { driftChanges, normalizeForDiff } from '../../src/flux/drift.js';

const deployment = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  name: 'web',
  namespace: 'apps',
  labels: { tier: 'front', app: 'web' },
  annotations: {},
};

describe('drift ignore rules', () => {
  it('selects objects by anchored regular expressions', () => {
    const rules = [
      { paths: ['/spec/replicas'], target: { kind: 'Deploy.*' } },
      { paths: ['/a'], target: { kind: 'Deploy' } },
      { paths: ['/b'], target: { name: 'w.b', namespace: 'apps' } },
      { paths: ['/c'] },
    ];
    expect(ignoredPaths(rules, deployment)).toEqual(['/spec/replicas', '/b', '/c']);
  });

  it('selects objects by label selectors', () => {
    expect(parseLabelSelector('tier=front,app in (web, api)')(deployment.labels)).toBe(true);
    expect(parseLabelSelector('tier!=front')(deployment.labels)).toBe(false);
    expect(parseLabelSelector('!canary,app')(deployment.labels)).toBe(true);
    expect(parseLabelSelector('app notin (web)')(deployment.labels)).toBe(false);
  });

  it('removes JSON Pointer paths, escapes included, and skips paths that name nothing', () => {
    const obj = { metadata: { annotations: { 'a/b': '1', c: '2' } }, spec: { list: [1, 2, 3] } };
    expect(removePaths(obj, ['/metadata/annotations/a~1b', '/spec/list/1', '/nope/deeper'])).toEqual({
      metadata: { annotations: { c: '2' } },
      spec: { list: [1, 3] },
    });
  });
});

describe('drift comparison', () => {
  it('normalises as Flux does: stringData into data, TCP ports, no status', () => {
    expect(
      normalizeForDiff({ apiVersion: 'v1', kind: 'Secret', stringData: { p: 'x' }, data: { q: 'eQ==' } }),
    ).toEqual({ apiVersion: 'v1', kind: 'Secret', data: { q: 'eQ==', p: 'eA==' } });
    const svc = normalizeForDiff({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { ports: [{ port: 80 }] },
      status: {},
    });
    expect(svc).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { ports: [{ port: 80, protocol: 'TCP' }] },
    });
  });

  it('compares labels and annotations added or changed, and all but metadata and status', () => {
    const live = {
      metadata: { labels: { a: '1', extra: 'x' }, resourceVersion: '1' },
      spec: { replicas: 3, paused: true },
      status: { ready: 1 },
    };
    const dryRun = {
      metadata: { labels: { a: '2' }, resourceVersion: '2' },
      spec: { replicas: 1 },
      status: { ready: 0 },
    };
    expect(driftChanges(live, dryRun, []).map((c) => `${c.op} ${c.path}`)).toEqual([
      'replace metadata.labels.a',
      'replace spec.replicas',
      'remove spec.paused',
    ]);
    expect(driftChanges(live, dryRun, ['/spec/replicas', '/spec/paused']).map((c) => c.path)).toEqual([
      'metadata.labels.a',
    ]);
  });
});
