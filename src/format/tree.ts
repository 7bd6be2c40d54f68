// get_flux_tree as text: one line per object, indented under the Flux object that manages it, bounded
// with offset/limit, optionally only the objects with problems and the appliers above them.
import type { NodeStatus, Tree, TreeNode } from '../flux/tree.js';
import { plural, shortenHex, truncate } from './text.js';

const MESSAGE_MAX = 160;
/** Why a workload's Pods fail has its own room: it is often the answer. */
const PODS_MAX = 240;

const WORDS: Record<NodeStatus, string> = {
  ready: 'ready',
  present: 'present',
  progressing: 'progressing',
  suspended: 'suspended',
  'not-ready': 'NOT READY',
  missing: 'MISSING',
  'not-visible': 'not visible (forbidden)',
  'unknown-kind': 'kind not served by the cluster',
};

export function isProblem(n: TreeNode): boolean {
  return n.status !== 'ready' && n.status !== 'present';
}

export interface TreeSelection {
  /** Shown nodes, with their index in the whole tree. */
  shown: { index: number; node: TreeNode }[];
  /** Nodes after the shown ones (with offset/limit), not counting those problems_only hides. */
  remaining: number;
  remainingProblems: number;
  nextOffset?: number;
}

/** The nodes to show: with problemsOnly, those with problems and every applier above them; then a page. */
export function selectNodes(
  tree: Tree,
  opts: { offset: number; limit: number; problemsOnly: boolean },
): TreeSelection {
  let candidates = tree.nodes.map((node, index) => ({ index, node }));
  if (opts.problemsOnly) {
    const keep = new Set<number>([0]);
    tree.nodes.forEach((n, i) => {
      if (!isProblem(n)) return;
      keep.add(i);
      // Walk back to the parent at each shallower depth.
      let depth = n.depth;
      for (let j = i - 1; j >= 0 && depth > 0; j--) {
        if (tree.nodes[j]!.depth < depth) {
          keep.add(j);
          depth = tree.nodes[j]!.depth;
        }
      }
    });
    candidates = candidates.filter((c) => keep.has(c.index));
  }
  const shown = candidates.slice(opts.offset, opts.offset + opts.limit);
  const rest = candidates.slice(opts.offset + opts.limit);
  return {
    shown,
    remaining: rest.length,
    remainingProblems: rest.filter((c) => isProblem(c.node)).length,
    ...(rest.length > 0 ? { nextOffset: opts.offset + opts.limit } : {}),
  };
}

function ref(n: TreeNode): string {
  return `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}`;
}

function nodeLine(n: TreeNode): string {
  const message = n.message ? `: ${truncate(shortenHex(n.message), MESSAGE_MAX)}` : '';
  const rev = n.revision ? `  rev ${shortenHex(n.revision)}` : '';
  const note = n.note ? `  (${n.note})` : '';
  const pods = n.pods ? `; ${truncate(shortenHex(n.pods), PODS_MAX)}` : '';
  return `${'  '.repeat(n.depth)}${ref(n)}  ${WORDS[n.status]}${message}${pods}${rev}${note}`;
}

export function renderTree(tree: Tree, sel: TreeSelection, context: string, problemsOnly: boolean): string {
  const root = tree.nodes[0]!;
  const c = tree.counts;
  const problems = [
    c.missing ? `${c.missing} missing` : undefined,
    c.notReady ? `${c.notReady} not ready` : undefined,
    c.notVisible ? `${c.notVisible} not visible` : undefined,
    c.unknownKind ? `${c.unknownKind} of a kind the cluster does not serve` : undefined,
  ].filter(Boolean);
  const lines = [
    `${ref(root)} manages ${plural(c.total, 'object')} (context ${context})${problems.length > 0 ? `: ${problems.join(', ')}` : ', all present'}${problemsOnly ? '; showing only objects with problems and the Flux objects above them' : ''}.`,
  ];
  for (const { node } of sel.shown) lines.push(nodeLine(node));
  if (sel.remaining > 0) {
    const withProblems = sel.remainingProblems > 0 ? ` (${sel.remainingProblems} of them with problems)` : '';
    lines.push(
      `${sel.remaining} more objects not shown${withProblems}: call again with offset: ${sel.nextOffset}${problemsOnly ? '' : ', or problems_only: true'}`,
    );
  }
  return lines.join('\n');
}
