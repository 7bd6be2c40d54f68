import { z } from 'zod';
import { rollbackHelmRelease, rollbackOutcomeSchema } from '../src/flux/helm-rollback.js';
import { renderRollback } from '../src/format/helm-rollback.js';
import { defineTool } from './contract.js';
import { contextName, namespaceName, objectName } from './schemas.js';

export default defineTool({
  name: 'rollback_flux_helmrelease',
  title: 'Emergency rollback of a HelmRelease',
  description:
    "The emergency Helm rollback in one call: suspends the HelmRelease with the reason, then rolls its Helm release back as `helm rollback` does: new revision, the target's objects applied the way the target was (server-side apply or three-way merge), objects it lacks deleted, maxHistory kept. revision defaults to the previous one, as Helm's does; a failed target or one without its chart is refused, with the good ones. Hooks are not run. Resuming before Git is fixed upgrades back to the broken version. dry_run shows the plan.",
  input: {
    name: objectName.describe('HelmRelease name.'),
    namespace: namespaceName,
    revision: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Helm revision to roll back to (default: the previous revision). See get_helmrelease_history.',
      ),
    reason: z
      .string()
      .max(500)
      .optional()
      .describe('Why, e.g. "chart 6.5.1 breaks logins INC-4412"; recorded on the HelmRelease.'),
    dry_run: z
      .boolean()
      .optional()
      .describe(
        'Show the plan (target, each object created, changed field by field, or deleted), checked by the API server; change nothing.',
      ),
    context: contextName,
  },
  output: { context: z.string(), ...rollbackOutcomeSchema.shape },
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const who = ctx.identity ?? (await cluster.identity());
    const outcome = await rollbackHelmRelease(
      cluster,
      {
        namespace: args.namespace,
        name: args.name,
        ...(args.revision !== undefined ? { revision: args.revision } : {}),
        ...(args.reason ? { reason: args.reason } : {}),
        who,
        dryRun: args.dry_run ?? false,
      },
      ctx.signal,
    );
    return {
      text: renderRollback(outcome, cluster.context),
      structured: { context: cluster.context, ...outcome },
      ...(outcome.result === 'failed' ? { isError: true } : {}),
      outcome:
        outcome.result === 'rolled-back'
          ? `rolled-back: v${outcome.fromRevision} to v${outcome.targetRevision} as v${outcome.newRevision}`
          : outcome.result,
    };
  },
});
