// check_flux_upgrade as text: the verdict first, then what blocks, what is stored and applied in removed
// versions, and the numbered steps with their exact commands.
import { z } from 'zod';
import type { UpgradeCheck } from '../flux/upgrade-check.js';
import { counts, facts, keyed, refOf } from './compact.js';
import { plural } from './text.js';

const OBJECTS_SHOWN = 10;

type Applied = UpgradeCheck['removedInUse'][number];

const hiddenOf = (list: Applied[], omitted: number) =>
  list.length - Math.min(list.length, OBJECTS_SHOWN) + omitted;

function appliedLines(list: Applied[], omitted: number): string[] {
  const lines = list
    .slice(0, OBJECTS_SHOWN)
    .map((o) => `  ${o.kind} ${o.namespace}/${o.name}  ${o.apiVersion}  applied by ${o.appliedBy}`);
  const more = hiddenOf(list, omitted);
  if (more > 0) lines.push(`  ${more} more not shown`);
  return lines;
}

function verdictOf(c: UpgradeCheck): string {
  return c.blockers.length > 0
    ? `not ready: ${plural(c.blockers.length, 'blocker')}`
    : c.steps.length === 0
      ? 'nothing to do'
      : 'ready once the steps below are done';
}

function storageLine(c: UpgradeCheck, s: UpgradeCheck['storage'][number]): string {
  const removed =
    s.removedInTarget.length > 0 ? `; ${s.removedInTarget.join(', ')} removed in ${c.target.minor}` : '';
  const count = s.objects !== undefined ? `, ${plural(s.objects, 'object')} to rewrite` : '';
  return `${s.storedVersions.join(', ')} -> ${s.storageVersion ?? '?'}${count}${removed}`;
}

/** check_flux_upgrade's compact structured content (docs/structured-content.md). */
export const compactUpgradeCheckShape = {
  context: z.string(),
  from: z.string().optional(),
  to: z.string(),
  verdict: z.string(),
  /** How Flux was installed, which decides how to upgrade it. */
  installedBy: z.string(),
  kubernetes: z.string().optional(),
  /** The oldest Kubernetes the target supports; tooOld when the cluster's is older. */
  needs: z.string(),
  tooOld: z.boolean().optional(),
  blockers: z.array(z.string()).optional(),
  /** Each kind's stored versions, as the text says them. */
  storage: z.record(z.string(), z.string()).optional(),
  /** Objects applied from Git in versions the target removes: their apiVersion and who applies them. */
  removedInUse: z.record(z.string(), z.string()).optional(),
  deprecatedInUse: z.record(z.string(), z.string()).optional(),
  more: z.object({ removedInUse: z.number().optional(), deprecatedInUse: z.number().optional() }).optional(),
  warnings: z.array(z.string()).optional(),
  /** The steps in order: each title with its exact commands. */
  steps: z.record(z.string(), z.array(z.string())).optional(),
  notVisible: z.array(z.string()).optional(),
};

export type CompactUpgradeCheck = z.infer<z.ZodObject<typeof compactUpgradeCheckShape>>;

export function compactUpgradeCheck(c: UpgradeCheck): CompactUpgradeCheck {
  const applied = (list: Applied[]) =>
    keyed(list.slice(0, OBJECTS_SHOWN), refOf, (o) => `${o.apiVersion}  applied by ${o.appliedBy}`);
  return {
    context: c.context,
    ...facts({ from: c.installed?.version }),
    to: c.target.version,
    verdict: verdictOf(c),
    installedBy: c.method.detail,
    ...facts({ kubernetes: c.kubernetes.version }),
    needs: c.kubernetes.minimum,
    ...facts({
      tooOld: c.kubernetes.tooOld,
      blockers: c.blockers,
      storage: Object.fromEntries(c.storage.map((s) => [s.kind, storageLine(c, s)])),
      removedInUse: applied(c.removedInUse),
      deprecatedInUse: applied(c.deprecatedInUse),
      more: counts({
        removedInUse: hiddenOf(c.removedInUse, c.omitted.removedInUse),
        deprecatedInUse: hiddenOf(c.deprecatedInUse, c.omitted.deprecatedInUse),
      }),
      warnings: c.warnings,
      steps: keyed(
        c.steps,
        (s) => s.title,
        (s) => s.actions,
      ),
      notVisible: c.notVisible,
    }),
  };
}

export function renderUpgradeCheck(c: UpgradeCheck): string {
  const from = c.installed ? `Flux ${c.installed.version}` : 'Flux (version unknown)';
  const verdict = verdictOf(c);
  const lines = [
    `Upgrade of ${from} to ${c.target.version} in context ${c.context}: ${verdict}.`,
    `Installed by ${c.method.detail}. Kubernetes ${c.kubernetes.version ?? '(unknown)'}; Flux ${c.target.minor} needs ${c.kubernetes.minimum} or newer${c.kubernetes.tooOld ? ' (TOO OLD)' : ''}.`,
  ];
  if (c.blockers.length > 0) {
    lines.push('Blockers:');
    for (const b of c.blockers) lines.push(`  - ${b}`);
  }
  if (c.storage.length > 0) {
    lines.push('Stored versions (status.storedVersions):');
    for (const s of c.storage) lines.push(`  ${s.kind}: ${storageLine(c, s)}`);
  }
  if (c.removedInUse.length > 0) {
    lines.push(`Applied from Git in versions ${c.target.minor} removes:`);
    lines.push(...appliedLines(c.removedInUse, c.omitted.removedInUse));
  }
  if (c.deprecatedInUse.length > 0) {
    lines.push(`Applied in versions ${c.target.minor} deprecates:`);
    lines.push(...appliedLines(c.deprecatedInUse, c.omitted.deprecatedInUse));
  }
  if (c.warnings.length > 0) {
    lines.push('Warnings:');
    for (const w of c.warnings) lines.push(`  - ${w}`);
  }
  if (c.steps.length > 0) {
    lines.push('Steps, in order:');
    c.steps.forEach((s, i) => {
      lines.push(`  ${i + 1}. ${s.title}`);
      for (const a of s.actions) lines.push(`     - ${a}`);
    });
  }
  if (c.notVisible.length > 0) lines.push(`Not visible to this user: ${c.notVisible.join('; ')}.`);
  return lines.join('\n');
}
