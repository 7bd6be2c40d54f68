// A stand-in for the Flux Operator in tests: it watches FluxInstances in the namespaces it is given and,
// when the spec or a reconcile request changes, writes what the operator writes
// (controlplaneio-fluxcd/flux-operator internal/controller/fluxinstance_controller.go): Reconciling while
// it works, then lastAttemptedRevision, lastAppliedRevision (`v2.9.5@sha256:...`), components and Ready,
// or Ready=False with BuildFailed and Stalled for a version it cannot build (a lower minor than the one
// applied, or none of its embedded releases matches); then it refreshes the FluxReport of the namespace.
import { createHash } from 'node:crypto';
import type { TestApi, TestObject } from './api.js';
import { V } from './flux.js';

/** The Flux releases whose manifests this operator carries, as the real one embeds them. */
const EMBEDDED = ['2.7.5', '2.8.8', '2.9.5'];

export interface OperatorBehaviour {
  /** Fail the apply with this message (Ready=False, ReconciliationFailed). */
  failApply?: string;
  /** Leave the FluxReport as it is. */
  skipReport?: boolean;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function parts(v: string): number[] {
  return v
    .replace(/^v/, '')
    .split('.')
    .map((p) => (p === 'x' || p === '*' ? NaN : Number(p)));
}

/** The newest embedded release a FluxInstance version (2.9.5, 2.9.x, 2.x) selects. */
export function matchEmbedded(range: string): string | undefined {
  const [major, minor, patch] = parts(range);
  const matches = EMBEDDED.filter((e) => {
    const [a, b, c] = parts(e);
    return (
      a === major &&
      (minor === undefined || Number.isNaN(minor) || b === minor) &&
      (patch === undefined || Number.isNaN(patch) || c === patch)
    );
  });
  return matches[matches.length - 1];
}

function condition(type: string, status: string, reason: string, message: string, generation: number) {
  return { type, status, reason, message, lastTransitionTime: now(), observedGeneration: generation };
}

export class FakeFluxOperator {
  readonly errors: string[] = [];
  /** Every version it applied, in order, as `namespace/name=v2.9.5`. */
  readonly applied: string[] = [];
  private readonly behaviours = new Map<string, OperatorBehaviour>();
  private readonly seen = new Set<string>();
  private readonly abort = new AbortController();

  constructor(
    private readonly api: TestApi,
    private readonly namespaces: readonly string[],
  ) {}

  script(namespace: string, behaviour: OperatorBehaviour): void {
    this.behaviours.set(namespace, behaviour);
  }

  start(): void {
    void this.api.watch(
      V.operator,
      'FluxInstance',
      (type, obj) => this.onEvent(type, obj),
      this.abort.signal,
    );
  }

  stop(): void {
    this.abort.abort();
  }

  private onEvent(type: string, obj: TestObject): void {
    const ns = obj.metadata.namespace ?? '';
    if (type === 'DELETED' || !this.namespaces.includes(ns)) return;
    if (obj.metadata.annotations?.['fluxcd.controlplane.io/reconcile'] === 'disabled') return;
    const token = obj.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'] ?? '';
    const key = `${ns}/${obj.metadata.name}@${obj.metadata.generation}@${token}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    void this.reconcile(obj, token).catch((err: unknown) => this.errors.push(`${key}: ${String(err)}`));
  }

  private async reconcile(obj: TestObject, token: string): Promise<void> {
    const ns = obj.metadata.namespace!;
    const generation = obj.metadata.generation ?? 1;
    const b = this.behaviours.get(ns) ?? {};
    const status = (obj.status ?? {}) as Record<string, unknown>;
    const ref = { apiVersion: V.operator, kind: 'FluxInstance', metadata: obj.metadata };
    await this.api.patchStatus(ref, {
      conditions: [
        condition('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress', generation),
        condition('Reconciling', 'True', 'Progressing', 'Reconciliation in progress', generation),
      ],
    });
    const range = String((obj.spec?.distribution as { version?: string } | undefined)?.version ?? '');
    const version = matchEmbedded(range);
    const applied = String(status.lastAppliedRevision ?? '').split('@')[0];
    const final: Record<string, unknown> = { lastHandledReconcileAt: token || undefined };
    let failure: string | undefined;
    if (!version) failure = `build failed: no match found for semver: ${range}`;
    else if (applied && parts(applied)[1]! > parts(version)[1]!) {
      failure = `build failed: downgrading from ${applied} to v${version} is not supported, reinstall needed`;
    }
    if (failure) {
      final.conditions = [
        condition('Ready', 'False', 'BuildFailed', failure, generation),
        condition('Stalled', 'True', 'BuildFailed', failure, generation),
      ];
      await this.api.patchStatus(ref, final);
      return;
    }
    const revision = `v${version}@sha256:${createHash('sha256').update(version!).digest('hex')}`;
    final.lastAttemptedRevision = revision;
    if (b.failApply) {
      final.conditions = [
        condition(
          'Ready',
          'False',
          'ReconciliationFailed',
          `reconciliation failed: ${b.failApply}`,
          generation,
        ),
        condition(
          'Reconciling',
          'True',
          'ProgressingWithRetry',
          `reconciliation failed: ${b.failApply}`,
          generation,
        ),
      ];
      await this.api.patchStatus(ref, final);
      return;
    }
    final.lastAppliedRevision = revision;
    final.components = ['source-controller', 'kustomize-controller'].map((name) => ({
      name,
      repository: `ghcr.io/fluxcd/${name}`,
      tag: `v${version}`,
    }));
    final.conditions = [
      condition('Ready', 'True', 'ReconciliationSucceeded', 'Reconciliation finished in 2s', generation),
    ];
    await this.api.patchStatus(ref, final);
    this.applied.push(`${ns}/${obj.metadata.name}=v${version}`);
    if (b.skipReport) return;
    await this.api.mergePatch(
      { apiVersion: V.operator, kind: 'FluxReport', metadata: { name: obj.metadata.name, namespace: ns } },
      {
        spec: { distribution: { version: `v${version}`, status: 'Installed', entitlement: 'Unknown' } },
      },
    );
  }
}

/** The FluxInstance `flux` of a namespace asking for `spec` (2.8.x, 2.9.5, ...). */
export function fluxInstance(namespace: string, spec: string): TestObject {
  return {
    apiVersion: V.operator,
    kind: 'FluxInstance',
    metadata: { name: 'flux', namespace },
    spec: { distribution: { version: spec, registry: 'ghcr.io/fluxcd' } },
  };
}

/** The FluxReport `flux` of a namespace, as the operator initialises it. */
export function fluxReport(namespace: string, version: string): TestObject {
  return {
    apiVersion: V.operator,
    kind: 'FluxReport',
    metadata: { name: 'flux', namespace },
    spec: { distribution: { version, status: 'Installed', entitlement: 'Unknown' } },
  };
}
