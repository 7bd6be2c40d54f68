import { describe, expect, it } from 'vitest';
import { findFluxKind } from '../../src/flux/kinds.js';
import { attemptedRevision, waitingOn } from '../../src/flux/reasons.js';
import { verdict } from '../../src/flux/wait.js';
import type { KubeObject } from '../../src/kube/types.js';

const ks = findFluxKind('Kustomization')!;
const hr = findFluxKind('HelmRelease')!;
const chart = findFluxKind('HelmChart')!;
const git = findFluxKind('GitRepository')!;

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function object(kind: string, spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject {
  return {
    kind,
    metadata: { name: 'apps', namespace: 'flux-system', generation: 2 },
    spec,
    status: { observedGeneration: 1, ...status },
  };
}

const apps = (conditions: Cond[], status: Record<string, unknown> = {}) =>
  object(
    'Kustomization',
    {
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      dependsOn: [{ name: 'infra' }, { name: 'crds', namespace: 'platform' }],
    },
    { conditions, ...status },
  );

const dependencyNotReady: Cond = {
  type: 'Ready',
  status: 'False',
  reason: 'DependencyNotReady',
  message: "dependency 'flux-system/infra' revision is not up to date",
};

describe('DependencyNotReady', () => {
  it('is not an answer: the controller tries again by itself', () => {
    expect(verdict(apps([dependencyNotReady]), ks)).toBeUndefined();
  });

  it('is not an answer either beside the ProgressingWithRetry of an earlier failure', () => {
    const o = apps([
      dependencyNotReady,
      { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: 'x' },
    ]);
    expect(verdict(o, ks)).toBeUndefined();
  });

  it('waits for the dependsOn objects, namespaces defaulted to the dependent’s, and asks to request again', () => {
    expect(waitingOn(apps([dependencyNotReady]), ks)).toEqual({
      reason: 'DependencyNotReady',
      relation: 'dependency',
      refs: [
        { kind: 'Kustomization', namespace: 'flux-system', name: 'infra' },
        { kind: 'Kustomization', namespace: 'platform', name: 'crds' },
      ],
      rerequest: true,
    });
  });

  it('names no attempted revision: the previous commit in lastAttemptedRevision was not attempted now', () => {
    const o = apps([dependencyNotReady], { lastAttemptedRevision: 'main@sha1:old' });
    expect(attemptedRevision(o, ks, 'DependencyNotReady')).toBeUndefined();
  });
});

describe('a Kustomization whose source has no artifact yet', () => {
  const noArtifact = apps([
    {
      type: 'Ready',
      status: 'False',
      reason: 'ArtifactFailed',
      message: 'Source artifact not found, retrying in 30s',
    },
  ]);

  it('is not an answer, and waits for its source without requesting again (the source wakes it)', () => {
    expect(verdict(noArtifact, ks)).toBeUndefined();
    expect(waitingOn(noArtifact, ks)).toMatchObject({
      relation: 'source',
      refs: [{ kind: 'GitRepository', namespace: 'flux-system', name: 'flux-system' }],
      rerequest: false,
    });
  });

  it('whose source does not exist waits for it too (the API server NotFound in the message)', () => {
    const o = apps([
      {
        type: 'Ready',
        status: 'False',
        reason: 'ArtifactFailed',
        message: 'gitrepositories.source.toolkit.fluxcd.io "flux-system" not found',
      },
    ]);
    expect(waitingOn(o, ks)?.relation).toBe('source');
  });
});

describe('a Kustomization path missing from the new commit', () => {
  const o = apps(
    [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ArtifactFailed',
        message: 'kustomization path not found: stat /tmp/k/apps: no such file or directory',
      },
      {
        type: 'Reconciling',
        status: 'True',
        reason: 'ProgressingWithRetry',
        message: 'Fetching manifests for revision main@sha1:new with a timeout of 9m30s',
      },
    ],
    { lastAttemptedRevision: 'main@sha1:old' },
  );

  it('is an answer', () => {
    expect(verdict(o, ks)).toMatchObject({ result: 'failed', reason: 'ArtifactFailed' });
  });

  it('names the commit it fetched as attempted, not the older lastAttemptedRevision', () => {
    expect(attemptedRevision(o, ks, 'ArtifactFailed')).toBe('main@sha1:new');
  });
});

