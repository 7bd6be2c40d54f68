// upgrade_flux_instance as text: what happened in one sentence, the versions, then (without the operator)
// the steps to take instead.
import { z } from 'zod';
import type { InstanceUpgrade } from '../flux/instance-upgrade.js';
import { facts, keyed } from './compact.js';
import { formatDuration, shortenHex } from './text.js';

/** `FluxInstance ns/name: spec.distribution.version a -> b; applied x -> y`, when the instance changed. */
function instanceLine(u: InstanceUpgrade): string | undefined {
  const i = u.instance;
  if (!i || u.result === 'unchanged') return undefined;
  const applied =
    i.appliedAfter && i.appliedAfter !== i.appliedBefore
      ? `applied ${i.appliedBefore ?? '?'} -> ${i.appliedAfter}`
      : `applied ${i.appliedBefore ?? '?'}`;
  return `FluxInstance ${i.namespace}/${i.name}: spec.distribution.version ${i.specBefore} -> ${i.specAfter}; ${applied}`;
}

const tookOf = (u: InstanceUpgrade) =>
  ['upgraded', 'failed', 'timeout'].includes(u.result) ? formatDuration(u.durationMs) : undefined;

/** upgrade_flux_instance's compact structured content (docs/structured-content.md). */
export const compactInstanceUpgradeShape = {
  context: z.string(),
  result: z.string(),
  msg: z.string(),
  instance: z.string().optional(),
  components: z.array(z.string()).optional(),
  patch: z.record(z.string(), z.unknown()).optional(),
  /** Without the Flux Operator: the steps to take instead, each title with its commands. */
  steps: z.record(z.string(), z.array(z.string())).optional(),
  took: z.string().optional(),
};

export type CompactInstanceUpgrade = z.infer<z.ZodObject<typeof compactInstanceUpgradeShape>>;

export function compactInstanceUpgrade(u: InstanceUpgrade): CompactInstanceUpgrade {
  return {
    context: u.context,
    result: u.result,
    msg: shortenHex(u.message),
    ...facts({
      instance: instanceLine(u),
      components: u.result === 'upgraded' ? u.instance?.components : undefined,
      patch: u.result === 'dry-run' ? u.patch : undefined,
      steps: keyed(
        u.steps,
        (s) => s.title,
        (s) => s.actions,
      ),
      took: tookOf(u),
    }),
  };
}

export function renderInstanceUpgrade(u: InstanceUpgrade): string {
  const lines = [shortenHex(u.message)];
  const i = u.instance;
  const instance = instanceLine(u);
  if (instance) lines.push(`  ${instance}`);
  if (i?.components && u.result === 'upgraded') lines.push(`  components: ${i.components.join(', ')}`);
  if (u.patch && u.result === 'dry-run') lines.push(`  patch: ${JSON.stringify(u.patch)}`);
  u.steps.forEach((s, n) => {
    lines.push(`  ${n + 1}. ${s.title}`);
    for (const a of s.actions) lines.push(`     - ${a}`);
  });
  const took = tookOf(u);
  if (took) lines.push(`  (${took})`);
  return lines.join('\n');
}
