// Where a HelmRelease keeps its Helm release and how helm-controller remediates it, read from the object
// (helm-controller api/v2 helmrelease_types.go: GetReleaseName, GetReleaseNamespace, GetStorageNamespace,
// GetMaxHistory; internal/release/name.go: ShortenName).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { KubeObject } from '../kube/types.js';
import { field, stringField } from './status.js';

/** helm-controller's default spec.maxHistory. */
export const DEFAULT_MAX_HISTORY = 5;

/** Release names longer than Helm's 53 characters: the first 40, a dash and 12 hex of their SHA-256. */
export function shortenReleaseName(name: string): string {
  if (name.length <= 53) return name;
  const sum = createHash('sha256').update(name).digest('hex');
  return `${name.slice(0, 53 - 13)}-${sum.slice(0, 12)}`;
}

/** The release name helm-controller derives from the spec: releaseName, else [targetNamespace-]name, shortened. */
export function specReleaseName(hr: KubeObject): string {
  const explicit = stringField(hr, 'spec', 'releaseName');
  const target = stringField(hr, 'spec', 'targetNamespace');
  const name = hr.metadata?.name ?? '';
  return shortenReleaseName(explicit ?? (target ? `${target}-${name}` : name));
}

export interface HelmReleaseCoordinates {
  /** The Helm release name. */
  release: string;
  /** The namespace the release's objects go to (spec.targetNamespace, else the HelmRelease's). */
  namespace: string;
  /** Where the storage Secrets are. */
  storageNamespace: string;
  /** How many revisions helm-controller keeps (spec.maxHistory, default 5; 0 keeps all). */
  maxHistory: number;
}

/**
 * Where the release lives. The latest status.history snapshot and status.storageNamespace say where the
 * controller last put it; before the first release, the spec says where it will.
 */
export function helmReleaseCoordinates(hr: KubeObject): HelmReleaseCoordinates {
  const ns = hr.metadata?.namespace ?? '';
  const history = field(hr, 'status', 'history');
  const latest: unknown = Array.isArray(history) ? history[0] : undefined;
  const maxHistory = field(hr, 'spec', 'maxHistory');
  return {
    release: stringField(latest, 'name') ?? specReleaseName(hr),
    namespace: stringField(latest, 'namespace') ?? stringField(hr, 'spec', 'targetNamespace') ?? ns,
    storageNamespace:
      stringField(hr, 'status', 'storageNamespace') ?? stringField(hr, 'spec', 'storageNamespace') ?? ns,
    maxHistory: typeof maxHistory === 'number' ? maxHistory : DEFAULT_MAX_HISTORY,
  };
}

export const remediationSchema = z.object({
  install: z.object({
    retries: z.number(),
    remediateLastFailure: z.boolean(),
    ignoreTestFailures: z.boolean().optional(),
  }),
  upgrade: z.object({
    retries: z.number(),
    remediateLastFailure: z.boolean(),
    /** rollback (default) or uninstall. */
    strategy: z.string(),
    ignoreTestFailures: z.boolean().optional(),
  }),
  rollback: z.object({
    timeout: z.string().optional(),
    disableWait: z.boolean(),
    disableHooks: z.boolean(),
    recreate: z.boolean(),
    force: z.boolean(),
    cleanupOnFail: z.boolean(),
    serverSideApply: z.string().optional(),
  }),
  maxHistory: z.number(),
});

export const failureCountsSchema = z.object({
  failures: z.number(),
  installFailures: z.number(),
  upgradeFailures: z.number(),
});

export type Remediation = z.infer<typeof remediationSchema>;
export type FailureCounts = z.infer<typeof failureCountsSchema>;

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * The remediation settings with helm-controller's defaults filled in: install's remediateLastFailure
 * defaults to false, upgrade's to true when it has retries; the upgrade strategy to rollback.
 */
