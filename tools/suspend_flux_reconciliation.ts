import { z } from 'zod';
import { suspend, suspendOutcomeSchema } from '../src/flux/suspend.js';
import { defineTool } from './contract.js';
import { selectionInput, selectionResult, WRITE_IDEMPOTENT } from './suspension-common.js';

export default defineTool({
  name: 'suspend_flux_reconciliation',
  title: 'Suspend Flux reconciliation',
  description:
    'Pauses reconciliation of a Flux object, for maintenance or an incident: toolkit kinds get spec.suspend: true, Flux Operator kinds and ArtifactGenerator their reconcile annotation. Records why (reason), who and when as annotations on the object, and sets fluxcd.controlplane.io/suspendedBy, which the Flux web UI shows. all: true suspends every object of the kind in the namespace. An object that is already suspended is left as it is. Resume with resume_flux_reconciliation.',
  input: {
    ...selectionInput,
    reason: z
      .string()
      .max(500)
      .optional()
      .describe('Why, e.g. "db migration INC-4411"; recorded on the object.'),
  },
  output: {
    context: z.string(),
    action: z.literal('suspend'),
    ...suspendOutcomeSchema.shape,
  },
  annotations: WRITE_IDEMPOTENT,
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const who = ctx.identity ?? (await cluster.identity());
    const outcome = await suspend(
      cluster,
      {
        kind: args.kind,
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        namespace: args.namespace,
        ...(args.name ? { name: args.name } : {}),
        all: args.all ?? false,
        dryRun: args.dry_run ?? false,
        ...(args.reason ? { reason: args.reason } : {}),
        who,
      },
      ctx.signal,
    );
    return selectionResult('suspend', cluster.context, outcome);
  },
});
