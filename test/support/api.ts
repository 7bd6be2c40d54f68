// A small Kubernetes REST client for tests: seeds objects, writes status as a controller would, reads
// what the server under test did. Independent of the server's own kube layer.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Agent, fetch } from 'undici';
import { FLUX_KINDS } from '../../src/flux/kinds.js';

export interface TestObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: unknown[];
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

const CORE_PLURALS: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  Secret: { plural: 'secrets', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Node: { plural: 'nodes', namespaced: false },
  Service: { plural: 'services', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Event: { plural: 'events', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  StatefulSet: { plural: 'statefulsets', namespaced: true },
  ReplicaSet: { plural: 'replicasets', namespaced: true },
  Job: { plural: 'jobs', namespaced: true },
  CronJob: { plural: 'cronjobs', namespaced: true },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  NetworkPolicy: { plural: 'networkpolicies', namespaced: true },
  HorizontalPodAutoscaler: { plural: 'horizontalpodautoscalers', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
  // kwok's (test/cluster/pods.ts): which file holds a container's log.
  Logs: { plural: 'logs', namespaced: true },
  ClusterLogs: { plural: 'clusterlogs', namespaced: false },
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

export class TestApi {
  private readonly dispatcher: Agent;

  constructor(
    readonly server: string,
    private readonly token: string,
    caFile: string,
  ) {
    this.dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
  }

  static pathFor(apiVersion: string, kind: string, namespace?: string, name?: string): string {
    const core = CORE_PLURALS[kind];
    const flux = FLUX_KINDS.find((k) => k.kind === kind);
    const plural = core?.plural ?? flux?.plural;
    if (!plural) throw new Error(`test api: unknown kind ${kind}`);
    const namespaced = core ? core.namespaced : true;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}${namespaced && namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${name}` : ''}`;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const res = await fetch(this.server + path, {
      method,
      dispatcher: this.dispatcher,
      headers: {
        Authorization: `Bearer ${this.token}`,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': contentType } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ApiError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }

  /** A plain GET that returns the status and the text of the answer. */
  async raw(path: string): Promise<{ status: number; text: string }> {
    const res = await fetch(this.server + path, {
      dispatcher: this.dispatcher,
      headers: { Authorization: `Bearer ${this.token}` },
    });
    return { status: res.status, text: await res.text() };
  }

  /** Creates or updates an object with server-side apply; status in `obj` is written too. */
  async apply<T extends TestObject>(obj: T): Promise<T> {
    const { status, ...rest } = obj;
    const path = TestApi.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const applied = await this.request<T>(
      'PATCH',
      `${path}?fieldManager=test&force=true`,
      rest,
      'application/apply-patch+yaml',
    );
    if (status) return this.patchStatus(obj, status);
    return applied;
  }

  async create<T extends TestObject>(obj: T): Promise<T> {
    const path = TestApi.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
    return this.request<T>('POST', path, obj);
  }

  async get<T extends TestObject = TestObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    return this.request<T>('GET', TestApi.pathFor(apiVersion, kind, namespace, name));
  }

  async list<T extends TestObject = TestObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
  ): Promise<T[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const list = await this.request<{ items: T[] }>(
      'GET',
      TestApi.pathFor(apiVersion, kind, namespace) + query,
    );
    return list.items;
  }

  /** Merge-patches the status subresource, as a controller does. */
  async patchStatus<T extends TestObject>(
    ref: Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'>,
    status: Record<string, unknown>,
  ): Promise<T> {
    const path = TestApi.pathFor(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name);
    return this.request<T>('PATCH', `${path}/status`, { status }, 'application/merge-patch+json');
  }

  async mergePatch<T extends TestObject>(
    ref: Pick<TestObject, 'apiVersion' | 'kind' | 'metadata'>,
    patch: unknown,
  ): Promise<T> {
    const path = TestApi.pathFor(ref.apiVersion, ref.kind, ref.metadata.namespace, ref.metadata.name);
    return this.request<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    try {
      await this.request('DELETE', TestApi.pathFor(apiVersion, kind, namespace, name));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }

  /** Streams watch events of a kind (all namespaces) until `signal` aborts; reconnects when the server ends it. */
  async watch(
    apiVersion: string,
    kind: string,
    onEvent: (type: string, obj: TestObject) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let resourceVersion = '';
    while (!signal.aborted) {
      try {
        if (!resourceVersion) {
          const list = await this.request<{ metadata: { resourceVersion: string } }>(
            'GET',
            TestApi.pathFor(apiVersion, kind),
          );
          resourceVersion = list.metadata.resourceVersion;
        }
        const res = await fetch(
          `${this.server}${TestApi.pathFor(apiVersion, kind)}?watch=true&resourceVersion=${resourceVersion}&timeoutSeconds=120`,
          { dispatcher: this.dispatcher, headers: { Authorization: `Bearer ${this.token}` }, signal },
        );
        if (!res.ok || !res.body) throw new ApiError(res.status, await res.text(), `watch ${kind}`);
        const body = Readable.fromWeb(res.body as WebReadableStream);
        body.on('error', () => undefined);
        const lines = createInterface({ input: body });
        for await (const line of lines) {
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: TestObject };
          if (event.type === 'ERROR') {
            resourceVersion = '';
            break;
          }
          resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
          if (event.type !== 'BOOKMARK') onEvent(event.type, event.object);
        }
      } catch (err) {
        if (signal.aborted) return;
        await new Promise((r) => setTimeout(r, 200));
        void err;
      }
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
