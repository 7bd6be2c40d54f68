// The built server with kubeconfigs as users have them: several files merged as kubectl merges them, and
// none at all.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, cluster, startServer, type ServerHandle } from '../support/env.js';

const UNREACHABLE = 'https://127.0.0.1:9';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-kubeconfigs-'));
});

function write(name: string, doc: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...doc }));
  return path;
}

/** get_kubernetes_resources of the Namespaces, from a server started with these options. */
async function listNamespaces(options: Parameters<typeof startServer>[1]) {
  const server = await startServer([], options);
  try {
    return await callTool(server.client, 'get_kubernetes_resources', { kind: 'Namespace' });
  } finally {
    await server.close();
  }
}

/** A value for each required parameter, enough to get past input validation. */
function minimalArguments(schema: { properties?: Record<string, unknown>; required?: string[] }) {
  const samples: Record<string, unknown> = {
    kind: 'Kustomization',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    name: 'podinfo',
    namespace: 'default',
  };
  return Object.fromEntries(
    (schema.required ?? []).map((key) => {
      const prop = (schema.properties?.[key] ?? {}) as { type?: string; enum?: unknown[] };
      if (prop.enum) return [key, prop.enum[0]];
      if (key in samples) return [key, samples[key]];
      return [key, prop.type === 'boolean' ? false : prop.type === 'number' ? 1 : 'x'];
    }),
  );
}

describe('with no kubeconfig at all', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    const home = join(dir, 'empty-home');
    mkdirSync(home);
    server = await startServer([], { kubeconfig: null, env: { HOME: home } });
  });
  afterAll(async () => server?.close());

  it('starts, and every cluster tool says no kubeconfig was found and how to give one', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.length).toBeGreaterThan(10);
    for (const tool of tools) {
      const { result, text } = await callTool(server.client, tool.name, minimalArguments(tool.inputSchema));
      expect({ tool: tool.name, isError: result.isError }).toEqual({ tool: tool.name, isError: true });
      expect(text).toMatch(/^no kubeconfig found: no --kubeconfig, no KUBECONFIG, and \S+ does not exist; /);
      expect(text).toContain('give one with --kubeconfig PATH');
      expect(text).not.toMatch(/localhost:8080|loaded-context/);
    }
  });
});

describe('several kubeconfig files', () => {
  let first: string;
  let second: string;
  let third: string;

  beforeAll(() => {
    const c = cluster();
    const ca = readFileSync(c.caFile).toString('base64');
    // The first file: the real cluster and admin credentials, and no current-context.
    first = write('first', {
      clusters: [{ name: 'test', cluster: { server: c.server, 'certificate-authority-data': ca } }],
      users: [{ name: 'ops', user: { token: c.adminToken } }],
      contexts: [{ name: 'ops', context: { cluster: 'test', user: 'ops' } }],
    });
    // The second redefines all three names with values that cannot work, adds a context of its own, and is
    // the first to set current-context.
    second = write('second', {
      clusters: [
        { name: 'test', cluster: { server: UNREACHABLE } },
        { name: 'elsewhere', cluster: { server: UNREACHABLE } },
      ],
      users: [{ name: 'ops', user: { token: 'wrong' } }],
      contexts: [
        { name: 'ops', context: { cluster: 'elsewhere', user: 'ops', namespace: 'nowhere' } },
        { name: 'staging', context: { cluster: 'elsewhere', user: 'ops' } },
      ],
      'current-context': 'ops',
    });
    third = write('third', { 'current-context': 'staging' });
  });

  async function expectMergedAsKubectl(server: ServerHandle): Promise<void> {
    const contexts = await callTool(server.client, 'get_kubeconfig_contexts');
    expect(contexts.structured).toEqual({
      current: 'ops',
      contexts: [
        { name: 'ops', cluster: 'test', server: cluster().server, current: true },
        { name: 'staging', cluster: 'elsewhere', server: UNREACHABLE, current: false },
      ],
    });
    // The first file's cluster address and token are the ones used.
    const namespaces = await callTool(server.client, 'get_kubernetes_resources', { kind: 'Namespace' });
    expect(namespaces.result.isError).toBeFalsy();
    expect(namespaces.text).toContain('kube-system');
  }

  it('--kubeconfig a:b:c merges them as kubectl merges KUBECONFIG: first definition and current-context win', async () => {
    const server = await startServer([], { kubeconfig: [first, second, third].join(delimiter) });
    try {
      await expectMergedAsKubectl(server);
    } finally {
      await server.close();
    }
  });

  it('KUBECONFIG=a:missing:b:c merges them the same way and skips the file that does not exist', async () => {
    const value = [first, join(dir, 'missing'), second, third].join(delimiter);
    const server = await startServer([], { kubeconfig: null, env: { KUBECONFIG: value } });
    try {
      await expectMergedAsKubectl(server);
    } finally {
      await server.close();
    }
  });

  it('a file named with --kubeconfig that does not exist is an error that names it', async () => {
    const missing = join(dir, 'missing');
    const server = await startServer([], { kubeconfig: [first, missing].join(delimiter) });
    try {
      const { result, text } = await callTool(server.client, 'get_kubeconfig_contexts');
      expect(result.isError).toBe(true);
      expect(text).toBe(
        `kubeconfig file not found: ${missing} (from --kubeconfig); check the path, or leave --kubeconfig out to use KUBECONFIG or ~/.kube/config`,
      );
    } finally {
      await server.close();
    }
  });
});

