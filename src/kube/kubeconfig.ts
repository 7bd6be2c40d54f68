// Reading kubeconfig: --kubeconfig, KUBECONFIG (several paths), ~/.kube/config, or the in-cluster service account.
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

export interface ContextInfo {
  name: string;
  cluster: string;
  server?: string;
  namespace?: string;
  user: string;
  current: boolean;
}

export interface KubeconfigSource {
  /** Paths given with --kubeconfig (may hold several, joined with the path delimiter). */
  kubeconfig?: string;
  /** Root under which the in-cluster service account files are looked for (tests only; default "/"). */
  serviceAccountRoot?: string;
}

export const IN_CLUSTER_CONTEXT = 'in-cluster';
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function describeSource(source: KubeconfigSource): string {
  if (source.kubeconfig) return `--kubeconfig ${source.kubeconfig}`;
  if (process.env.KUBECONFIG) return `KUBECONFIG=${process.env.KUBECONFIG}`;
  return '~/.kube/config or the in-cluster service account';
}

export function loadKubeConfig(source: KubeconfigSource): KubeConfig {
  const kc = new KubeConfig();
  const files = (source.kubeconfig ?? '').split(delimiter).filter(Boolean);
  try {
    if (files.length > 0) {
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length > 0) throw new Error(`file not found: ${missing.join(', ')}`);
      kc.loadFromFile(files[0]!);
      for (const file of files.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    } else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG && !defaultFileExists()) {
      loadInCluster(kc, source.serviceAccountRoot ?? '');
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    throw new KubeError(
      'Config',
      `cannot load kubeconfig from ${describeSource(source)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (kc.getContexts().length === 0) {
    throw new KubeError('Config', `no contexts in the kubeconfig from ${describeSource(source)}`);
  }
  return kc;
}

/** The pod's service account, as one context named `in-cluster`. */
function loadInCluster(kc: KubeConfig, root: string): void {
  const dir = `${root}${SERVICE_ACCOUNT_DIR}`;
  if (!existsSync(`${dir}/token`)) {
    throw new Error(
      `KUBERNETES_SERVICE_HOST is set but there is no service account token in ${dir}; ` +
        'mount one (automountServiceAccountToken: true) or give --kubeconfig',
    );
  }
  if (!process.env.KUBERNETES_SERVICE_PORT)
    throw new Error('KUBERNETES_SERVICE_HOST is set without KUBERNETES_SERVICE_PORT');
  // client-node re-reads the token file every minute, so tokens the kubelet rotates keep working.
  kc.loadFromCluster(root);
  const context = kc.contexts[0]!;
  kc.contexts = [{ ...context, name: IN_CLUSTER_CONTEXT }];
  kc.setCurrentContext(IN_CLUSTER_CONTEXT);
}

function defaultFileExists(): boolean {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home ? existsSync(`${home}/.kube/config`) : false;
}

/** Contexts with their cluster address and default namespace; never credentials. */
export function listContexts(kc: KubeConfig, current: string): ContextInfo[] {
  return kc
    .getContexts()
    .map((c) => {
      const server = kc.getCluster(c.cluster)?.server;
      return {
        name: c.name,
        cluster: c.cluster,
        ...(server ? { server } : {}),
        ...(c.namespace ? { namespace: c.namespace } : {}),
        user: c.user,
        current: c.name === current,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A copy of the kubeconfig whose current context is `name`, so that authentication uses that context. */
export function forContext(kc: KubeConfig, name: string): KubeConfig {
  const copy = new KubeConfig();
  copy.clusters = kc.clusters;
  copy.users = kc.users;
  copy.contexts = kc.contexts;
  copy.setCurrentContext(name);
  return copy;
}
