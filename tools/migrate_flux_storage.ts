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
import { askPerson, confirmation, confirmParam } from './confirm.js';
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
    if (!dryRun && confirmation(ctx, 'migrate_flux_storage', args.confirm ?? false) === 'ask') {
      const plan = await migrate(true);
      // Nothing to migrate is nothing to confirm.
      if (plan.result !== 'up-to-date') await askPerson(ctx, migrationPlan(plan));
    }
    return answer(await migrate(dryRun), dryRun);
  },
});

function answer(migration: Migration, dryRun: boolean): ToolResult<Migration, CompactMigration> {
  const work = migration.crds.filter((c) => c.result !== 'up-to-date');
  const objects = work.reduce((n, c) => n + c.rewritten, 0);
  return {
    text: renderMigration(migration),
    structured: migration,
    compact: compactMigration(migration),
    isError: migration.result === 'failed' || migration.result === 'stopped',
    outcome:
      migration.result === 'up-to-date'
        ? dryRun
          ? 'dry-run: up-to-date'
          : 'up-to-date'
        : `${migration.result}: ${work.length} CRDs, ${objects} objects${migration.stoppedBy ? ` (${migration.stoppedBy})` : ''}`,
  };
}
