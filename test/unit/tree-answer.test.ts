// get_flux_tree pages cut by size, not by count: the nodes from offset while the text stays within about
// 3 KB, messages shortened first; the rest counted with the offset to go on from.
import { describe, expect, it } from 'vitest';
import type { Tree, TreeNode } from '../../src/flux/tree.js';
import { TEXT_BUDGET } from '../../src/format/budget.js';
import { renderTree } from '../../src/format/tree.js';

function tree(n: number, message?: string): Tree {
  const root: TreeNode = {
    depth: 0,
    kind: 'Kustomization',
    group: '',
    namespace: 'apps',
    name: 'apps',
    status: 'ready',
  };
  const nodes: TreeNode[] = Array.from({ length: n }, (_, i) => ({
    depth: 1,
    kind: 'Deployment',
    group: 'apps',
    namespace: 'apps',
    name: `web-${i}`,
    status: message ? 'not-ready' : 'ready',
    ...(message ? { message } : {}),
  }));
  return {
    nodes: [root, ...nodes],
    counts: { total: n, missing: 0, notReady: message ? n : 0, notVisible: 0, unknownKind: 0 },
  };
}

const render = (t: Tree, opts: { offset?: number; limit?: number } = {}) =>
  renderTree(t, { offset: opts.offset ?? 0, limit: opts.limit, problemsOnly: false }, 'prod');

describe('tree answer without a limit', () => {
  it('shows every node when they all fit', () => {
    const { text, selection } = render(tree(40));
    expect(selection.shown).toHaveLength(41);
    expect(selection.nextOffset).toBeUndefined();
    expect(text).toContain('  Deployment apps/web-39  ready');
  });

  it('keeps messages of up to 160 characters whole when everything fits', () => {
    const { text } = render(tree(3, 'm'.repeat(160)));
    expect(text).toContain(`NOT READY: ${'m'.repeat(160)}`);
  });

  it('shortens the messages before it leaves out any node', () => {
    const { text, selection } = render(tree(20, 'm'.repeat(160)));
    expect(selection.shown).toHaveLength(21);
    expect(text).toContain(`NOT READY: ${'m'.repeat(80)} ... [80 more characters]`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
  });

  it('past the budget, counts the nodes left with their problems and the offset to go on from', () => {
    const { text, selection } = render(tree(300, 'm'.repeat(160)));
    const shown = selection.shown.length;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(selection).toMatchObject({ remaining: 301 - shown, nextOffset: shown });
    expect(text.split('\n').at(-1)).toBe(
      `${301 - shown} more objects not shown (${301 - shown} of them with problems): call again with offset: ${shown}, or problems_only: true`,
    );
  });

  it('starts the next page where the last one stopped', () => {
    const t = tree(300);
    const first = render(t).selection;
    const second = render(t, { offset: first.nextOffset! }).selection;
    expect(second.shown[0]!.index).toBe(first.nextOffset);
  });
});

describe('tree answer with a limit', () => {
  it('shows that many nodes, messages as they are', () => {
    const { text, selection } = render(tree(30, 'm'.repeat(160)), { limit: 25 });
    expect(selection).toMatchObject({ remaining: 6, nextOffset: 25 });
    expect(text).toContain(`NOT READY: ${'m'.repeat(160)}`);
  });
});
