import { z } from 'zod';
import { DRIFT_MODES, driftDetectionOutcomeSchema, setDriftDetection } from '../src/flux/drift-detection.js';
import { ignoreRuleSchema } from '../src/flux/drift-ignore.js';
import {
  compactDriftDetection,
  compactDriftDetectionShape,
  renderDriftDetection,
} from '../src/format/drift-detection.js';
import { defineTool } from './contract.js';
import { contextName, namespaceName, objectName, FLUX_CLI_NAMESPACE } from './schemas.js';
import { WRITE_IDEMPOTENT } from './suspension-common.js';

const TARGET_KEYS = ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'];

/**
 * An ignore rule as the tool takes it: the target is a plain map of selector fields (checked here), so the
 * parameter's JSON Schema stays short; the Flux API's field names are listed in the check's message.
 */
const ignoreRuleInput = z.object({
  paths: z.array(z.string()),
  target: z
    .record(z.string(), z.string())
    .refine(
      (t) => Object.keys(t).every((k) => TARGET_KEYS.includes(k)),
      `target may only name ${TARGET_KEYS.join(', ')}`,
    )
    .optional(),
});

export default defineTool({
  name: 'set_flux_drift_detection',
  title: 'Set drift detection',
  description:
    "Sets a HelmRelease's drift detection (enabled, warn, disabled) and ignore rules; names a Kustomization that would revert it.",
  input: {
    name: objectName,
    namespace: namespaceName,
    mode: z.enum(DRIFT_MODES),
    ignore: z.array(ignoreRuleInput).optional().describe('Replaces the rules; omit to keep them.'),
    dry_run: z.boolean().optional(),
    context: contextName,
  },
  output: { context: z.string(), ...driftDetectionOutcomeSchema.shape },
  compact: compactDriftDetectionShape,
  annotations: WRITE_IDEMPOTENT,
  writes: true,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const outcome = await setDriftDetection(
      cluster,
      {
        namespace: args.namespace,
        name: args.name,
        mode: args.mode,
        ...(args.ignore ? { ignore: args.ignore.map((rule) => ignoreRuleSchema.parse(rule)) } : {}),
        dryRun: args.dry_run ?? false,
      },
      ctx.signal,
    );
    return {
      text: renderDriftDetection(outcome, cluster.context),
      structured: { context: cluster.context, ...outcome },
      compact: compactDriftDetection(outcome, cluster.context),
      outcome:
        outcome.result === 'changed'
          ? `changed: ${outcome.before.mode} to ${outcome.after.mode}`
          : outcome.result,
    };
  },
});
