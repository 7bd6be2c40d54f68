// get_helmrelease_history as text: one line per revision, newest first, then the remediation settings.
import { z } from 'zod';
import type { HelmHistory, Revision } from '../flux/helm-history.js';
import { counts, facts } from './compact.js';
import type { Remediation } from '../flux/helm-release.js';
import { formatAge, plural, truncate } from './text.js';

const DESCRIPTION_MAX = 120;

function chart(r: Pick<Revision, 'chartName' | 'chartVersion' | 'appVersion'>): string {
  const name = r.chartName && r.chartVersion ? `${r.chartName}-${r.chartVersion}` : (r.chartName ?? '?');
  return r.appVersion ? `${name} (app ${r.appVersion})` : name;
}

/**
 * `newestObserved`: the newest revision in status.history. helm-controller keeps history back to the previous
 * successful release only, so an older revision missing from it was dropped, not made elsewhere.
 */
function revisionLine(r: Revision, now: number, newestObserved: number | undefined): string {
  const marks = [
    r.live ? 'LIVE' : undefined,
    r.observed
      ? `observed${r.observedStatus ? ` as ${r.observedStatus}` : ''}`
      : newestObserved !== undefined && r.stored && r.revision > newestObserved
        ? 'NOT observed by helm-controller'
        : undefined,
    r.rollbackTarget ? 'rollback target' : undefined,
    r.stored ? undefined : 'not in Helm storage',
  ].filter(Boolean);
  const age = formatAge(r.deployed, now);
  const parts = [
    `  v${r.revision}`,
    r.status,
    chart(r),
    ...(r.action ? [r.action] : []),
    ...(age ? [`${age} ago`] : []),
    ...(r.applyMethod ? [r.applyMethod] : []),
    ...(r.description ? [`"${truncate(r.description, DESCRIPTION_MAX)}"`] : []),
    ...(marks.length > 0 ? [`[${marks.join(', ')}]`] : []),
  ];
  return parts.join('  ');
}

export function remediationLine(m: Remediation): string {
  const rb = m.rollback;
  const rollbackFlags = [
    rb.timeout ? `timeout ${rb.timeout}` : undefined,
    rb.disableWait ? 'disableWait' : undefined,
    rb.disableHooks ? 'disableHooks' : undefined,
    rb.recreate ? 'recreate' : undefined,
    rb.force ? 'force' : undefined,
    rb.cleanupOnFail ? 'cleanupOnFail' : undefined,
    rb.serverSideApply ? `serverSideApply ${rb.serverSideApply}` : undefined,
  ].filter(Boolean);
  return [
    `install retries ${m.install.retries}${m.install.remediateLastFailure ? ', remediateLastFailure' : ''}`,
    `upgrade retries ${m.upgrade.retries}${m.upgrade.remediateLastFailure ? ', remediateLastFailure' : ''}, strategy ${m.upgrade.strategy}`,
    `rollback ${rollbackFlags.length > 0 ? rollbackFlags.join(', ') : 'defaults'}`,
    `maxHistory ${m.maxHistory === 0 ? 'unlimited' : m.maxHistory}`,
  ].join('; ');
}

export function renderHelmHistory(h: HelmHistory, context: string, now: number = Date.now()): string {
  return helmHistoryAnswer(h, context, undefined, now).text;
}

export const compactHelmHistoryShape = {
  context: z.string(),
  release: z.string(),
  /** The release's namespace. */
  namespace: z.string(),
  /** Where Helm stores its records. */
  storage: z.string(),
  suspended: z.boolean().optional(),
  /** Newest first, each as the text's line: status, chart, action, when, how, description, marks. */
  revisions: z.record(z.string(), z.string()),
  /** helm-controller has observed none of them (status.history is empty). */
  unobserved: z.boolean().optional(),
  /** The revisions a rollback may target, or why there is none. */
  rollbackTargets: z.union([z.array(z.string()), z.string()]).optional(),
  remediation: z.string(),
  failures: z.object({
    total: z.number().optional(),
    install: z.number().optional(),
    upgrade: z.number().optional(),
  }),
  lastAction: z.string().optional(),
  notes: z.array(z.string()).optional(),
  /** The manifest asked for (manifest_revision), Secret values masked. */
  manifest: z.string().optional(),
};

export type CompactHelmHistory = z.infer<z.ZodObject<typeof compactHelmHistoryShape>>;

const NO_TARGET = 'no earlier revision is deployed or superseded with its chart stored';

/** get_helmrelease_history's answer: the text, and the same facts compact (docs/structured-content.md). */
export function helmHistoryAnswer(
  h: HelmHistory,
  context: string,
  manifest: { revision: number; text: string } | undefined,
  now: number = Date.now(),
): { text: string; compact: CompactHelmHistory } {
  const observed = h.revisions.filter((r) => r.observed).map((r) => r.revision);
  const newestObserved = observed.length > 0 ? Math.max(...observed) : undefined;
  const targets = h.revisions.filter((r) => r.rollbackTarget).map((r) => `v${r.revision}`);
  const f = h.failures;
  const compact: CompactHelmHistory = {
    context,
    release: h.release,
    namespace: h.releaseNamespace,
    storage: h.storageNamespace,
    ...facts({ suspended: h.suspended }),
    revisions: Object.fromEntries(
      h.revisions.map((r) => [
        `v${r.revision}`,
        revisionLine(r, now, newestObserved).replace(/^\s*v\d+ {2}/, ''),
      ]),
    ),
    ...facts({
      unobserved: h.revisions.length > 0 && newestObserved === undefined,
      rollbackTargets:
        h.storage === 'read' ? (targets.length > 0 ? targets : `none: ${NO_TARGET}`) : undefined,
    }),
    remediation: remediationLine(h.remediation),
    failures: counts({ total: f.failures, install: f.installFailures, upgrade: f.upgradeFailures }),
    ...facts({ lastAction: h.lastAttemptedReleaseAction, notes: h.notes, manifest: manifest?.text }),
  };
  const text = historyText(h, context, now, newestObserved, targets);
  return {
    text: manifest ? `${text}\nManifest of v${manifest.revision}:\n${manifest.text}` : text,
    compact,
  };
}

function historyText(
  h: HelmHistory,
  context: string,
  now: number,
  newestObserved: number | undefined,
  targets: string[],
): string {
  const lines = [
    `HelmRelease ${h.namespace}/${h.name} (context ${context}): Helm release ${h.release} in namespace ${h.releaseNamespace}, stored in ${h.storageNamespace}${h.suspended ? '; SUSPENDED' : ''}.`,
  ];
  if (h.revisions.length === 0) lines.push('No revisions.');
  else {
    lines.push(
      `${plural(h.revisions.length, 'revision')}, newest first${newestObserved === undefined ? '; helm-controller has observed none of them (status.history is empty)' : ''}:`,
    );
    for (const r of h.revisions) lines.push(revisionLine(r, now, newestObserved));
  }
  if (h.storage === 'read')
    lines.push(
      targets.length > 0 ? `Rollback targets: ${targets.join(', ')}.` : `No rollback target: ${NO_TARGET}.`,
    );
  lines.push(`Remediation: ${remediationLine(h.remediation)}.`);
  const f = h.failures;
  lines.push(
    `Failures: ${f.failures} (install ${f.installFailures}, upgrade ${f.upgradeFailures})${h.lastAttemptedReleaseAction ? `; last attempted action ${h.lastAttemptedReleaseAction}` : ''}.`,
  );
  for (const n of h.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
