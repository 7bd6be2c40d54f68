// A stand-in for the Flux controllers in tests: it watches Flux objects in the namespaces it is given and,
// when a new reconcile request appears, writes the status the real controller would write, in the order
// the real controllers write it (docs/flux-semantics.md, section What the real controllers write), as
// source-controller v1.9.6, kustomize-controller v1.9.6 and helm-controller v1.6.4 did in test/e2e:
// - Kustomizations and sources write the result first and lastHandledReconcileAt (with
//   observedGeneration) in a second write; helm-controller writes the token first and the result last.
// - A failure keeps Reconciling=True (ProgressingWithRetry) beside Ready=False and leaves
//   status.observedGeneration alone (-1, the CRD default, until a first success).
// - A HelmRelease that stalls writes Ready=False with the Helm error first, then Stalled=True
//   (RetriesExceeded, counting attempts) in the next write.
// - A suspended object still gets the token copied into lastHandledReconcileAt; nothing else changes.
// What it answers is scriptable per object.
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
  /** One revision per answer, in order (the last one repeats); instead of `revision`. */
  revisions?: string[];
  /** The Ready=False reason of a failure (default ReconciliationFailed; UpgradeFailed for a HelmRelease). */
  reason?: string;
  message?: string;
  /**
   * Before anything else, check spec.dependsOn as kustomize-controller and helm-controller do (each
   * dependency of the same kind Ready=True with its generation observed); when one is not, answer
   * Ready=False DependencyNotReady and do not look again by itself (the real ones wait for
   * --requeue-dependency, 30 s by default).
   */
  checkDependencies?: boolean;
  /**
   * As a real controller, which reads the object when a reconcile starts: requests that arrive while one
   * is in progress are not answered one by one; the next write carries the newest token only.
   */
  coalesce?: boolean;
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
  /** Objects with an answer in progress whose behaviour coalesces requests. */
  private readonly busy = new Set<string>();
  /** Per object, the answer in progress: like controller-runtime, one reconcile of an object at a time. */
  private readonly queues = new Map<string, Promise<void>>();
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
    if (!token || token === obj.status?.lastHandledReconcileAt) return;
    const key = this.key(kind.kind, obj.metadata.namespace!, obj.metadata.name);
    if (this.seen.has(`${key}@${token}`)) return;
    this.seen.add(`${key}@${token}`);
    const behaviour = this.behaviours.get(key) ?? { outcome: 'succeed' };
    if (behaviour.coalesce && this.busy.has(key)) return;
    if (behaviour.coalesce) this.busy.add(key);
    const run = () =>
      suspended(obj, kind)
        ? this.handleWhileSuspended(kind, obj, token)
        : this.answer(kind, obj, token, behaviour);
    const queued = (this.queues.get(key) ?? Promise.resolve())
      .then(run)
      .catch((err: unknown) => {
        this.errors.push(`${key}: ${String(err)}`);
      })
      .finally(() => this.busy.delete(key));
    this.queues.set(key, queued);
  }

  /** What every controller does with a request on a suspended object: records it, reconciles nothing. */
  private async handleWhileSuspended(kind: FluxKind, obj: TestObject, token: string): Promise<void> {
    if (kind.suspend.type !== 'spec') return;
    const ready = ((obj.status?.conditions ?? []) as { type: string; status: string }[]).find(
      (c) => c.type === 'Ready',
    );
    await this.api.patchStatus(
      { apiVersion: apiVersionFor(kind), kind: kind.kind, metadata: obj.metadata },
      {
        lastHandledReconcileAt: token,
        ...(ready?.status === 'True' ? { observedGeneration: obj.metadata.generation ?? 1 } : {}),
      },
    );
  }

  /** The first dependency that is not ready, as the controllers check them (checkDependencies). */
  private async dependencyNotReady(kind: FluxKind, obj: TestObject): Promise<string | undefined> {
    const list = (obj.spec?.dependsOn ?? []) as { name: string; namespace?: string }[];
    for (const d of list) {
      const namespace = d.namespace ?? obj.metadata.namespace!;
      const dep = await this.api
        .get(apiVersionFor(kind), kind.kind, namespace, d.name)
        .catch(() => undefined);
      const ready = ((dep?.status?.conditions ?? []) as { type: string; status: string }[]).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      );
      if (!dep || !ready || dep.status?.observedGeneration !== dep.metadata.generation)
        return `dependency '${namespace}/${d.name}' is not ready`;
    }
    return undefined;
  }

  private async answer(kind: FluxKind, obj: TestObject, token: string, b: Behaviour): Promise<void> {
    if (b.outcome === 'ignore') return;
    const ref = { apiVersion: apiVersionFor(kind), kind: kind.kind, metadata: obj.metadata };
    if (b.checkDependencies) {
      const notReady = await this.dependencyNotReady(kind, obj);
      if (notReady) {
        await this.api.patchStatus(ref, {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'DependencyNotReady',
              message: notReady,
              lastTransitionTime: now(),
              observedGeneration: obj.metadata.generation ?? 1,
            },
          ],
        });
        await this.api.patchStatus(ref, { lastHandledReconcileAt: token });
        this.handled.push({
          kind: kind.kind,
          namespace: obj.metadata.namespace!,
          name: obj.metadata.name,
          token,
          at: Date.now(),
        });
        return;
      }
    }
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
    if (b.coalesce) {
      // The reconcile reads the object now: the newest request is the one it handles.
      const live = await this.api.get(ref.apiVersion, ref.kind, obj.metadata.namespace, obj.metadata.name);
      token = live.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'] ?? token;
      obj = live;
    }
    const generation = obj.metadata.generation ?? 1;
    const helm = kind.kind === 'HelmRelease';
    const answered = this.handledFor(kind.kind, obj.metadata.namespace!, obj.metadata.name).length;
    const revision =
      b.revisions?.[Math.min(answered, b.revisions.length - 1)] ??
      b.revision ??
      (helm ? '1.0.0' : 'main@sha1:1111111111111111111111111111111111111111');
    const handled: Record<string, unknown> = { lastHandledReconcileAt: token };
    const annotations = obj.metadata.annotations ?? {};
    if (annotations['reconcile.fluxcd.io/forceAt'])
      handled.lastHandledForceAt = annotations['reconcile.fluxcd.io/forceAt'];
    if (annotations['reconcile.fluxcd.io/resetAt'])
      handled.lastHandledResetAt = annotations['reconcile.fluxcd.io/resetAt'];
    const condition = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastTransitionTime: now(),
      observedGeneration: generation,
    });
    const action =
      Array.isArray(obj.status?.history) && obj.status.history.length > 0 ? 'upgrade' : 'install';

    if (helm) {
      // helm-controller: the token first, while the Helm action runs.
      const running = `Running '${action}' action with timeout of 5m0s`;
      await this.api.patchStatus(ref, {
        ...handled,
        conditions: [
          condition('Reconciling', 'True', 'Progressing', running),
          condition('Ready', 'Unknown', 'Progressing', running),
        ],
      });
    }

    let result: Record<string, unknown>;
    let last: Record<string, unknown> = helm ? {} : handled;
    if (b.outcome === 'succeed') {
      const message =
        b.message ??
        (helm
          ? `Helm ${action} succeeded for release ${obj.metadata.namespace}/${obj.metadata.name}.v1 with chart ${obj.metadata.name}@${revision}`
          : kind.source
            ? `stored artifact for revision '${revision}'`
            : `Applied revision: ${revision}`);
      const reason = helm
        ? `${action === 'install' ? 'Install' : 'Upgrade'}Succeeded`
        : kind.source
          ? 'Succeeded'
          : 'ReconciliationSucceeded';
      result = {
        conditions: [
          condition('Ready', 'True', reason, message),
          ...(helm ? [condition('Released', 'True', reason, message)] : []),
        ],
      };
      last = { ...last, observedGeneration: generation };
      if (kind.kind === 'Kustomization')
        Object.assign(last, { lastAppliedRevision: revision, lastAttemptedRevision: revision });
      else if (helm) {
        Object.assign(last, {
          lastAttemptedRevision: revision,
          lastAttemptedReleaseAction: action,
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
        last.artifact = {
          revision,
          path: 'x',
          url: 'http://x',
          digest: 'sha256:00',
          lastUpdateTime: now(),
        };
    } else {
      const reason =
        b.reason ?? (helm ? `${action === 'install' ? 'Install' : 'Upgrade'}Failed` : 'ReconciliationFailed');
      const message = b.message ?? 'reconciliation failed';
      const failure = condition('Ready', 'False', reason, message);
      if (helm) {
        // The Helm error first, while Reconciling is still Progressing; Stalled in the next write.
        await this.api.patchStatus(ref, {
          conditions: [
            condition(
              'Reconciling',
              'True',
              'Progressing',
              `Running '${action}' action with timeout of 5m0s`,
            ),
            failure,
            condition('Released', 'False', reason, message),
          ],
        });
      }
      result =
        b.outcome === 'stall'
          ? {
              conditions: [
                helm
                  ? condition('Stalled', 'True', 'RetriesExceeded', `Failed to ${action} after 1 attempt(s)`)
                  : condition('Stalled', 'True', b.reason ?? 'InvalidCELExpression', message),
                failure,
                ...(helm ? [condition('Released', 'False', reason, message)] : []),
              ],
            }
          : {
              conditions: [
                condition('Reconciling', 'True', 'ProgressingWithRetry', message),
                failure,
                ...(helm ? [condition('Released', 'False', reason, message)] : []),
              ],
            };
      // helm-controller records the generation of a terminal failure; the others leave it alone.
      if (helm && b.outcome === 'stall') last = { ...last, observedGeneration: generation };
    }
    this.handled.push({
      kind: kind.kind,
      namespace: obj.metadata.namespace!,
      name: obj.metadata.name,
      token,
      at: Date.now(),
    });
    // The result first, then (Kustomizations, sources) the token with observedGeneration and revisions.
    await this.api.patchStatus(ref, result);
    if (Object.keys(last).length > 0) await this.api.patchStatus(ref, last);
  }
}
