// A HelmRelease's Helm history, as `helm history` shows it, joined with what helm-controller observed
// (status.history) and how it remediates failures.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError } from '../kube/errors.js';
import { getNamed } from '../kube/get-named.js';
import type { KubeObject } from '../kube/types.js';
import {
  failureCounts,
  failureCountsSchema,
  helmReleaseCoordinates,
  historySnapshots,
  remediationSchema,
  remediationSettings,
  upgradesUnrecordedRevision,
  type Snapshot,
} from './helm-release.js';
import { readReleaseHistory, type StoredRelease } from './helm-records.js';
import { resolveFluxKind } from './refs.js';
import { isSuspended, stringField } from './status.js';
import { findFluxKind, HELM_GROUP } from './kinds.js';

export const revisionSchema = z.object({
  revision: z.number(),
  status: z.string(),
  chartName: z.string().optional(),
  chartVersion: z.string().optional(),
  appVersion: z.string().optional(),
  /** install, upgrade, rollback... as helm-controller recorded it (Flux 2.8+). */
  action: z.string().optional(),
  /** When this revision was last deployed. */
  deployed: z.string().optional(),
  description: z.string().optional(),
  /** ssa or csa (Helm 4 records). */
  applyMethod: z.string().optional(),
  /** Helm's deployed revision: what runs in the cluster. */
  live: z.boolean(),
  /**
   * helm-controller has this revision in status.history (which it keeps back to the previous successful
   * release only: older revisions drop out of it).
   */
  observed: z.boolean(),
  /** The status helm-controller recorded, when it differs from the stored one. */
  observedStatus: z.string().optional(),
  /** Deployed or superseded, with its chart stored, and not the newest revision. */
  rollbackTarget: z.boolean(),
  /** False for revisions known only from status.history (pruned, or storage not readable). */
  stored: z.boolean(),
});

export const helmHistorySchema = z.object({
  namespace: z.string(),
  name: z.string(),
  release: z.string(),
  releaseNamespace: z.string(),
  storageNamespace: z.string(),
  /** read: revisions from Helm storage; forbidden or remote (spec.kubeConfig): from status.history only. */
  storage: z.enum(['read', 'forbidden', 'remote']),
  suspended: z.boolean(),
  lastAttemptedReleaseAction: z.string().optional(),
  remediation: remediationSchema,
  failures: failureCountsSchema,
  /** Newest first. */
  revisions: z.array(revisionSchema),
  notes: z.array(z.string()),
});

export type Revision = z.infer<typeof revisionSchema>;
export type HelmHistory = z.infer<typeof helmHistorySchema>;

const GOOD_TARGET = ['deployed', 'superseded'];

export function isRollbackCandidate(r: StoredRelease): boolean {
  return GOOD_TARGET.includes(r.status) && r.hasChart;
}

/** Helm's deployed revision: the newest record whose status is deployed. */
export function liveRevision(records: StoredRelease[]): number | undefined {
  return records.filter((r) => r.status === 'deployed').at(-1)?.revision;
}

