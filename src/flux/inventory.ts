// The inventory Flux appliers keep in `status.inventory.entries[]` (docs/flux-semantics.md, Inventory):
// `id` is `<namespace>_<name>_<group>_<kind>` (cli-utils ObjMetadata), `v` the API version.
import type { KubeObject } from '../kube/types.js';
import { field } from './status.js';

export interface InventoryObject {
  /** Empty for cluster-scoped objects. */
  namespace: string;
  name: string;
  /** Empty for the core group. */
  group: string;
  kind: string;
  /** The API version the applier used, when the entry records it. */
  version?: string;
}

const SEPARATOR = '_';
/** cli-utils writes `:` (RBAC names such as system:controller) as `__`. */
const COLON = '__';

/**
 * Parses an inventory id as cli-utils ParseObjMetadata does: namespace before the first `_`, kind after
 * the last, group between the last two, the name in between with `__` meaning `:`. Undefined when the id
 * does not have that shape.
 */
export function parseInventoryId(id: string, version?: string): InventoryObject | undefined {
  const first = id.indexOf(SEPARATOR);
  if (first < 0) return undefined;
  const namespace = id.slice(0, first);
  let rest = id.slice(first + 1);
  const last = rest.lastIndexOf(SEPARATOR);
  if (last < 0) return undefined;
  const kind = rest.slice(last + 1);
  rest = rest.slice(0, last);
  const beforeGroup = rest.lastIndexOf(SEPARATOR);
  if (beforeGroup < 0) return undefined;
  const group = rest.slice(beforeGroup + 1);
  const name = rest.slice(0, beforeGroup).replaceAll(COLON, ':');
  if (!name || !kind || name.includes(SEPARATOR)) return undefined;
  return { namespace, name, group, kind, ...(version ? { version } : {}) };
}

export interface Inventory {
  objects: InventoryObject[];
  /** Entries whose id could not be parsed, kept so they are reported rather than dropped. */
  invalid: string[];
}

/** The parsed `status.inventory` of a Kustomization (or a HelmRelease of Flux 2.8+); undefined if none. */
export function readInventory(obj: KubeObject): Inventory | undefined {
  const entries = field(obj, 'status', 'inventory', 'entries');
  if (!Array.isArray(entries)) return undefined;
  const objects: InventoryObject[] = [];
  const invalid: string[] = [];
  for (const entry of entries) {
    const id = field(entry, 'id');
    const v = field(entry, 'v');
    const parsed =
      typeof id === 'string' ? parseInventoryId(id, typeof v === 'string' ? v : undefined) : undefined;
    if (parsed) objects.push(parsed);
    else invalid.push(typeof id === 'string' ? id : JSON.stringify(entry));
  }
  return { objects, invalid };
}

export function apiVersionFor(o: Pick<InventoryObject, 'group' | 'version'>): string | undefined {
  if (!o.version) return undefined;
  return o.group ? `${o.group}/${o.version}` : o.version;
}
