// migrate_flux_storage as text: the verdict, then one line per CRD that had work, errors under it.
import { z } from 'zod';
import type { CrdMigration, Migration } from '../flux/storage-migration.js';
import { facts } from './compact.js';
import { plural, truncate } from './text.js';

const ERRORS_SHOWN = 3;

function crdLine(c: CrdMigration): string[] {
  const { state, errors } = crdParts(c);
  return [`  ${c.kind} (${c.crd}): ${state}`, ...errors.map((e) => `    ${e}`)];
}

/** What the migration did to a CRD's objects, and the first errors. */
function crdParts(c: CrdMigration): { state: string; errors: string[] } {
  const before = c.storedVersionsBefore.join(', ');
  const fixed =
    c.managedFieldsFixed > 0
      ? ` (${c.managedFieldsFixed} with managedFields moved to ${c.storageVersion})`
      : '';
  const earlier = c.doneBefore > 0 ? `, ${c.doneBefore} done by an earlier run` : '';
  const gone = c.gone > 0 ? `, ${c.gone} deleted meanwhile` : '';
  let line: string;
  switch (c.result) {
    case 'migrated':
      line = `${plural(c.rewritten, 'object')} rewritten in ${c.storageVersion}${fixed}${earlier}${gone}; storedVersions ${before} -> ${c.storedVersionsAfter.join(', ')}`;
      break;
    case 'dry-run':
      line = `would rewrite ${plural(c.rewritten, 'object')} in ${c.storageVersion}${fixed} and set storedVersions ${before} -> ${c.storageVersion} (the API server accepted every request in a dry run)`;
      break;
    case 'stopped':
      line = `stopped after ${c.doneBefore + c.rewritten + c.gone} of ${c.objects} objects${earlier}; storedVersions left as ${before}; run again to continue`;
      break;
    case 'failed':
      line = `${c.failed} of ${c.objects} objects failed (${c.rewritten} rewritten${earlier}); storedVersions left as ${before}`;
      break;
    case 'up-to-date':
      line = `up to date (${c.storageVersion})`;
  }
  const errors = c.errors
    .slice(0, ERRORS_SHOWN)
    .map((e) => `${e.namespace}/${e.name}: ${truncate(e.message, 300)}`);
  if (c.failed > ERRORS_SHOWN) errors.push(`${c.failed - ERRORS_SHOWN} more failed`);
  return { state: line, errors };
}

/** migrate_flux_storage's compact structured content (docs/structured-content.md). */
export const compactMigrationShape = {
  context: z.string(),
  result: z.string(),
  /** The answer's sentence: what was done, and what to do next. */
  msg: z.string(),
  /** Each CRD that had work, by `Kind (crd name)`: what was done, and the first errors. */
  crds: z
    .record(z.string(), z.union([z.string(), z.object({ state: z.string(), errors: z.array(z.string()) })]))
    .optional(),
};

export type CompactMigration = z.infer<z.ZodObject<typeof compactMigrationShape>>;

export function compactMigration(m: Migration): CompactMigration {
  const work = m.crds.filter((c) => c.result !== 'up-to-date');
  return {
    context: m.context,
    result: m.result,
    msg: headline(m),
    ...facts({
      crds: Object.fromEntries(
        work.map((c) => {
          const { state, errors } = crdParts(c);
          return [`${c.kind} (${c.crd})`, errors.length > 0 ? { state, errors } : state];
        }),
      ),
    }),
  };
}

export function renderMigration(m: Migration): string {
  const work = m.crds.filter((c) => c.result !== 'up-to-date');
  return [headline(m), ...work.flatMap(crdLine)].join('\n');
}

function headline(m: Migration): string {
  const work = m.crds.filter((c) => c.result !== 'up-to-date');
  const upToDate = m.crds.length - work.length;
  const where = `context ${m.context}`;
  let head: string;
  switch (m.result) {
    case 'up-to-date':
      head = `Storage migration in ${where}: nothing to do, all ${plural(m.crds.length, 'Flux CRD')} store only their storage version.`;
      break;
    case 'dry-run':
      head = `Dry run of the storage migration in ${where}: ${plural(work.length, 'CRD')} to migrate, ${upToDate} up to date; nothing was changed. Run again with dry_run=false to migrate.`;
      break;
    case 'migrated':
      head = `Storage migration in ${where}: ${plural(work.length, 'CRD')} migrated, ${upToDate} already up to date. Their old versions can now be dropped by an upgrade.`;
      break;
    case 'stopped':
      head = `Storage migration in ${where} stopped (${m.stoppedBy ?? 'incomplete'}) before it finished; what is done is kept: run it again to continue.`;
      break;
    case 'failed':
      head = `Storage migration in ${where} did not finish: some objects could not be rewritten, so their CRDs keep their storedVersions. Fix the errors below and run it again; it continues where it stopped.`;
  }
  return head;
}

/**
 * What a migration would do, in one paragraph, from its dry run: the question put to the person before the
 * real run (tools/confirm.ts).
 */
export function migrationPlan(m: Migration): string {
  const work = m.crds.filter((c) => c.result !== 'up-to-date');
  const crds = work
    .map(
      (c) =>
        `${c.kind} (${plural(c.objects, 'object')}, storedVersions ${c.storedVersionsBefore.join(', ')} -> ${c.storageVersion})`,
    )
    .join('; ');
  const failed = work.filter((c) => c.failed > 0);
  const refused = failed.map((c) => {
    const e = c.errors[0];
    return `${plural(c.failed, `${c.kind} object`)} (${e ? `${e.namespace}/${e.name}: ${truncate(e.message, 200)}` : 'no detail'})`;
  });
  const dryRun =
    failed.length > 0
      ? `In the dry run the API server refused ${refused.join(', ')}: those CRDs would keep their storedVersions, the rest would be migrated.`
      : m.result === 'stopped'
        ? `The dry run stopped before it finished (${m.stoppedBy ?? 'incomplete'}).`
        : 'The API server accepted every request in a dry run.';
  return (
    `Migrate the Flux storage in context ${m.context}: rewrite the objects of ${crds} in their storage version ` +
    `and trim storedVersions, so that an upgrade can drop the old versions. ${dryRun}`
  );
}
