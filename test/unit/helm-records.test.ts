import { describe, expect, it } from 'vitest';
import {
  createLabels,
  goTime,
  normalizeRecord,
  rollbackRecord,
  updateLabels,
  type StoredRelease,
} from '../../src/flux/helm-records.js';
import { recordsToPrune } from '../../src/flux/helm-rollback.js';

const HELM3_RECORD = {
  name: 'demo',
  info: {
    first_deployed: '2026-01-01T00:00:00Z',
    last_deployed: '2026-01-02T00:00:00Z',
    deleted: '',
    status: 'superseded',
    description: 'Upgrade complete',
    notes: 'hi',
  },
  chart: {
    metadata: { name: 'demo', version: '1.0.0' },
    lock: null,
    templates: [{ name: 't', data: 'eA==' }],
    values: {},
    schema: null,
    files: null,
  },
  config: { greeting: 'hi' },
  manifest: '---\nkind: ConfigMap\n',
  hooks: [
    {
      name: 'h',
      kind: 'Job',
      events: ['post-upgrade'],
      last_run: { started_at: '', completed_at: '', phase: '' },
    },
  ],
  version: 2,
  namespace: 'apps',
};

function stored(json: Record<string, unknown>, labels: Record<string, string> = {}): StoredRelease {
  return {
    secret: `sh.helm.release.v1.demo.v${String(json.version)}`,
    labels,
    json,
    name: 'demo',
    namespace: 'apps',
    revision: json.version as number,
    status: (json.info as { status: string }).status,
    hasChart: true,
    manifest: String(json.manifest ?? ''),
    hooks: [],
    ...(json.apply_method ? { applyMethod: json.apply_method as string } : {}),
  };
}

describe('Helm storage records', () => {
  it('writes times as Go does: RFC 3339, no trailing zeros in the fraction', () => {
    expect(goTime(new Date('2026-11-26T08:50:39.220Z'))).toBe('2026-11-26T08:50:39.22Z');
    expect(goTime(new Date('2026-11-26T08:50:39.000Z'))).toBe('2026-11-26T08:50:39Z');
  });

  it('leaves a record of the same flavor as it is', () => {
    expect(normalizeRecord(HELM3_RECORD, 'helm3')).toEqual(HELM3_RECORD);
  });

  it('writes a Helm 3 record back as Helm 4 would: no empty times, schemamodtime', () => {
    const out = normalizeRecord(HELM3_RECORD, 'helm4') as typeof HELM3_RECORD & {
      chart: Record<string, unknown>;
    };
    expect(out.info).not.toHaveProperty('deleted');
    expect(out.hooks[0]!.last_run).toEqual({ phase: '' });
    expect(out.chart.schemamodtime).toBe('0001-01-01T00:00:00Z');
  });

  it('builds the rollback record from the target, numbered after the current revision', () => {
    const current = stored({
      ...HELM3_RECORD,
      version: 4,
      info: { ...HELM3_RECORD.info, status: 'failed', first_deployed: '2025-12-01T00:00:00Z' },
    });
    const target = stored(HELM3_RECORD);
    const now = new Date('2026-11-26T08:50:39.5Z');
    expect(rollbackRecord({ current, target, flavor: 'helm3', serverSideApply: false, now })).toEqual({
      name: 'demo',
      info: {
        first_deployed: '2025-12-01T00:00:00Z',
        last_deployed: '2026-11-26T08:50:39.5Z',
        deleted: '',
        description: 'Rollback to 2',
        status: 'pending-rollback',
        notes: 'hi',
      },
      chart: HELM3_RECORD.chart,
      config: HELM3_RECORD.config,
      manifest: HELM3_RECORD.manifest,
      hooks: HELM3_RECORD.hooks,
      version: 5,
      namespace: 'apps',
    });
    const helm4 = rollbackRecord({ current, target, flavor: 'helm4', serverSideApply: true, now });
    expect(helm4.apply_method).toBe('ssa');
  });

  it('labels a created record with createdAt and the release labels, an updated one as Helm read it', () => {
    const json = { name: 'demo', version: 5, info: { status: 'pending-rollback' } };
    const now = new Date('2026-11-26T08:50:39Z');
    expect(createLabels(json, { team: 'a', status: 'deployed', modifiedAt: '1' }, now)).toEqual({
      team: 'a',
      createdAt: '1795683039',
      name: 'demo',
      owner: 'helm',
      status: 'pending-rollback',
      version: '5',
    });
    expect(updateLabels(json, { createdAt: '7', modifiedAt: '8', status: 'deployed' }, now)).toEqual({
      createdAt: '7',
      modifiedAt: '8',
      name: 'demo',
      owner: 'helm',
      status: 'pending-rollback',
      version: '5',
    });
    expect(updateLabels(json, {}, now).modifiedAt).toBe('1795683039');
  });

  it('prunes the oldest records down to maxHistory - 1 before a new one, never the deployed one', () => {
    const rec = (v: number, status: string) =>
      stored({ ...HELM3_RECORD, version: v, info: { status } }, { status });
    const records = [rec(1, 'deployed'), rec(2, 'superseded'), rec(3, 'superseded'), rec(4, 'failed')];
    expect(recordsToPrune(records, 3).map((r) => r.revision)).toEqual([2, 3]);
    expect(recordsToPrune(records, 10)).toEqual([]);
    expect(recordsToPrune(records, 0)).toEqual([]);
  });
});
