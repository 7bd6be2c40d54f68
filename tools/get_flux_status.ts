import { z } from 'zod';
import { fleetStatus } from '../src/flux/fleet.js';
import { collectOverview } from '../src/flux/overview.js';
import { fleetSummarySchema, renderFleetStatus, statusClusterSchema } from '../src/format/fleet.js';
import { overviewOutput, renderOverview } from '../src/format/overview.js';
import { defineTool, READ_ONLY, ToolError } from './contract.js';
import { contextName, contextsParam, kindName, namespaceName, limitParam } from './schemas.js';

const DEFAULT_LIMIT = 10;
/** Per cluster, in the fleet view. */
const FLEET_DEFAULT_LIMIT = 3;
const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_flux_status',
  title: 'Flux status: what is wrong',
  description:
    'One call for "what is wrong with Flux": counts per kind and every failing, suspended and stale object. Failing objects come newest first with reason, message, revision, how long, and the failing source or dependency blocking them; suspended ones with who, since when and why; stale ones were not reconciled for several intervals. All namespaces unless namespace is given; namespaces the user cannot read are named. With contexts, asks many clusters at once: one line per cluster, then the problems by cluster. Follow up with get_flux_events, get_kubernetes_logs or get_flux_tree.',
  input: {
    namespace: namespaceName
      .or(z.literal(''))
      .optional()
      .describe('Namespace; omit or "" for all namespaces.'),
    kind: kindName.optional().describe('Only this Flux kind, e.g. HelmRelease.'),
    limit: limitParam(
      MAX_LIMIT,
      `Most objects listed per section (failing, suspended, stale); default ${DEFAULT_LIMIT}, or ${FLEET_DEFAULT_LIMIT} per cluster with contexts.`,
    ),
    context: contextName,
    contexts: contextsParam,
  },
  output: {
    ...z.object(overviewOutput).partial().shape,
    clusters: z.array(statusClusterSchema).optional().describe('With contexts: one entry per context.'),
    fleet: fleetSummarySchema.optional(),
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
      return { text: view.text, structured: { clusters: view.clusters, fleet: view.fleet } };
    }
    const cluster = await ctx.cluster(args.context);
    const overview = await collectOverview(cluster, request, ctx.signal);
    return renderOverview(overview, args.limit ?? DEFAULT_LIMIT);
  },
});
