// Kubeconfig loading follows kubectl (client-go tools/clientcmd): which files, in which order, how they
// merge, and what happens when there is none.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadKubeConfig, mergeKubeconfigs } from '../../src/kube/kubeconfig.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-kubeconfig-'));
});

interface FileSpec {
  clusters?: Record<string, Record<string, unknown>>;
  users?: Record<string, Record<string, unknown>>;
  contexts?: Record<string, Record<string, unknown>>;
  current?: string;
}

function kubeconfig(name: string, spec: FileSpec): string {
  const named = (key: string, items: Record<string, Record<string, unknown>> = {}) =>
    Object.entries(items).map(([n, body]) => ({ name: n, [key]: body }));
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: named('cluster', spec.clusters),
      users: named('user', spec.users),
      contexts: named('context', spec.contexts),
      ...(spec.current ? { 'current-context': spec.current } : {}),
    }),
  );
  return path;
}

const paths = (...files: string[]) => files.join(delimiter);

/** A home directory without ~/.kube/config. */
function emptyHome(): string {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  return home;
}

describe('mergeKubeconfigs', () => {
  const cluster = (name: string, server: string) => ({ name, server, skipTLSVerify: false });

  it('keeps the first definition of a name whole and adds the names only later files define', () => {
    const merged = mergeKubeconfigs([
      {
        clusters: [cluster('prod', 'https://first:6443')],
        users: [{ name: 'jane', token: 'first' }],
        contexts: [{ name: 'prod', cluster: 'prod', user: 'jane' }],
      },
      {
        clusters: [cluster('prod', 'https://second:6443'), cluster('dev', 'https://dev:6443')],
        users: [{ name: 'jane', token: 'second', username: 'jane' }],
        contexts: [{ name: 'prod', cluster: 'prod', user: 'jane', namespace: 'apps' }],
      },
    ]);
    expect(merged.clusters.map((c) => [c.name, c.server])).toEqual([
      ['prod', 'https://first:6443'],
      ['dev', 'https://dev:6443'],
    ]);
    expect(merged.users).toEqual([{ name: 'jane', token: 'first' }]);
    expect(merged.contexts).toEqual([{ name: 'prod', cluster: 'prod', user: 'jane' }]);
  });

  it('takes current-context from the first file that sets it', () => {
    const empty = { clusters: [], users: [], contexts: [] };
    expect(
      mergeKubeconfigs([empty, { ...empty, currentContext: 'dev' }, { ...empty, currentContext: 'prod' }])
        .currentContext,
    ).toBe('dev');
    expect(mergeKubeconfigs([empty, empty]).currentContext).toBeUndefined();
  });
});

