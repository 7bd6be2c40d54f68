// Access to every context of the kubeconfig: loaded once, one cached Cluster per context.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './client.js';
import { Cluster } from './cluster.js';
import { KubeError } from './errors.js';
import { NamespaceScope } from './scope.js';
import {
  forContext,
  listContexts,
  loadKubeConfig,
  type ContextInfo,
  type KubeconfigSource,
} from './kubeconfig.js';

export interface KubeAccessOptions extends KubeconfigSource {
  /** The context chosen with --context; otherwise the kubeconfig's current context. */
  context?: string;
  /** Contexts that may be used (--allowed-contexts); all when absent. */
  allowedContexts?: readonly string[];
  /** Namespaces that may be read or changed (--allowed-namespaces); all when absent. */
  allowedNamespaces?: readonly string[];
  /** --impersonate: requests act as the caller of the running call (src/kube/impersonation.ts). */
  impersonate?: boolean;
}

export class KubeAccess {
  private kc?: KubeConfig;
  private readonly clusters = new Map<string, Cluster>();
  private readonly scope?: NamespaceScope;

  constructor(private readonly options: KubeAccessOptions) {
    if (options.allowedNamespaces) this.scope = new NamespaceScope(options.allowedNamespaces);
  }

  /** The namespaces this server may use, when restricted. */
  get namespaces(): readonly string[] | undefined {
    return this.scope?.namespaces;
  }

  allowsContext(name: string): boolean {
    return !this.options.allowedContexts || this.options.allowedContexts.includes(name);
  }

  private config(): KubeConfig {
    this.kc ??= loadKubeConfig(this.options);
    return this.kc;
  }

  /** The context used when a call names none: --context, else the kubeconfig's current context. */
  defaultContext(): string {
    const kc = this.config();
    const name = this.options.context ?? kc.getCurrentContext();
    if (!name) {
      throw new KubeError(
        'Config',
        `the kubeconfig has no current context; name one with --context or the context parameter (contexts: ${this.names().join(', ')})`,
      );
    }
    return name;
  }

  /** Names of the contexts that may be used. */
  names(): string[] {
    return this.config()
      .getContexts()
      .map((c) => c.name)
      .filter((n) => this.allowsContext(n));
  }

  /** The contexts that may be used, with `current` marked. */
  contexts(current?: string): ContextInfo[] {
    return listContexts(this.config(), current ?? this.defaultContext()).filter((c) =>
      this.allowsContext(c.name),
    );
  }

  cluster(name?: string): Cluster {
    const contextName = name ?? this.defaultContext();
    if (!this.allowsContext(contextName)) {
      throw new KubeError(
        'OutOfScope',
        `context ${contextName} is not one this server may use (allowed contexts: ${this.names().join(', ') || 'none in the kubeconfig'})`,
      );
    }
    const cached = this.clusters.get(contextName);
    if (cached) return cached;
    const kc = this.config();
    const context = kc.getContextObject(contextName);
    if (!context) {
      throw new KubeError(
        'Config',
        `context ${contextName} is not in the kubeconfig (contexts: ${this.names().join(', ')})`,
      );
    }
    const server = kc.getCluster(context.cluster)?.server;
    if (!server) {
      throw new KubeError(
        'Config',
        `context ${contextName} refers to cluster ${context.cluster}, which has no server address in the kubeconfig`,
      );
    }
    const cluster = new Cluster(
      new KubeClient(
        contextName,
        server,
        forContext(kc, contextName),
        this.scope,
        this.options.impersonate ?? false,
      ),
      context.user,
      context.namespace,
    );
    this.clusters.set(contextName, cluster);
    return cluster;
  }
}
