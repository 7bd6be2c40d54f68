import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaceTable, resultsDoc, toolTable } from '../../src/server/docs.js';
import { USAGE } from '../../src/options.js';
import { TOOLS } from '../../tools/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('has the tool table of the current tools (run npm run docs after changing a tool)', () => {
    expect(replaceTable(readme, toolTable(TOOLS))).toBe(readme);
  });

  it('links to docs/results.md, which shows what every current tool returns (npm run docs)', () => {
    expect(readme).toContain('docs/results.md');
    const results = readFileSync(new URL('../../docs/results.md', import.meta.url), 'utf8');
    expect(results).toBe(resultsDoc(TOOLS));
  });

  it('documents every command-line flag and environment variable', () => {
    const flags = USAGE.match(/--[a-z-]+/g) ?? [];
    const env = USAGE.match(/\b[A-Z][A-Z0-9_]{4,}\b/g) ?? [];
    for (const name of [...new Set([...flags, ...env])]) expect(readme).toContain(name);
  });

  it('names the test command that CI runs', () => {
    expect(readme).toContain('npm test');
    expect(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8')).toContain('npm test');
  });
});
