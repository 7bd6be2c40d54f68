import { z } from 'zod';
import { migrateStorage, migrationSchema, type Migration } from '../src/flux/storage-migration.js';
import {
  compactMigration,
  compactMigrationShape,
  migrationPlan,
  renderMigration,
  type CompactMigration,
} from '../src/format/storage-migration.js';
import { shortenHex } from '../src/format/text.js';
import { confirmDestructive, confirmParam } from './confirm.js';
import { defineTool, type ToolResult } from './contract.js';
import { timeoutMs, waitParams } from './reconcile-common.js';
import { contextName, controllersNamespace } from './schemas.js';

export default defineTool({
  name: 'migrate_flux_storage',
  title: 'Migrate Flux storage',
  description:
    'flux migrate over the API: rewrites objects stored in API versions an upgrade drops, trims storedVersions; a dry run by default.',
  input: {
    dry_run: z.boolean().optional().describe('Default true.'),
    namespace: controllersNamespace,
    timeout: waitParams.timeout,
    confirm: confirmParam,
    context: contextName,
  },
  output: migrationSchema.shape,
  compact: compactMigrationShape,
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const dryRun = args.dry_run ?? true;
    const deadline = Date.now() + timeoutMs(args.timeout, ctx);
    const migrate = (dry: boolean) =>
      migrateStorage(cluster, {
        dryRun: dry,
        namespace: args.namespace ?? 'flux-system',
        deadline,
        signal: ctx.signal,
        progress: (m) => void ctx.progress(shortenHex(m)),
      });
    if (!dryRun) {
      const plan = await migrate(true);
      // Nothing to migrate is nothing to confirm; a dry run that stops or fails is the answer as it is.
      if (plan.result === 'failed' || plan.result === 'stopped')
        return answer(
          plan,
          true,
          'The dry run the migration starts with did not pass; nothing was changed. ',
        );
      if (plan.result === 'dry-run')
        await confirmDestructive(ctx, 'migrate_flux_storage', migrationPlan(plan), args.confirm ?? false);
    }
    return answer(await migrate(dryRun), dryRun);
  },
});

function answer(migration: Migration, dryRun: boolean, before = ''): ToolResult<Migration, CompactMigration> {
  const work = migration.crds.filter((c) => c.result !== 'up-to-date');
  const objects = work.reduce((n, c) => n + c.rewritten, 0);
  return {
    text: before + renderMigration(migration),
    structured: migration,
    compact: before
      ? { ...compactMigration(migration), msg: `${before}${compactMigration(migration).msg}` }
      : compactMigration(migration),
    isError: migration.result === 'failed' || migration.result === 'stopped',
    outcome:
      migration.result === 'up-to-date'
        ? dryRun
          ? 'dry-run: up-to-date'
          : 'up-to-date'
        : `${migration.result}: ${work.length} CRDs, ${objects} objects${migration.stoppedBy ? ` (${migration.stoppedBy})` : ''}`,
  };
}
