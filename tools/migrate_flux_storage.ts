import { z } from 'zod';
import { migrateStorage, migrationSchema } from '../src/flux/storage-migration.js';
import { renderMigration } from '../src/format/storage-migration.js';
import { shortenHex } from '../src/format/text.js';
import { defineTool } from './contract.js';
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
    context: contextName,
  },
  output: migrationSchema.shape,
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
    const migration = await migrateStorage(cluster, {
      dryRun,
      namespace: args.namespace ?? 'flux-system',
      deadline: Date.now() + timeoutMs(args.timeout, ctx),
      signal: ctx.signal,
      progress: (m) => void ctx.progress(shortenHex(m)),
    });
    const work = migration.crds.filter((c) => c.result !== 'up-to-date');
    const objects = work.reduce((n, c) => n + c.rewritten, 0);
    return {
      text: renderMigration(migration),
      structured: migration,
      isError: migration.result === 'failed' || migration.result === 'stopped',
      outcome:
        migration.result === 'up-to-date'
          ? dryRun
            ? 'dry-run: up-to-date'
            : 'up-to-date'
          : `${migration.result}: ${work.length} CRDs, ${objects} objects${migration.stoppedBy ? ` (${migration.stoppedBy})` : ''}`,
    };
  },
});
