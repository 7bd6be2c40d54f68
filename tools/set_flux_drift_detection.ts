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
    'Sets spec.driftDetection of a HelmRelease: mode enabled (report and correct drift), warn (report only) or disabled, and ignore rules (JSON Pointer paths, optionally for a target kind/name). When a Kustomization applies the HelmRelease, names it and says whether its next reconcile reverts the change, with the YAML to commit to Git. dry_run changes nothing.',
  input: {
    name: objectName.describe('HelmRelease name.'),
    namespace: namespaceName,
    mode: z.enum(DRIFT_MODES),
    ignore: z
      .array(ignoreRuleSchema)
      .optional()
      .describe(
        'Replaces the ignore rules, e.g. [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}]; omit to keep them.',
      ),
    dry_run: z
      .boolean()
      .optional()
      .describe('Check the patch with the API server in a dry run; change nothing.'),
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
