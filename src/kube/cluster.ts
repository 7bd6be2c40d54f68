// One kubeconfig context: typed reads, merge patches with our field manager, and watches on one object.
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient, Query, RequestOptions, WatchEvent } from './client.js';
import { Discovery } from './discovery.js';
import { errorFromResponse, isKubeError, KubeError } from './errors.js';
import { impersonated } from './impersonation.js';
import { OpenApi } from './openapi.js';
import { Reconnect, type BackoffPolicy, type WatchEnd } from './reconnect.js';
import type { KubeList, KubeObject, ResourceType } from './types.js';

export const FIELD_MANAGER = 'flux-ops-mcp';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface PodLogOptions {
  container?: string;
  sinceSeconds?: number;
  tailLines?: number;
  limitBytes?: number;
  previous?: boolean;
  signal?: AbortSignal;
}

export interface PatchOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface WriteOptions {
  /** The field manager the server records the change under (default flux-ops-mcp). */
  fieldManager?: string;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** The query of a write: who makes it (our field manager unless told) and whether it is a dry run. */
function writeQuery(opts: Pick<WriteOptions, 'fieldManager' | 'dryRun'>): Query {
  return { fieldManager: opts.fieldManager ?? FIELD_MANAGER, dryRun: opts.dryRun ? 'All' : undefined };
}

export interface ApplyOptions extends WriteOptions {
  fieldManager: string;
  /** Take over fields other managers own instead of failing with a conflict. */
  force?: boolean;
  /** Strict refuses unknown and duplicate fields (Helm asks for it); the server's default is Warn. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface WatchObjectOptions {
  signal: AbortSignal;
  /**
   * Told after each attempt that failed to reach the API server (with the error), and once when it
   * answers again (undefined).
   */
  onConnection?: (lost: KubeError | undefined) => void;
  backoff?: BackoffPolicy;
}

export function resourceName(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

export class Cluster {
  readonly discovery: Discovery;
  readonly openapi: OpenApi;
  private identityPromise?: Promise<string>;

  constructor(
    readonly client: KubeClient,
    /** The kubeconfig user name, used when the API server cannot tell who we are. */
    private readonly kubeconfigUser: string,
    /** The context's default namespace, if the kubeconfig sets one. */
    readonly defaultNamespace: string | undefined,
  ) {
    this.discovery = new Discovery(client);
    this.openapi = new OpenApi(client);
  }

  get context(): string {
    return this.client.context;
  }

  get server(): string {
    return this.client.server;
  }

  path(r: ResourceType, namespace?: string, name?: string): string {
    const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  private describe(
    r: ResourceType,
    namespace?: string,
    name?: string,
  ): NonNullable<RequestOptions['describe']> {
    return {
      resource: resourceName(r),
      ...(r.namespaced && namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    };
  }

  /**
   * One page of a list. Under --allowed-namespaces, a list of a namespaced resource without a namespace
   * lists each allowed namespace in turn, with a continue token that remembers where it stopped.
   */
  async list(r: ResourceType, opts: ListOptions = {}): Promise<KubeList> {
    const scope = this.client.scope;
    if (scope && r.namespaced) {
      if (opts.namespace) scope.check(opts.namespace, false, this.context);
      else return this.listScoped(r, scope.namespaces, opts);
    }
    return this.listPage(r, opts);
  }

  private async listScoped(
    r: ResourceType,
    namespaces: readonly string[],
    opts: ListOptions,
  ): Promise<KubeList> {
    let position = opts.continue ? decodeScopedToken(opts.continue) : { n: 0 };
    const items: KubeObject[] = [];
    let resourceVersion: string | undefined;
    while (position.n < namespaces.length) {
      const remaining = opts.limit === undefined ? undefined : opts.limit - items.length;
      if (remaining === 0) break;
      const page = await this.listPage(r, {
        ...opts,
        namespace: namespaces[position.n]!,
        ...(remaining !== undefined ? { limit: remaining } : {}),
        continue: position.c,
      });
      items.push(...page.items);
      resourceVersion ??= page.metadata?.resourceVersion;
      position = page.metadata?.continue
        ? { n: position.n, c: page.metadata.continue }
        : { n: position.n + 1 };
    }
    const more = position.n < namespaces.length;
    return {
      items,
      metadata: {
        ...(resourceVersion ? { resourceVersion } : {}),
        ...(more ? { continue: encodeScopedToken(position) } : {}),
      },
    };
  }

  private async listPage(r: ResourceType, opts: ListOptions): Promise<KubeList> {
    const query: Query = {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: opts.limit,
      continue: opts.continue,
    };
    const list = await this.client.request<KubeList>('GET', this.path(r, opts.namespace), {
      query,
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, opts.namespace), verb: 'list' },
    });
    for (const item of list.items) {
      item.apiVersion ??= r.group ? `${r.group}/${r.version}` : r.version;
      item.kind ??= r.kind;
    }
    return list;
  }

  /** Every page of a list. */
  async listAll(r: ResourceType, opts: Omit<ListOptions, 'continue'> = {}): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.list(r, {
        ...opts,
        limit: opts.limit ?? 500,
        ...(token ? { continue: token } : {}),
      });
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  /**
   * How many objects a list would return, from one page of one item and the server's remainingItemCount;
   * every page is read only when the server does not say.
   */
  async count(r: ResourceType, opts: Omit<ListOptions, 'continue' | 'limit'> = {}): Promise<number> {
    const page = await this.list(r, { ...opts, limit: 1 });
    const remaining = page.metadata?.remainingItemCount;
    if (!page.metadata?.continue) return page.items.length;
    if (typeof remaining === 'number') return page.items.length + remaining;
    return (await this.listAll(r, opts)).length;
  }

  /** Refuses, under --allowed-namespaces, what lies outside the allowed namespaces. */
  private checkScope(r: ResourceType, namespace: string | undefined, write: boolean): void {
    const scope = this.client.scope;
    if (!scope) return;
    if (r.namespaced && namespace) scope.check(namespace, write, this.context);
    else if (r.namespaced && write)
      throw new KubeError(
        'Invalid',
        `${resourceName(r)} is namespaced: give a namespace (context ${this.context})`,
      );
    else if (write) scope.checkClusterScopedWrite(resourceName(r), this.context);
  }

  /** Throws, as a write would, when --allowed-namespaces does not let this object be changed. */
  assertWritable(r: ResourceType, namespace: string | undefined): void {
    this.checkScope(r, namespace, true);
  }

  async get(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    signal?: AbortSignal,
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, false);
    return this.client.request<KubeObject>('GET', this.path(r, namespace, name), {
      ...(signal ? { signal } : {}),
      describe: { ...this.describe(r, namespace, name), verb: 'get' },
    });
  }

  /** A JSON merge patch (RFC 7386) sent with our field manager. */
  async mergePatch(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, true);
    return this.client.request<KubeObject>('PATCH', this.path(r, namespace, name), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: writeQuery(opts),
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, namespace, name), verb: 'patch' },
    });
  }

  /** A JSON merge patch (RFC 7386) or JSON patch (RFC 6902), recorded under `fieldManager`. */
  async patch(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: WriteOptions & { type: 'merge' | 'json' },
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, true);
    return this.client.request<KubeObject>('PATCH', this.path(r, namespace, name), {
      body: patch,
      contentType: opts.type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json',
      query: writeQuery(opts),
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, namespace, name), verb: 'patch' },
    });
  }

  /** Server-side apply of a whole object (`kubectl apply --server-side`), creating it when missing. */
  async apply(
    r: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    opts: ApplyOptions,
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, true);
    const name = obj.metadata?.name ?? '';
    return this.client.request<KubeObject>('PATCH', this.path(r, namespace, name), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: {
        fieldManager: opts.fieldManager,
        force: opts.force ? true : undefined,
        fieldValidation: opts.fieldValidation,
        dryRun: opts.dryRun ? 'All' : undefined,
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, namespace, name), verb: 'apply' },
    });
  }

  async create(
    r: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, true);
    return this.client.request<KubeObject>('POST', this.path(r, namespace), {
      body: obj,
      query: writeQuery(opts),
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, namespace, obj.metadata?.name), verb: 'create' },
    });
  }

  /** Replaces an object (PUT); with metadata.resourceVersion set, only if nobody changed it since. */
  async replace(
    r: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, true);
    const name = obj.metadata?.name ?? '';
    return this.client.request<KubeObject>('PUT', this.path(r, namespace, name), {
      body: obj,
      query: writeQuery(opts),
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, namespace, name), verb: 'update' },
    });
  }

  /** Replaces the status subresource of an object (PUT .../status); `obj` carries its resourceVersion. */
  async replaceStatus(
    r: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    this.checkScope(r, namespace, true);
    const name = obj.metadata?.name ?? '';
    return this.client.request<KubeObject>('PUT', `${this.path(r, namespace, name)}/status`, {
      body: obj,
      query: writeQuery(opts),
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: {
        ...this.describe(r, namespace, name),
        resource: `${resourceName(r)}/status`,
        verb: 'update',
      },
    });
  }

  async delete(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<void> {
    this.checkScope(r, namespace, true);
    await this.client.request<unknown>('DELETE', this.path(r, namespace, name), {
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
      },
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      ...(opts.signal ? { signal: opts.signal } : {}),
      describe: { ...this.describe(r, namespace, name), verb: 'delete' },
    });
  }

  /**
   * Watches one object from `resourceVersion` on, calling `onChange` with each new state until it returns
   * true or `signal` aborts. Survives a dropped connection: when the stream ends or breaks (API server
   * restarted, connection reset, a proxy's idle timeout), it watches again from the last version seen,
   * with backoff while the API server cannot be reached; on 410 Gone it reads the object again first.
   * Errors that waiting will not change (forbidden, not found, ...) and errors thrown by `onChange` end it.
   */
  async watchObject(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    resourceVersion: string | undefined,
    onChange: (obj: KubeObject, type: WatchEvent<KubeObject>['type']) => boolean | void,
    opts: WatchObjectOptions,
  ): Promise<void> {
    this.checkScope(r, namespace, false);
    const { signal } = opts;
    const reconnect = new Reconnect(opts.backoff);
    let rv = resourceVersion;
    let finished = false;
    let failure: { error: unknown } | undefined;
    const deliver = (obj: KubeObject, type: WatchEvent<KubeObject>['type']): boolean => {
      try {
        finished = onChange(obj, type) === true;
      } catch (error) {
        failure = { error };
        finished = true;
      }
      return finished;
    };
    const answered = () => {
      const wasLost = reconnect.lost !== undefined;
      reconnect.answered();
      if (wasLost) opts.onConnection?.(undefined);
    };

    while (!signal.aborted && !finished) {
      let end: WatchEnd;
      try {
        if (!rv) {
          // A list, not a get: its resourceVersion is the store's now, while the object's own may be
          // older than a restarted API server's watch cache keeps, and would get 410 again.
          const list = await this.list(r, {
            ...(namespace ? { namespace } : {}),
            fieldSelector: `metadata.name=${name}`,
            signal,
          });
          answered();
          const current = list.items[0];
          if (!current) {
            const what = { ...this.describe(r, namespace, name), verb: 'get' };
            throw errorFromResponse(404, undefined, { ...what, context: this.context, server: this.server });
          }
          rv = list.metadata?.resourceVersion ?? current.metadata?.resourceVersion;
          if (deliver(current, 'MODIFIED')) break;
        }
        let progressed = false;
        const result = await this.client.watch<KubeObject>(
          this.path(r, namespace),
          { fieldSelector: `metadata.name=${name}`, resourceVersion: rv, timeoutSeconds: 300 },
          (event) => {
            rv = event.object.metadata?.resourceVersion ?? rv;
            progressed = true;
            reconnect.delivered();
            if (event.type === 'BOOKMARK') return false;
            return deliver(event.object, event.type);
          },
          { signal, describe: this.describe(r, namespace, name), onOpen: answered },
        );
        if (result === 'done' || result === 'aborted') break;
        end = result === 'expired' ? { type: 'expired' } : { type: 'closed', progressed };
      } catch (error) {
        if (signal.aborted) break;
        end = { type: 'failed', error };
      }
      const next = reconnect.next(end);
      if (end.type === 'failed') opts.onConnection?.(reconnect.lost);
      if (next.reread) rv = undefined;
      if (next.delayMs > 0) await delay(next.delayMs, undefined, { signal }).catch(() => undefined);
    }
    if (failure) throw failure.error;
  }

  /** The log of one container of a pod (pods/log), as text. The API server reads it from the node's kubelet. */
  async podLogs(namespace: string, pod: string, opts: PodLogOptions = {}): Promise<string> {
    return this.client.request<string>(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      {
        query: {
          container: opts.container,
          sinceSeconds: opts.sinceSeconds,
          tailLines: opts.tailLines,
          limitBytes: opts.limitBytes,
          previous: opts.previous ? true : undefined,
        },
        // pods/log answers text, but only negotiates JSON, YAML, protobuf or anything.
        accept: '*/*',
        text: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
        describe: { verb: 'get', resource: 'pods/log', namespace, name: pod },
      },
    );
  }

  /** Who the API server says the requests of this call act as (a SelfSubjectReview, not cached). */
  async whoAmI(signal?: AbortSignal): Promise<{ username: string; groups: string[] }> {
    const review = await this.client.request<{
      status?: { userInfo?: { username?: string; groups?: string[] } };
    }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      ...(signal ? { signal } : {}),
      describe: { verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io' },
    });
    return {
      username: review.status?.userInfo?.username ?? '',
      groups: review.status?.userInfo?.groups ?? [],
    };
  }

  /**
   * Who the API server says we are (SelfSubjectReview), falling back to the kubeconfig user name. Under
   * impersonation it is the caller, asked each time: the cache is the context's, shared by every caller.
   */
  identity(): Promise<string> {
    const caller = impersonated();
    if (caller)
      return this.whoAmI().then(
        (me) => me.username || caller.user,
        () => caller.user,
      );
    this.identityPromise ??= this.whoAmI()
      .then((me) => me.username || this.kubeconfigUser)
      .catch((err: unknown) => {
        this.identityPromise = undefined;
        if (isKubeError(err, 'Unreachable') || isKubeError(err, 'TLS')) throw err;
        return this.kubeconfigUser;
      });
    return this.identityPromise;
  }
}

interface ScopedPosition {
  /** Index of the namespace to list next. */
  n: number;
  /** The API server's continue token within that namespace. */
  c?: string;
}

function encodeScopedToken(p: ScopedPosition): string {
  return `ns:${Buffer.from(JSON.stringify(p)).toString('base64url')}`;
}

function decodeScopedToken(token: string): ScopedPosition {
  try {
    if (!token.startsWith('ns:')) throw new Error('not ours');
    const p = JSON.parse(Buffer.from(token.slice(3), 'base64url').toString()) as ScopedPosition;
    if (!Number.isInteger(p.n) || p.n < 0 || (p.c !== undefined && typeof p.c !== 'string'))
      throw new Error('bad');
    return p;
  } catch {
    throw new KubeError(
      'Invalid',
      'the continue token is not one this server gave out; list again without it',
    );
  }
}
