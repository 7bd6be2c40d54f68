// get_flux_instance as text: a headline, the problems first, then one line per controller, CRD group and
// Flux Operator object.
import type { CrdInfo, Installation } from '../flux/installation.js';
import { plural, shortenHex, truncate } from './text.js';

const MESSAGE_MAX = 200;

function crdGroupLines(crds: CrdInfo[]): string[] {
  const groups = new Map<string, string[]>();
  for (const c of crds) {
    const others = c.served.filter((v) => v !== c.storageVersion);
    const extra = others.map((v) => (c.deprecated.includes(v) ? `${v} deprecated` : v));
    const entry = `${c.kind} ${c.storageVersion ?? '?'}${extra.length > 0 ? ` (+${extra.join(', ')})` : ''}`;
    groups.set(c.group, [...(groups.get(c.group) ?? []), entry]);
  }
  return [...groups].map(([group, entries]) => `  ${group}: ${entries.join(', ')}`);
}

export function renderInstallation(i: Installation): string {
  const ready = i.controllers.filter((c) => c.ready).length;
  const head = [
    `Flux ${i.distribution?.version ?? '(version unknown)'} in context ${i.context}, namespace ${i.namespace}`,
    i.kubernetesVersion ? `Kubernetes ${i.kubernetesVersion}` : undefined,
    `${plural(i.controllers.length, 'controller')}, ${ready} ready`,
    i.problems.length > 0 ? plural(i.problems.length, 'problem') : 'no problems',
  ]
    .filter(Boolean)
    .join('; ');
  const lines = [`${head}.`];
  if (i.managedBy) lines.push(`Managed from Git by ${i.managedBy}.`);
  if (i.problems.length > 0) {
    lines.push('Problems:');
    for (const p of i.problems) lines.push(`  - ${truncate(p, 2 * MESSAGE_MAX)}`);
  }
  if (i.controllers.length > 0) {
    lines.push('Controllers:');
    for (const c of i.controllers) {
      const images = c.images.map((im) => `${im.name} ${im.version}`).join(', ');
      lines.push(
        `  Deployment ${c.namespace}/${c.name}  ${c.ready ? '' : 'NOT READY '}${c.message}  ${images}`,
      );
    }
  }
  if (i.crds) {
    lines.push(`CRDs (${i.crds.length}, storage version first):`);
    lines.push(...crdGroupLines(i.crds));
  }
  for (const o of i.operator) {
    const state = o.ready === 'True' ? 'Ready' : `Ready=${o.ready}${o.reason ? ` ${o.reason}` : ''}`;
    const rev = o.revision ? `  rev ${shortenHex(o.revision)}` : '';
    const dist = o.distribution ? `  distribution ${o.distribution}` : '';
    const msg =
      o.ready !== 'True' && o.message ? `\n    ${truncate(shortenHex(o.message), MESSAGE_MAX)}` : '';
    lines.push(`${o.kind} ${o.namespace}/${o.name}  ${state}${dist}${rev}${msg}`);
  }
  if (i.notVisible.length > 0) lines.push(`Not visible to this user: ${i.notVisible.join('; ')}.`);
  return lines.join('\n');
}
