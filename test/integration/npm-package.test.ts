// The npm package as a user gets it: `npm pack`, then an install of the tarball alone into an empty prefix,
// with an empty HOME and an empty npm cache, offline (so nothing may need downloading), and the installed
// `flux-ops-mcp` driven by an SDK client against the test cluster, as `npx -y flux-ops-mcp` would start it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, callTool, cluster, ROOT, testNamespace } from '../support/env.js';
import { kustomization } from '../support/flux.js';

// Node.js of the tests first, then the npm on the PATH (which runs on that Node.js).
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
const MAX_INSTALLED_BYTES = 5 * 1024 * 1024;

interface PackResult {
  filename: string;
  files: { path: string }[];
}

function npm(args: string[], env: Record<string, string>, cwd = ROOT): string {
  const out = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH, npm_config_update_notifier: 'false', ...env },
  });
  if (out.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${out.status}):\n${out.stderr}`);
  return out.stdout;
}

function bytesUnder(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

const work = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-npm-'));
const home = join(work, 'home');
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib/node_modules/flux-ops-mcp');
let packed: PackResult;

beforeAll(() => {
  for (const dir of [home, prefix]) mkdirSync(dir);
  const json = npm(['pack', '--json', '--pack-destination', work], {
    HOME: home,
    npm_config_cache: join(work, 'pack-cache'),
  });
  packed = (JSON.parse(json) as PackResult[])[0]!;
  npm(
    [
      'install',
      '--global',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      join(work, packed.filename),
    ],
    {
      HOME: home,
      npm_config_cache: join(work, 'empty-cache'),
    },
  );
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the bundle, README, LICENSE and package.json, nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => !p.startsWith('dist/src/')).sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'package.json',
    ]);
    expect(paths).toContain('dist/src/bin.js');
    expect(paths.filter((p) => p.startsWith('dist/src/') && !p.endsWith('.js'))).toEqual([]);
  });

  it('carries the Apache-2.0 license text and the MCP Registry name', () => {
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0',
    );
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      license: 'Apache-2.0',
      mcpName: expect.stringMatching(/^io\.github\.[\w-]+\/flux-ops-mcp$/),
    });
  });

  it('installs offline from the tarball alone: it has no dependencies to download, the bundle holds them', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    expect(readdirSync(join(prefix, 'bin'))).toEqual(['flux-ops-mcp']);
  });

  it(`takes at most ${MAX_INSTALLED_BYTES / 1024 / 1024} MB installed`, () => {
    expect(bytesUnder(prefix)).toBeLessThanOrEqual(MAX_INSTALLED_BYTES);
  });
});

describe('the installed flux-ops-mcp', () => {
  let client: Client;
  let ns: string;

  beforeAll(async () => {
    const api = adminApi();
    ns = await testNamespace(api, 'npm');
    await api.apply(kustomization('packaged', ns, { spec: { suspend: true } }));
    await api.close();
    client = new Client({ name: 'flux-ops-mcp-tests', version: '0.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: join(prefix, 'bin/flux-ops-mcp'),
        args: ['--kubeconfig', cluster().kubeconfig, '--log-level', 'warn'],
        env: { PATH, HOME: home },
        stderr: 'pipe',
      }),
    );
  });
  afterAll(async () => client?.close());

  it('initializes as flux-ops-mcp of the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(client.getServerVersion()).toMatchObject({ name: 'flux-ops-mcp', version: pkg.version });
  });

  it('lists its tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('get_flux_status');
    expect(tools.map((t) => t.name)).toContain('reconcile_flux_kustomization');
  });

  it('reads the cluster', async () => {
    const { text } = await callTool(client, 'get_flux_status', { namespace: ns });
    expect(text).toContain(`Kustomization ${ns}/packaged`);
  });
});
