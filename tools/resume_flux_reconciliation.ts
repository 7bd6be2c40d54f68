import { z } from 'zod';
import { resume, resumeOutcomeSchema } from '../src/flux/suspend.js';
import { shortenHex } from '../src/format/text.js';
import { FLUX_CLI_NAMESPACE } from './schemas.js';
import { compactSelectionShape } from '../src/format/selection.js';
import { defineTool } from './contract.js';
import { waitOptions, waitParams } from './reconcile-common.js';
import { selectionInput, selectionResult, WRITE_IDEMPOTENT } from './suspension-common.js';

export default defineTool({
  name: 'resume_flux_reconciliation',
  title: 'Resume Flux',
  description:
    "Resumes a suspended Flux object, or all of a kind in a namespace (not others' suspensions), requests a reconcile and waits for Ready or failure.",
  input: {
    ...selectionInput,
    include_suspended_by_others: z.boolean().optional(),
    wait: waitParams.wait,
    timeout: waitParams.timeout,
  },
  output: {
    context: z.string(),
    action: z.literal('resume'),
    ...resumeOutcomeSchema.shape,
  },
  compact: compactSelectionShape,
  annotations: WRITE_IDEMPOTENT,
  writes: true,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    // Who resumes (recorded on the object) and whose suspensions a bulk resume may end: the caller's.
    const who = ctx.identity ?? (await cluster.identity());
    const outcome = await resume(
      cluster,
      {
        kind: args.kind,
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        namespace: args.namespace,
        ...(args.name ? { name: args.name } : {}),
        all: args.all ?? false,
        who,
        includeOthers: args.include_suspended_by_others ?? false,
        ...waitOptions(args, ctx),
      },
      { signal: ctx.signal, progress: (m) => ctx.progress(shortenHex(m)) },
    );
    return selectionResult('resume', cluster.context, outcome);
  },
});
