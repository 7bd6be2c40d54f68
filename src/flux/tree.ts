// What a Kustomization or HelmRelease manages, as `flux tree` shows it (docs/flux-semantics.md, sections
// Inventory and Helm storage): its inventory, recursing into child Kustomizations and HelmReleases (their
// objects from status.inventory or Helm's release storage), each object looked up: present or missing,
// ready or not.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import { getNamed } from '../kube/get-named.js';
import { objectHealth } from '../kube/health.js';
import { explainPods } from '../kube/pod-status.js';
import { selectedPods } from '../kube/pods.js';
import { mapPool } from '../kube/pool.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { decodeHelmRelease, helmStorageSecretName, latestRelease, manifestObjects } from './helm-storage.js';
import { readReleaseHistory, type StoredRelease } from './helm-records.js';
import { helmReleaseCoordinates } from './helm-release.js';
import { apiVersionFor, readInventory } from './inventory.js';
import { fluxKindOf, groupOf, HELM_GROUP, KUSTOMIZE_GROUP, type FluxKind } from './kinds.js';
import { resolveFluxKind } from './refs.js';
import { field, stringField, summarizeFlux } from './status.js';

export const NODE_STATUSES = [
  'ready',
  'not-ready',
  'progressing',
  'suspended',
  'present',
  'missing',
  'not-visible',
  'unknown-kind',
] as const;

export const treeNodeSchema = z.object({
  depth: z.number(),
  kind: z.string(),
  group: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  status: z.enum(NODE_STATUSES),
  /** Why it is not ready, or its readiness in a few words. */
  message: z.string().optional(),
  revision: z.string().optional(),
  /** How the children of a Flux applier were found, or why they were not followed. */
  note: z.string().optional(),
  /** A workload that is not ready: why its Pods are not (`pods: 1 of 1 not ready (ImagePullBackOff); ...`). */
  pods: z.string().optional(),
});

export const treeCountsSchema = z.object({
  /** Objects below the root. */
  total: z.number(),
  missing: z.number(),
  notReady: z.number(),
  notVisible: z.number(),
  /** Objects of a kind the cluster no longer serves (CRD removed). */
  unknownKind: z.number(),
});

export type NodeStatus = (typeof NODE_STATUSES)[number];
export type TreeNode = z.infer<typeof treeNodeSchema>;
export type TreeCounts = z.infer<typeof treeCountsSchema>;

export interface Tree {
  nodes: TreeNode[];
  counts: TreeCounts;
}

/** Objects of one kind and namespace looked up one by one up to this many; above it, listed at once. */
const GET_THRESHOLD = 5;
const CONCURRENCY = 16;
/** Nested appliers followed at most this deep (inventories can loop through a parent). */
const MAX_DEPTH = 20;
/** Not-ready workloads whose Pods are looked at, and Pods read for each: one page per workload. */
const MAX_WORKLOADS_EXPLAINED = 20;
const PODS_PER_WORKLOAD = 50;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

interface ChildRef {
  kind: string;
  group: string;
  /** `group/version` when the inventory or manifest says; otherwise the preferred version is used. */
  apiVersion?: string;
  namespace?: string;
  name: string;
}

interface Looked {
  ref: ChildRef;
  obj?: KubeObject;
  status?: Extract<NodeStatus, 'missing' | 'not-visible' | 'unknown-kind'>;
}

const HELM_NAME_LABEL = 'helm.toolkit.fluxcd.io/name';
const HELM_NAMESPACE_LABEL = 'helm.toolkit.fluxcd.io/namespace';

async function resourceFor(
  cluster: Cluster,
  ref: ChildRef,
  cache: Map<string, Promise<ResourceType | undefined>>,
  signal: AbortSignal,
): Promise<ResourceType | undefined> {
  const key = `${ref.apiVersion ?? ref.group}/${ref.kind}`;
  let found = cache.get(key);
  if (!found) {
    found = (async () => {
      // The version the applier used may no longer be served: fall back to the group's preferred one.
      const tries = [
        ...(ref.apiVersion ? [{ kind: ref.kind, apiVersion: ref.apiVersion }] : []),
        { kind: ref.kind, group: ref.group },
      ];
      for (const q of tries) {
        try {
          return await cluster.discovery.resolve(q, signal);
        } catch (err) {
          if (!isKubeError(err, 'UnknownKind')) throw err;
        }
      }
      return undefined;
    })();
    cache.set(key, found);
  }
  return found;
}

