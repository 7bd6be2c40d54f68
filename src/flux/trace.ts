// Which Flux objects deliver an object, as `flux trace` finds them (docs/flux-semantics.md, Trace), but
// up the whole chain: the owner labels Flux appliers set (kustomize first, then helm, then the Flux
// Operator's), following ownerReferences when the object itself has none (a Pod of a Deployment), then the
// labels of each manager in turn, with each one's status, revision and source.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { relatedObjects } from './events.js';
import { findFluxKind, HELM_GROUP, KUSTOMIZE_GROUP, OPERATOR_GROUP } from './kinds.js';
import type { FluxRef } from './refs.js';
import { FLUX_STATES, stringField, summarizeFlux } from './status.js';

/** The labels appliers put on what they apply, in the order flux trace checks them. */
export const MANAGER_LABELS = [
  { kind: 'Kustomization', group: KUSTOMIZE_GROUP, prefix: 'kustomize.toolkit.fluxcd.io' },
  { kind: 'HelmRelease', group: HELM_GROUP, prefix: 'helm.toolkit.fluxcd.io' },
  { kind: 'ResourceSet', group: OPERATOR_GROUP, prefix: 'resourceset.fluxcd.controlplane.io' },
  { kind: 'FluxInstance', group: OPERATOR_GROUP, prefix: 'fluxcd.controlplane.io' },
] as const;

const MAX_OWNER_HOPS = 5;
const MAX_CHAIN = 10;

export const objectRefSchema = z.object({
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});

const fluxObjectFactsSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  visibility: z.enum(['found', 'not-found', 'not-visible']),
  state: z.enum(FLUX_STATES).optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  revision: z.string().optional(),
  since: z.string().optional(),
  suspended: z.boolean().optional(),
  url: z.string().optional(),
});

export const deliveryStepSchema = fluxObjectFactsSchema.extend({
  /** Its chart (HelmChart, OCIRepository) and source, as far as they can be read. */
  sources: z.array(fluxObjectFactsSchema.extend({ role: z.string() })),
});

export const traceSchema = z.object({
  object: objectRefSchema.extend({ apiVersion: z.string() }),
  /** Owners walked from the object to the first one Flux labelled. */
  owners: z.array(objectRefSchema),
  /** The nearest manager first, up to the root of the chain; empty when Flux does not manage the object. */
  chain: z.array(deliveryStepSchema),
  /** Why the walk stopped early, if it did. */
  note: z.string().optional(),
});

export type ObjectRef = z.infer<typeof objectRefSchema>;
export type FluxObjectFacts = z.infer<typeof fluxObjectFactsSchema>;
export type DeliveryStep = z.infer<typeof deliveryStepSchema>;
export type Trace = z.infer<typeof traceSchema>;

/** The Flux object whose labels say it applied `obj`. */
export function managerOf(obj: KubeObject): FluxRef | undefined {
  const labels = obj.metadata?.labels ?? {};
  for (const m of MANAGER_LABELS) {
    const name = labels[`${m.prefix}/name`];
    const namespace = labels[`${m.prefix}/namespace`];
    if (name && namespace) return { kind: m.kind, namespace, name };
  }
  return undefined;
}

async function fluxFacts(
  cluster: Cluster,
  ref: FluxRef,
  signal: AbortSignal,
): Promise<{ facts: FluxObjectFacts; obj?: KubeObject }> {
  const flux = findFluxKind(ref.kind);
  if (!flux) return { facts: { ...ref, visibility: 'not-found' } };
  let r: ResourceType;
  try {
    r = await cluster.discovery.resolve({ kind: flux.kind, group: flux.group }, signal);
  } catch (err) {
    if (isKubeError(err, 'UnknownKind'))
      return {
        facts: { ...ref, visibility: 'not-found', message: `${flux.kind} is not served by this cluster` },
      };
    throw err;
  }
  let obj: KubeObject;
  try {
    obj = await cluster.get(r, ref.namespace, ref.name, signal);
  } catch (err) {
    if (isKubeError(err, 'NotFound')) return { facts: { ...ref, visibility: 'not-found' } };
    if (isKubeError(err, 'Forbidden')) return { facts: { ...ref, visibility: 'not-visible' } };
    throw err;
  }
  const s = summarizeFlux(obj, flux);
  const url = stringField(obj, 'spec', 'url');
  return {
    obj,
    facts: {
      ...ref,
      visibility: 'found',
      state: s.state,
      suspended: s.suspended,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.message ? { message: s.message } : {}),
      ...(s.revision ? { revision: s.revision } : {}),
      ...(s.since ? { since: s.since } : {}),
      ...(url ? { url } : {}),
    },
  };
}

