// The Claude Desktop bundle (npm run bundle, build/mcpb.ts): `mcpb validate` accepts its manifest, and the
// unpacked bundle starts as a host starts it: the manifest's command, args and env with the user's settings
// substituted by the mcpb library's own getMcpConfigForManifest, optional settings left unset.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, SETTINGS } from '../../build/mcpb.js';
import { TOOLS } from '../../tools/index.js';
import { callTool, cluster, ROOT } from '../support/env.js';

const MCPB_CLI = join(ROOT, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  engines: { node: string };
};

function mcpb(args: string[]): { status: number | null; output: string } {
  const out = spawnSync(process.execPath, [MCPB_CLI, ...args], { encoding: 'utf8' });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

const work = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-bundle-'));
const unpacked = join(work, 'unpacked');
const home = join(work, 'home');
let bundle: string;
let manifest: McpbManifestAny;

beforeAll(async () => {
  bundle = await buildBundle(work);
  const unpack = mcpb(['unpack', bundle, unpacked]);
  if (unpack.status !== 0) throw new Error(`mcpb unpack failed:\n${unpack.output}`);
  manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as McpbManifestAny;
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The command, args and env a host runs for these user settings. */
async function hostConfig(userConfig: Record<string, string | boolean>) {
  const config = await getMcpConfigForManifest({
    manifest,
    extensionPath: unpacked,
    systemDirs: {
      HOME: home,
      DESKTOP: join(home, 'Desktop'),
      DOCUMENTS: join(home, 'Documents'),
      DOWNLOADS: join(home, 'Downloads'),
    },
    userConfig,
    pathSeparator: '/',
  });
  if (!config) throw new Error('the host would skip the server: a required setting is missing');
  return config;
}

async function startAsHost(userConfig: Record<string, string | boolean>): Promise<Client> {
  const config = await hostConfig(userConfig);
  // Claude Desktop runs "node" with the Node.js it ships or finds; here that is the Node.js of the tests.
  const command = config.command === 'node' ? process.execPath : config.command;
  const client = new Client({ name: 'flux-ops-mcp-tests', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({
      command,
      args: config.args ?? [],
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: home, ...config.env },
      stderr: 'pipe',
    }),
  );
  return client;
}

describe('the .mcpb bundle', () => {
  it(`is named ${pkg.name}-${pkg.version}.mcpb`, () => {
    expect(bundle.endsWith(`/${pkg.name}-${pkg.version}.mcpb`)).toBe(true);
  });

  it('has a manifest that mcpb validate accepts', () => {
    const result = mcpb(['validate', join(unpacked, 'manifest.json')]);
    expect(result.output).toContain('Manifest schema validation passes');
    expect(result.status).toBe(0);
  });

  it('holds the files of the npm package and the manifest, no node_modules', () => {
    expect(readdirSync(unpacked).sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist',
      'manifest.json',
      'package.json',
    ]);
  });

  it('asks for the runtime that package.json engines names', () => {
    expect(manifest.compatibility?.runtimes?.node).toBe(pkg.engines.node);
    expect(manifest.version).toBe(pkg.version);
  });

  it('lists every tool of the tool table', () => {
    expect(manifest.tools?.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    for (const t of manifest.tools ?? []) expect(t.description?.length).toBeGreaterThan(20);
  });

  it('asks for the kubeconfig file, context, read-only and allowed namespaces, all optional', () => {
    expect(Object.keys(manifest.user_config ?? {}).sort()).toEqual(Object.keys(SETTINGS).sort());
    expect(manifest.user_config?.kubeconfig?.type).toBe('file');
    expect(manifest.user_config?.read_only?.type).toBe('boolean');
    for (const option of Object.values(manifest.user_config ?? {})) expect(option.required).toBe(false);
  });

  it('never passes an unset optional setting as an argument, empty or as ${user_config...} text', async () => {
    const config = await hostConfig({});
    for (const arg of config.args ?? []) {
      expect(arg).not.toBe('');
      expect(arg).not.toContain('${');
    }
    expect(Object.values(config.env ?? {}).filter((v) => v.includes('${'))).toEqual([]);
  });
});

describe('the unpacked bundle started as a host starts it', () => {
  let client: Client;
  beforeAll(async () => {
    client = await startAsHost({ kubeconfig: cluster().kubeconfig });
  });
  afterAll(async () => client?.close());

  it('initializes and lists every tool, the writing ones too, when read-only is left off', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: pkg.name, version: pkg.version });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
  });

  it('offers the prompts the manifest lists', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(manifest.prompts?.map((p) => p.name));
  });

  it('uses the kubeconfig file the user chose', async () => {
    const { text } = await callTool(client, 'get_kubeconfig_contexts');
    expect(text).toContain('admin');
  });
});

describe('the unpacked bundle with read-only, a context and allowed namespaces set', () => {
  let client: Client;
  beforeAll(async () => {
    client = await startAsHost({
      kubeconfig: cluster().kubeconfig,
      context: 'admin',
      read_only: true,
      allowed_namespaces: 'apps,infra',
    });
  });
  afterAll(async () => client?.close());

  it('offers only the tools that read', async () => {
    const { tools } = await client.listTools();
    const writers = TOOLS.filter((t) => t.writes).map((t) => t.name);
    expect(tools.length).toBeGreaterThan(5);
    expect(tools.filter((t) => writers.includes(t.name))).toEqual([]);
  });

  it('refuses namespaces outside the allowed ones', async () => {
    const { result, text } = await callTool(client, 'get_kubernetes_resources', {
      kind: 'ConfigMap',
      namespace: 'kube-system',
    });
    expect(result.isError).toBe(true);
    expect(text).toContain('namespace kube-system is not one of --allowed-namespaces (apps, infra)');
  });
});
