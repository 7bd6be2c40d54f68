import { z } from 'zod';
import { fleetInstallations } from '../src/flux/fleet.js';
import { inspectInstallation, installationSchema } from '../src/flux/installation.js';
import {
  compactFleetInstallationsShape,
  fleetSummarySchema,
  instanceClusterSchema,
  renderFleetInstallations,
} from '../src/format/fleet.js';
import {
  compactInstallation,
  compactInstallationShape,
  renderInstallation,
} from '../src/format/installation.js';
import { defineTool, READ_ONLY, ToolError } from './contract.js';
import { contextName, contextsParam, controllersNamespace } from './schemas.js';

const DEFAULT_NAMESPACE = 'flux-system';

export default defineTool({
  name: 'get_flux_instance',
  title: 'Flux installation',
  description:
    'The Flux installation as flux check sees it: versions, controller readiness, CRDs, Kubernetes version, problems.',
  input: {
    namespace: controllersNamespace,
    context: contextName,
    contexts: contextsParam,
  },
  output: {
    ...installationSchema.partial().shape,
    clusters: z.array(instanceClusterSchema).optional(),
    fleet: fleetSummarySchema.optional(),
  },
  compact: {
    ...z.object(compactInstallationShape).partial().shape,
    ...z.object(compactFleetInstallationsShape).partial().shape,
  },
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    if (args.contexts) {
      if (args.context) throw new ToolError('give context or contexts, not both');
      const started = performance.now();
      const entries = await fleetInstallations(await ctx.kube(), args.contexts, namespace, ctx.signal);
      const view = renderFleetInstallations(entries, Math.round(performance.now() - started));
      return {
        text: view.text,
        structured: { clusters: view.clusters, fleet: view.fleet },
        compact: view.compact,
      };
    }
    const cluster = await ctx.cluster(args.context);
    const installation = await inspectInstallation(cluster, namespace, ctx.signal);
    return {
      text: renderInstallation(installation),
      structured: installation,
      compact: compactInstallation(installation),
    };
  },
});
