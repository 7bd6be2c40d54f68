import { z } from 'zod';
import { suspend, suspendOutcomeSchema } from '../src/flux/suspend.js';
import { text, FLUX_CLI_NAMESPACE } from './schemas.js';
import { compactSelectionShape } from '../src/format/selection.js';
import { defineTool } from './contract.js';
import { selectionInput, selectionResult, WRITE_IDEMPOTENT } from './suspension-common.js';

export default defineTool({
  name: 'suspend_flux_reconciliation',
  title: 'Suspend Flux',
  description:
    'Suspends a Flux object, or every object of a kind in a namespace, recording why, who and when on it.',
  input: {
    ...selectionInput,
    reason: text(500).optional().describe('Why, e.g. "INC-4411".'),
  },
  output: {
    context: z.string(),
    action: z.literal('suspend'),
    ...suspendOutcomeSchema.shape,
  },
  compact: compactSelectionShape,
  annotations: WRITE_IDEMPOTENT,
  writes: true,
  defaultNamespace: FLUX_CLI_NAMESPACE,
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
