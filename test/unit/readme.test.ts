import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceTable, resultsDoc, toolTable } from '../../src/server/docs.js';
import { USAGE } from '../../src/options.js';
import { TOOLS } from '../../tools/index.js';

const ROOT = join(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const docs = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))
  .join('\n');

describe('README.md', () => {
  it('has the tool table of the current tools (run npm run docs after changing a tool)', () => {
    expect(replaceTable(readme, toolTable(TOOLS))).toBe(readme);
  });

  it('links to docs/results.md, which shows what every current tool returns (npm run docs)', () => {
    expect(readme).toContain('docs/results.md');
    const results = readFileSync(join(ROOT, 'docs/results.md'), 'utf8');
    expect(results).toBe(resultsDoc(TOOLS));
  });

  it('is read in five minutes: at most 250 lines', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(250);
  });

  it('names the test command that CI runs', () => {
    expect(readme).toContain('npm test');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('npm test');
  });
});

describe('docs/', () => {
  it('documents every command-line flag of --help, in code format', () => {
    const flags = [...new Set(USAGE.match(/--[a-z-]+/g))];
    expect(flags.length).toBeGreaterThan(30);
    expect(flags.filter((flag) => !docs.includes(`\`${flag}`))).toEqual([]);
  });

  it('documents every environment variable of --help, in code format', () => {
    const section = USAGE.slice(USAGE.indexOf('\nEnvironment:'));
    const env = [...new Set(section.match(/\b(KUBECONFIG|[A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/g))];
    expect(env).toContain('KUBECONFIG');
    expect(env).toContain('NO_PROXY');
    expect(env).toContain('FLUX_OPS_MCP_READ_ONLY');
    expect(env.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });
});
