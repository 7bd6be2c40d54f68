// Code comments cite files of this repository, and the sections they name exist.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SEMANTICS = 'docs/flux-semantics.md';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

const files = ['src', 'tools', 'test', 'bench'].flatMap((d) => sourceFiles(join(ROOT, d)));
const headings = readFileSync(join(ROOT, SEMANTICS), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('## '))
  .map((l) => l.slice(3).trim())
  .sort((a, b) => b.length - a.length);

/** The section names a citation such as `(docs/flux-semantics.md, sections Logs and Events)` gives. */
function citations(text: string): string[] {
  const flat = text.replace(/\n\s*\/\/ ?/g, ' ');
  const found: string[] = [];
  for (const m of flat.matchAll(/docs\/flux-semantics\.md, (?:sections? )?/g)) {
    let rest = flat.slice(m.index + m[0].length);
    let depth = 0;
    let end = 0;
    for (; end < rest.length; end++) {
      if (rest[end] === '(') depth++;
      if (rest[end] === ')' && depth-- === 0) break;
    }
    rest = rest.slice(0, end);
    found.push(rest);
  }
  return found;
}

/** What is left of a citation once the headings it names are taken away; empty when all exist. */
function unknownPart(citation: string): string {
  let rest = citation.trim();
  for (;;) {
    const heading = headings.find((h) => rest.startsWith(h));
    if (!heading) return rest;
    rest = rest.slice(heading.length).replace(/^ and /, '');
    if (!rest) return '';
  }
}

describe('citations in code comments', () => {
  it('name no file outside this repository', () => {
    const outside = files.filter((f) => /reference\/[\w-]+\.md|\.\.\/shared/.test(readFileSync(f, 'utf8')));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it(`name sections that ${SEMANTICS} has`, () => {
    const cited = files.flatMap((f) =>
      citations(readFileSync(f, 'utf8')).map((c) => ({ file: relative(ROOT, f), citation: c })),
    );
    expect(cited.length).toBeGreaterThan(10);
    expect(cited.filter((c) => unknownPart(c.citation) !== '')).toEqual([]);
  });
});
