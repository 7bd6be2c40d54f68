// Getting one object by name, with a not-found error that says where to look: a model that guessed the
// namespace (or took flux-system, the flux CLI's default) learns the right one from the answer.
import type { Cluster } from './cluster.js';
import { isKubeError, KubeError } from './errors.js';
import type { KubeObject, ResourceType } from './types.js';

/** At most this many objects are read to say where the others are. */
const LOOK_AROUND = 500;
const NAMESPACES_SHOWN = 10;

/**
 * The object `namespace/name` of `r`. Where it does not exist, a NotFound KubeError that names the namespaces
 * holding an object of that name, or else of that kind (when the caller may list them), and ends with `after`.
 */
export async function getNamed(
  cluster: Cluster,
  r: ResourceType,
  namespace: string | undefined,
  name: string,
  signal?: AbortSignal,
  after = '',
): Promise<KubeObject> {
  try {
    return await cluster.get(r, namespace, name, signal);
  } catch (err) {
    if (!isKubeError(err, 'NotFound')) throw err;
    const ref = namespace ? `${namespace}/${name}` : name;
    const hint = r.namespaced ? await whereElse(cluster, r, name, signal) : '';
    throw new KubeError(
      'NotFound',
      `${r.kind} ${ref} not found in context ${cluster.context}${hint}${after}`,
    );
  }
}

async function whereElse(
  cluster: Cluster,
  r: ResourceType,
  name: string,
  signal?: AbortSignal,
): Promise<string> {
  let items: KubeObject[];
  try {
    items = (await cluster.list(r, { limit: LOOK_AROUND, ...(signal ? { signal } : {}) })).items;
  } catch {
    return ''; // not allowed to list across namespaces: nothing more to say
  }
  const namespaces = (objects: KubeObject[]) =>
    [...new Set(objects.map((o) => o.metadata?.namespace ?? ''))].filter(Boolean).sort();
  const sameName = namespaces(items.filter((o) => o.metadata?.name === name));
  if (sameName.length > 0)
    return ` (${r.kind} ${name} is in namespace${sameName.length > 1 ? 's' : ''} ${shown(sameName)})`;
  const any = namespaces(items);
  if (any.length > 0) return ` (namespaces with ${r.kind} objects: ${shown(any)})`;
  return ` (no ${r.kind} objects in any namespace)`;
}

function shown(namespaces: string[]): string {
  const more = namespaces.length - NAMESPACES_SHOWN;
  return namespaces.slice(0, NAMESPACES_SHOWN).join(', ') + (more > 0 ? ` and ${more} more` : '');
}
