import { z } from 'zod';
import { collectOverview } from '../src/flux/overview.js';
import { overviewOutput, renderOverview } from '../src/format/overview.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, kindName, namespaceName, limitParam } from './schemas.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_flux_status',
  title: 'Flux status: what is wrong',
  description:
    'One call for "what is wrong with Flux": counts per kind and every failing, suspended and stale object. Counts per Flux kind (ready, failing, progressing, suspended, stale); every failing or stalled object with reason, message, revision and how long it has been failing (newest first, with the failing source or dependency it is blocked by), every suspended object with who, since when and why, and stale objects (not reconciled for several intervals, or a reconcile request left unhandled). All namespaces unless namespace is given; namespaces the user cannot read are named, not skipped. Follow up with get_flux_events, get_kubernetes_logs or get_flux_tree on an object it names.',
  input: {
    namespace: namespaceName
      .or(z.literal(''))
      .optional()
      .describe('Namespace; omit or "" for all namespaces.'),
    kind: kindName.optional().describe('Only this Flux kind, e.g. HelmRelease.'),
    limit: limitParam(
      MAX_LIMIT,
      `Most objects listed per section (failing, suspended, stale); default ${DEFAULT_LIMIT}.`,
    ),
    context: contextName,
  },
  output: overviewOutput,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const overview = await collectOverview(
      cluster,
      { ...(args.namespace ? { namespace: args.namespace } : {}), ...(args.kind ? { kind: args.kind } : {}) },
      ctx.signal,
    );
    return renderOverview(overview, args.limit ?? DEFAULT_LIMIT);
  },
});