// Managed clusters authenticate through the kubeconfig user: EKS, GKE and AKS kubeconfigs run a credential
// plugin (users[].user.exec), others point at a token file.
describe('users that get their credentials elsewhere', () => {
  const kubeconfigFor = (name: string, user: Record<string, unknown>) =>
    write(`${name}.json`, {
      clusters: [
        {
          name: 'test',
          cluster: {
            server: cluster().server,
            'certificate-authority-data': readFileSync(cluster().caFile).toString('base64'),
          },
        },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'test', user: 'u' } }],
      'current-context': 'c',
    });

  /** A kubeconfig whose user runs a credential plugin that notes each run in a file of its own. */
  function withPlugin(name: string): { kubeconfig: string; runs: () => number } {
    const ran = join(dir, `${name}-runs`);
    const plugin = join(dir, `${name}.mjs`);
    writeFileSync(ran, '');
    writeFileSync(
      plugin,
      `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(ran)}, 'ran\\n');
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status: { token: ${JSON.stringify(cluster().adminToken)} },
}));
`,
    );
    const kubeconfig = kubeconfigFor(name, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [plugin],
        interactiveMode: 'Never',
      },
    });
    return { kubeconfig, runs: () => readFileSync(ran, 'utf8').split('\n').length - 1 };
  }

  it('a credential plugin (exec) is run and its token used', async () => {
    const { kubeconfig, runs } = withPlugin('plugin-list');
    const call = await listNamespaces({ kubeconfig });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.text).toContain('Namespace kube-system');
    expect(runs()).toBe(1);
  });

  it('a credential plugin runs once for the many requests of one call, not once per request', async () => {
    const { kubeconfig, runs } = withPlugin('plugin-status');
    const server = await startServer([], { kubeconfig });
    try {
      const status = await callTool(server.client, 'get_flux_status', {});
      expect(status.result.isError, status.text).toBeFalsy();
      expect(runs()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('a credential plugin that fails is named with what it wrote, not taken for an unreachable cluster', async () => {
    const kubeconfig = kubeconfigFor('failing-plugin', {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', "process.stderr.write('Error: the SSO session has expired'); process.exit(1)"],
        interactiveMode: 'Never',
      },
    });
    const call = await listNamespaces({ kubeconfig });
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe(
      `the kubeconfig's credential plugin ${process.execPath} failed for context c: Error: the SSO session has expired`,
    );
  });

  it('a credential plugin that is not on the PATH is named, with the PATH and how to give it', async () => {
    const kubeconfig = kubeconfigFor('missing-plugin', {
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'flux-ops-mcp-no-such-plugin' },
    });
    const call = await listNamespaces({ kubeconfig, env: { PATH: '/nowhere' } });
    expect(call.result.isError).toBe(true);
    expect(call.text).toBe(
      "the kubeconfig's credential plugin flux-ops-mcp-no-such-plugin for context c was not found on this server's PATH (/nowhere): name it by its full path in the kubeconfig, or set PATH in the env of this server in the MCP client's configuration",
    );
  });

  // kind, k3s, minikube and kubeadm kubeconfigs authenticate with a client certificate.
  it('a client certificate and key given inline are used', async () => {
    const kubeconfig = kubeconfigFor('client-certificate-data', {
      'client-certificate-data': readFileSync(join(cluster().dir, 'admin-client.crt')).toString('base64'),
      'client-key-data': readFileSync(join(cluster().dir, 'admin-client.key')).toString('base64'),
    });
    const list = await listNamespaces({ kubeconfig });
    expect(list.result.isError, list.text).toBeFalsy();
    expect(list.text).toContain('Namespace kube-system');
  });

  it('a client certificate and key named by paths relative to the kubeconfig are read from there', async () => {
    const certs = join(dir, 'certs');
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, 'client.crt'), readFileSync(join(cluster().dir, 'admin-client.crt')));
    writeFileSync(join(certs, 'client.key'), readFileSync(join(cluster().dir, 'admin-client.key')));
    const kubeconfig = kubeconfigFor('client-certificate-files', {
      'client-certificate': 'certs/client.crt',
      'client-key': 'certs/client.key',
    });
    const list = await listNamespaces({ kubeconfig });
    expect(list.result.isError, list.text).toBeFalsy();
    expect(list.text).toContain('Namespace kube-system');
  });

  it('a token file (tokenFile) is read and its token used', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${cluster().adminToken}\n`);
    const call = await listNamespaces({ kubeconfig: kubeconfigFor('token-file', { tokenFile }) });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.text).toContain('Namespace kube-system');
  });
});

// Behind a corporate proxy the kubeconfig's cluster names it (proxy-url), and kubectl tunnels through it.
describe('a cluster behind an HTTP proxy', () => {
  const tunnels: string[] = [];
  const proxy = createHttpServer();
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '');
    // Every host is the test API server, so that names the machine cannot resolve can stand for clusters.
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  beforeAll(() => new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve)));
  afterAll(() => {
    proxy.closeAllConnections();
    proxy.close();
  });

  it('is reached through the proxy-url of its kubeconfig entry', async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const kubeconfig = write('proxied.json', {
      clusters: [
        {
          name: 'test',
          cluster: {
            server: cluster().server,
            'certificate-authority-data': readFileSync(cluster().caFile).toString('base64'),
            'proxy-url': proxyUrl,
          },
        },
      ],
      users: [{ name: 'u', user: { token: cluster().adminToken } }],
      contexts: [{ name: 'c', context: { cluster: 'test', user: 'u' } }],
      'current-context': 'c',
    });
    const call = await listNamespaces({ kubeconfig });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(call.text).toContain('Namespace kube-system');
    expect(tunnels).toContain(new URL(cluster().server).host);
  });

  // A name only the proxy can resolve: the call succeeds only through the proxy.
  const remote = () => {
    const port = new URL(cluster().server).port;
    return write('remote.json', {
      clusters: [
        {
          name: 'remote',
          cluster: {
            server: `https://kubernetes.flux-ops-mcp.invalid:${port}`,
            'tls-server-name': 'kubernetes.default',
            'certificate-authority-data': readFileSync(cluster().caFile).toString('base64'),
          },
        },
      ],
      users: [{ name: 'u', user: { token: cluster().adminToken } }],
      contexts: [{ name: 'remote', context: { cluster: 'remote', user: 'u' } }],
      'current-context': 'remote',
    });
  };

  it('is reached through HTTPS_PROXY when its entry names no proxy, as kubectl reaches it', async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const call = await listNamespaces({ kubeconfig: remote(), env: { HTTPS_PROXY: proxyUrl } });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(tunnels).toContain(`kubernetes.flux-ops-mcp.invalid:${new URL(cluster().server).port}`);
  });

  it('is reached directly when NO_PROXY names it', async () => {
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const server = await startServer([], {
      kubeconfig: remote(),
      env: { HTTPS_PROXY: proxyUrl, NO_PROXY: 'flux-ops-mcp.invalid' },
    });
    try {
      const call = await callTool(server.client, 'get_kubernetes_resources', { kind: 'Namespace' });
      expect(call.result.isError).toBe(true);
      expect(call.text).toMatch(
        /^cluster unreachable: https:\/\/kubernetes\.flux-ops-mcp\.invalid:\d+ \(context remote\): .*ENOTFOUND/,
      );
    } finally {
      await server.close();
    }
  });
});