describe('loadKubeConfig', () => {
  const base: FileSpec = {
    clusters: { prod: { server: 'https://prod.example.com:6443' } },
    users: { jane: { token: 'jane-token' } },
    contexts: { prod: { cluster: 'prod', user: 'jane' } },
  };

  it('merges the files of --kubeconfig a:b in order; duplicates are not an error', () => {
    const a = kubeconfig('a', base);
    const b = kubeconfig('b', {
      clusters: { prod: { server: 'https://other:6443' }, dev: { server: 'https://dev:6443' } },
      users: { jane: { token: 'other' } },
      contexts: { prod: { cluster: 'dev', user: 'jane' }, dev: { cluster: 'dev', user: 'jane' } },
      current: 'dev',
    });
    const kc = loadKubeConfig({ kubeconfig: paths(a, b), env: {} });
    expect(kc.getContexts().map((c) => c.name)).toEqual(['prod', 'dev']);
    expect(kc.getContextObject('prod')?.cluster).toBe('prod');
    expect(kc.getCluster('prod')?.server).toBe('https://prod.example.com:6443');
    expect(kc.getUser('jane')?.token).toBe('jane-token');
    expect(kc.getCurrentContext()).toBe('dev');
  });

  it('merges the files of KUBECONFIG the same way, the first current-context deciding', () => {
    const a = kubeconfig('a', { ...base, current: 'prod' });
    const b = kubeconfig('b', { ...base, current: 'other' });
    const kc = loadKubeConfig({ env: { KUBECONFIG: paths(a, b) } });
    expect(kc.getCurrentContext()).toBe('prod');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['prod']);
  });

  it('skips files in KUBECONFIG that do not exist', () => {
    const a = kubeconfig('a', { ...base, current: 'prod' });
    const kc = loadKubeConfig({ env: { KUBECONFIG: paths(join(dir, 'gone'), a, join(dir, 'gone-too')) } });
    expect(kc.getCurrentContext()).toBe('prod');
  });

  it('refuses a --kubeconfig file that does not exist, as kubectl does, naming it', () => {
    const a = kubeconfig('a', base);
    const gone = join(dir, 'gone');
    expect(() => loadKubeConfig({ kubeconfig: paths(a, gone), env: {} })).toThrow(
      `kubeconfig file not found: ${gone} (from --kubeconfig)`,
    );
  });

  it('prefers --kubeconfig to KUBECONFIG, and KUBECONFIG to ~/.kube/config', () => {
    const home = emptyHome();
    mkdirSync(join(home, '.kube'));
    writeFileSync(
      join(home, '.kube', 'config'),
      JSON.stringify({
        clusters: [{ name: 'home', cluster: { server: 'https://home:6443' } }],
        contexts: [{ name: 'home', context: { cluster: 'home' } }],
        'current-context': 'home',
      }),
    );
    const flag = kubeconfig('flag', { ...base, current: 'prod' });
    const fromEnv = kubeconfig('env', {
      clusters: { env: { server: 'https://env:6443' } },
      contexts: { env: { cluster: 'env' } },
      current: 'env',
    });
    expect(
      loadKubeConfig({ kubeconfig: flag, env: { KUBECONFIG: fromEnv, HOME: home } }).getCurrentContext(),
    ).toBe('prod');
    expect(loadKubeConfig({ env: { KUBECONFIG: fromEnv, HOME: home } }).getCurrentContext()).toBe('env');
    expect(loadKubeConfig({ env: { HOME: home } }).getCurrentContext()).toBe('home');
  });

  it('says that no kubeconfig was found and how to give one, never inventing a context', () => {
    const home = emptyHome();
    expect(() => loadKubeConfig({ env: { HOME: home } })).toThrow(
      `no kubeconfig found: no --kubeconfig, no KUBECONFIG, and ${join(home, '.kube', 'config')} does not exist; ` +
        "give one with --kubeconfig PATH in the server's arguments, set KUBECONFIG in its environment, or create " +
        '~/.kube/config (in a pod: mount a service account token)',
    );
  });

  it('says so when none of the files in KUBECONFIG exists', () => {
    const value = paths(join(dir, 'x'), join(dir, 'y'));
    expect(() => loadKubeConfig({ env: { KUBECONFIG: value, HOME: emptyHome() } })).toThrow(
      `no kubeconfig found: none of the files in KUBECONFIG=${value} exists; give one with --kubeconfig PATH`,
    );
  });

  it('reads an empty file as an empty kubeconfig', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '# nothing yet\n');
    const a = kubeconfig('a', { ...base, current: 'prod' });
    expect(loadKubeConfig({ kubeconfig: paths(empty, a), env: {} }).getCurrentContext()).toBe('prod');
    expect(() => loadKubeConfig({ kubeconfig: empty, env: {} })).toThrow(
      `no contexts in the kubeconfig from --kubeconfig ${empty}`,
    );
  });

  it('refuses a file that defines a name twice, naming the file', () => {
    const path = join(dir, 'twice');
    writeFileSync(
      path,
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://c:6443' } }],
        contexts: [
          { name: 'x', context: { cluster: 'c' } },
          { name: 'x', context: { cluster: 'c', namespace: 'n' } },
        ],
      }),
    );
    expect(() => loadKubeConfig({ kubeconfig: path, env: {} })).toThrow(
      `cannot load kubeconfig file ${path}: context x is defined twice`,
    );
  });

  it("resolves relative certificate paths against each file's own directory", () => {
    const sub = join(dir, 'team');
    mkdirSync(sub);
    const a = kubeconfig('a', base);
    const b = join(sub, 'b');
    writeFileSync(
      b,
      JSON.stringify({
        clusters: [
          { name: 'team', cluster: { server: 'https://team:6443', 'certificate-authority': 'ca.crt' } },
        ],
        users: [{ name: 'bot', user: { 'client-certificate': 'bot.crt', 'client-key': 'keys/bot.key' } }],
        contexts: [{ name: 'team', context: { cluster: 'team', user: 'bot' } }],
      }),
    );
    const kc = loadKubeConfig({ kubeconfig: paths(a, b), env: {} });
    expect(kc.getCluster('team')?.caFile).toBe(join(sub, 'ca.crt'));
    expect(kc.getUser('bot')?.certFile).toBe(join(sub, 'bot.crt'));
    expect(kc.getUser('bot')?.keyFile).toBe(join(sub, 'keys', 'bot.key'));
  });

  describe('in a pod', () => {
    function serviceAccount(): string {
      const root = join(dir, 'pod');
      const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
      mkdirSync(sa, { recursive: true });
      writeFileSync(join(sa, 'token'), 'sa-token');
      writeFileSync(join(sa, 'ca.crt'), '');
      writeFileSync(join(sa, 'namespace'), 'flux-ops');
      return root;
    }
    const podEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

    it('uses the service account when there is no kubeconfig, as one context named in-cluster', () => {
      const kc = loadKubeConfig({
        serviceAccountRoot: serviceAccount(),
        env: { ...podEnv, HOME: emptyHome() },
      });
      expect(kc.getContexts().map((c) => [c.name, c.namespace])).toEqual([['in-cluster', 'flux-ops']]);
      expect(kc.getCurrentContext()).toBe('in-cluster');
      expect(kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    });

    it('uses the service account when none of the files in KUBECONFIG exists, as kubectl does', () => {
      const kc = loadKubeConfig({
        serviceAccountRoot: serviceAccount(),
        env: { ...podEnv, KUBECONFIG: join(dir, 'gone') },
      });
      expect(kc.getCurrentContext()).toBe('in-cluster');
    });

    it('prefers a kubeconfig that exists to the service account', () => {
      const a = kubeconfig('a', { ...base, current: 'prod' });
      const kc = loadKubeConfig({ serviceAccountRoot: serviceAccount(), env: { ...podEnv, KUBECONFIG: a } });
      expect(kc.getCurrentContext()).toBe('prod');
    });

    it('says what is missing when the pod has no service account token', () => {
      expect(() =>
        loadKubeConfig({ serviceAccountRoot: join(dir, 'nowhere'), env: { ...podEnv, HOME: emptyHome() } }),
      ).toThrow(
        /^no kubeconfig found, and KUBERNETES_SERVICE_HOST is set but there is no service account token/,
      );
    });
  });
});

