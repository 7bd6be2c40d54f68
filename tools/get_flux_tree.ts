import { z } from 'zod';
import { buildTree, treeCountsSchema, treeNodeSchema } from '../src/flux/tree.js';
import { compactTreeShape, renderTree } from '../src/format/tree.js';
import { defineTool, READ_ONLY } from './contract.js';
import {
  apiVersionName,
  contextName,
  namespaceName,
  objectName,
  limitParam,
  FLUX_CLI_NAMESPACE,
} from './schemas.js';

const MAX_LIMIT = 2000;

export default defineTool({
  name: 'get_flux_tree',
  title: 'Flux tree',
  description:
    "What a Kustomization or HelmRelease manages, recursively: each object ready, not ready (why, and its Pods') or missing.",
  input: {
    kind: z.enum(['Kustomization', 'HelmRelease']).optional(),
    apiVersion: apiVersionName.optional(),
    name: objectName,
    namespace: namespaceName,
    problems_only: z.boolean().optional().describe('Only problems.'),
    offset: z
      .number()
      .refine((n) => Number.isInteger(n) && n >= 0, 'must be a whole number, 0 or more')
      .optional()
      .describe('From nextOffset.'),
    limit: limitParam(MAX_LIMIT),
    context: contextName,
  },
  output: {
    context: z.string(),
    counts: treeCountsSchema,
    nodes: z.array(
      treeNodeSchema.extend({
        index: z.number().describe('Position in the whole tree; offset pages by it.'),
      }),
    ),
    remaining: z.number(),
    nextOffset: z.number().optional(),
  },
  compact: compactTreeShape,
  annotations: READ_ONLY,
  writes: false,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const tree = await buildTree(
      cluster,
      {
        kind: args.kind ?? 'Kustomization',
        name: args.name,
        namespace: args.namespace,
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
      },
      ctx.signal,
    );
    const {
      text,
      selection: sel,
      compact,
    } = renderTree(
      tree,
      { offset: args.offset ?? 0, limit: args.limit, problemsOnly: args.problems_only ?? false },
      cluster.context,
    );
    return {
      text,
      structured: {
        context: cluster.context,
        counts: tree.counts,
        nodes: sel.shown.map(({ index, node }) => ({ index, ...node })),
        remaining: sel.remaining,
        ...(sel.nextOffset !== undefined ? { nextOffset: sel.nextOffset } : {}),
      },
      compact,
    };
  },
});
