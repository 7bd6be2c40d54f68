// Access to every context of the kubeconfig: loaded once, one cached Cluster per context.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './client.js';
import { Cluster } from './cluster.js';
import { KubeError } from './errors.js';
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
}

export class KubeAccess {
  private kc?: KubeConfig;
  private readonly clusters = new Map<string, Cluster>();

  constructor(private readonly options: KubeAccessOptions) {}

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

  names(): string[] {
    return this.config()
      .getContexts()
      .map((c) => c.name);
  }

  contexts(current?: string): ContextInfo[] {
    return listContexts(this.config(), current ?? this.defaultContext());
  }

  cluster(name?: string): Cluster {
    const contextName = name ?? this.defaultContext();
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
      new KubeClient(contextName, server, forContext(kc, contextName)),
      context.user,
      context.namespace,
    );
    this.clusters.set(contextName, cluster);
    return cluster;
  }
}
