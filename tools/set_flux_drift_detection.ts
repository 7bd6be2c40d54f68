import { z } from 'zod';
import { DRIFT_MODES, driftDetectionOutcomeSchema, setDriftDetection } from '../src/flux/drift-detection.js';
import { ignoreRuleSchema } from '../src/flux/drift-ignore.js';
import { renderDriftDetection } from '../src/format/drift-detection.js';
import { defineTool } from './contract.js';
import { contextName, namespaceName, objectName } from './schemas.js';
import { WRITE_IDEMPOTENT } from './suspension-common.js';

export default defineTool({
  name: 'set_flux_drift_detection',
  title: 'Set HelmRelease drift detection',
  description:
    "Sets a HelmRelease's drift detection (enabled, warn, disabled) and ignore rules; names the Kustomization that would revert it, with the YAML to commit.",
  input: {
    name: objectName,
    namespace: namespaceName,
    mode: z.enum(DRIFT_MODES),
    ignore: z.array(ignoreRuleSchema).optional().describe('Replaces the rules; omit to keep them.'),
    dry_run: z.boolean().optional(),
    context: contextName,
  },
  output: { context: z.string(), ...driftDetectionOutcomeSchema.shape },
  annotations: WRITE_IDEMPOTENT,
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const outcome = await setDriftDetection(
      cluster,
      {
        namespace: args.namespace,
        name: args.name,
        mode: args.mode,
        ...(args.ignore ? { ignore: args.ignore } : {}),
        dryRun: args.dry_run ?? false,
      },
      ctx.signal,
    );
    return {
      text: renderDriftDetection(outcome, cluster.context),
      structured: { context: cluster.context, ...outcome },
      outcome:
        outcome.result === 'changed'
          ? `changed: ${outcome.before.mode} to ${outcome.after.mode}`
          : outcome.result,
    };
  },
});
