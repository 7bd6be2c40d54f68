// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in package.json), run
// against the HTTP transport: the server scenarios that apply to a domain server. The others call fixture
// tools, prompts and resources of the SDK's test server; docs/testing.md (Conformance) lists them and why they do not apply.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/env.js';
import { startHttpServer, type HttpServer } from '../support/http.js';

const CONFORMANCE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const COMMON = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'tools-list',
  'prompts-list',
  'dns-rebinding-protection',
];
const out = mkdtempSync(join(tmpdir(), 'flux-ops-mcp-conformance-'));

async function scenario(url: string, name: string): Promise<string> {
  // The suite's DNS rebinding check needs a localhost URL; the server answers to localhost too.
  const localhost = url.replace('127.0.0.1', 'localhost');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      CONFORMANCE,
      'server',
      '--url',
      localhost,
      '--scenario',
      name,
      '--spec-version',
      '2025-11-25',
      '-o',
      out,
    ],
    { encoding: 'utf8' },
  );
  return stdout;
}

for (const mode of ['sessions', 'stateless'] as const) {
  describe(`conformance over HTTP with ${mode}`, () => {
    let server: HttpServer;
    beforeAll(async () => {
      server = await startHttpServer(mode === 'stateless' ? ['--stateless'] : []);
    });
    afterAll(async () => server?.stop());

    const scenarios = mode === 'sessions' ? [...COMMON, 'server-sse-multiple-streams'] : COMMON;
    for (const name of scenarios) {
      it(`passes ${name} with no failure and no warning`, async () => {
        const stdout = await scenario(server.url, name);
        expect(stdout).toMatch(/Passed: (\d+)\/\1, 0 failed, 0 warnings/);
        expect(stdout).not.toContain('Passed: 0/0');
      });
    }
  });
}
