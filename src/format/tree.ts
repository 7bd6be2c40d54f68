// get_flux_tree as text: one line per object, indented under the Flux object that manages it, a page from
// offset cut by size (src/format/budget.ts) or by limit, optionally only the objects with problems and the
// appliers above them.
import type { NodeStatus, Tree, TreeNode } from '../flux/tree.js';
import { z } from 'zod';
import { fitToBudget, sectionLines, textBytes, TEXT_BUDGET } from './budget.js';
import { counts, facts } from './compact.js';
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
): { text: string; selection: TreeSelection; compact: CompactTreeAnswer } {
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
  const list = {
    count: page.length,
    lines: (i: number, max: number) => [nodeLine(page[i]!.node, max)],
    more,
  };
  const fit = fitToBudget([list], {
    room: TEXT_BUDGET - textBytes([head]),
    steps: MESSAGE_STEPS,
    limit,
    minimum: 1,
  });
  const lines = sectionLines([list], fit);
  const selection = firstOf(page, offset, fit.shown[0]!);
  return {
    text: [head, ...lines].join('\n'),
    selection,
    compact: {
      context,
      counts: counts(c),
      tree: nest(selection.shown, fit.messageMax),
      ...facts({
        more: counts({ objects: selection.remaining, problems: selection.remainingProblems }),
        next:
          selection.nextOffset !== undefined
            ? `call again with offset: ${selection.nextOffset}${problemsOnly ? '' : ', or problems_only: true'}`
            : undefined,
      }),
    },
  };
}

/** A node as the text shows it after its name: its state, why, its Pods, revision and note. */
function nodeValue(n: TreeNode, messageMax: number): string {
  return nodeLine({ ...n, depth: 0 }, messageMax).slice(ref(n).length + 2);
}

/**
 * The shown nodes nested as the text indents them: a map from each object's name to its state, or, for an
 * object with objects under it on the page, to its state and theirs.
 */
function nest(shown: TreeSelection['shown'], messageMax: number): CompactTree {
  const top: CompactTree = {};
  const stack: { depth: number; objects: CompactTree }[] = [];
  const put = (into: CompactTree, key: string, value: CompactTree[string]) => {
    let k = key;
    for (let n = 2; k in into; n++) k = `${key} (${n})`;
    into[k] = value;
  };
  shown.forEach(({ node }, i) => {
    while (stack.length > 0 && stack.at(-1)!.depth >= node.depth) stack.pop();
    const into = stack.at(-1)?.objects ?? top;
    const status = nodeValue(node, messageMax);
    const next = shown[i + 1]?.node;
    if (next && next.depth > node.depth) {
      const objects: CompactTree = {};
      put(into, ref(node), { status, objects });
      stack.push({ depth: node.depth, objects });
    } else {
      put(into, ref(node), status);
    }
  });
  return top;
}

export interface CompactTree {
  [name: string]: string | { status: string; objects: CompactTree };
}

const treeLevel = (): z.ZodType<CompactTree> =>
  z.record(z.string(), z.union([z.string(), z.object({ status: z.string(), objects: compactTreeSchema })]));
const compactTreeSchema: z.ZodType<CompactTree> = z.lazy(treeLevel);

/** get_flux_tree's compact structured content (docs/structured-content.md). */
export const compactTreeShape = {
  context: z.string(),
  counts: z.object({
    total: z.number().optional(),
    missing: z.number().optional(),
    notReady: z.number().optional(),
    notVisible: z.number().optional(),
    unknownKind: z.number().optional(),
  }),
  /** The objects shown, nested as the text indents them: each one's state, or its state and its objects. */
  // The top level declared as it is (the published schema then says it is an object), below it the same shape.
  tree: treeLevel(),
  more: z.object({ objects: z.number().optional(), problems: z.number().optional() }).optional(),
  next: z.string().optional(),
};

export type CompactTreeAnswer = z.infer<z.ZodObject<typeof compactTreeShape>>;