/** Looks every child up, listing per kind and namespace when there are many, getting one by one otherwise. */
async function lookUp(
  cluster: Cluster,
  refs: ChildRef[],
  cache: Map<string, Promise<ResourceType | undefined>>,
  signal: AbortSignal,
): Promise<Looked[]> {
  const resolved = await Promise.all(refs.map((ref) => resourceFor(cluster, ref, cache, signal)));
  const groups = new Map<string, { r: ResourceType; namespace?: string; idx: number[] }>();
  const out: Looked[] = refs.map((ref) => ({ ref }));
  resolved.forEach((r, i) => {
    if (!r) {
      out[i]!.status = 'unknown-kind';
      return;
    }
    const ns = r.namespaced ? refs[i]!.namespace : undefined;
    const key = `${r.group}/${r.plural}/${ns ?? ''}`;
    const g = groups.get(key) ?? { r, ...(ns ? { namespace: ns } : {}), idx: [] };
    g.idx.push(i);
    groups.set(key, g);
  });
  const tasks: (() => Promise<void>)[] = [];
  for (const g of groups.values()) {
    if (g.idx.length > GET_THRESHOLD) {
      tasks.push(async () => {
        try {
          const items = await cluster.listAll(g.r, {
            ...(g.namespace ? { namespace: g.namespace } : {}),
            signal,
          });
          const byName = new Map(items.map((o) => [o.metadata?.name, o]));
          for (const i of g.idx) {
            const obj = byName.get(refs[i]!.name);
            if (obj) out[i]!.obj = obj;
            else out[i]!.status = 'missing';
          }
        } catch (err) {
          if (!isKubeError(err, 'Forbidden')) throw err;
          for (const i of g.idx) out[i]!.status = 'not-visible';
        }
      });
    } else {
      for (const i of g.idx) {
        tasks.push(async () => {
          try {
            out[i]!.obj = await cluster.get(g.r, g.namespace, refs[i]!.name, signal);
          } catch (err) {
            if (isKubeError(err, 'NotFound')) out[i]!.status = 'missing';
            else if (isKubeError(err, 'Forbidden')) out[i]!.status = 'not-visible';
            else throw err;
          }
        });
      }
    }
  }
  await mapPool(tasks, CONCURRENCY, (t) => t());
  return out;
}

function nodeFor(depth: number, ref: ChildRef, obj: KubeObject | undefined, status?: NodeStatus): TreeNode {
  const base = {
    depth,
    kind: ref.kind,
    group: ref.group,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    name: ref.name,
  };
  if (!obj) return { ...base, status: status ?? 'missing' };
  const flux = fluxKindOf(ref.group, ref.kind);
  if (flux) {
    const s = summarizeFlux(obj, flux);
    const st: NodeStatus =
      s.state === 'Ready' || s.state === 'Static'
        ? 'ready'
        : s.state === 'Suspended'
          ? 'suspended'
          : s.state === 'Failing' || s.state === 'Stalled'
            ? 'not-ready'
            : 'progressing';
    const message = st === 'ready' ? undefined : [s.reason, s.message].filter(Boolean).join(': ');
    return {
      ...base,
      status: st,
      ...(message ? { message } : {}),
      ...(s.revision ? { revision: s.revision } : {}),
    };
  }
  const h = objectHealth(obj);
  const st: NodeStatus = h.ready === undefined ? 'present' : h.ready ? 'ready' : 'not-ready';
  return { ...base, status: st, ...(st === 'not-ready' ? { message: h.message } : {}) };
}

/** The objects a HelmRelease manages: status.inventory (Flux 2.8+) or its newest Helm storage record. */
async function helmReleaseChildren(
  cluster: Cluster,
  hr: KubeObject,
  cache: Map<string, Promise<ResourceType | undefined>>,
  signal: AbortSignal,
): Promise<{ refs: ChildRef[]; note: string }> {
  const inventory = readInventory(hr);
  if (inventory && inventory.objects.length > 0) {
    return { refs: inventory.objects.map(inventoryRef), note: 'from status.inventory' };
  }
  const release = await releaseManifest(cluster, hr, signal);
  if ('note' in release) return { refs: [], note: release.note };
  const { manifest, namespace: releaseNamespace, source } = release;
  const objects = await manifestObjects(manifest);
  const refs: ChildRef[] = [];
  for (const o of objects) {
    const ref: ChildRef = {
      kind: o.kind,
      group: groupOf(o.apiVersion),
      apiVersion: o.apiVersion,
      name: o.name,
    };
    if (o.namespace) ref.namespace = o.namespace;
    else if ((await resourceFor(cluster, ref, cache, signal))?.namespaced) ref.namespace = releaseNamespace;
    refs.push(ref);
  }
  refs.push(...(await helmCrds(cluster, hr, signal)));
  return { refs, note: source };
}

