import { describe, expect, it } from 'vitest';
import type { DriftDetectionOutcome } from '../../src/flux/drift-detection.js';
import { renderDriftDetection } from '../../src/format/drift-detection.js';

function outcome(before: DriftDetectionOutcome['before'], after: DriftDetectionOutcome['after']) {
  return {
    namespace: 'apps',
    name: 'web',
    result: 'changed' as const,
    before,
    after,
    patch: {},
    yaml: 'kind: HelmRelease\n',
  };
}

describe('set_flux_drift_detection answer', () => {
  it('says which ignore rule was replaced by which when their number stays the same', () => {
    const text = renderDriftDetection(
      outcome(
        { mode: 'warn', ignore: [{ paths: ['/spec/replicas'], target: { kind: 'Deployment' } }] },
        {
          mode: 'warn',
          ignore: [{ paths: ['/metadata/labels'], target: { kind: 'Deployment', name: 'web' } }],
        },
      ),
      'prod',
    );
    expect(text).toContain('warn with 1 ignore rule -> warn with 1 ignore rule');
    expect(text).toContain(
      'Ignore rules changed:\n  - ignore /spec/replicas on kind=Deployment\n  + ignore /metadata/labels on kind=Deployment name=web',
    );
  });

  it('names a rule without target as applying to every object, and lists nothing when the rules are the same', () => {
    const rules = [{ paths: ['/data'] }];
    expect(
      renderDriftDetection(outcome({ mode: 'warn', ignore: [] }, { mode: 'warn', ignore: rules }), 'prod'),
    ).toContain('  + ignore /data on every object');
    expect(
      renderDriftDetection(
        outcome({ mode: 'warn', ignore: rules }, { mode: 'enabled', ignore: rules }),
        'prod',
      ),
    ).not.toContain('Ignore rules');
  });

  it('takes a rule whose target lists the same fields in another order as the same rule', () => {
    const a = { paths: ['/spec'], target: { kind: 'Deployment', name: 'web' } };
    const b = { paths: ['/spec'], target: { name: 'web', kind: 'Deployment' } };
    expect(
      renderDriftDetection(outcome({ mode: 'warn', ignore: [a] }, { mode: 'warn', ignore: [b] }), 'prod'),
    ).not.toContain('Ignore rules');
  });
});
