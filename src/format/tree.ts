// get_flux_tree as text: one line per object, indented under the Flux object that manages it, a page from
// offset cut by size (src/format/budget.ts) or by limit, optionally only the objects with problems and the
// appliers above them.
import type { NodeStatus, Tree, TreeNode } from '../flux/tree.js';
import { fitList, textBytes, TEXT_BUDGET } from './budget.js';
import { plural, shortenHex, truncate } from './text.js';

/** Messages are shortened to these before objects are left out of a page. */
const MESSAGE_STEPS = [160, 80, 0];
/** Why a workload's Pods fail has its own room, half again a message's: it is often the answer. */
const podsMax = (messageMax: number) => messageMax * 1.5;

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
  return firstOf(candidates.slice(opts.offset), opts.offset, opts.limit);
}

/** The first `n` nodes of a page that starts at `offset`, and what is left after them. */
function firstOf(page: TreeSelection['shown'], offset: number, n: number): TreeSelection {
  const rest = page.slice(n);
  return {
    shown: page.slice(0, n),
    remaining: rest.length,
    remainingProblems: rest.filter((c) => isProblem(c.node)).length,
    ...(rest.length > 0 ? { nextOffset: offset + n } : {}),
  };
}

function ref(n: TreeNode): string {
  return `${n.kind} ${n.namespace ? `${n.namespace}/` : ''}${n.name}`;
}

function nodeLine(n: TreeNode, messageMax: number): string {
  const message = n.message && messageMax > 0 ? `: ${truncate(shortenHex(n.message), messageMax)}` : '';
  const rev = n.revision ? `  rev ${shortenHex(n.revision)}` : '';
  const note = n.note ? `  (${n.note})` : '';
  const pods = n.pods && messageMax > 0 ? `; ${truncate(shortenHex(n.pods), podsMax(messageMax))}` : '';
  return `${'  '.repeat(n.depth)}${ref(n)}  ${WORDS[n.status]}${message}${pods}${rev}${note}`;
}

/**
 * get_flux_tree's answer: the nodes from `offset`, without a limit as many as fit in about 3 KB of text
 * (messages shortened first, at least one node), with a limit that many; then how many are left and the
 * offset to go on from.
 */
export function renderTree(
  tree: Tree,
  opts: { offset: number; limit?: number | undefined; problemsOnly: boolean },
  context: string,
): { text: string; selection: TreeSelection } {
  const { offset, limit, problemsOnly } = opts;
  const root = tree.nodes[0]!;
  const c = tree.counts;
  const problems = [
    c.missing ? `${c.missing} missing` : undefined,
    c.notReady ? `${c.notReady} not ready` : undefined,
    c.notVisible ? `${c.notVisible} not visible` : undefined,
    c.unknownKind ? `${c.unknownKind} of a kind the cluster does not serve` : undefined,
  ].filter(Boolean);
  const head = `${ref(root)} manages ${plural(c.total, 'object')} (context ${context})${problems.length > 0 ? `: ${problems.join(', ')}` : ', all present'}${problemsOnly ? '; showing only objects with problems and the Flux objects above them' : ''}.`;

  // Every node from offset; the budget (or the limit) says how many of them this page shows.
  const page = selectNodes(tree, { offset, limit: Infinity, problemsOnly }).shown;
  const more = (rest: number) => {
    const sel = firstOf(page, offset, page.length - rest);
    const withProblems = sel.remainingProblems > 0 ? ` (${sel.remainingProblems} of them with problems)` : '';
    return [
      `${rest} more objects not shown${withProblems}: call again with offset: ${sel.nextOffset}${problemsOnly ? '' : ', or problems_only: true'}`,
    ];
  };
  const { shown, lines } = fitList(
    { count: page.length, lines: (i, max) => [nodeLine(page[i]!.node, max)], more },
    { room: TEXT_BUDGET - textBytes([head]), steps: MESSAGE_STEPS, limit, minimum: 1 },
  );
  return { text: [head, ...lines].join('\n'), selection: firstOf(page, offset, shown) };
}
