// The Flux Operator's FluxInstance: where it is, which Flux version it applied, and whether Git manages it
// (fluxcd.controlplane.io/v1, docs/api/v1/fluxinstance.md of controlplaneio-fluxcd/flux-operator).
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { OPERATOR_GROUP } from './kinds.js';
import { stringField } from './status.js';

const KUSTOMIZE_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
const KUSTOMIZE_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

export interface FluxInstances {
  resource: ResourceType;
  items: KubeObject[];
}

/** The FluxInstance kind and its objects, in one namespace or all; undefined when the operator's CRD is absent. */
export async function findFluxInstances(
  cluster: Cluster,
  namespace: string | undefined,
  signal: AbortSignal,
): Promise<FluxInstances | undefined> {
  let resource: ResourceType;
  try {
    resource = await cluster.discovery.resolve({ kind: 'FluxInstance', group: OPERATOR_GROUP }, signal);
  } catch (err) {
    if (isKubeError(err, 'UnknownKind')) return undefined;
    throw err;
  }
  const items = await cluster.listAll(resource, { ...(namespace ? { namespace } : {}), signal });
  return { resource, items };
}

/** `v2.9.5` of a revision `v2.9.5@sha256:...` (status.lastAppliedRevision). */
export function revisionVersion(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const version = revision.split('@')[0];
  return version || undefined;
}

/** The Flux version the operator last applied, from status.lastAppliedRevision. */
export function appliedVersion(instance: KubeObject): string | undefined {
  return revisionVersion(stringField(instance, 'status', 'lastAppliedRevision'));
}

/** `Kustomization ns/name` when a Kustomization applied this object from Git (its owner labels). */
export function appliedByKustomization(obj: KubeObject): string | undefined {
  const name = obj.metadata?.labels?.[KUSTOMIZE_NAME_LABEL];
  if (!name) return undefined;
  const namespace = obj.metadata?.labels?.[KUSTOMIZE_NAMESPACE_LABEL] ?? '';
  return `Kustomization ${namespace}/${name}`;
}
