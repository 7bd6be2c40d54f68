// kubectl JSONPath, one expression per field, as `get_kubernetes_resources` takes `fields` (the Flux Operator
// MCP server's parameter): what each form selects, and the errors a malformed one gets.
import { describe, expect, it } from 'vitest';
import { parseFieldPath, project, select } from '../../src/kube/jsonpath.js';

const hr = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'podinfo', namespace: 'apps', labels: { app: 'podinfo', tier: 'web' } },
  spec: {
    suspend: true,
    chart: { spec: { version: '6.x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } },
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'Helm upgrade failed' },
      { type: 'Released', status: 'False', reason: 'UpgradeFailed', message: 'timed out' },
    ],
    history: [
      { version: 3, chartVersion: '6.5.1', status: 'failed' },
      { version: 2, chartVersion: '6.5.0', status: 'superseded' },
      { version: 1, chartVersion: '6.4.0', status: 'superseded' },
    ],
  },
};

const sel = (expr: string) => select(parseFieldPath(expr), hr);

describe('kubectl JSONPath fields', () => {
  it('reads a dotted path, with or without braces and the leading dot', () => {
    expect(sel('spec.chart.spec.version')).toEqual(['6.x']);
    expect(sel('.spec.suspend')).toEqual([true]);
    expect(sel('{.metadata.name}')).toEqual(['podinfo']);
  });

  it('filters a list by a field, with either quote', () => {
    expect(sel('status.conditions[?(@.type=="Ready")].reason')).toEqual(['UpgradeFailed']);
    expect(sel("status.conditions[?(@.type=='Released')].message")).toEqual(['timed out']);
    expect(sel('status.history[?(@.version >= 2)].chartVersion')).toEqual(['6.5.1', '6.5.0']);
    expect(sel('status.history[?(@.status != "failed")].version')).toEqual([2, 1]);
  });

  it('keeps the items that have a field, with a filter without operator', () => {
    expect(sel('status.conditions[?(@.reason)].type')).toEqual(['Ready', 'Released']);
  });

  it('takes indexes, negative indexes, slices and unions', () => {
    expect(sel('status.history[0].chartVersion')).toEqual(['6.5.1']);
    expect(sel('status.history[-1].chartVersion')).toEqual(['6.4.0']);
    expect(sel('status.history[1:].version')).toEqual([2, 1]);
    expect(sel('status.history[0,2].version')).toEqual([3, 1]);
    expect(sel('status.history[::2].version')).toEqual([3, 1]);
  });

  it('walks lists and maps with wildcards, and the whole object with ..', () => {
    expect(sel('status.conditions[*].type')).toEqual(['Ready', 'Released']);
    expect(sel('metadata.labels.*')).toEqual(['podinfo', 'web']);
    expect(sel('..chartVersion')).toEqual(['6.5.1', '6.5.0', '6.4.0']);
    expect(sel("metadata['name','namespace']")).toEqual(['podinfo', 'apps']);
  });

  it('selects nothing for a field of a list, as kubectl does: [*] walks a list', () => {
    expect(sel('status.conditions.type')).toEqual([]);
    expect(sel('spec.missing.field')).toEqual([]);
  });

  it('projects an object to its fields: one value as it is, several as a list, none left out', () => {
    const fields = ['spec.suspend', 'status.conditions[*].type', 'spec.nothing'].map(parseFieldPath);
    expect(project(fields, hr)).toEqual({
      'spec.suspend': true,
      'status.conditions[*].type': ['Ready', 'Released'],
    });
  });

  it('refuses a malformed expression, saying which and where', () => {
    expect(() => parseFieldPath('status.conditions[?(@.type=="Ready")')).toThrow(
      /^field "status.conditions\[\?\(@.type=="Ready"\)": "\]" is missing at character \d+$/,
    );
    expect(() => parseFieldPath('{.spec}{.status}')).toThrow(/must be a single expression/);
    expect(() => parseFieldPath('{range .items[*]}{.a}{end}')).toThrow(/must be a single expression/);
    expect(() => parseFieldPath(' ')).toThrow(/is empty/);
    expect(() => parseFieldPath('status.history[a]')).toThrow(/an index, a slice, a quoted name/);
  });
});
