import { describe, expect, it } from 'vitest';
import { eventTime, relatedObjects, toEventRecord } from '../../src/flux/events.js';
import { findFluxKind } from '../../src/flux/kinds.js';
import type { KubeObject } from '../../src/kube/types.js';

const obj = (
  kind: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown> = {},
): KubeObject => ({
  kind,
  metadata: { name: 'app', namespace: 'apps' },
  spec,
  status,
});

describe('relatedObjects', () => {
  it('is the HelmChart helm-controller generates and its source for a chart template', () => {
    const hr = obj('HelmRelease', {
      chart: {
        spec: {
          chart: 'app',
          sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' },
        },
      },
    });
    expect(relatedObjects(hr, findFluxKind('HelmRelease')!)).toEqual([
      { role: 'chart', kind: 'HelmChart', namespace: 'flux-system', name: 'apps-app' },
      { role: 'source', kind: 'HelmRepository', namespace: 'flux-system', name: 'charts' },
    ]);
  });

  it('prefers the HelmChart the controller recorded in status', () => {
    const hr = obj(
      'HelmRelease',
      { chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
      { helmChart: 'apps/custom-chart' },
    );
    expect(relatedObjects(hr, findFluxKind('HelmRelease')!)[0]).toMatchObject({ name: 'custom-chart' });
  });

  it('is the chartRef of a HelmRelease that uses one', () => {
    const hr = obj('HelmRelease', { chartRef: { kind: 'OCIRepository', name: 'podinfo' } });
    expect(relatedObjects(hr, findFluxKind('HelmRelease')!)).toEqual([
      { role: 'chart', kind: 'OCIRepository', namespace: 'apps', name: 'podinfo' },
    ]);
  });

  it('is the Provider of an Alert and the ImageRepository of an ImagePolicy', () => {
    expect(relatedObjects(obj('Alert', { providerRef: { name: 'slack' } }), findFluxKind('Alert')!)).toEqual([
      { role: 'provider', kind: 'Provider', namespace: 'apps', name: 'slack' },
    ]);
    expect(
      relatedObjects(
        obj('ImagePolicy', { imageRepositoryRef: { name: 'app' } }),
        findFluxKind('ImagePolicy')!,
      ),
    ).toEqual([{ role: 'image repository', kind: 'ImageRepository', namespace: 'apps', name: 'app' }]);
  });
});

describe('events', () => {
  it('date an event by its series first, then lastTimestamp, eventTime and creation', () => {
    expect(eventTime({ series: { lastObservedTime: 's' }, lastTimestamp: 'l' } as KubeObject)).toBe('s');
    expect(eventTime({ lastTimestamp: 'l', eventTime: 'e' } as KubeObject)).toBe('l');
    expect(eventTime({ eventTime: 'e', metadata: { creationTimestamp: 'c' } } as KubeObject)).toBe('e');
    expect(eventTime({ metadata: { creationTimestamp: 'c' } })).toBe('c');
  });

  it('carry the revision Flux annotates them with and the series count', () => {
    const e: KubeObject = {
      metadata: { namespace: 'apps', annotations: { 'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:1' } },
      involvedObject: { kind: 'Kustomization', name: 'app', namespace: 'apps' },
      reason: 'ReconciliationSucceeded',
      message: 'done',
      series: { count: 7 },
      reportingComponent: 'kustomize-controller',
    };
    expect(toEventRecord(e)).toEqual({
      type: 'Normal',
      reason: 'ReconciliationSucceeded',
      message: 'done',
      count: 7,
      object: { kind: 'Kustomization', namespace: 'apps', name: 'app' },
      source: 'kustomize-controller',
      revision: 'main@sha1:1',
    });
  });
});
