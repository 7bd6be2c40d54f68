// The namespaces a server may use (--allowed-namespaces). Enforced in Cluster for every read and write,
// and again in KubeClient on every request path that names a namespace, so no tool can step outside.
import { KubeError } from './errors.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class NamespaceScope {
  readonly namespaces: readonly string[];
  private readonly allowed: ReadonlySet<string>;

  constructor(namespaces: readonly string[]) {
    this.namespaces = [...new Set(namespaces)].sort();
    this.allowed = new Set(this.namespaces);
  }

  allows(namespace: string): boolean {
    return this.allowed.has(namespace);
  }

  private refusal(what: string, write: boolean, context: string): KubeError {
    return new KubeError(
      'OutOfScope',
      `${what} is not one of --allowed-namespaces (${this.namespaces.join(', ')}), the namespaces this server may use in context ${context}; nothing was ${write ? 'changed' : 'read'}`,
    );
  }

  /** Throws unless `namespace` is allowed. */
  check(namespace: string, write: boolean, context: string): void {
    if (!this.allows(namespace)) throw this.refusal(`namespace ${namespace}`, write, context);
  }

  /** Cluster-scoped objects may be read but not changed. */
  checkClusterScopedWrite(resource: string, context: string): void {
    throw new KubeError(
      'OutOfScope',
      `${resource} is cluster-scoped, and --allowed-namespaces (${this.namespaces.join(', ')}) lets this server change objects only in those namespaces in context ${context}; nothing was changed`,
    );
  }

  /**
   * Checks a raw API path: `/api/v1/namespaces/NS/...`, `/apis/G/V/namespaces/NS/...`, and the Namespace
   * object itself (`/api/v1/namespaces/NS`).
   */
  checkPath(method: string, path: string, context: string): void {
    const m = /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)\/namespaces\/([^/?]+)/.exec(path);
    if (!m) return;
    const namespace = decodeURIComponent(m[1]!);
    this.check(namespace, WRITE_METHODS.has(method.toUpperCase()), context);
  }
}
