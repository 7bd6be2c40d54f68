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
  const read = async (fieldSelector?: string): Promise<KubeObject[] | undefined> => {
    try {
      const opts = {
        limit: LOOK_AROUND,
        ...(fieldSelector ? { fieldSelector } : {}),
        ...(signal ? { signal } : {}),
      };
      return (await cluster.list(r, opts)).items;
    } catch {
      return undefined; // not allowed to list across namespaces: nothing more to say
    }
  };
  const namespaces = (objects: KubeObject[]) =>
    [...new Set(objects.map((o) => o.metadata?.namespace ?? ''))].filter(Boolean).sort();
  // By name first, as the API server selects it (get_flux_events finds an object the same way), so that an
  // object of that name is found however many others of its kind there are.
  const named = await read(`metadata.name=${name}`);
  if (named === undefined) return '';
  const sameName = namespaces(named);
  if (sameName.length > 0)
    return ` (${r.kind} ${name} is in namespace${sameName.length > 1 ? 's' : ''} ${shown(sameName)})`;
  const items = await read();
  if (items === undefined) return '';
  const any = namespaces(items);
  if (any.length > 0) return ` (namespaces with ${r.kind} objects: ${shown(any)})`;
  return ` (no ${r.kind} objects in any namespace)`;
}

function shown(namespaces: string[]): string {
  const more = namespaces.length - NAMESPACES_SHOWN;
  return namespaces.slice(0, NAMESPACES_SHOWN).join(', ') + (more > 0 ? ` and ${more} more` : '');
}
