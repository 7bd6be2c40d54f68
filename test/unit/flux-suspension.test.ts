import { describe, expect, it } from 'vitest';
import { lastWriterOf, suspensionDetails } from '../../src/flux/suspension.js';
import type { KubeObject } from '../../src/kube/types.js';

const suspendedBy = (manager: string, time: string) => ({
  manager,
  operation: 'Update',
  time,
  fieldsV1: { 'f:spec': { 'f:suspend': {} } },
});

describe('lastWriterOf', () => {
  it('is the newest managedFields entry that owns the field', () => {
    const obj: KubeObject = {
      metadata: {
        managedFields: [
          suspendedBy('old', '2026-01-01T00:00:00Z'),
          suspendedBy('kubectl-patch', '2026-02-01T00:00:00Z'),
          { manager: 'other', time: '2026-03-01T00:00:00Z', fieldsV1: { 'f:spec': { 'f:interval': {} } } },
        ],
      },
    };
    expect(lastWriterOf(obj, ['f:spec', 'f:suspend'])).toEqual({
      manager: 'kubectl-patch',
      time: '2026-02-01T00:00:00Z',
    });
  });
});

describe('suspensionDetails', () => {
  it('takes who, when and why from our annotations', () => {
    const obj: KubeObject = {
      metadata: {
        annotations: {
          'flux-ops-mcp.io/suspended-by': 'jane',
          'flux-ops-mcp.io/suspended-at': '2026-02-02T00:00:00Z',
          'flux-ops-mcp.io/suspend-reason': 'db migration',
        },
        managedFields: [suspendedBy('flux-ops-mcp', '2026-02-02T00:00:00Z')],
      },
    };
    expect(suspensionDetails(obj)).toEqual({
      by: 'jane',
      at: '2026-02-02T00:00:00Z',
      reason: 'db migration',
    });
  });

  it('takes who from the Flux web UI annotation', () => {
    const obj: KubeObject = {
      metadata: { annotations: { 'fluxcd.controlplane.io/suspendedBy': 'ops@example.com' } },
    };
    expect(suspensionDetails(obj).by).toBe('ops@example.com');
  });

  it('falls back to the field manager and time of spec.suspend when no annotation says', () => {
    const obj: KubeObject = {
      metadata: { managedFields: [suspendedBy('kustomize-controller', '2026-02-03T00:00:00Z')] },
    };
    expect(suspensionDetails(obj)).toEqual({ at: '2026-02-03T00:00:00Z', manager: 'kustomize-controller' });
  });

  it('looks at the reconcile annotation for kinds suspended by annotation', () => {
    const obj: KubeObject = {
      metadata: {
        managedFields: [
          {
            manager: 'flux-operator-cli',
            time: '2026-02-04T00:00:00Z',
            fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:fluxcd.controlplane.io/reconcile': {} } } },
          },
        ],
      },
    };
    expect(suspensionDetails(obj, 'fluxcd.controlplane.io/reconcile')).toEqual({
      at: '2026-02-04T00:00:00Z',
      manager: 'flux-operator-cli',
    });
  });
});
