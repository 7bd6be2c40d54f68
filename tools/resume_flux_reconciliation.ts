import { z } from 'zod';
import { resume, resumeOutcomeSchema } from '../src/flux/suspend.js';
import { shortenHex } from '../src/format/text.js';
import { defineTool } from './contract.js';
import { waitOptions, waitParams } from './reconcile-common.js';
import { selectionInput, selectionResult, WRITE_IDEMPOTENT } from './suspension-common.js';

export default defineTool({
  name: 'resume_flux_reconciliation',
  title: 'Resume Flux reconciliation',
  description:
    'Resumes a suspended Flux object: removes spec.suspend (or sets the Flux Operator reconcile annotation to enabled) and the suspension annotations, requests a reconcile, and by default waits until the object is Ready or failed, reporting the revision. all: true resumes every object of the kind in the namespace and waits for all of them.',
  input: {
    ...selectionInput,
    wait: waitParams.wait,
    timeout: waitParams.timeout,
  },
  output: {
    context: z.string(),
    action: z.literal('resume'),
    ...resumeOutcomeSchema.shape,
  },
  annotations: WRITE_IDEMPOTENT,
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const outcome = await resume(
      cluster,
      {
        kind: args.kind,
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        namespace: args.namespace,
        ...(args.name ? { name: args.name } : {}),
        all: args.all ?? false,
        ...waitOptions(args),
      },
      { signal: ctx.signal, progress: (m) => ctx.progress(shortenHex(m)) },
    );
    return selectionResult('resume', cluster.context, outcome);
  },
});
