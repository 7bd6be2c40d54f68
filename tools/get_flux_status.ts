import { collectOverview } from '../src/flux/overview.js';
import { overviewOutput, renderOverview } from '../src/format/overview.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, kindName, namespaceOrAll, limitParam } from './schemas.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_flux_status',
  title: 'Flux status: what is wrong',
  description:
    'Start here for "what is wrong with Flux": counts per kind, every failing or stalled object (reason, message, since when, failing source), suspended ones (who, why) and stale ones.',
  input: {
    namespace: namespaceOrAll.optional(),
    kind: kindName.optional().describe('Only this Flux kind.'),
    limit: limitParam(MAX_LIMIT, `Per section (default ${DEFAULT_LIMIT}).`),
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
