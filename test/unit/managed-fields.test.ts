import { describe, expect, it } from 'vitest';
import {
  fieldPaths,
  labelOwner,
  upgradeClientSideManager,
  type ManagedFieldsEntry,
} from '../../src/kube/managed-fields.js';

const label = { 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {} } } };

describe('managed fields', () => {
  it('names the manager of a label, preferring server-side apply, then the newest', () => {
    const obj = {
      metadata: {
        managedFields: [
          { manager: 'helm', operation: 'Update', time: '2026-01-02T00:00:00Z', fieldsV1: label },
          { manager: 'helm-controller', operation: 'Apply', time: '2026-01-01T00:00:00Z', fieldsV1: label },
          {
            manager: 'kubectl',
            operation: 'Apply',
            time: '2026-01-01T00:00:00Z',
            fieldsV1: { 'f:data': {} },
          },
        ],
      },
    };
    expect(labelOwner(obj, 'app.kubernetes.io/managed-by')).toBe('helm-controller');
    expect(labelOwner({ metadata: {} }, 'app.kubernetes.io/managed-by')).toBeUndefined();
  });

  it('turns a client-side entry into a server-side apply entry of the same manager (csaupgrade)', () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: 'helm', operation: 'Update', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:a': {} } } },
      { manager: 'other', operation: 'Update', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:b': {} } } },
    ];
    expect(upgradeClientSideManager(entries, 'helm')).toEqual([
      { manager: 'helm', operation: 'Apply', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:a': {} } } },
      entries[1],
    ]);
  });

  it('merges a client-side field set into the existing apply entry and drops the client-side one', () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: 'helm', operation: 'Apply', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:a': {} } } },
      { manager: 'helm', operation: 'Update', apiVersion: 'v1', fieldsV1: { 'f:data': { 'f:b': {} } } },
    ];
    expect(upgradeClientSideManager(entries, 'helm')).toEqual([
      {
        manager: 'helm',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } },
      },
    ]);
  });

  it('has nothing to upgrade when the manager only applies server-side', () => {
    const entries: ManagedFieldsEntry[] = [{ manager: 'helm', operation: 'Apply', fieldsV1: {} }];
    expect(upgradeClientSideManager(entries, 'helm')).toBeUndefined();
  });

  it('reads field sets as paths', () => {
    expect(
      fieldPaths({
        'f:spec': {
          'f:replicas': {},
          'f:template': {
            'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } },
          },
        },
        'f:metadata': { 'f:finalizers': { 'v:"x"': {} } },
      }),
    ).toEqual(['spec.replicas', 'spec.template.spec.containers[name=app].image', 'metadata.finalizers["x"]']);
  });
});