async function step(
  cluster: Cluster,
  ref: FluxRef,
  signal: AbortSignal,
): Promise<{ step: DeliveryStep; obj?: KubeObject }> {
  const { facts, obj } = await fluxFacts(cluster, ref, signal);
  const flux = findFluxKind(ref.kind);
  const related =
    obj && flux ? relatedObjects(obj, flux).filter((r) => r.role === 'source' || r.role === 'chart') : [];
  const sources = await Promise.all(
    related.map(async ({ role, kind, namespace, name }) => ({
      role,
      ...(await fluxFacts(cluster, { kind, namespace, name }, signal)).facts,
    })),
  );
  return { step: { ...facts, sources }, ...(obj ? { obj } : {}) };
}

/** The owner to follow: the controller reference, else the first one. */
function ownerOf(obj: KubeObject): { apiVersion: string; kind: string; name: string } | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  return refs.find((o) => o.controller) ?? refs[0];
}

export async function traceObject(
  cluster: Cluster,
  target: { kind: string; name: string; namespace?: string; apiVersion?: string },
  signal: AbortSignal,
): Promise<Trace> {
  const r = await cluster.discovery.resolve(
    { kind: target.kind, ...(target.apiVersion ? { apiVersion: target.apiVersion } : {}) },
    signal,
  );
  const namespace = r.namespaced ? (target.namespace ?? cluster.defaultNamespace) : undefined;
  if (r.namespaced && !namespace) throw new FluxError(`${r.kind} is namespaced: give its namespace`);
  let obj: KubeObject;
  try {
    obj = await cluster.get(r, namespace, target.name, signal);
  } catch (err) {
    if (isKubeError(err, 'NotFound')) {
      throw new FluxError(
        `${r.kind} ${namespace ? `${namespace}/` : ''}${target.name} not found in context ${cluster.context}`,
      );
    }
    throw err;
  }
  const object = {
    apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
    kind: r.kind,
    ...(namespace ? { namespace } : {}),
    name: target.name,
  };

  const owners: ObjectRef[] = [];
  let note: string | undefined;
  let current = obj;
  let manager = managerOf(current);
  for (let hop = 0; !manager && hop < MAX_OWNER_HOPS; hop++) {
    const owner = ownerOf(current);
    if (!owner) break;
    const ownerRef: ObjectRef = { kind: owner.kind, ...(namespace ? { namespace } : {}), name: owner.name };
    try {
      const ownerType = await cluster.discovery.resolve(
        { kind: owner.kind, apiVersion: owner.apiVersion },
        signal,
      );
      current = await cluster.get(
        ownerType,
        ownerType.namespaced ? namespace : undefined,
        owner.name,
        signal,
      );
    } catch (err) {
      const forbidden = isKubeError(err, 'Forbidden');
      if (!forbidden && !isKubeError(err, 'NotFound') && !isKubeError(err, 'UnknownKind')) throw err;
      note = `owner ${owner.kind} ${owner.name} could not be read (${forbidden ? 'forbidden' : 'not found'})`;
      break;
    }
    owners.push(ownerRef);
    manager = managerOf(current);
  }

  const chain: DeliveryStep[] = [];
  const seen = new Set<string>();
  while (manager && chain.length < MAX_CHAIN) {
    const key = `${manager.kind}/${manager.namespace}/${manager.name}`;
    if (seen.has(key)) break;
    seen.add(key);
    const next = await step(cluster, manager, signal);
    chain.push(next.step);
    manager = next.obj ? managerOf(next.obj) : undefined;
  }
  return { object, owners, chain, ...(note ? { note } : {}) };
}