it('a BuildFailed Kustomization attempted its lastAttemptedRevision', () => {
  const o = apps([{ type: 'Ready', status: 'False', reason: 'BuildFailed' }], {
    lastAttemptedRevision: 'main@sha1:new',
  });
  expect(attemptedRevision(o, ks, 'BuildFailed')).toBe('main@sha1:new');
});

describe('HelmRelease', () => {
  const release = (conditions: Cond[], status: Record<string, unknown> = {}) =>
    object(
      'HelmRelease',
      { chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
      { conditions, ...status },
    );

  it('with SourceNotReady waits for the HelmChart that status.helmChart names', () => {
    const o = release([{ type: 'Ready', status: 'False', reason: 'SourceNotReady' }], {
      helmChart: 'flux-system/flux-system-apps',
    });
    expect(waitingOn(o, hr)).toMatchObject({
      relation: 'source',
      refs: [{ kind: 'HelmChart', namespace: 'flux-system', name: 'flux-system-apps' }],
    });
  });

  it('whose failed upgrade has remediation ahead is not an answer (helm-controller requeues at once)', () => {
    const o = release([
      { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'boom' },
      { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: 'boom' },
    ]);
    expect(verdict(o, hr)).toBeUndefined();
  });

  it('with a retry strategy ("retrying after") is an answer', () => {
    const o = release([
      { type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'boom' },
      { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: 'retrying after 5m0s' },
    ]);
    expect(verdict(o, hr)).toMatchObject({ result: 'failed', reason: 'UpgradeFailed' });
  });

  it('with ValuesError is an answer although helm-controller still says Reconciling', () => {
    const o = release([
      { type: 'Ready', status: 'False', reason: 'ValuesError', message: "could not find ConfigMap 'x'" },
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Fulfilling prerequisites' },
    ]);
    expect(verdict(o, hr)).toMatchObject({ result: 'failed', reason: 'ValuesError' });
  });

  it('names lastAttemptedRevision as attempted only for the generation it attempted', () => {
    const now = release([], { lastAttemptedRevision: '2.0.0', lastAttemptedGeneration: 2 });
    const older = release([], { lastAttemptedRevision: '1.0.0', lastAttemptedGeneration: 1 });
    expect(attemptedRevision(now, hr, 'UpgradeFailed')).toBe('2.0.0');
    expect(attemptedRevision(older, hr, 'UpgradeFailed')).toBeUndefined();
    expect(attemptedRevision(now, hr, 'ArtifactFailed')).toBeUndefined();
  });
});

it('a HelmChart without its source artifact waits for its source, in its own namespace', () => {
  const o = object(
    'HelmChart',
    { sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'elsewhere' } },
    { conditions: [{ type: 'Ready', status: 'False', reason: 'NoSourceArtifact' }] },
  );
  expect(verdict(o, chart)).toBeUndefined();
  expect(waitingOn(o, chart)?.refs).toEqual([
    { kind: 'HelmRepository', namespace: 'flux-system', name: 'charts' },
  ]);
});

it('a GitRepository waiting for an included repository waits for it', () => {
  const o = object(
    'GitRepository',
    { include: [{ repository: { name: 'shared' } }] },
    {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'NoArtifact',
          message: "no artifact available for include 'shared'",
        },
        { type: 'IncludeUnavailable', status: 'True', reason: 'NoArtifact' },
        { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry' },
      ],
    },
  );
  expect(verdict(o, git)).toBeUndefined();
  expect(waitingOn(o, git)?.refs).toEqual([
    { kind: 'GitRepository', namespace: 'flux-system', name: 'shared' },
  ]);
});

it('a GitRepository that cannot authenticate is an answer', () => {
  const o = object(
    'GitRepository',
    {},
    {
      conditions: [
        { type: 'Ready', status: 'False', reason: 'AuthenticationFailed', message: 'auth' },
        { type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry' },
      ],
    },
  );
  expect(verdict(o, git)).toMatchObject({ result: 'failed', reason: 'AuthenticationFailed' });
});
