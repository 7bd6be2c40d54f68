// set_flux_drift_detection as text: the change, who would undo it, and the YAML that makes it last.
import { z } from 'zod';
import type { DriftDetectionOutcome, DriftSetting } from '../flux/drift-detection.js';
import { plural } from './text.js';

function setting(s: DriftSetting): string {
  return `${s.mode}${s.ignore.length > 0 ? ` with ${plural(s.ignore.length, 'ignore rule')}` : ''}`;
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

/** set_flux_drift_detection's compact structured content (docs/structured-content.md). */
export const compactDriftDetectionShape = {
  context: z.string(),
  result: z.string(),
  before: z.string(),
  after: z.string(),
  /** What helm-controller does with drift now (or would, in a dry run). */
  means: z.string(),
  /** Whether the setting lasts: who applies the HelmRelease, and what to commit. */
  lasts: z.string(),
  /** The HelmRelease fields to commit to Git so the setting lasts. */
  yaml: z.string(),
};

export type CompactDriftDetection = z.infer<z.ZodObject<typeof compactDriftDetectionShape>>;

export function compactDriftDetection(r: DriftDetectionOutcome, context: string): CompactDriftDetection {
  const [, means, lasts] = parts(r, context);
  return {
    context,
    result: r.result,
    before: setting(r.before),
    after: setting(r.after),
    means: means!,
    lasts: lasts!,
    yaml: r.yaml.trimEnd(),
  };
}

export function renderDriftDetection(r: DriftDetectionOutcome, context: string): string {
  return [...parts(r, context), r.yaml.trimEnd()].join('\n');
}

/** The head sentence, what the mode means, and whether the setting lasts. */
function parts(r: DriftDetectionOutcome, context: string): string[] {
  const what = `drift detection of HelmRelease ${r.namespace}/${r.name} (context ${context})`;
  const head =
    r.result === 'dry-run'
      ? `Dry run: ${what} would go from ${setting(r.before)} to ${setting(r.after)}; the API server accepted the patch, nothing was changed.`
      : r.result === 'unchanged'
        ? `The ${what} is already ${setting(r.after)}; nothing was changed.`
        : `Set the ${what}: ${setting(r.before)} -> ${setting(r.after)}.`;
  const meaning = (r.result === 'dry-run' ? WOULD_MEAN : MEANS)[r.after.mode];
  const lines = [head, meaning];
  if (r.appliedBy) {
    const ks = `Kustomization ${r.appliedBy.namespace}/${r.appliedBy.name}`;
    lines.push(
      r.appliedBy.revertsChange
        ? `This HelmRelease is applied by ${ks}, and its manifest in Git sets spec.driftDetection: the next reconcile of ${ks} puts the old setting back unless you commit this to Git:`
        : `This HelmRelease is applied by ${ks}, whose manifest in Git does not set spec.driftDetection: the change survives its reconciles but lives only in the cluster. Commit this to Git to keep it:`,
    );
  } else lines.push('To keep the setting where the HelmRelease is defined, commit:');
  return lines;
}
