// get_helmrelease_history as text: one line per revision, newest first, then the remediation settings.
import type { HelmHistory, Revision } from '../flux/helm-history.js';
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
  const lines = [
    `HelmRelease ${h.namespace}/${h.name} (context ${context}): Helm release ${h.release} in namespace ${h.releaseNamespace}, stored in ${h.storageNamespace}${h.suspended ? '; SUSPENDED' : ''}.`,
  ];
  if (h.revisions.length === 0) lines.push('No revisions.');
  else {
    const observed = h.revisions.filter((r) => r.observed).map((r) => r.revision);
    const newestObserved = observed.length > 0 ? Math.max(...observed) : undefined;
    lines.push(
      `${plural(h.revisions.length, 'revision')}, newest first${newestObserved === undefined ? '; helm-controller has observed none of them (status.history is empty)' : ''}:`,
    );
    for (const r of h.revisions) lines.push(revisionLine(r, now, newestObserved));
  }
  const targets = h.revisions.filter((r) => r.rollbackTarget).map((r) => `v${r.revision}`);
  if (h.storage === 'read')
    lines.push(
      targets.length > 0
        ? `Rollback targets: ${targets.join(', ')}.`
        : 'No rollback target: no earlier revision is deployed or superseded with its chart stored.',
    );
  lines.push(`Remediation: ${remediationLine(h.remediation)}.`);
  const f = h.failures;
  lines.push(
    `Failures: ${f.failures} (install ${f.installFailures}, upgrade ${f.upgradeFailures})${h.lastAttemptedReleaseAction ? `; last attempted action ${h.lastAttemptedReleaseAction}` : ''}.`,
  );
  for (const n of h.notes) lines.push(`Note: ${n}`);
  return lines.join('\n');
}
