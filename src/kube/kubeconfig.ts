// Reading kubeconfig as kubectl does (k8s.io/client-go tools/clientcmd, loader.go and
// merged_client_builder.go): --kubeconfig, else the files in KUBECONFIG, else ~/.kube/config, merged with
// the first definition of each name winning; the pod's service account when that yields nothing.
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
// Plain YAML, as the Kubernetes client reads the kubeconfig: its own loadYaml would bring every generated
// Kubernetes model (about 600 KB of the bundle) into the first tool call of a session, to type this map.
import { load as loadYaml } from 'js-yaml';
// What KubeConfig.loadFromString makes of the parsed YAML (the module is not re-exported by the package).
import { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
import { KubeError } from './errors.js';
import { proxyFromEnvironment } from './proxy-env.js';

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
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_* are read (tests only; default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** One kubeconfig file, or several merged. */
export interface KubeconfigParts {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

export const IN_CLUSTER_CONTEXT = 'in-cluster';
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export const HOW_TO_GIVE_A_KUBECONFIG =
  "give one with --kubeconfig PATH in the server's arguments, set KUBECONFIG in its environment, or create " +
  '~/.kube/config (in a pod: mount a service account token)';

/**
 * Merges kubeconfig files as kubectl does: in order, the first definition of each cluster, user and context
 * name wins whole (a later one with the same name is ignored, also its fields the first did not set), and
 * the first file that sets current-context decides it.
 */
export function mergeKubeconfigs(files: readonly KubeconfigParts[]): KubeconfigParts {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const byName = new Map<string, T>();
    for (const item of lists.flat()) if (!byName.has(item.name)) byName.set(item.name, item);
    return [...byName.values()];
  };
  const currentContext = files.find((f) => f.currentContext)?.currentContext;
  return {
    clusters: firstByName(files.map((f) => f.clusters)),
    users: firstByName(files.map((f) => f.users)),
    contexts: firstByName(files.map((f) => f.contexts)),
    ...(currentContext ? { currentContext } : {}),
  };
}

interface FileList {
  files: string[];
  /** Given with --kubeconfig: a missing file is an error, as kubectl's --kubeconfig is. */
  explicit: boolean;
  /** Where the list came from, for messages. */
  origin: string;
  /** What "none of them exists" means for this list. */
  noneFound: string;
}

function pathList(value: string): string[] {
  return [...new Set(value.split(delimiter).filter(Boolean))];
}

function fileList(source: KubeconfigSource, env: NodeJS.ProcessEnv): FileList {
  if (source.kubeconfig) {
    const origin = `--kubeconfig ${source.kubeconfig}`;
    return {
      files: pathList(source.kubeconfig),
      explicit: true,
      origin,
      noneFound: `${origin} names no file`,
    };
  }
  if (env.KUBECONFIG) {
    const origin = `KUBECONFIG=${env.KUBECONFIG}`;
    return {
      files: pathList(env.KUBECONFIG),
      explicit: false,
      origin,
      noneFound: `none of the files in ${origin} exists`,
    };
  }
  const home = env.HOME || env.USERPROFILE;
  if (!home) {
    return {
      files: [],
      explicit: false,
      origin: '~/.kube/config',
      noneFound: 'no --kubeconfig, no KUBECONFIG, and no home directory (HOME is not set)',
    };
  }
  const file = join(home, '.kube', 'config');
  return {
    files: [file],
    explicit: false,
    origin: file,
    noneFound: `no --kubeconfig, no KUBECONFIG, and ${file} does not exist`,
  };
}

function duplicateName(list: { name: string }[]): string | undefined {
  const seen = new Set<string>();
  for (const { name } of list) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

interface RawKubeconfig {
  users?: { name?: string; user?: { token?: string; tokenFile?: unknown } }[];
}

/**
 * Users with a `tokenFile` authenticated with the token in that file, as kubectl does (client-go reads it
 * again every minute, for tokens that rotate; a `token` beside it wins). @kubernetes/client-node knows the
 * field only as `token-file`, which kubectl does not write, and reads it once; its token-file provider
 * (the one it uses in a pod) re-reads it every minute. A relative path is relative to the file's directory.
 */
function withTokenFiles(users: User[], raw: RawKubeconfig | null, dir: string): User[] {
  const tokenFiles = new Map<string, string>();
  for (const u of raw?.users ?? []) {
    const tokenFile = u.user?.tokenFile;
    if (u.name && typeof tokenFile === 'string' && tokenFile !== '' && !u.user?.token)
      tokenFiles.set(u.name, resolve(dir, tokenFile));
  }
  if (tokenFiles.size === 0) return users;
  return users.map((u) => {
    const tokenFile = tokenFiles.get(u.name);
    return tokenFile && !u.authProvider
      ? { ...u, authProvider: { name: 'tokenFile', config: { tokenFile } } }
      : u;
  });
}

/** One kubeconfig file, with relative certificate and key paths resolved against its directory. */
function readKubeconfigFile(file: string): KubeconfigParts {
  try {
    const text = readFileSync(file, 'utf8');
    // An empty file (or only comments) is an empty kubeconfig, as kubectl reads it.
    if (text.split('\n').every((line) => /^\s*(#|$)/.test(line)))
      return { clusters: [], users: [], contexts: [] };
    // Parsed once, and read as KubeConfig.loadFromString reads it: the YAML of a kubeconfig with inline
    // certificates is a good part of the first call of a session.
    const raw = loadYaml(text) as (RawKubeconfig & Record<string, unknown>) | null | undefined;
    const kc = new KubeConfig();
    if (raw && typeof raw === 'object') {
      kc.clusters = newClusters(raw.clusters);
      kc.contexts = newContexts(raw.contexts);
      kc.users = newUsers(raw.users);
      kc.currentContext = raw['current-context'] as string;
    } else {
      kc.loadFromString(text);
    }
    kc.makePathsAbsolute(dirname(file));
    kc.users = withTokenFiles(kc.users, raw ?? null, dirname(file));
    for (const [what, list] of [
      ['cluster', kc.clusters],
      ['user', kc.users],
      ['context', kc.contexts],
    ] as const) {
      const dup = duplicateName(list);
      if (dup) throw new Error(`${what} ${dup} is defined twice`);
    }
    return {
      clusters: kc.clusters,
      users: kc.users,
      contexts: kc.contexts,
      ...(kc.currentContext ? { currentContext: kc.currentContext } : {}),
    };
  } catch (err) {
    throw new KubeError(
      'Config',
      `cannot load kubeconfig file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Clusters whose entry names no proxy-url reached through HTTPS_PROXY (HTTP_PROXY) unless NO_PROXY excludes
 * them, as kubectl reaches them; @kubernetes/client-node reads only the kubeconfig's proxy-url.
 */
function withEnvironmentProxies(kc: KubeConfig, env: NodeJS.ProcessEnv): KubeConfig {
  kc.clusters = kc.clusters.map((c) => {
    const proxyUrl = c.proxyUrl ? undefined : proxyFromEnvironment(c.server, env);
    return proxyUrl ? { ...c, proxyUrl } : c;
  });
  return kc;
}

export function loadKubeConfig(source: KubeconfigSource): KubeConfig {
  const env = source.env ?? process.env;
  const { files, explicit, origin, noneFound } = fileList(source, env);
  const missing = files.filter((f) => !existsSync(f));
  if (explicit && missing.length > 0) {
    throw new KubeError(
      'Config',
      `kubeconfig file not found: ${missing.join(', ')} (from --kubeconfig); check the path, or leave --kubeconfig out to use KUBECONFIG or ~/.kube/config`,
    );
  }
  const merged = mergeKubeconfigs(files.filter((f) => !missing.includes(f)).map(readKubeconfigFile));
  const kc = new KubeConfig();
  if (merged.contexts.length > 0) {
    kc.loadFromOptions(merged);
    return withEnvironmentProxies(kc, env);
  }
  // Nothing usable in the files: inside a pod, its service account (kubectl falls back the same way).
  if (env.KUBERNETES_SERVICE_HOST) {
    loadInCluster(kc, source.serviceAccountRoot ?? '', env);
    return withEnvironmentProxies(kc, env);
  }
  if (missing.length === files.length) {
    throw new KubeError('Config', `no kubeconfig found: ${noneFound}; ${HOW_TO_GIVE_A_KUBECONFIG}`);
  }
  throw new KubeError('Config', `no contexts in the kubeconfig from ${origin}; ${HOW_TO_GIVE_A_KUBECONFIG}`);
}

/** The pod's service account, as one context named `in-cluster`. */
function loadInCluster(kc: KubeConfig, root: string, env: NodeJS.ProcessEnv): void {
  const dir = `${root}${SERVICE_ACCOUNT_DIR}`;
  if (!existsSync(`${dir}/token`)) {
    throw new KubeError(
      'Config',
      `no kubeconfig found, and KUBERNETES_SERVICE_HOST is set but there is no service account token in ${dir}; ` +
        'mount one (automountServiceAccountToken: true) or give --kubeconfig',
    );
  }
  if (!env.KUBERNETES_SERVICE_PORT) {
    throw new KubeError('Config', 'KUBERNETES_SERVICE_HOST is set without KUBERNETES_SERVICE_PORT');
  }
  // client-node re-reads the token file every minute, so tokens the kubelet rotates keep working. The
  // address is always https, as client-go's rest.InClusterConfig builds it.
  kc.loadFromCluster(root);
  const host = env.KUBERNETES_SERVICE_HOST!;
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT}`;
  kc.clusters = kc.clusters.map((c) => ({ ...c, server }));
  kc.contexts = [{ ...kc.contexts[0]!, name: IN_CLUSTER_CONTEXT }];
  kc.setCurrentContext(IN_CLUSTER_CONTEXT);
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
