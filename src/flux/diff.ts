// `flux diff kustomization <name> --path <dir>` over the API (docs/flux-semantics.md, flux diff kustomization): build
// the local directory, apply the Kustomization's transforms, label each object as kustomize-controller
// does, server-side apply it in a dry run as field manager kustomize-controller, and compare with the live
// object; what the inventory holds and the build does not is what prune would delete.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import { mapPool } from '../kube/pool.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { readInventory } from './inventory.js';
import { KUSTOMIZE_GROUP } from './kinds.js';
import { applyTransforms, type FluxImage, type FluxPatch, type Transforms } from './kustomize-transforms.js';
import {
  buildDirectory,
  describeBinary,
  findKustomize,
  kustomizeObjects,
  type KustomizeBinary,
  type LocalPaths,
} from './local-build.js';
import type { JsonObject } from '../kube/merge.js';
import { driftChanges, normalizeForDiff } from './drift.js';
import { fieldChangeSchema, showChanges } from './helm-apply.js';
import { field, stringField } from './status.js';

const FIELD_MANAGER = 'kustomize-controller';
const CONCURRENCY = 8;
const CHANGES_MAX = 20;
const OBJECTS_MAX = 200;
const NAME_LABEL = `${KUSTOMIZE_GROUP}/name`;
const NAMESPACE_LABEL = `${KUSTOMIZE_GROUP}/namespace`;

export const ACTIONS = ['created', 'changed', 'unchanged', 'skipped', 'deleted', 'error'] as const;

export const diffObjectSchema = z.object({
  action: z.enum(ACTIONS),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  /** Field by field; Secret values are never shown. */
  changes: z.array(fieldChangeSchema).optional(),
  /** Changes left out of `changes`. */
  moreChanges: z.number().optional(),
  message: z.string().optional(),
});

export const diffSchema = z.object({
  context: z.string(),
  kustomization: z.object({ namespace: z.string(), name: z.string() }),
  path: z.string(),
  builder: z.string(),
  counts: z.object({
    created: z.number(),
    changed: z.number(),
    unchanged: z.number(),
    skipped: z.number(),
    deleted: z.number(),
    error: z.number(),
  }),
  /** Every object but the unchanged ones first; at most 200. */
  objects: z.array(diffObjectSchema),
  omitted: z.number(),
  notes: z.array(z.string()),
});

export type DiffObject = z.infer<typeof diffObjectSchema>;
export type KustomizationDiff = z.infer<typeof diffSchema>;

export interface DiffRequest {
  name: string;
  namespace: string;
  path: string;
  paths: LocalPaths;
  signal: AbortSignal;
  /** Where kustomize is looked for (tests); the server's PATH otherwise. */
  searchPath?: string;
}

function transformsOf(ks: KubeObject): Transforms & { components: string[] } {
  const spec = ks.spec ?? {};
  const patches = (Array.isArray(spec.patches) ? spec.patches : []).map((p: unknown) => ({
    patch: String(field(p, 'patch') ?? ''),
    ...(field(p, 'target') ? { target: field(p, 'target') as FluxPatch['target'] } : {}),
  }));
  const images = (Array.isArray(spec.images) ? spec.images : []) as FluxImage[];
  const components = (Array.isArray(spec.components) ? spec.components : []).map(String);
  return {
    ...(stringField(ks, 'spec', 'targetNamespace')
      ? { targetNamespace: stringField(ks, 'spec', 'targetNamespace') }
      : {}),
    ...(stringField(ks, 'spec', 'namePrefix') ? { namePrefix: stringField(ks, 'spec', 'namePrefix') } : {}),
    ...(stringField(ks, 'spec', 'nameSuffix') ? { nameSuffix: stringField(ks, 'spec', 'nameSuffix') } : {}),
    patches,
    images,
    components,
  };
}

function hasTransforms(t: Transforms & { components: string[] }): boolean {
  return Boolean(
    t.targetNamespace ||
    t.namePrefix ||
    t.nameSuffix ||
    t.patches.length ||
    t.images.length ||
    t.components.length,
  );
}

function annotated(obj: KubeObject | undefined, key: string, value: string): boolean {
  const v = obj?.metadata?.annotations?.[key] ?? obj?.metadata?.labels?.[key];
  return v?.toLowerCase() === value;
}

