// upgrade_flux_instance as text: what happened in one sentence, the versions, then (without the operator)
// the steps to take instead.
import type { InstanceUpgrade } from '../flux/instance-upgrade.js';
import { formatDuration, shortenHex } from './text.js';

export function renderInstanceUpgrade(u: InstanceUpgrade): string {
  const lines = [shortenHex(u.message)];
  const i = u.instance;
  if (i && u.result !== 'unchanged') {
    const applied =
      i.appliedAfter && i.appliedAfter !== i.appliedBefore
        ? `applied ${i.appliedBefore ?? '?'} -> ${i.appliedAfter}`
        : `applied ${i.appliedBefore ?? '?'}`;
    lines.push(
      `  FluxInstance ${i.namespace}/${i.name}: spec.distribution.version ${i.specBefore} -> ${i.specAfter}; ${applied}`,
    );
  }
  if (i?.components && u.result === 'upgraded') lines.push(`  components: ${i.components.join(', ')}`);
  if (u.patch && u.result === 'dry-run') lines.push(`  patch: ${JSON.stringify(u.patch)}`);
  u.steps.forEach((s, n) => {
    lines.push(`  ${n + 1}. ${s.title}`);
    for (const a of s.actions) lines.push(`     - ${a}`);
  });
  if (['upgraded', 'failed', 'timeout'].includes(u.result)) lines.push(`  (${formatDuration(u.durationMs)})`);
  return lines.join('\n');
}
