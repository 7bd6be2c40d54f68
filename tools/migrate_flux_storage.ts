import { z } from 'zod';
import { migrateStorage, migrationSchema } from '../src/flux/storage-migration.js';
import { renderMigration } from '../src/format/storage-migration.js';
import { shortenHex } from '../src/format/text.js';
import { defineTool } from './contract.js';
import { timeoutMs, waitParams } from './reconcile-common.js';
import { contextName, namespaceName } from './schemas.js';

export default defineTool({
  name: 'migrate_flux_storage',
  title: 'Migrate Flux objects to the storage versions',
  description:
    'What flux migrate does, before an upgrade that drops an API version: for each Flux CRD whose status.storedVersions lists old versions, rewrites every object in the storage version, then trims storedVersions. Dry run unless dry_run is false. Refuses while controllers of another release than the CRDs run. Stopped runs (timeout, cancel, errors) continue where they stopped on the next call. Needs cluster-wide patch on Flux kinds and update on customresourcedefinitions/status.',
  input: {
    dry_run: z
      .boolean()
      .optional()
      .describe('Default true: send every request as a server-side dry run and change nothing.'),
    namespace: namespaceName.optional().describe('Namespace of the Flux controllers (default flux-system).'),
    timeout: waitParams.timeout.describe(
      'Stop after this long, keeping what is done (default 5m, at most 30m).',
    ),
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
      deadline: Date.now() + timeoutMs(args.timeout),
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