async function resolve(
  cluster: Cluster,
  obj: KubeObject,
  signal: AbortSignal,
): Promise<ResourceType | undefined> {
  try {
    return await cluster.discovery.resolve(
      { kind: obj.kind ?? '', apiVersion: obj.apiVersion ?? '' },
      signal,
    );
  } catch (err) {
    if (isKubeError(err, 'UnknownKind')) return undefined;
    throw err;
  }
}

async function diffOne(cluster: Cluster, obj: KubeObject, signal: AbortSignal): Promise<DiffObject> {
  const ns = obj.metadata?.namespace;
  const base = {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    ...(ns ? { namespace: ns } : {}),
    name: obj.metadata?.name ?? '',
  };
  const r = await resolve(cluster, obj, signal);
  if (!r) {
    return {
      ...base,
      action: 'error',
      message: `${obj.apiVersion} ${obj.kind} is not served by the cluster (is its CRD installed?)`,
    };
  }
  if (r.namespaced && !ns) {
    return {
      ...base,
      action: 'error',
      message: "no namespace: set metadata.namespace or the Kustomization's targetNamespace",
    };
  }
  const namespace = r.namespaced ? ns : undefined;
  const live = await cluster.get(r, namespace, base.name, signal).catch((err: unknown) => {
    if (isKubeError(err, 'NotFound')) return undefined;
    throw err;
  });
  const skip =
    annotated(obj, `${KUSTOMIZE_GROUP}/reconcile`, 'disabled') ||
    annotated(live, `${KUSTOMIZE_GROUP}/reconcile`, 'disabled') ||
    annotated(obj, `${KUSTOMIZE_GROUP}/ssa`, 'ignore') ||
    annotated(live, `${KUSTOMIZE_GROUP}/ssa`, 'ignore') ||
    (live !== undefined && annotated(obj, `${KUSTOMIZE_GROUP}/ssa`, 'ifnotpresent'));
  if (skip)
    return { ...base, action: 'skipped', message: 'excluded by a kustomize.toolkit.fluxcd.io annotation' };
  // As kustomize-controller: Secret stringData folded into data, port protocols defaulted (fluxcd/pkg ssa
  // normalize).
  const scoped = namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace: undefined } };
  const desired = normalizeForDiff(JSON.parse(JSON.stringify(scoped)) as JsonObject) as KubeObject;
  let merged: KubeObject;
  try {
    merged = await cluster.apply(r, namespace, desired, {
      fieldManager: FIELD_MANAGER,
      force: true,
      dryRun: true,
      signal,
    });
  } catch (err) {
    if (err instanceof KubeError && err.code !== 'Cancelled' && err.code !== 'Unreachable') {
      return { ...base, action: 'error', message: err.message };
    }
    throw err;
  }
  if (!live) return { ...base, action: 'created' };
  const changes = showChanges(base.kind, driftChanges(live as JsonObject, merged as JsonObject, []));
  if (changes.length === 0) return { ...base, action: 'unchanged' };
  return {
    ...base,
    action: 'changed',
    changes: changes.slice(0, CHANGES_MAX),
    ...(changes.length > CHANGES_MAX ? { moreChanges: changes.length - CHANGES_MAX } : {}),
  };
}

function idOf(o: { namespace?: string; name: string; apiVersion: string; kind: string }): string {
  const slash = o.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
  return `${o.namespace ?? ''}_${o.name}_${group}_${o.kind}`;
}

