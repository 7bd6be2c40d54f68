// spec.driftDetection of a HelmRelease: the mode (enabled corrects drift, warn reports it, disabled does
// neither) and the ignore rules. A HelmRelease applied by a Kustomization gets its spec from Git: the
// answer names that Kustomization and whether its next apply puts the old setting back.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import { managedFields, ownsPath } from '../kube/managed-fields.js';
import type { KubeObject } from '../kube/types.js';
import { ignoreRuleSchema, type IgnoreRule } from './drift-ignore.js';
import { FluxError } from './errors.js';
import { getHelmReleaseObject } from './helm-history.js';
import { resolveFluxKind } from './refs.js';
import { field, stringField } from './status.js';

export const DRIFT_MODES = ['enabled', 'warn', 'disabled'] as const;
const KUSTOMIZE_NAME = 'kustomize.toolkit.fluxcd.io/name';
const KUSTOMIZE_NAMESPACE = 'kustomize.toolkit.fluxcd.io/namespace';

export const driftSettingSchema = z.object({
  mode: z.enum(DRIFT_MODES),
  ignore: z.array(ignoreRuleSchema),
});

export const driftDetectionOutcomeSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  result: z.enum(['changed', 'unchanged', 'dry-run']),
  before: driftSettingSchema,
  after: driftSettingSchema,
  /** The merge patch sent (or, in a dry run, that would be sent). */
  patch: z.record(z.string(), z.unknown()),
  /** The Kustomization that applies this HelmRelease, from its labels. */
  appliedBy: z
    .object({
      namespace: z.string(),
      name: z.string(),
      /** kustomize-controller owns spec.driftDetection: its next apply puts Git's value back. */
      revertsChange: z.boolean(),
    })
    .optional(),
  /** The HelmRelease fields to commit to Git so the setting lasts. */
  yaml: z.string(),
});

export type DriftSetting = z.infer<typeof driftSettingSchema>;
export type DriftDetectionOutcome = z.infer<typeof driftDetectionOutcomeSchema>;

export interface DriftDetectionRequest {
  namespace: string;
  name: string;
  mode: DriftSetting['mode'];
  /** Replaces the ignore rules; left as they are when undefined. */
  ignore?: IgnoreRule[];
  dryRun: boolean;
}

function currentSetting(hr: KubeObject): DriftSetting {
  const mode = stringField(hr, 'spec', 'driftDetection', 'mode');
  const ignore = z.array(ignoreRuleSchema).safeParse(field(hr, 'spec', 'driftDetection', 'ignore') ?? []);
  return {
    mode: (DRIFT_MODES as readonly string[]).includes(mode ?? '')
      ? (mode as DriftSetting['mode'])
      : 'disabled',
    ignore: ignore.success ? ignore.data : [],
  };
}

/** Whether kustomize-controller's apply owns spec.driftDetection (it does when Git sets it). */
function kustomizeOwnsDriftDetection(hr: KubeObject): boolean {
  return managedFields(hr).some(
    (e) =>
      e.manager === 'kustomize-controller' &&
      e.operation === 'Apply' &&
      ownsPath(e.fieldsV1, ['f:spec', 'f:driftDetection']),
  );
}

async function commitYaml(hr: KubeObject, setting: DriftSetting): Promise<string> {
  const { stringify } = await import('../kube/yaml.js');
  return stringify({
    apiVersion: hr.apiVersion ?? 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: hr.metadata?.name, namespace: hr.metadata?.namespace },
    spec: {
      driftDetection: {
        mode: setting.mode,
        ...(setting.ignore.length > 0 ? { ignore: setting.ignore } : {}),
      },
    },
  });
}

export async function setDriftDetection(
  cluster: Cluster,
  req: DriftDetectionRequest,
  signal: AbortSignal,
): Promise<DriftDetectionOutcome> {
  const hr = await getHelmReleaseObject(cluster, req.namespace, req.name, signal);
  if (hr.metadata?.deletionTimestamp)
    throw new FluxError(`HelmRelease ${req.namespace}/${req.name} is being deleted; nothing was changed`);
  const before = currentSetting(hr);
  const after: DriftSetting = { mode: req.mode, ignore: req.ignore ?? before.ignore };
  const patch = {
    spec: { driftDetection: { mode: req.mode, ...(req.ignore !== undefined ? { ignore: req.ignore } : {}) } },
  };
  const labels = hr.metadata?.labels ?? {};
  const ksName = labels[KUSTOMIZE_NAME];
  const appliedBy = ksName
    ? {
        namespace: labels[KUSTOMIZE_NAMESPACE] ?? req.namespace,
        name: ksName,
        revertsChange: kustomizeOwnsDriftDetection(hr),
      }
    : undefined;
  const unchanged = JSON.stringify(before) === JSON.stringify(after);
  if (!unchanged || req.dryRun) {
    const { resource } = await resolveFluxKind(cluster, 'HelmRelease', hr.apiVersion, signal);
    try {
      await cluster.mergePatch(resource, req.namespace, req.name, patch, { dryRun: req.dryRun, signal });
    } catch (err) {
      if (isKubeError(err, 'Invalid'))
        throw new FluxError(
          `the API server refused the drift detection settings: ${err.message}; nothing was changed`,
        );
      throw err;
    }
  }
  return {
    namespace: req.namespace,
    name: req.name,
    result: req.dryRun ? 'dry-run' : unchanged ? 'unchanged' : 'changed',
    before,
    after,
    patch,
    ...(appliedBy ? { appliedBy } : {}),
    yaml: await commitYaml(hr, after),
  };
}