export async function getHelmReleaseObject(
  cluster: Cluster,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<KubeObject> {
  const { resource } = await resolveFluxKind(cluster, 'HelmRelease', undefined, signal);
  return getNamed(cluster, resource, namespace, name, signal);
}

function fromStorage(
  r: StoredRelease,
  snapshot: Snapshot | undefined,
  live: number | undefined,
  newest: number,
): Revision {
  const opt = <K extends keyof Revision>(k: K, v: Revision[K] | undefined) =>
    (v === undefined || v === '' ? {} : { [k]: v }) as Partial<Revision>;
  return {
    revision: r.revision,
    status: r.status,
    ...opt('chartName', r.chartName),
    ...opt('chartVersion', r.chartVersion),
    ...opt('appVersion', r.appVersion),
    ...opt('action', snapshot?.action),
    ...opt('deployed', r.lastDeployed),
    ...opt('description', r.description),
    ...opt('applyMethod', r.applyMethod),
    live: r.revision === live,
    observed: snapshot !== undefined,
    ...opt('observedStatus', snapshot && snapshot.status !== r.status ? snapshot.status : undefined),
    rollbackTarget: r.revision !== newest && isRollbackCandidate(r),
    stored: true,
  };
}

function fromSnapshot(s: Snapshot): Revision {
  const opt = <K extends keyof Revision>(k: K, v: Revision[K] | undefined) =>
    (v === undefined ? {} : { [k]: v }) as Partial<Revision>;
  return {
    revision: s.version,
    status: s.status,
    ...opt('chartName', s.chartName),
    ...opt('chartVersion', s.chartVersion),
    ...opt('appVersion', s.appVersion),
    ...opt('action', s.action),
    ...opt('deployed', s.lastDeployed),
    live: false,
    observed: true,
    rollbackTarget: false,
    stored: false,
  };
}

export interface HistoryRead {
  history: HelmHistory;
  hr: KubeObject;
  /** The stored records, oldest first (empty when storage is not readable). */
  records: StoredRelease[];
}

export async function readHelmHistory(
  cluster: Cluster,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<HistoryRead> {
  const hr = await getHelmReleaseObject(cluster, namespace, name, signal);
  const where = helmReleaseCoordinates(hr);
  const remote =
    stringField(hr, 'spec', 'kubeConfig', 'secretRef', 'name') ??
    stringField(hr, 'spec', 'kubeConfig', 'configMapRef', 'name');
  const snapshots = historySnapshots(hr).filter((s) => s.name === where.release);
  const notes: string[] = [];
  let records: StoredRelease[] = [];
  let storage: HelmHistory['storage'] = 'read';
  try {
    if (remote) {
      storage = 'remote';
      notes.push(
        `the release lives in the cluster spec.kubeConfig names (${remote}), not in context ${cluster.context}: revisions come from status.history only`,
      );
    } else {
      const read = await readReleaseHistory(cluster, where.storageNamespace, where.release, signal);
      records = read.records;
      for (const u of read.undecodable) notes.push(`Secret ${u.secret} cannot be decoded: ${u.reason}`);
    }
  } catch (err) {
    if (!isKubeError(err, 'Forbidden')) throw err;
    storage = 'forbidden';
    notes.push(
      `Helm storage in namespace ${where.storageNamespace} is not readable (${err.message}); revisions come from status.history only. Reading it needs get and list on secrets there (deploy/optional/helm-storage-reader.yaml).`,
    );
  }
  const byVersion = new Map(snapshots.map((s) => [s.version, s]));
  const live = liveRevision(records);
  const newest = records.at(-1)?.revision ?? 0;
  const revisions = records.map((r) => fromStorage(r, byVersion.get(r.revision), live, newest));
  const stored = new Set(records.map((r) => r.revision));
  const unstored = snapshots.filter((s) => !stored.has(s.version));
  revisions.push(...unstored.map(fromSnapshot));
  revisions.sort((a, b) => b.revision - a.revision);
  if (storage === 'read' && unstored.length > 0)
    notes.push(
      `revision${unstored.length === 1 ? '' : 's'} ${unstored.map((s) => s.version).join(', ')} observed by helm-controller but no longer in Helm storage (pruned by maxHistory, or uninstalled)`,
    );
  if (storage === 'read' && records.length === 0)
    notes.push(
      `no Helm release ${where.release} in namespace ${where.storageNamespace}: helm-controller has not installed it yet, or it was uninstalled`,
    );
  const newestStored = records.at(-1);
  if (newestStored && !byVersion.has(newestStored.revision) && snapshots.length > 0)
    notes.push(
      `revision ${newestStored.revision} is not in status.history: helm-controller did not make it (a manual helm rollback or upgrade) or has not recorded it yet. ${
        upgradesUnrecordedRevision(snapshots[0]!, await cluster.discovery.versions(HELM_GROUP, signal))
          ? 'At its next reconcile it upgrades the release back to the chart and values of the HelmRelease'
          : 'Its last record predates Flux 2.8 (no apiVersion), and this helm-controller (Flux 2.8+) does not check who made a revision against such a record: it upgrades the release back only when the chart or values of the HelmRelease differ from it'
      }`,
    );
  const attempted = stringField(hr, 'status', 'lastAttemptedReleaseAction');
  return {
    hr,
    records,
    history: {
      namespace,
      name,
      release: where.release,
      releaseNamespace: where.namespace,
      storageNamespace: where.storageNamespace,
      storage,
      suspended: isSuspended(hr, findFluxKind('HelmRelease')),
      ...(attempted ? { lastAttemptedReleaseAction: attempted } : {}),
      remediation: remediationSettings(hr),
      failures: failureCounts(hr),
      revisions,
      notes,
    },
  };
}
