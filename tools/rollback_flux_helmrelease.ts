import { z } from 'zod';
import { rollbackHelmRelease, rollbackOutcomeSchema } from '../src/flux/helm-rollback.js';
import {
  compactRollback,
  compactRollbackShape,
  renderRollback,
  rollbackPlan,
} from '../src/format/helm-rollback.js';
import { askPerson, confirmation, confirmParam } from './confirm.js';
import { defineTool } from './contract.js';
import {
  contextName,
  namespaceName,
  objectName,
  revisionNumber,
  text,
  FLUX_CLI_NAMESPACE,
} from './schemas.js';

export default defineTool({
  name: 'rollback_flux_helmrelease',
  title: 'Roll back HelmRelease',
  description:
    'Emergency Helm rollback: suspends the HelmRelease with the reason, rolls back as helm rollback does; fix Git, then resume.',
  input: {
    name: objectName,
    namespace: namespaceName,
    revision: revisionNumber.optional().describe('Default the previous.'),
    reason: text(500).optional().describe('Why, e.g. "INC-4412".'),
    dry_run: z.boolean().optional(),
    confirm: confirmParam,
    context: contextName,
  },
  output: { context: z.string(), ...rollbackOutcomeSchema.shape },
  compact: compactRollbackShape,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  writes: true,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const who = ctx.identity ?? (await cluster.identity());
    const rollback = (dryRun: boolean) =>
      rollbackHelmRelease(
        cluster,
        {
          namespace: args.namespace,
          name: args.name,
          ...(args.revision !== undefined ? { revision: args.revision } : {}),
          ...(args.reason ? { reason: args.reason } : {}),
          who,
          dryRun,
        },
        ctx.signal,
      );
    if (!args.dry_run && confirmation(ctx, 'rollback_flux_helmrelease', args.confirm ?? false) === 'ask')
      await askPerson(ctx, rollbackPlan(await rollback(true), cluster.context));
    const outcome = await rollback(args.dry_run ?? false);
    return {
      text: renderRollback(outcome, cluster.context),
      structured: { context: cluster.context, ...outcome },
      compact: compactRollback(outcome, cluster.context),
      ...(outcome.result === 'failed' ? { isError: true } : {}),
      outcome:
        outcome.result === 'rolled-back'
          ? `rolled-back: v${outcome.fromRevision} to v${outcome.targetRevision} as v${outcome.newRevision}`
          : outcome.result,
    };
  },
});