export function remediationSettings(hr: KubeObject): Remediation {
  const install = field(hr, 'spec', 'install', 'remediation');
  const upgrade = field(hr, 'spec', 'upgrade', 'remediation');
  const rollback = field(hr, 'spec', 'rollback');
  const upgradeRetries = num(field(upgrade, 'retries'));
  const optional = <K extends string, V>(key: K, v: V | undefined) =>
    (v === undefined ? {} : { [key]: v }) as Partial<Record<K, V>>;
  const maxHistory = field(hr, 'spec', 'maxHistory');
  return {
    install: {
      retries: num(field(install, 'retries')),
      remediateLastFailure: bool(field(install, 'remediateLastFailure')) ?? false,
      ...optional('ignoreTestFailures', bool(field(install, 'ignoreTestFailures'))),
    },
    upgrade: {
      retries: upgradeRetries,
      remediateLastFailure: bool(field(upgrade, 'remediateLastFailure')) ?? upgradeRetries > 0,
      strategy: stringField(upgrade, 'strategy') ?? 'rollback',
      ...optional('ignoreTestFailures', bool(field(upgrade, 'ignoreTestFailures'))),
    },
    rollback: {
      ...optional('timeout', stringField(rollback, 'timeout')),
      disableWait: bool(field(rollback, 'disableWait')) ?? false,
      disableHooks: bool(field(rollback, 'disableHooks')) ?? false,
      recreate: bool(field(rollback, 'recreate')) ?? false,
      force: bool(field(rollback, 'force')) ?? false,
      cleanupOnFail: bool(field(rollback, 'cleanupOnFail')) ?? false,
      ...optional('serverSideApply', stringField(rollback, 'serverSideApply')),
    },
    maxHistory: typeof maxHistory === 'number' ? maxHistory : DEFAULT_MAX_HISTORY,
  };
}

export function failureCounts(hr: KubeObject): FailureCounts {
  return {
    failures: num(field(hr, 'status', 'failures')),
    installFailures: num(field(hr, 'status', 'installFailures')),
    upgradeFailures: num(field(hr, 'status', 'upgradeFailures')),
  };
}

export const snapshotSchema = z.object({
  /** v2 from helm-controller v1.5 (Flux 2.8); see upgradesUnrecordedRevision. */
  apiVersion: z.string().optional(),
  name: z.string(),
  namespace: z.string(),
  version: z.number(),
  status: z.string(),
  action: z.string().optional(),
  chartName: z.string().optional(),
  chartVersion: z.string().optional(),
  appVersion: z.string().optional(),
  firstDeployed: z.string().optional(),
  lastDeployed: z.string().optional(),
});

export type Snapshot = z.infer<typeof snapshotSchema>;

/** status.history: the releases helm-controller observed, newest first. */
export function historySnapshots(hr: KubeObject): Snapshot[] {
  const history = field(hr, 'status', 'history');
  if (!Array.isArray(history)) return [];
  const out: Snapshot[] = [];
  for (const s of history) {
    const version = field(s, 'version');
    const name = stringField(s, 'name');
    if (typeof version !== 'number' || !name) continue;
    const opt = (k: keyof Snapshot) => {
      const v = stringField(s, k);
      return v ? { [k]: v } : {};
    };
    out.push({
      ...opt('apiVersion'),
      name,
      namespace: stringField(s, 'namespace') ?? '',
      version,
      status: stringField(s, 'status') ?? 'unknown',
      ...opt('action'),
      ...opt('chartName'),
      ...opt('chartVersion'),
      ...opt('appVersion'),
      ...opt('firstDeployed'),
      ...opt('lastDeployed'),
    });
  }
  return out;
}

/**
 * Whether helm-controller, at its next reconcile, upgrades a release whose latest stored revision is not the
 * one `latest` (status.history[0]) recorded, such as a rollback made outside it
 * (docs/flux-semantics.md, Helm rollback). helm-controller before Flux 2.8 (v1.4 and older: their CRD still
 * serves a v2beta version) always checks the revision against that record's digest. From 2.8 it checks only
 * records it wrote itself (`apiVersion: v2`); a record an older controller wrote, before Flux was upgraded,
 * is not checked, and then only a chart or values change makes it upgrade. `servedVersions`: what the
 * cluster serves of helm.toolkit.fluxcd.io.
 */
export function upgradesUnrecordedRevision(latest: Snapshot, servedVersions: readonly string[]): boolean {
  return latest.apiVersion === 'v2' || servedVersions.some((v) => v.startsWith('v2beta'));
}
