// get_flux_instance as text: a headline, the problems first, then one line per controller, CRD group and
// Flux Operator object.
import { z } from 'zod';
import type { CrdInfo, Installation } from '../flux/installation.js';
import { counts, facts, keyed, refOf } from './compact.js';
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

export const compactInstallationShape = {
  context: z.string(),
  flux: z.string().optional(),
  kubernetes: z.string().optional(),
  counts: z.object({
    controllers: z.number().optional(),
    ready: z.number().optional(),
    crds: z.number().optional(),
    problems: z.number().optional(),
  }),
  managedBy: z.string().optional(),
  problems: z.array(z.string()).optional(),
  /** Each controller Deployment: `NOT READY` when it is not, its state and its images, as the text says. */
  controllers: z.record(z.string(), z.string()).optional(),
  /** Each CRD group: its kinds with storage version first, as the text says. */
  crds: z.record(z.string(), z.string()).optional(),
  operator: z
    .record(
      z.string(),
      z.object({
        state: z.string(),
        distribution: z.string().optional(),
        rev: z.string().optional(),
        msg: z.string().optional(),
      }),
    )
    .optional(),
  notVisible: z.array(z.string()).optional(),
};

export type CompactInstallation = z.infer<z.ZodObject<typeof compactInstallationShape>>;

/** get_flux_instance's compact structured content: the text's facts (docs/structured-content.md). */
export function compactInstallation(i: Installation): CompactInstallation {
  const crdGroups = new Map<string, string>();
  for (const line of i.crds ? crdGroupLines(i.crds) : []) {
    const [group, entries] = line.trim().split(/: (.*)/s) as [string, string];
    crdGroups.set(group, entries);
  }
  return {
    context: i.context,
    counts: counts({
      controllers: i.controllers.length,
      ready: i.controllers.filter((c) => c.ready).length,
      crds: i.crds?.length ?? 0,
      problems: i.problems.length,
    }),
    ...facts({
      flux: i.distribution?.version,
      kubernetes: i.kubernetesVersion,
      managedBy: i.managedBy,
      problems: i.problems.map((p) => truncate(p, 2 * MESSAGE_MAX)),
      controllers: keyed(
        i.controllers,
        (c) => refOf({ kind: 'Deployment', ...c }),
        (c) =>
          `${c.ready ? '' : 'NOT READY '}${c.message}  ${c.images.map((im) => `${im.name} ${im.version}`).join(', ')}`.trim(),
      ),
      crds: Object.fromEntries(crdGroups),
      operator: keyed(
        i.operator,
        refOf,
        (o) =>
          facts({
            state: o.ready === 'True' ? 'Ready' : `Ready=${o.ready}${o.reason ? ` ${o.reason}` : ''}`,
            distribution: o.distribution,
            rev: o.revision ? shortenHex(o.revision) : undefined,
            msg: o.ready !== 'True' && o.message ? truncate(shortenHex(o.message), MESSAGE_MAX) : undefined,
          }) as { state: string },
      ),
      notVisible: i.notVisible,
    }),
  };
}
