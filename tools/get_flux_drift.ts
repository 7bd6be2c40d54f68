import { z } from 'zod';
import { driftReportSchema, helmReleaseDrift, kustomizationDrift } from '../src/flux/drift.js';
import { compactDrift, compactDriftShape, renderDrift } from '../src/format/drift.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName, objectName, FLUX_CLI_NAMESPACE } from './schemas.js';

export default defineTool({
  name: 'get_flux_drift',
  title: 'Flux drift',
  description:
    "How live objects differ from what Flux applies: a HelmRelease's field by field, as helm-controller computes it; a Kustomization's.",
  input: {
    kind: z.enum(['HelmRelease', 'Kustomization']),
    name: objectName,
    namespace: namespaceName,
    context: contextName,
  },
  output: { context: z.string(), ...driftReportSchema.shape },
  compact: compactDriftShape,
  annotations: READ_ONLY,
  writes: false,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const report =
      args.kind === 'HelmRelease'
        ? await helmReleaseDrift(cluster, args.namespace, args.name, ctx.signal)
        : await kustomizationDrift(cluster, args.namespace, args.name, ctx.signal);
    return {
      text: renderDrift(report, cluster.context),
      structured: { context: cluster.context, ...report },
      compact: compactDrift(report, cluster.context),
    };
  },
});
