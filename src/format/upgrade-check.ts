// check_flux_upgrade as text: the verdict first, then what blocks, what is stored and applied in removed
// versions, and the numbered steps with their exact commands.
import type { UpgradeCheck } from '../flux/upgrade-check.js';
import { plural } from './text.js';

const OBJECTS_SHOWN = 10;

type Applied = UpgradeCheck['removedInUse'][number];

function appliedLines(list: Applied[], omitted: number): string[] {
  const lines = list
    .slice(0, OBJECTS_SHOWN)
    .map((o) => `  ${o.kind} ${o.namespace}/${o.name}  ${o.apiVersion}  applied by ${o.appliedBy}`);
  const more = list.length - Math.min(list.length, OBJECTS_SHOWN) + omitted;
  if (more > 0) lines.push(`  ${more} more (structuredContent lists up to 50)`);
  return lines;
}

export function renderUpgradeCheck(c: UpgradeCheck): string {
  const from = c.installed ? `Flux ${c.installed.version}` : 'Flux (version unknown)';
  const verdict =
    c.blockers.length > 0
      ? `not ready: ${plural(c.blockers.length, 'blocker')}`
      : c.steps.length === 0
        ? 'nothing to do'
        : 'ready once the steps below are done';
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
    for (const s of c.storage) {
      const removed =
        s.removedInTarget.length > 0 ? `; ${s.removedInTarget.join(', ')} removed in ${c.target.minor}` : '';
      const count = s.objects !== undefined ? `, ${plural(s.objects, 'object')} to rewrite` : '';
      lines.push(
        `  ${s.kind}: ${s.storedVersions.join(', ')} -> ${s.storageVersion ?? '?'}${count}${removed}`,
      );
    }
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
