import { describe, expect, it } from 'vitest';
import type { NodeStatus, Tree, TreeNode } from '../../src/flux/tree.js';
import { selectNodes } from '../../src/format/tree.js';

const n = (depth: number, name: string, status: NodeStatus = 'ready'): TreeNode => ({
  depth,
  kind: 'K',
  group: '',
  name,
  status,
});

const tree: Tree = {
  nodes: [
    n(0, 'root'),
    n(1, 'a'),
    n(1, 'child'),
    n(2, 'b'),
    n(2, 'grandchild'),
    n(3, 'deep', 'missing'),
    n(2, 'c'),
    n(1, 'other', 'not-ready'),
  ],
  counts: { total: 7, missing: 1, notReady: 1, notVisible: 0, unknownKind: 0 },
};

const names = (sel: ReturnType<typeof selectNodes>) => sel.shown.map((s) => s.node.name);

describe('selectNodes', () => {
  it('keeps problems and every applier above them, and nothing else, with problems_only', () => {
    expect(names(selectNodes(tree, { offset: 0, limit: 100, problemsOnly: true }))).toEqual([
      'root',
      'child',
      'grandchild',
      'deep',
      'other',
    ]);
  });

  it('pages by position in the whole tree and counts the problems left', () => {
    const sel = selectNodes(tree, { offset: 2, limit: 3, problemsOnly: false });
    expect(sel.shown.map((s) => s.index)).toEqual([2, 3, 4]);
    expect(sel).toMatchObject({ remaining: 3, remainingProblems: 2, nextOffset: 5 });
  });

  it('has no next offset on the last page', () => {
    expect(selectNodes(tree, { offset: 0, limit: 100, problemsOnly: false }).nextOffset).toBeUndefined();
  });
});
