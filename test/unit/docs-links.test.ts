// Every relative link of README.md and docs/*.md leads to a file of this repository and, with #anchor, to a
// heading of that file (anchors as GitHub makes them from headings).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown outside fenced code blocks, where links and headings mean something. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
}

/** GitHub's anchors for the headings of a Markdown file, with -1, -2 for repeated ones. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (m[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

function links(text: string): string[] {
  const withoutCode = prose(text).replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((t) => !/^[a-z][a-z+.-]*:/i.test(t));
}

describe('links in README.md and docs/', () => {
  it('anchors are made from headings as GitHub makes them', () => {
    expect([
      ...anchors('# Serve over HTTP\n## `--stateless` and 2.7\n## A\n## A\n```\n# not a heading\n```\n'),
    ]).toEqual(['serve-over-http', '--stateless-and-27', 'a', 'a-1']);
  });

  it('find relative links in every page', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(links(readFileSync(join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(5);
  });

  it('lead to files that exist and headings those files have', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const link of links(text)) {
        const [path = '', anchor] = link.split('#', 2);
        const target = path ? join(dirname(join(ROOT, page)), decodeURI(path)) : join(ROOT, page);
        if (!existsSync(target)) {
          broken.push(`${page}: ${link} (no file ${relative(ROOT, target)})`);
          continue;
        }
        if (
          anchor !== undefined &&
          target.endsWith('.md') &&
          !anchors(readFileSync(target, 'utf8')).has(anchor)
        )
          broken.push(`${page}: ${link} (no heading for #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
