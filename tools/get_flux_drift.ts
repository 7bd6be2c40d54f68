import { z } from 'zod';
import { driftReportSchema, helmReleaseDrift, kustomizationDrift } from '../src/flux/drift.js';
import { renderDrift } from '../src/format/drift.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName, objectName } from './schemas.js';

export default defineTool({
  name: 'get_flux_drift',
  title: 'Flux drift',
  description:
    'Shows how live objects differ from what Flux would make them. HelmRelease: as helm-controller computes it, each object of the latest release manifest server-side applied in a dry run and compared with the live one, field by field, plus missing objects, the ignore rules and opt-out label, the Drifted condition and DriftDetected events. Kustomization: inventory objects that are missing, and fields other field managers changed (who, when), which the next reconcile reverts; exact drift needs the Git source. Needs patch (dry run) on the objects.',
  input: {
    kind: z.enum(['HelmRelease', 'Kustomization']),
    name: objectName,
    namespace: namespaceName,
    context: contextName,
  },
  output: { context: z.string(), ...driftReportSchema.shape },
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const report =
      args.kind === 'HelmRelease'
        ? await helmReleaseDrift(cluster, args.namespace, args.name, ctx.signal)
        : await kustomizationDrift(cluster, args.namespace, args.name, ctx.signal);
    return {
      text: renderDrift(report, cluster.context),
      structured: { context: cluster.context, ...report },
    };
  },
});
