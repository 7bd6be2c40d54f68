// API discovery: which groups, versions and kinds the cluster serves. Nothing about API versions is
// hard-coded; a Flux kind is looked up in its group at the version the cluster prefers.
import type { KubeClient } from './client.js';
import { KubeError } from './errors.js';
import { actAsSelf } from './impersonation.js';
import type { ResourceType } from './types.js';
import { apiVersionOf } from './types.js';

interface DiscoveredGroup {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
  resources: Map<string, ResourceType[]>;
}

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope?: string;
  verbs?: string[];
  shortNames?: string[];
}

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: { version: string; resources?: AggregatedResource[] }[];
  }[];
}

const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const TTL_MS = 5 * 60_000;
/** A miss refreshes the cache, but not more often than this (a CRD may have just been installed). */
const MISS_REFRESH_MS = 2_000;

export class Discovery {
  private groups?: Promise<Map<string, DiscoveredGroup>>;
  private loadedAt = 0;

  constructor(private readonly client: KubeClient) {}

  invalidate(): void {
    this.groups = undefined;
  }

  private async load(signal?: AbortSignal): Promise<Map<string, DiscoveredGroup>> {
    const groups = new Map<string, DiscoveredGroup>();
    const [core, apis] = await Promise.all([
      this.client.request<AggregatedList>('GET', '/api', {
        accept: AGGREGATED,
        ...(signal ? { signal } : {}),
        describe: { verb: 'discover', resource: 'API groups' },
      }),
      this.client.request<AggregatedList>('GET', '/apis', {
        accept: AGGREGATED,
        ...(signal ? { signal } : {}),
        describe: { verb: 'discover', resource: 'API groups' },
      }),
    ]);
    for (const list of [core, apis]) {
      if (list.kind !== 'APIGroupDiscoveryList') {
        throw new KubeError(
          'ServerError',
          `the API server of context ${this.client.context} does not support aggregated discovery (Kubernetes 1.30 or newer is needed)`,
        );
      }
      for (const item of list.items ?? []) {
        const name = item.metadata?.name ?? '';
        const group: DiscoveredGroup = { name, versions: [], resources: new Map() };
        for (const v of item.versions ?? []) {
          group.versions.push(v.version);
          group.resources.set(
            v.version,
            (v.resources ?? [])
              .filter((r) => r.responseKind?.kind && !r.resource.includes('/'))
              .map((r) => ({
                group: name,
                version: v.version,
                kind: r.responseKind!.kind!,
                plural: r.resource,
                namespaced: r.scope !== 'Cluster',
                verbs: r.verbs ?? [],
                shortNames: r.shortNames ?? [],
              })),
          );
        }
        groups.set(name, group);
      }
    }
    return groups;
  }

  private async all(signal?: AbortSignal, refresh = false): Promise<Map<string, DiscoveredGroup>> {
    const now = Date.now();
    const stale = now - this.loadedAt > TTL_MS;
    if (!this.groups || stale || (refresh && now - this.loadedAt > MISS_REFRESH_MS)) {
      this.loadedAt = now;
      const loading = this.load(signal);
      this.groups = loading;
      loading.catch(() => {
        if (this.groups === loading) this.groups = undefined;
      });
    }
    return this.groups;
  }

  /**
   * Loads discovery now, in the background, so that the first tool call does not wait for it. A failure is
   * forgotten: the call that needs discovery tries again and reports it. It is done as the server itself,
   * outside any caller's call: discovery is the same for every authenticated user.
   */
  warm(): void {
    actAsSelf(() => this.all()).catch(() => undefined);
  }

  /** Served versions of a group, preferred first; empty when the group is not served. */
  async versions(group: string, signal?: AbortSignal): Promise<string[]> {
    let g = (await this.all(signal)).get(group);
    if (!g) g = (await this.all(signal, true)).get(group);
    return g?.versions ?? [];
  }

  /**
   * Resolves a kind (or plural or short name) to a served resource. With `apiVersion`, that exact version;
   * with `group`, the group's preferred version; otherwise any group, core first.
   */
  async resolve(
    query: { kind: string; apiVersion?: string; group?: string },
    signal?: AbortSignal,
  ): Promise<ResourceType> {
    const found = this.find(await this.all(signal), query);
    if (found) return found;
    const refreshed = this.find(await this.all(signal, true), query);
    if (refreshed) return refreshed;
    throw this.unknown(await this.all(signal), query);
  }

  /** Every resource of the group at its preferred version. */
  async groupResources(group: string, signal?: AbortSignal): Promise<ResourceType[]> {
    const g = (await this.all(signal)).get(group);
    const preferred = g?.versions[0];
    return preferred ? (g.resources.get(preferred) ?? []) : [];
  }

  private find(
    groups: Map<string, DiscoveredGroup>,
    query: { kind: string; apiVersion?: string; group?: string },
  ): ResourceType | undefined {
    const wanted = query.kind.toLowerCase();
    const matches = (r: ResourceType) =>
      r.kind.toLowerCase() === wanted || r.plural === wanted || r.shortNames.includes(wanted);
    if (query.apiVersion) {
      const slash = query.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : query.apiVersion.slice(0, slash);
      const version = slash < 0 ? query.apiVersion : query.apiVersion.slice(slash + 1);
      return groups.get(group)?.resources.get(version)?.find(matches);
    }
    const candidates =
      query.group !== undefined
        ? [groups.get(query.group)].filter((g): g is DiscoveredGroup => g !== undefined)
        : [...groups.values()];
    // Exact kind names win over plural and short names; core wins over other groups. Within a group the
    // preferred version wins, but a kind served only in another version (Alert in notification's
    // v1beta3 while v1 is preferred) is still found there.
    for (const exactOnly of [true, false]) {
      for (const g of candidates) {
        for (const version of g.versions) {
          const hit = g.resources
            .get(version)
            ?.find((r) => (exactOnly ? r.kind.toLowerCase() === wanted : matches(r)));
          if (hit) return hit;
        }
      }
    }
    return undefined;
  }

  private unknown(
    groups: Map<string, DiscoveredGroup>,
    query: { kind: string; apiVersion?: string; group?: string },
  ): KubeError {
    const ctx = `context ${this.client.context}`;
    if (query.apiVersion) {
      const slash = query.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : query.apiVersion.slice(0, slash);
      const version = slash < 0 ? query.apiVersion : query.apiVersion.slice(slash + 1);
      const g = groups.get(group);
      if (!g) {
        return new KubeError(
          'UnknownKind',
          `kind ${query.kind}: API group ${group || 'core'} is not served by ${ctx} (is its CRD installed?)`,
        );
      }
      if (!g.resources.has(version)) {
        return new KubeError(
          'UnknownKind',
          `kind ${query.kind}: ${query.apiVersion} is not served by ${ctx}; served versions of ${group}: ${g.versions.join(', ')}`,
        );
      }
      const kinds = (g.resources.get(version) ?? []).map((r) => r.kind);
      return new KubeError(
        'UnknownKind',
        `kind ${query.kind} is not served by ${ctx} in ${query.apiVersion}; kinds there: ${kinds.join(', ')}`,
      );
    }
    return new KubeError(
      'UnknownKind',
      `kind ${query.kind} is not served by ${ctx}${query.group ? ` in API group ${query.group} (is its CRD installed?)` : ''}`,
    );
  }
}

export { apiVersionOf };
