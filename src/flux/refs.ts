// References between Flux objects: which source an applier reads, which objects it depends on, resolved
// in the namespaces Flux uses (docs/flux-semantics.md, References between objects).
import type { Cluster } from '../kube/cluster.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { findFluxKind, groupOf, type FluxKind } from './kinds.js';
import { field, stringField } from './status.js';

export interface FluxRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ResolvedKind {
  flux: FluxKind;
  resource: ResourceType;
}

export function refString(ref: FluxRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

export function sameRef(a: FluxRef, b: FluxRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/** A Flux kind, served by this cluster at the version it prefers (or the version asked for). */
export async function resolveFluxKind(
  cluster: Cluster,
  kind: string,
  apiVersion?: string,
  signal?: AbortSignal,
): Promise<ResolvedKind> {
  const flux = findFluxKind(kind);
  if (!flux) throw new FluxError(`${kind} is not a Flux kind`);
  if (apiVersion && groupOf(apiVersion) !== flux.group) {
    throw new FluxError(`${flux.kind} belongs to API group ${flux.group}, not to ${apiVersion}`);
  }
  const resource = await cluster.discovery.resolve(
    apiVersion ? { kind: flux.kind, apiVersion } : { kind: flux.kind, group: flux.group },
    signal,
  );
  return { flux, resource };
}

/** The sources to reconcile, in order, before `obj` itself, as `flux reconcile --with-source` does. */
export function sourceChain(obj: KubeObject, kind: FluxKind): FluxRef[] | { error: string } {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  switch (kind.kind) {
    case 'Kustomization': {
      const ref = field(obj, 'spec', 'sourceRef');
      const refKind = stringField(ref, 'kind');
      const refName = stringField(ref, 'name');
      if (!refKind || !refName) return { error: `Kustomization ${ns}/${name} has no spec.sourceRef` };
      if (!['GitRepository', 'OCIRepository', 'Bucket'].includes(refKind)) {
        return {
          error: `cannot reconcile the source of Kustomization ${ns}/${name}: kind ${refKind} has no reconciler`,
        };
      }
      return [{ kind: refKind, namespace: stringField(ref, 'namespace') ?? ns, name: refName }];
    }
    case 'HelmRelease': {
      const chartRef = field(obj, 'spec', 'chartRef');
      if (chartRef) {
        const refKind = stringField(chartRef, 'kind');
        const refName = stringField(chartRef, 'name');
        const refNs = stringField(chartRef, 'namespace') ?? ns;
        if (refKind === 'OCIRepository' && refName)
          return [{ kind: refKind, namespace: refNs, name: refName }];
        if (refKind === 'HelmChart' && refName)
          return [{ kind: 'HelmChart', namespace: refNs, name: refName }];
        return {
          error: `cannot reconcile the source of HelmRelease ${ns}/${name}: chartRef kind ${refKind ?? '(none)'} has no reconciler`,
        };
      }
      const template = field(obj, 'spec', 'chart', 'spec');
      if (!template) return { error: `HelmRelease ${ns}/${name} has neither spec.chart nor spec.chartRef` };
      // helm-controller names the HelmChart it generates <namespace>-<name>, in the source's namespace.
      const chartNs = stringField(template, 'sourceRef', 'namespace') ?? ns;
      return [{ kind: 'HelmChart', namespace: chartNs, name: `${ns}-${name}` }];
    }
    case 'HelmChart': {
      const ref = field(obj, 'spec', 'sourceRef');
      const refKind = stringField(ref, 'kind');
      const refName = stringField(ref, 'name');
      if (!refKind || !refName) return { error: `HelmChart ${ns}/${name} has no spec.sourceRef` };
      return [{ kind: refKind, namespace: ns, name: refName }];
    }
    default:
      return [];
  }
}

/** The objects `obj` depends on (`spec.dependsOn`), namespaces defaulted as the controllers do. */
export function dependencies(obj: KubeObject, kind: FluxKind): FluxRef[] {
  const list = field(obj, 'spec', 'dependsOn');
  if (!Array.isArray(list)) return [];
  const ns = obj.metadata?.namespace ?? '';
  return list
    .map((d) => ({ name: stringField(d, 'name'), namespace: stringField(d, 'namespace') ?? ns }))
    .filter((d): d is { name: string; namespace: string } => d.name !== undefined)
    .map((d) => ({ kind: kind.kind, ...d }));
}
