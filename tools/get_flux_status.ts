import { z } from 'zod';
import { fleetStatus } from '../src/flux/fleet.js';
import { collectOverview } from '../src/flux/overview.js';
import {
  compactFleetStatusShape,
  fleetSummarySchema,
  renderFleetStatus,
  statusClusterSchema,
} from '../src/format/fleet.js';
import { compactOverviewShape } from '../src/format/overview-compact.js';
import { overviewOutput, renderOverview } from '../src/format/overview.js';
import { defineTool, READ_ONLY, ToolError } from './contract.js';
import { contextName, contextsParam, kindName, namespaceOrAll, limitParam } from './schemas.js';

/** Per cluster, in the fleet view. */
const FLEET_DEFAULT_LIMIT = 3;
const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_flux_status',
  title: 'Flux status',
  description:
    'Start here for "what is wrong with Flux": counts, failing or stalled objects (reason, since when, failing source), suspended, stale.',
  input: {
    namespace: namespaceOrAll.optional(),
    kind: kindName.optional().describe('Only this Flux kind.'),
    limit: limitParam(MAX_LIMIT),
    context: contextName,
    contexts: contextsParam,
  },
  output: {
    ...z.object(overviewOutput).partial().shape,
    clusters: z.array(statusClusterSchema).optional(),
    fleet: fleetSummarySchema.optional(),
  },
  compact: {
    ...z.object(compactOverviewShape).partial().shape,
    ...z.object(compactFleetStatusShape).partial().shape,
  },
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const request = {
      ...(args.namespace ? { namespace: args.namespace } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
    };
    if (args.contexts) {
      if (args.context) throw new ToolError('give context or contexts, not both');
      const started = performance.now();
      const entries = await fleetStatus(await ctx.kube(), args.contexts, request, ctx.signal);
      const view = renderFleetStatus(
        entries,
        args.limit ?? FLEET_DEFAULT_LIMIT,
        Math.round(performance.now() - started),
      );
      return {
        text: view.text,
        structured: { clusters: view.clusters, fleet: view.fleet },
        compact: view.compact,
      };
    }
    const cluster = await ctx.cluster(args.context);
    const overview = await collectOverview(cluster, request, ctx.signal);
    return renderOverview(overview, args.limit);
  },
});