// A SOCKS5 proxy (RFC 1928, no authentication, CONNECT only), as `ssh -D` opens for a bastion host.
describe('a cluster behind a SOCKS5 proxy', () => {
  const targets: string[] = [];
  const socks = createTcpServer((client: Socket) => {
    let buffered = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!greeted) {
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
        buffered = buffered.subarray(2 + buffered[1]!);
        greeted = true;
        client.write(Buffer.from([5, 0]));
      }
      if (buffered.length < 5) return;
      const type = buffered[3]!;
      const addressLength = type === 1 ? 4 : type === 4 ? 16 : 1 + buffered[4]!;
      if (buffered.length < 4 + addressLength + 2) return;
      const address = type === 3 ? buffered.subarray(5, 4 + addressLength).toString() : 'an address';
      const port = buffered.readUInt16BE(4 + addressLength);
      client.off('data', onData);
      targets.push(`${address}:${port}`);
      const upstream = connect(port, '127.0.0.1', () => {
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    };
    client.on('data', onData);
  });

  beforeAll(() => new Promise<void>((resolve) => socks.listen(0, '127.0.0.1', resolve)));
  afterAll(() => socks.close());

  it('is reached through a socks5:// proxy-url', async () => {
    const port = new URL(cluster().server).port;
    const kubeconfig = write('socks.json', {
      clusters: [
        {
          name: 'bastion',
          cluster: {
            // A name in the API server's certificate that only the proxy resolves.
            server: `https://kubernetes.default:${port}`,
            'certificate-authority-data': readFileSync(cluster().caFile).toString('base64'),
            'proxy-url': `socks5://127.0.0.1:${(socks.address() as AddressInfo).port}`,
          },
        },
      ],
      users: [{ name: 'u', user: { token: cluster().adminToken } }],
      contexts: [{ name: 'bastion', context: { cluster: 'bastion', user: 'u' } }],
      'current-context': 'bastion',
    });
    const call = await listNamespaces({ kubeconfig });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(targets).toContain(`kubernetes.default:${port}`);
  });
});
