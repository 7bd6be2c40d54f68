import { describe, expect, it } from 'vitest';
import { linePattern } from '../../src/flux/grep.js';
import { filterLog, parseLogLine } from '../../src/flux/logs.js';
import { KUSTOMIZE_CONTROLLER_LOG } from '../support/flux-logs.js';

const lines = KUSTOMIZE_CONTROLLER_LOG.split('\n');

describe('parseLogLine', () => {
  it('reads time, level, message, error and the object of a controller-runtime line', () => {
    expect(parseLogLine(lines[2]!)).toEqual({
      time: '2026-03-01T10:00:05.200Z',
      level: 'error',
      message: 'Reconciliation failed after 4.1s, next try in 5m0s',
      error:
        "health check failed after 4.0s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: 'apps',
    });
  });

  it('reads the kind of the older "reconciler kind" lines', () => {
    expect(parseLogLine(lines[6]!)).toMatchObject({
      kind: 'Kustomization',
      name: 'podinfo',
      namespace: 'apps',
    });
  });

  it('takes the object from its nested reference when the top-level keys are missing', () => {
    const line = JSON.stringify({
      level: 'info',
      msg: 'x',
      controllerKind: 'HelmRelease',
      HelmRelease: { name: 'redis', namespace: 'db' },
    });
    expect(parseLogLine(line)).toMatchObject({ kind: 'HelmRelease', name: 'redis', namespace: 'db' });
  });

  it('turns epoch-seconds timestamps into ISO times', () => {
    expect(parseLogLine('{"ts":1772359200.5,"msg":"x"}')?.time).toBe('2026-03-01T10:00:00.500Z');
  });

  it('skips lines that are not JSON objects', () => {
    expect(parseLogLine(lines[5]!)).toBeUndefined();
    expect(parseLogLine('{not json')).toBeUndefined();
    expect(parseLogLine('[1,2]')).toBeUndefined();
  });
});

describe('filterLog', () => {
  it('keeps only the lines about one object, in order', async () => {
    const r = await filterLog(
      KUSTOMIZE_CONTROLLER_LOG,
      { kind: 'Kustomization', name: 'podinfo', namespace: 'apps' },
      100,
    );
    expect(r.entries.map((e) => e.time)).toEqual([
      '2026-03-01T10:00:01.100Z',
      '2026-03-01T10:00:05.200Z',
      '2026-03-01T10:00:09.000Z',
      '2026-03-01T10:00:10.000Z',
    ]);
    expect(r).toMatchObject({ scanned: 8, matched: 4 });
  });

  it('matches the kind case-insensitively, like flux logs --kind', async () => {
    expect(
      (await filterLog(KUSTOMIZE_CONTROLLER_LOG, { kind: 'kustomization', name: 'infra' }, 100)).matched,
    ).toBe(1);
  });

  it('keeps one level', async () => {
    const r = await filterLog(
      KUSTOMIZE_CONTROLLER_LOG,
      { name: 'podinfo', namespace: 'apps', level: 'error' },
      100,
    );
    expect(r.entries.map((e) => e.message)).toEqual([
      'Reconciliation failed after 4.1s, next try in 5m0s',
      'Reconciler error',
    ]);
  });

  it('greps message and error', async () => {
    const r = await filterLog(KUSTOMIZE_CONTROLLER_LOG, { grep: linePattern('ACCUMULATING', false) }, 100);
    expect(r.entries.map((e) => e.time)).toEqual(['2026-03-01T10:00:09.000Z']);
  });

  it('keeps the newest lines when more match than the limit', async () => {
    const r = await filterLog(KUSTOMIZE_CONTROLLER_LOG, { name: 'podinfo', namespace: 'apps' }, 2);
    expect(r.entries.map((e) => e.time)).toEqual(['2026-03-01T10:00:09.000Z', '2026-03-01T10:00:10.000Z']);
    expect(r.matched).toBe(4);
  });

  it('keeps plain lines of workloads when asked and nothing selects objects', async () => {
    const r = await filterLog(KUSTOMIZE_CONTROLLER_LOG, { grep: linePattern('leader', false) }, 100, {
      keepPlain: true,
    });
    expect(r.entries).toEqual([{ message: lines[5] }]);
  });
});