describe('a user with a tokenFile, as kubectl reads it', () => {
  const load = (user: Record<string, unknown>) => {
    const file = kubeconfig('config', {
      clusters: { c: { server: 'https://c:6443' } },
      users: { u: user },
      contexts: { c: { cluster: 'c', user: 'u' } },
      current: 'c',
    });
    return loadKubeConfig({ kubeconfig: file, env: { HOME: emptyHome() } }).getCurrentUser();
  };

  it('is authenticated with the file, its relative path taken from the kubeconfig directory', () => {
    expect(load({ tokenFile: 'secrets/token' })?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: join(dir, 'secrets', 'token') },
    });
  });

  it('uses its token when it has both, as kubectl does', () => {
    const user = load({ token: 'inline', tokenFile: '/var/token' });
    expect(user?.token).toBe('inline');
    expect(user?.authProvider).toBeFalsy();
  });
});

describe('a cluster without proxy-url, as kubectl reaches it', () => {
  const load = (cluster: Record<string, unknown>, env: NodeJS.ProcessEnv) => {
    const file = kubeconfig('config', {
      clusters: { c: cluster },
      users: { u: { token: 't' } },
      contexts: { c: { cluster: 'c', user: 'u' } },
      current: 'c',
    });
    return loadKubeConfig({ kubeconfig: file, env: { HOME: emptyHome(), ...env } }).getCurrentCluster();
  };

  it('goes through HTTPS_PROXY', () => {
    const cluster = load({ server: 'https://k8s.corp:6443' }, { HTTPS_PROXY: 'http://proxy.corp:3128' });
    expect(cluster?.proxyUrl).toBe('http://proxy.corp:3128');
  });

  it('keeps the proxy-url of its entry over HTTPS_PROXY', () => {
    const cluster = load(
      { server: 'https://k8s.corp:6443', 'proxy-url': 'socks5://jump:1080' },
      { HTTPS_PROXY: 'http://proxy.corp:3128' },
    );
    expect(cluster?.proxyUrl).toBe('socks5://jump:1080');
  });
});
