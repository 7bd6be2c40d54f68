import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, cluster, SERVER_ENTRY, startServer, type ServerHandle } from '../support/env.js';

describe('the command line', () => {
  it('prints every flag with --help and exits 0', () => {
    const out = spawnSync(process.execPath, [SERVER_ENTRY, '--help'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    for (const flag of [
      '--transport',
      '--kubeconfig',
      '--context',
      '--read-only',
      '--log-level',
      '--version',
      '--help',
      '--disable-destructive',
      '--tools',
      '--allowed-contexts',
      '--allowed-namespaces',
      '--audit-log',
      '--host',
      '--port',
      '--stateless',
      '--auth-tokens',
      '--oidc-issuer',
      '--tls-cert',
      '--shutdown-timeout',
    ]) {
      expect(out.stdout).toContain(flag);
    }
  });

  it('prints usage on stderr and exits 2 for an unknown flag', () => {
    const out = spawnSync(process.execPath, [SERVER_ENTRY, '--frobnicate'], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain("Unknown option '--frobnicate'");
    expect(out.stderr).toContain('Usage: flux-ops-mcp');
  });

  it('exits 2 for a flag value it does not accept', () => {
    const out = spawnSync(process.execPath, [SERVER_ENTRY, '--transport', 'carrier-pigeon'], {
      encoding: 'utf8',
    });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('--transport must be stdio or http');
  });

  it('exits 2 with one line and a hint to --help when --tools names a tool that does not exist', () => {
    const out = spawnSync(process.execPath, [SERVER_ENTRY, '--tools', 'get_kubernetes_resources,rm_rf'], {
      encoding: 'utf8',
    });
    expect(out.status).toBe(2);
    const lines = out.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^flux-ops-mcp: --tools names unknown tools: rm_rf \(tools: /);
    expect(lines[1]).toBe('Run flux-ops-mcp --help for the flags.');
  });

  it('prints the package version', () => {
    const out = spawnSync(process.execPath, [SERVER_ENTRY, '--version'], { encoding: 'utf8' });
    expect(out.stdout).toMatch(/^flux-ops-mcp \d+\.\d+\.\d+\n$/);
  });
});

describe('the compiled code cache', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [SERVER_ENTRY, '--version'], {
      encoding: 'utf8',
      // Without a cache directory of its own, which would turn the cache on without the server's doing.
      env: { ...process.env, NODE_COMPILE_CACHE: undefined, ...env },
    });
  // The cache goes to the OS temporary directory, node-compile-cache in it.
  const files = (dir: string) =>
    readdirSync(dir, { recursive: true }).filter((f) => String(f).includes('/')).length;

  it('is written on the first start, for the next one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-cache-'));
    try {
      expect(run({ TMPDIR: dir }).status).toBe(0);
      expect(files(dir)).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not written with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-cache-'));
    try {
      expect(run({ TMPDIR: dir, NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
      expect(files(dir)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a default context whose API server accepts connections and never answers', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let connected!: Promise<void>;
  let server: ServerHandle;

  beforeAll(async () => {
    connected = new Promise((resolve) => {
      silent = createServer((socket) => {
        sockets.push(socket);
        resolve();
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const ca = readFileSync(cluster().caFile).toString('base64');
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-kc-')), 'silent.yaml');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: silent
  cluster: { server: "https://127.0.0.1:${port}", certificate-authority-data: ${ca} }
users:
- name: nobody
  user: { token: nothing }
contexts:
- name: silent
  context: { cluster: silent, user: nobody }
current-context: silent
`,
    );
    server = await startServer([], { kubeconfig });
  });

  afterAll(async () => {
    await server?.close();
    for (const s of sockets) s.destroy();
    silent?.close();
  });

  // The server starts loading the Kubernetes client and API discovery right after initialize; a cluster
  // that does not answer must hold up nothing that does not need it.
  it('holds up neither initialize nor the tool list nor a call that needs no cluster', async () => {
    await connected;
    const { structured } = await callTool(server.client, 'get_kubeconfig_contexts');
    expect(structured.current).toBe('silent');
    // The server's discovery request is still waiting for the API server, so nothing above waited for it.
    expect(sockets.some((s) => !s.destroyed)).toBe(true);
  });

  it('answers a call to that cluster with an error that says it did not answer', async () => {
    const { result, text } = await callTool(
      server.client,
      'get_kubernetes_resources',
      { kind: 'Namespace' },
      { timeout: 60_000 },
    );
    expect(result.isError).toBe(true);
    expect(text).toMatch(
      /^cluster timed out: https:\/\/127\.0\.0\.1:\d+ \(context silent\) did not answer in time: Connect Timeout/,
    );
  }, 60_000);
});

describe('over stdio', () => {
  let server: ServerHandle;

  beforeAll(async () => {
    server = await startServer(['--log-level', 'info']);
  });
  afterAll(async () => server?.close());

  it('answers initialize with its name, version and instructions', () => {
    expect(server.client.getServerVersion()?.name).toBe('flux-ops-mcp');
    expect(server.client.getInstructions()).toContain('get_kubeconfig_contexts');
  });

  it('lists the read tools with schemas and read-only annotations', async () => {
    const { tools } = await server.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ['get_kubeconfig_contexts', 'get_kubernetes_resources']) {
      const tool = byName.get(name);
      expect(tool?.annotations?.readOnlyHint).toBe(true);
      expect(tool?.outputSchema).toBeDefined();
    }
  });

  it('offers the incident playbooks as prompts, filled in with the object asked about', async () => {
    const { prompts } = await server.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual([
      'debug_flux_helmrelease',
      'debug_flux_kustomization',
      'flux_emergency_rollback',
      'flux_incident_timeline',
      'flux_planned_maintenance',
    ]);
    const prompt = await server.client.getPrompt({
      name: 'flux_planned_maintenance',
      arguments: { kind: 'Kustomization', name: 'payments', namespace: 'apps', reason: 'db migration' },
    });
    const text = (prompt.messages[0]?.content as { text: string }).text;
    expect(text).toContain(
      'suspend_flux_reconciliation (kind "Kustomization", name "payments", namespace "apps", reason "db migration")',
    );
  });

  it('writes its logs as JSON on stderr, never on stdout', async () => {
    await callTool(server.client, 'get_kubeconfig_contexts');
    const lines = server.stderr().trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe('get_kubeconfig_contexts', () => {
  let server: ServerHandle;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('lists contexts with server, namespace and which is current, without credentials', async () => {
    const { structured, text, result } = await callTool(server.client, 'get_kubeconfig_contexts');
    expect(structured.current).toBe('admin');
    expect(structured.contexts).toEqual([
      { name: 'admin', cluster: 'test', server: cluster().server, current: true },
      { name: 'restricted', cluster: 'test', server: cluster().server, namespace: 'team-a', current: false },
    ]);
    const everything = JSON.stringify(result);
    expect(everything).not.toContain(cluster().adminToken);
    expect(everything).not.toContain(cluster().restrictedToken);
    expect(text).toContain('* admin');
  });

  it('counts one context in the singular', async () => {
    const one = await startServer(['--allowed-contexts', 'admin']);
    try {
      const { text } = await callTool(one.client, 'get_kubeconfig_contexts');
      expect(text.split('\n')[0]).toBe('1 kubeconfig context, current: admin');
    } finally {
      await one.close();
    }
  });

  it('marks the context given with --context as current', async () => {
    const other = await startServer(['--context', 'restricted']);
    try {
      const { structured } = await callTool(other.client, 'get_kubeconfig_contexts');
      expect(structured.current).toBe('restricted');
    } finally {
      await other.close();
    }
  });
});
