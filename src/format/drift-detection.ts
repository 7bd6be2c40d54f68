// set_flux_drift_detection as text: the change, who would undo it, and the YAML that makes it last.
import type { DriftDetectionOutcome, DriftSetting } from '../flux/drift-detection.js';
import type { IgnoreRule } from '../flux/drift-ignore.js';
import { plural } from './text.js';

function setting(s: DriftSetting): string {
  return `${s.mode}${s.ignore.length > 0 ? ` with ${plural(s.ignore.length, 'ignore rule')}` : ''}`;
}

/** One rule in a line: its paths, and the objects its target selects. */
export function ruleText(rule: IgnoreRule): string {
  const paths = rule.paths.map((p) => (p === '' ? '"" (the whole object)' : p)).join(', ');
  const target = Object.entries(rule.target ?? {})
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${paths} on ${target ? target : 'every object'}`;
}

function ruleKey(rule: IgnoreRule): string {
  const target = Object.fromEntries(
    Object.entries(rule.target ?? {})
      .filter(([, v]) => v !== undefined && v !== '')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return JSON.stringify([rule.paths, target]);
}

/**
 * What replacing the ignore rules changed, rule by rule: those removed and those added (a rule whose paths
 * or target changed is one of each). Empty when the rules are the same.
 */
export function ignoreChanges(before: IgnoreRule[], after: IgnoreRule[]): string[] {
  const keep = new Set(after.map(ruleKey));
  const had = new Set(before.map(ruleKey));
  const removed = before.filter((r) => !keep.has(ruleKey(r)));
  const added = after.filter((r) => !had.has(ruleKey(r)));
  return [
    ...removed.map((r) => `  - ignore ${ruleText(r)}`),
    ...added.map((r) => `  + ignore ${ruleText(r)}`),
  ];
}

const MEANS: Record<DriftSetting['mode'], string> = {
  enabled: 'helm-controller now reports drift and corrects it at each reconcile.',
  warn: 'helm-controller now reports drift (Drifted condition, DriftDetected events) and leaves it.',
  disabled: 'helm-controller neither reports nor corrects drift.',
};

const WOULD_MEAN: Record<DriftSetting['mode'], string> = {
  enabled: 'helm-controller would then report drift and correct it at each reconcile.',
  warn: 'helm-controller would then report drift (Drifted condition, DriftDetected events) and leave it.',
  disabled: 'helm-controller would then neither report nor correct drift.',
};

export function renderDriftDetection(r: DriftDetectionOutcome, context: string): string {
  const what = `drift detection of HelmRelease ${r.namespace}/${r.name} (context ${context})`;
  const head =
    r.result === 'dry-run'
      ? `Dry run: ${what} would go from ${setting(r.before)} to ${setting(r.after)}; the API server accepted the patch, nothing was changed.`
      : r.result === 'unchanged'
        ? `The ${what} is already ${setting(r.after)}; nothing was changed.`
        : `Set the ${what}: ${setting(r.before)} -> ${setting(r.after)}.`;
  const meaning = (r.result === 'dry-run' ? WOULD_MEAN : MEANS)[r.after.mode];
  const changes = ignoreChanges(r.before.ignore, r.after.ignore);
  const lines = [head];
  if (changes.length > 0) {
    lines.push(`Ignore rules ${r.result === 'dry-run' ? 'that would change' : 'changed'}:`, ...changes);
  }
  lines.push(meaning);
  if (r.appliedBy) {
    const ks = `Kustomization ${r.appliedBy.namespace}/${r.appliedBy.name}`;
    lines.push(
      r.appliedBy.revertsChange
        ? `This HelmRelease is applied by ${ks}, and its manifest in Git sets spec.driftDetection: the next reconcile of ${ks} puts the old setting back unless you commit this to Git:`
        : `This HelmRelease is applied by ${ks}, whose manifest in Git does not set spec.driftDetection: the change survives its reconciles but lives only in the cluster. Commit this to Git to keep it:`,
    );
  } else lines.push('To keep the setting where the HelmRelease is defined, commit:');
  lines.push(r.yaml.trimEnd());
  return lines.join('\n');
}
