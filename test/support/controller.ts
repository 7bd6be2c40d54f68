// A stand-in for the Flux controllers in tests: it watches Flux objects in the namespaces it is given and,
// when a new reconcile request appears, writes the status the real controller would write
// (docs/flux-semantics.md, sections Reconcile requests and Waiting for a reconcile). What it answers is
// scriptable per object.
import { FLUX_KINDS, type FluxKind } from '../../src/flux/kinds.js';
import type { TestApi, TestObject } from './api.js';

export type Outcome = 'succeed' | 'fail' | 'stall' | 'ignore';

export interface Behaviour {
  outcome: Outcome;
  /** Wait this long before answering; meanwhile the object says Reconciling. */
  delayMs?: number;
  /** Answer only once this settles (e.g. after the test restarted the API server); meanwhile Reconciling. */
  hold?: Promise<unknown>;
  revision?: string;
  reason?: string;
  message?: string;
}

export interface Handled {
  kind: string;
  namespace: string;
  name: string;
  token: string;
  /** When the final status write was sent (ms since epoch). */
  at: number;
}

const VERSIONS: Record<string, string> = {
  'source.toolkit.fluxcd.io': 'v1',
  'kustomize.toolkit.fluxcd.io': 'v1',
  'helm.toolkit.fluxcd.io': 'v2',
  'notification.toolkit.fluxcd.io': 'v1',
  'image.toolkit.fluxcd.io': 'v1',
  'source.extensions.fluxcd.io': 'v1beta1',
  'fluxcd.controlplane.io': 'v1',
};

export function apiVersionFor(kind: FluxKind): string {
  const version = kind.kind === 'Alert' || kind.kind === 'Provider' ? 'v1beta3' : VERSIONS[kind.group]!;
  return `${kind.group}/${version}`;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function suspended(obj: TestObject, kind: FluxKind): boolean {
  if (kind.suspend.type === 'annotation')
    return obj.metadata.annotations?.[kind.suspend.key] === kind.suspend.disabled;
  return obj.spec?.suspend === true;
}

export class FakeFluxController {
  readonly handled: Handled[] = [];
  /** Status writes the API server refused: a test fixture bug, reported by tests that look. */
  readonly errors: string[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly seen = new Set<string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly api: TestApi,
    private readonly namespaces: readonly string[],
  ) {}

  private key(kind: string, namespace: string, name: string): string {
    return `${kind}/${namespace}/${name}`;
  }

  script(kind: string, namespace: string, name: string, behaviour: Behaviour): void {
    this.behaviours.set(this.key(kind, namespace, name), behaviour);
  }

  start(): void {
    for (const kind of FLUX_KINDS.filter((k) => k.reconcilable)) {
      void this.api.watch(
        apiVersionFor(kind),
        kind.kind,
        (type, obj) => this.onEvent(kind, type, obj),
        this.abort.signal,
      );
    }
  }

  stop(): void {
    this.abort.abort();
  }

  handledFor(kind: string, namespace: string, name: string): Handled[] {
    return this.handled.filter((h) => h.kind === kind && h.namespace === namespace && h.name === name);
  }

  private onEvent(kind: FluxKind, type: string, obj: TestObject): void {
    if (type === 'DELETED' || !this.namespaces.includes(obj.metadata.namespace ?? '')) return;
    const token = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    if (!token || token === obj.status?.lastHandledReconcileAt || suspended(obj, kind)) return;
    const key = this.key(kind.kind, obj.metadata.namespace!, obj.metadata.name);
    if (this.seen.has(`${key}@${token}`)) return;
    this.seen.add(`${key}@${token}`);
    void this.answer(kind, obj, token, this.behaviours.get(key) ?? { outcome: 'succeed' }).catch(
      (err: unknown) => {
        this.errors.push(`${key}: ${String(err)}`);
      },
    );
  }

  private async answer(kind: FluxKind, obj: TestObject, token: string, b: Behaviour): Promise<void> {
    if (b.outcome === 'ignore') return;
    const ref = { apiVersion: apiVersionFor(kind), kind: kind.kind, metadata: obj.metadata };
    if (b.delayMs || b.hold) {
      await this.api.patchStatus(ref, {
        conditions: [
          {
            type: 'Reconciling',
            status: 'True',
            reason: 'Progressing',
            message: 'Building manifests',
            lastTransitionTime: now(),
          },
          {
            type: 'Ready',
            status: 'Unknown',
            reason: 'Progressing',
            message: 'Reconciliation in progress',
            lastTransitionTime: now(),
          },
        ],
      });
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      await b.hold;
    }
    const generation = obj.metadata.generation ?? 1;
    const revision = b.revision ?? 'main@sha1:1111111111111111111111111111111111111111';
    const status: Record<string, unknown> = { lastHandledReconcileAt: token };
    const annotations = obj.metadata.annotations ?? {};
    if (annotations['reconcile.fluxcd.io/forceAt'])
      status.lastHandledForceAt = annotations['reconcile.fluxcd.io/forceAt'];
    if (annotations['reconcile.fluxcd.io/resetAt'])
      status.lastHandledResetAt = annotations['reconcile.fluxcd.io/resetAt'];
    if (b.outcome === 'succeed') {
      status.observedGeneration = generation;
      if (kind.kind === 'Kustomization')
        Object.assign(status, { lastAppliedRevision: revision, lastAttemptedRevision: revision });
      else if (kind.kind === 'HelmRelease') {
        Object.assign(status, {
          lastAttemptedRevision: revision,
          history: [
            {
              name: obj.metadata.name,
              namespace: obj.metadata.namespace,
              version: 1,
              status: 'deployed',
              chartName: obj.metadata.name,
              chartVersion: revision,
              configDigest: 'sha256:00',
              digest: 'sha256:00',
              firstDeployed: now(),
              lastDeployed: now(),
            },
          ],
        });
      } else if (kind.source)
        status.artifact = {
          revision,
          path: 'x',
          url: 'http://x',
          digest: 'sha256:00',
          lastUpdateTime: now(),
        };
      status.conditions = [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message:
            b.message ??
            (kind.source ? `stored artifact for revision '${revision}'` : `Applied revision: ${revision}`),
          lastTransitionTime: now(),
          observedGeneration: generation,
        },
      ];
    } else {
      const failure = {
        type: 'Ready',
        status: 'False',
        reason: b.reason ?? 'ReconciliationFailed',
        message: b.message ?? 'reconciliation failed',
        lastTransitionTime: now(),
        observedGeneration: generation,
      };
      status.conditions =
        b.outcome === 'stall'
          ? [
              failure,
              {
                type: 'Stalled',
                status: 'True',
                reason: b.reason ?? 'InvalidCELExpression',
                message: failure.message,
                lastTransitionTime: now(),
              },
            ]
          : [
              failure,
              {
                type: 'Reconciling',
                status: 'True',
                reason: 'ProgressingWithRetry',
                message: failure.message,
                lastTransitionTime: now(),
              },
            ];
    }
    this.handled.push({
      kind: kind.kind,
      namespace: obj.metadata.namespace!,
      name: obj.metadata.name,
      token,
      at: Date.now(),
    });
    await this.api.patchStatus(ref, status);
  }
}
