// The built executable on a Node.js older than package.json's engines range: it must stop at once and say
// which version it needs (before the check, Node 20 started the server and every cluster call failed).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../src/node-version.js';
import { ROOT, SERVER_ENTRY } from '../support/env.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

/** A `node` on this machine (PATH, /usr/bin, /usr/local/bin) older than the engines range, if any. */
function olderNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const path of new Set(dirs.filter(Boolean).map((d) => join(d, 'node')))) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const version = (spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout ?? '')
      .trim()
      .replace(/^v/, '');
    if (nodeVersionProblem(version, pkg.engines.node)) return { path, version };
  }
  return undefined;
}

const old = olderNode();

describe('on a Node.js older than the engines range', () => {
  it.skipIf(!old)(
    `exits 1 at once and names the version it needs${old ? ` (with ${old.path}, Node.js ${old.version})` : ' (skipped: no Node.js older than the range on this machine)'}`,
    () => {
      const out = spawnSync(old!.path, [SERVER_ENTRY, '--transport', 'stdio'], {
        encoding: 'utf8',
        input: '',
      });
      expect(out.status).toBe(1);
      expect(out.stdout).toBe('');
      expect(out.stderr).toBe(
        `flux-ops-mcp needs Node.js 22.19 or newer; this is Node.js ${old!.version} (${old!.path}). Install a newer Node.js, or point your MCP client's command at one.\n`,
      );
    },
  );
});