export async function diffKustomization(cluster: Cluster, req: DiffRequest): Promise<KustomizationDiff> {
  const { signal } = req;
  const ksType = await cluster.discovery.resolve({ kind: 'Kustomization', group: KUSTOMIZE_GROUP }, signal);
  const ks = await cluster.get(ksType, req.namespace, req.name, signal);
  const notes: string[] = [];
  const binary: KustomizeBinary | undefined = await findKustomize(req.searchPath);
  const build = await buildDirectory(req.path, req.paths, binary, signal);
  if (!binary)
    notes.push(
      "no kustomize or kubectl binary on the server's PATH: plain YAML only, and the Kustomization's transforms applied without kustomize",
    );

  const namespacedCache = new Map<string, boolean>();
  for (const o of build.objects) {
    const k = `${o.apiVersion}/${o.kind}`;
    if (!namespacedCache.has(k))
      namespacedCache.set(k, (await resolve(cluster, o, signal))?.namespaced ?? true);
  }
  const t = transformsOf(ks);
  let objects = build.objects;
  if (hasTransforms(t)) {
    if (binary) {
      const components = await Promise.all(
        t.components.map((c) => req.paths.check(`${req.path.replace(/\/$/, '')}/${c}`)),
      );
      objects = await kustomizeObjects(
        objects,
        {
          ...(t.targetNamespace ? { namespace: t.targetNamespace } : {}),
          ...(t.namePrefix ? { namePrefix: t.namePrefix } : {}),
          ...(t.nameSuffix ? { nameSuffix: t.nameSuffix } : {}),
          ...(t.patches.length ? { patches: t.patches } : {}),
          ...(t.images.length ? { images: t.images } : {}),
        },
        components,
        binary,
        signal,
      );
    } else {
      objects = applyTransforms(objects, t, (o) => namespacedCache.get(`${o.apiVersion}/${o.kind}`) ?? true);
      if (t.components.length > 0)
        notes.push(`spec.components (${t.components.join(', ')}) not applied: that needs kustomize`);
      if (t.namePrefix || t.nameSuffix)
        notes.push(
          'names prefixed or suffixed without kustomize: references to the renamed objects are not rewritten',
        );
      if (t.patches.some((p) => !p.patch.trim().startsWith('-') && !p.patch.trim().startsWith('['))) {
        notes.push(
          'strategic merge patches merged without kustomize: maps merge, lists of named items merge by name, other lists are replaced',
        );
      }
    }
  }
  const common = field(ks, 'spec', 'commonMetadata') as
    { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
  objects = objects.map((o) => ({
    ...o,
    metadata: {
      ...o.metadata,
      labels: {
        ...o.metadata?.labels,
        ...common?.labels,
        [NAME_LABEL]: req.name,
        [NAMESPACE_LABEL]: req.namespace,
      },
      ...(common?.annotations || o.metadata?.annotations
        ? { annotations: { ...o.metadata?.annotations, ...common?.annotations } }
        : {}),
    },
  }));
  if (field(ks, 'spec', 'postBuild')) {
    const vars = objects.filter((o) => JSON.stringify(o).includes('${')).length;
    notes.push(
      `spec.postBuild substitution is not applied${vars > 0 ? `: ${vars} objects hold \${...} variables, compared as written` : ''}`,
    );
  }

  const results = await mapPool(objects, CONCURRENCY, (o) => diffOne(cluster, o, signal));
  const built = new Set(results.map(idOf));
  const deleted: DiffObject[] = [];
  if (field(ks, 'spec', 'prune') === true && !results.some((r) => r.action === 'error')) {
    for (const o of readInventory(ks)?.objects ?? []) {
      const entry = {
        apiVersion: o.group ? `${o.group}/${o.version ?? ''}` : (o.version ?? 'v1'),
        kind: o.kind,
        ...(o.namespace ? { namespace: o.namespace } : {}),
        name: o.name,
      };
      if (!built.has(idOf(entry)))
        deleted.push({
          ...entry,
          action: 'deleted',
          message: 'in the inventory, not in the build: prune deletes it',
        });
    }
  } else if (field(ks, 'spec', 'prune') === true) {
    notes.push('what prune would delete is not shown while some objects fail, as flux diff does');
  }
  const all = [...results, ...deleted];
  const counts = Object.fromEntries(
    ACTIONS.map((a) => [a, all.filter((r) => r.action === a).length]),
  ) as KustomizationDiff['counts'];
  const order = (a: DiffObject) => (a.action === 'unchanged' ? 1 : 0);
  const sorted = [...all].sort((a, b) => order(a) - order(b));
  return {
    context: cluster.context,
    kustomization: { namespace: req.namespace, name: req.name },
    path: req.path,
    builder:
      build.builder === 'plain YAML' && binary && hasTransforms(t)
        ? `plain YAML, transforms by ${describeBinary(binary)}`
        : build.builder,
    counts,
    objects: sorted.slice(0, OBJECTS_MAX),
    omitted: Math.max(0, sorted.length - OBJECTS_MAX),
    notes,
  };
}
