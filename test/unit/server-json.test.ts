// server.json, the MCP Registry entry: valid against the registry's schema of 2025-12-11 (written out in
// test/fixtures/mcp-registry, with its sources), and in step with package.json and the server's flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { USAGE } from '../../src/options.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Input {
  name?: string;
  value?: string;
  type?: string;
}
interface Package {
  registryType: string;
  identifier: string;
  version?: string;
  transport: { type: string };
  packageArguments?: Input[];
  runtimeArguments?: Input[];
  environmentVariables?: Input[];
}
interface ServerJson {
  $schema: string;
  name: string;
  version: string;
  description: string;
  packages: Package[];
}

const text = read('server.json');
const server = JSON.parse(text) as ServerJson;
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; mcpName: string };
const schema = JSON.parse(read('test/fixtures/mcp-registry/server.2025-12-11.schema.json')) as {
  $id: string;
};

// ajv-formats is CommonJS: its plugin is the module itself, typed as its `default`.
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function errors(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('server.json', () => {
  it('names the schema of 2025-12-11 that it is checked against', () => {
    expect(server.$schema).toBe(schema.$id);
    expect(schema.$id).toBe('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
  });

  it('is valid against the MCP Registry schema', () => {
    expect(errors(server)).toEqual([]);
  });

  it('is checked by a schema that refuses what the registry refuses', () => {
    expect(errors({ ...server, name: 'flux-ops-mcp' }).join()).toMatch(/\/name must match pattern/);
    expect(errors({ ...server, description: 'x'.repeat(101) }).join()).toMatch(
      /\/description must NOT have more/,
    );
    const latest = { ...server, packages: [{ ...server.packages[0], version: 'latest' }] };
    expect(errors(latest).join()).toMatch(/\/packages\/0\/version must NOT be valid/);
    const noTransport = { ...server, packages: [{ registryType: 'npm', identifier: 'flux-ops-mcp' }] };
    expect(errors(noTransport).join()).toMatch(/must have required property 'transport'/);
  });

  it('fits in the 128 KiB the registry accepts', () => {
    expect(Buffer.byteLength(text)).toBeLessThan(128 * 1024);
  });

  it("has package.json's mcpName as its name, which is how the registry checks the npm package's owner", () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.name).toMatch(/^io\.github\.[\w-]+\/[\w.-]+$/);
  });

  it('offers the npm package of this version over stdio, as npx starts it', () => {
    const npm = server.packages.find((p) => p.registryType === 'npm');
    expect(npm).toMatchObject({ identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } });
    expect(server.version).toBe(pkg.version);
  });

  it('offers the image of this version as a second package, switched to stdio', () => {
    const oci = server.packages.find((p) => p.registryType === 'oci');
    expect(oci?.identifier).toMatch(
      new RegExp(`^ghcr\\.io/[\\w-]+/flux-ops-mcp:${pkg.version.replace(/\./g, '\\.')}$`),
    );
    expect(oci?.transport.type).toBe('stdio');
    expect(oci?.packageArguments).toContainEqual(
      expect.objectContaining({ name: '--transport', value: 'stdio' }),
    );
  });

  it("names the image the Dockerfile builds, labelled with the server's name, and the chart runs", () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`LABEL io.modelcontextprotocol.server.name="${server.name}"`);
    // The image installs the npm package from its `npm pack` tarball, as npm users get it.
    expect(dockerfile).toMatch(/npm pack/);
    expect(dockerfile).toMatch(/npm install --global --offline .*flux-ops-mcp\.tgz/);
    const oci = server.packages.find((p) => p.registryType === 'oci')!;
    const values = parse(read('charts/flux-ops-mcp/values.yaml')) as { image: { repository: string } };
    expect(oci.identifier).toBe(`${values.image.repository}:${pkg.version}`);
    const chart = parse(read('charts/flux-ops-mcp/Chart.yaml')) as { appVersion: string; version: string };
    expect([chart.appVersion, chart.version]).toEqual([pkg.version, pkg.version]);
  });

  it('names only environment variables and flags that the server reads', () => {
    const vars = server.packages.flatMap((p) => (p.environmentVariables ?? []).map((e) => e.name!));
    const flags = server.packages.flatMap((p) => (p.packageArguments ?? []).map((a) => a.name!));
    expect(vars.length).toBeGreaterThan(3);
    expect(vars.filter((name) => !USAGE.includes(`  ${name}`) && !USAGE.includes(`${name},`))).toEqual([]);
    expect(flags.filter((flag) => !USAGE.includes(`  ${flag} `))).toEqual([]);
  });
});