/**
 * The manifest of a HelmRelease's newest Helm release: the one status.history names, or, before
 * helm-controller has recorded any (a first install still running), the newest in Helm's storage.
 */
async function releaseManifest(
  cluster: Cluster,
  hr: KubeObject,
  signal: AbortSignal,
): Promise<{ manifest: string; namespace: string; source: string } | { note: string }> {
  const latest = latestRelease(hr);
  if (!latest) {
    const where = helmReleaseCoordinates(hr);
    let newest: StoredRelease | undefined;
    try {
      newest = (await readReleaseHistory(cluster, where.storageNamespace, where.release, signal)).records.at(
        -1,
      );
    } catch (err) {
      if (isKubeError(err, 'Forbidden'))
        return {
          note: `no Helm release recorded in status.history yet, and Helm storage in namespace ${where.storageNamespace} is not readable`,
        };
      throw err;
    }
    const manifest = newest?.json.manifest;
    if (!newest || typeof manifest !== 'string')
      return { note: 'no Helm release recorded in status.history yet' };
    return {
      manifest,
      namespace: newest.namespace,
      source: `from Helm release ${newest.name} revision ${newest.revision} (${newest.status}, Secret ${where.storageNamespace}/${newest.secret}; not yet in status.history)`,
    };
  }
  const secretName = helmStorageSecretName(latest.name, latest.revision);
  const where = `Secret ${latest.storageNamespace}/${secretName}`;
  const secrets = await cluster.discovery.resolve({ kind: 'Secret', apiVersion: 'v1' }, signal);
  let secret: KubeObject;
  try {
    secret = await cluster.get(secrets, latest.storageNamespace, secretName, signal);
  } catch (err) {
    if (isKubeError(err, 'NotFound')) return { note: `Helm storage ${where} not found: objects unknown` };
    if (isKubeError(err, 'Forbidden'))
      return { note: `Helm storage ${where} not readable (forbidden): objects unknown` };
    throw err;
  }
  const data = stringField(secret, 'data', 'release');
  if (!data) return { note: `Helm storage ${where} has no release data` };
  try {
    return {
      manifest: decodeHelmRelease(data).manifest,
      namespace: latest.namespace,
      source: `from Helm release ${latest.name} revision ${latest.revision} (${where})`,
    };
  } catch (err) {
    return { note: `${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** CRDs Helm installed from the chart's crds/ directory, which are not in the manifest (flux tree does the same). */
async function helmCrds(cluster: Cluster, hr: KubeObject, signal: AbortSignal): Promise<ChildRef[]> {
  const policies = [stringField(hr, 'spec', 'install', 'crds'), stringField(hr, 'spec', 'upgrade', 'crds')];
  if (!policies.some((p) => p !== undefined && p !== 'Skip')) return [];
  const crdType = await cluster.discovery.resolve(
    { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1' },
    signal,
  );
  try {
    const crds = await cluster.listAll(crdType, {
      labelSelector: `${HELM_NAME_LABEL}=${hr.metadata?.name},${HELM_NAMESPACE_LABEL}=${hr.metadata?.namespace}`,
      signal,
    });
    return crds.map((c) => ({
      kind: 'CustomResourceDefinition',
      group: 'apiextensions.k8s.io',
      apiVersion: 'apiextensions.k8s.io/v1',
      name: c.metadata?.name ?? '',
    }));
  } catch (err) {
    if (isKubeError(err, 'Forbidden')) return [];
    throw err;
  }
}

function inventoryRef(o: {
  kind: string;
  group: string;
  namespace: string;
  name: string;
  version?: string;
}): ChildRef {
  const apiVersion = apiVersionFor(o);
  return {
    kind: o.kind,
    group: o.group,
    ...(apiVersion ? { apiVersion } : {}),
    ...(o.namespace ? { namespace: o.namespace } : {}),
    name: o.name,
  };
}

function isApplier(flux: FluxKind | undefined): boolean {
  return flux?.kind === 'Kustomization' || flux?.kind === 'HelmRelease';
}

function keyOf(ref: Pick<ChildRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${ref.group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Says on each not-ready workload why its Pods are not ready (ImagePullBackOff, CrashLoopBackOff, ...). */
async function explainWorkloads(
  cluster: Cluster,
  workloads: { node: TreeNode; obj: KubeObject }[],
  signal: AbortSignal,
): Promise<void> {
  await mapPool(workloads, CONCURRENCY, async ({ node, obj }) => {
    try {
      const { pods, more } = await selectedPods(cluster, obj, PODS_PER_WORKLOAD, signal);
      const why = explainPods(pods, more);
      if (why) node.pods = why;
    } catch (err) {
      if (signal.aborted) throw err;
      // The tree is still right without the Pods: say why they are missing rather than fail.
      node.pods = isKubeError(err, 'Forbidden')
        ? 'pods not visible (forbidden)'
        : `pods could not be read: ${err instanceof Error ? err.message : String(err)}`;
    }
  });
}

export async function buildTree(
  cluster: Cluster,
  root: { kind: string; name: string; namespace: string; apiVersion?: string },
  signal: AbortSignal,
): Promise<Tree> {
  const { flux, resource } = await resolveFluxKind(cluster, root.kind, root.apiVersion, signal);
  if (!isApplier(flux))
    throw new FluxError(
      `get_flux_tree shows what a Kustomization or HelmRelease manages, not a ${flux.kind}`,
    );
  const rootObj = await getNamed(cluster, resource, root.namespace, root.name, signal);
  const cache = new Map<string, Promise<ResourceType | undefined>>();
  const nodes: TreeNode[] = [];
  const rootRef: ChildRef = {
    kind: flux.kind,
    group: flux.group,
    namespace: root.namespace,
    name: root.name,
  };
  const visited = new Set([keyOf(rootRef)]);
  const failingWorkloads: { node: TreeNode; obj: KubeObject }[] = [];

  const expand = async (obj: KubeObject, kind: FluxKind, node: TreeNode): Promise<void> => {
    if (field(obj, 'spec', 'kubeConfig')) {
      node.note = 'applies to a remote cluster (spec.kubeConfig): not followed';
      return;
    }
    if (node.depth >= MAX_DEPTH) {
      node.note = `deeper than ${MAX_DEPTH} levels: not followed`;
      return;
    }
    let refs: ChildRef[];
    if (kind.kind === 'Kustomization') {
      const inventory = readInventory(obj);
      if (!inventory) {
        node.note = 'no inventory yet: nothing applied';
        return;
      }
      refs = inventory.objects.map(inventoryRef);
      if (inventory.invalid.length > 0)
        node.note = `${inventory.invalid.length} inventory entries could not be parsed`;
    } else {
      const children = await helmReleaseChildren(cluster, obj, cache, signal);
      refs = children.refs;
      node.note = children.note;
    }
    // An applier may list itself (flux-system applies its own Kustomization): not a child.
    refs = refs.filter((r) => keyOf(r) !== keyOf(node));
    const looked = await lookUp(cluster, refs, cache, signal);
    for (const l of looked) {
      const child = nodeFor(node.depth + 1, l.ref, l.obj, l.status);
      nodes.push(child);
      if (l.obj && child.status === 'not-ready' && l.ref.group === 'apps' && WORKLOAD_KINDS.has(l.ref.kind))
        failingWorkloads.push({ node: child, obj: l.obj });
      const childFlux = fluxKindOf(l.ref.group, l.ref.kind);
      if (l.obj && isApplier(childFlux) && (l.ref.group === KUSTOMIZE_GROUP || l.ref.group === HELM_GROUP)) {
        const key = keyOf(l.ref);
        if (visited.has(key)) {
          child.note = 'already shown above';
          continue;
        }
        visited.add(key);
        await expand(l.obj, childFlux!, child);
      }
    }
  };

  const rootNode = nodeFor(0, rootRef, rootObj);
  nodes.push(rootNode);
  await expand(rootObj, flux, rootNode);
  await explainWorkloads(cluster, failingWorkloads.slice(0, MAX_WORKLOADS_EXPLAINED), signal);

  const below = nodes.slice(1);
  return {
    nodes,
    counts: {
      total: below.length,
      missing: below.filter((n) => n.status === 'missing').length,
      notReady: below.filter((n) => n.status === 'not-ready').length,
      notVisible: below.filter((n) => n.status === 'not-visible').length,
      unknownKind: below.filter((n) => n.status === 'unknown-kind').length,
    },
  };
}
