import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minimumOf, nodeVersionProblem, parseVersion } from '../../src/node-version.js';

const RANGE = '>=22.19';

describe('nodeVersionProblem', () => {
  it('refuses a Node.js older than the range, naming the version needed and the one found', () => {
    expect(nodeVersionProblem('20.20.2', RANGE, '/usr/bin/node')).toBe(
      "flux-ops-mcp needs Node.js 22.19 or newer; this is Node.js 20.20.2 (/usr/bin/node). Install a newer Node.js, or point your MCP client's command at one.",
    );
  });

  it('refuses an older minor of the same major', () => {
    expect(nodeVersionProblem('22.18.9', RANGE)).toMatch(
      /^flux-ops-mcp needs Node.js 22\.19 or newer; this is Node.js 22\.18\.9\./,
    );
  });

  it('accepts the lowest version of the range and everything newer', () => {
    for (const v of ['22.19.0', '22.20.1', '23.0.0', '24.21.0', '30.0.0-pre']) {
      expect(nodeVersionProblem(v, RANGE)).toBeUndefined();
    }
  });

  it('names a patch version when the range has one', () => {
    expect(nodeVersionProblem('22.19.0', '>=22.19.3')).toMatch(/needs Node.js 22\.19\.3 or newer/);
  });

  it('never refuses when the version or the range cannot be read', () => {
    expect(nodeVersionProblem('not-a-version', RANGE)).toBeUndefined();
    expect(nodeVersionProblem('20.0.0', '^22 || ^24')).toBeUndefined();
  });
});

describe('parseVersion and minimumOf', () => {
  it('read versions with or without v, minor and patch', () => {
    expect(parseVersion('v22.19.0')).toEqual([22, 19, 0]);
    expect(parseVersion('22')).toEqual([22, 0, 0]);
    expect(minimumOf('>= 22.19')).toEqual([22, 19, 0]);
  });

  it("read this package's engines range, so the check is never silently off", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    expect(minimumOf(pkg.engines.node)).toBeDefined();
  });
});
