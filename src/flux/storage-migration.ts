// What `flux migrate` does (docs/flux-semantics.md, Upgrades and storage migration), over the API: for every Flux CRD
// (labelled app.kubernetes.io/part-of=flux) whose status.storedVersions lists more than its storage
// version, rewrite every object so the API server stores it in the storage version, then trim
// storedVersions to that version. An object is rewritten by a JSON patch that moves its managedFields to
// the storage apiVersion (fluxcd/pkg ssa PatchMigrateToVersion), or by an empty merge patch: the API server
// re-encodes an object whose stored bytes would change, and an object stored in an older version always
// does. Progress is kept on the CRD (annotation CHECKPOINT_ANNOTATION), so a run that stopped is continued
// by the next one.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import { mapPool } from '../kube/pool.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { PART_OF_LABEL, VERSION_LABEL } from './installation.js';
import { field, stringField } from './status.js';

export const CHECKPOINT_ANNOTATION = 'flux-ops-mcp.io/storage-migration';
const FLUX_SELECTOR = `${PART_OF_LABEL}=flux`;
const CONCURRENCY = 8;
const CHECKPOINT_EVERY_MS = 5_000;
const PROGRESS_EVERY_MS = 2_000;
const ERRORS_MAX = 10;
const RETRIES = 3;

export const crdMigrationSchema = z.object({
  crd: z.string(),
  kind: z.string(),
  storageVersion: z.string(),
  storedVersionsBefore: z.array(z.string()),
  storedVersionsAfter: z.array(z.string()),
  result: z.enum(['migrated', 'up-to-date', 'dry-run', 'stopped', 'failed']),
  objects: z.number().describe('Objects of the kind when the run listed them.'),
  /** Rewritten (or, in a dry run, checked by the API server) in this run. */
  rewritten: z.number(),
  /** Of those, objects whose managedFields named an older apiVersion. */
  managedFieldsFixed: z.number(),
  /** Rewritten by an earlier run that stopped (from the checkpoint). */
  doneBefore: z.number(),
  /** Deleted while the run went on. */
  gone: z.number(),
  failed: z.number(),
  errors: z.array(z.object({ namespace: z.string(), name: z.string(), message: z.string() })),
});

export const migrationSchema = z.object({
  context: z.string(),
  dryRun: z.boolean(),
  result: z.enum(['migrated', 'up-to-date', 'dry-run', 'stopped', 'failed']),
  /** Why it stopped early (timeout, cancelled), when it did. */
  stoppedBy: z.string().optional(),
  crds: z.array(crdMigrationSchema),
});

export type CrdMigration = z.infer<typeof crdMigrationSchema>;
export type Migration = z.infer<typeof migrationSchema>;

export interface MigrationRequest {
  dryRun: boolean;
  /** Namespace of the Flux controllers, whose release must match the CRDs'. */
  namespace: string;
  deadline: number;
  signal: AbortSignal;
  progress: (message: string) => void;
}

interface Checkpoint {
  storage: string;
  /** `namespace/name` of the last object of a prefix (in list order) that is done. */
  after: string;
  done: number;
}

function readCheckpoint(crd: KubeObject, storage: string): Checkpoint | undefined {
  const raw = crd.metadata?.annotations?.[CHECKPOINT_ANNOTATION];
  if (!raw) return undefined;
  try {
    const c = JSON.parse(raw) as Partial<Checkpoint>;
    if (c.storage !== storage || typeof c.after !== 'string' || typeof c.done !== 'number') return undefined;
    return { storage: c.storage, after: c.after, done: c.done };
  } catch {
    return undefined;
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Orders as the API server lists (etcd key order): namespace, then name. */
function byKey(a: KubeObject, b: KubeObject): number {
  const na = a.metadata?.namespace ?? '';
  const nb = b.metadata?.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.metadata?.name ?? '';
  const mb = b.metadata?.name ?? '';
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

function after(a: string, b: string): boolean {
  const [na = '', ma = ''] = a.split('/');
  const [nb = '', mb = ''] = b.split('/');
  return na !== nb ? na > nb : ma > mb;
}

function storageVersionOf(crd: KubeObject): string | undefined {
  const versions = field(crd, 'spec', 'versions');
  const storage = (Array.isArray(versions) ? versions : []).find((v) => field(v, 'storage') === true);
  return stringField(storage, 'name');
}

function storedVersionsOf(crd: KubeObject): string[] {
  const stored = field(crd, 'status', 'storedVersions');
  return Array.isArray(stored) ? stored.map(String) : [];
}

/** The JSON patch that moves managedFields to `apiVersion`, guarded by the resourceVersion it was made from. */
export function managedFieldsPatch(obj: KubeObject, apiVersion: string): unknown[] | undefined {
  const entries = obj.metadata?.managedFields;
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  if (entries.every((e) => field(e, 'apiVersion') === apiVersion)) return undefined;
  const fixed = entries.map((e) => ({ ...(e as Record<string, unknown>), apiVersion }));
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata?.resourceVersion },
    { op: 'replace', path: '/metadata/managedFields', value: fixed },
  ];
}

/** Refuses while Flux controllers of another release than the CRDs run: an upgrade is half done. */
async function checkReleases(
  cluster: Cluster,
  crds: KubeObject[],
  namespace: string,
  signal: AbortSignal,
): Promise<void> {
  const crdReleases = [...new Set(crds.map((c) => c.metadata?.labels?.[VERSION_LABEL]).filter(Boolean))];
  if (crdReleases.length > 1) {
    throw new FluxError(
      `the Flux CRDs come from different releases (${crdReleases.join(', ')}, label ${VERSION_LABEL}): finish the upgrade first; nothing was changed`,
    );
  }
  const release = crdReleases[0];
  if (!release) return;
  const deployments = await cluster.discovery.resolve({ kind: 'Deployment', apiVersion: 'apps/v1' }, signal);
  const controllers = await cluster.listAll(deployments, { namespace, labelSelector: FLUX_SELECTOR, signal });
  const others = controllers.filter((d) => {
    const replicas = field(d, 'spec', 'replicas');
    const running = replicas === undefined || (typeof replicas === 'number' && replicas > 0);
    const label = d.metadata?.labels?.[VERSION_LABEL];
    return running && label !== undefined && label !== release;
  });
  if (others.length > 0) {
    const list = others.map((d) => `${d.metadata?.name} (${d.metadata?.labels?.[VERSION_LABEL]})`).join(', ');
    throw new FluxError(
      `Flux controllers of another release than the CRDs (${release}) are running in ${namespace}: ${list}. Finish the upgrade (or scale them to 0) before migrating storage; nothing was changed`,
    );
  }
}

interface CrdRun {
  crd: KubeObject;
  resource: ResourceType;
  storage: string;
}

class Migrator {
  private lastProgress = 0;
  stoppedBy: string | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly crdType: ResourceType,
    private readonly req: MigrationRequest,
    private readonly signal: AbortSignal,
  ) {}

  private stopping(): boolean {
    if (this.stoppedBy) return true;
    if (this.req.signal.aborted) this.stoppedBy = 'cancelled';
    else if (Date.now() >= this.req.deadline) this.stoppedBy = 'timeout';
    return this.stoppedBy !== undefined;
  }

  private progress(message: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.req.progress(message);
  }

  private async saveCheckpoint(run: CrdRun, checkpoint: Checkpoint | null): Promise<void> {
    if (this.req.dryRun) return;
    await this.cluster
      .mergePatch(
        this.crdType,
        undefined,
        run.crd.metadata?.name ?? '',
        {
          metadata: {
            annotations: { [CHECKPOINT_ANNOTATION]: checkpoint ? JSON.stringify(checkpoint) : null },
          },
        },
        // Its own deadline: the checkpoint must be written also when the call was cancelled.
        { signal: AbortSignal.timeout(10_000) },
      )
      .catch((err: unknown) => {
        // Without the checkpoint a later run starts from the first object again; that is slower, not wrong.
        if (!isKubeError(err, 'Forbidden')) throw err;
      });
  }

  /** Rewrites one object; false when it is gone. Retries when it changed under us. */
  private async rewrite(run: CrdRun, obj: KubeObject, result: CrdMigration): Promise<boolean> {
    const apiVersion = `${run.resource.group}/${run.storage}`;
    const namespace = obj.metadata?.namespace;
    const name = obj.metadata?.name ?? '';
    let current = obj;
    for (let attempt = 1; ; attempt++) {
      const ops = managedFieldsPatch(current, apiVersion);
      try {
        if (ops)
          await this.cluster.patch(run.resource, namespace, name, ops, {
            type: 'json',
            dryRun: this.req.dryRun,
            signal: this.signal,
          });
        else
          await this.cluster.mergePatch(
            run.resource,
            namespace,
            name,
            {},
            { dryRun: this.req.dryRun, signal: this.signal },
          );
        if (ops) result.managedFieldsFixed += 1;
        return true;
      } catch (err) {
        if (isKubeError(err, 'NotFound')) return false;
        // The managedFields patch is guarded by the resourceVersion it was made from: when the object
        // changed meanwhile, make it again from the new one; any other refusal stands.
        if (!ops || !(isKubeError(err, 'Invalid') || isKubeError(err, 'Conflict')) || attempt >= RETRIES)
          throw err;
        const fresh = await this.cluster.get(run.resource, namespace, name, this.signal);
        if (fresh.metadata?.resourceVersion === current.metadata?.resourceVersion) throw err;
        current = fresh;
      }
    }
  }

  async migrate(run: CrdRun, before: string[]): Promise<CrdMigration> {
    const kind = run.resource.kind;
    const result: CrdMigration = {
      crd: run.crd.metadata?.name ?? '',
      kind,
      storageVersion: run.storage,
      storedVersionsBefore: before,
      storedVersionsAfter: before,
      result: 'failed',
      objects: 0,
      rewritten: 0,
      managedFieldsFixed: 0,
      doneBefore: 0,
      gone: 0,
      failed: 0,
      errors: [],
    };
    const objects = (await this.cluster.listAll(run.resource, { signal: this.signal })).sort(byKey);
    result.objects = objects.length;
    const checkpoint = this.req.dryRun ? undefined : readCheckpoint(run.crd, run.storage);
    const todo = checkpoint ? objects.filter((o) => after(keyOf(o), checkpoint.after)) : objects;
    result.doneBefore = objects.length - todo.length;
    if (checkpoint)
      this.progress(`${kind}: continuing after ${checkpoint.after} (${result.doneBefore} done before)`, true);

    // The checkpoint moves over the longest run of finished objects from the start of the list.
    const finished = new Array<boolean>(todo.length).fill(false);
    let prefix = 0;
    let savedAt = Date.now();
    const advance = async (force: boolean) => {
      while (prefix < todo.length && finished[prefix]) prefix++;
      if (prefix === 0 || (!force && Date.now() - savedAt < CHECKPOINT_EVERY_MS)) return;
      savedAt = Date.now();
      await this.saveCheckpoint(run, {
        storage: run.storage,
        after: keyOf(todo[prefix - 1]!),
        done: result.doneBefore + prefix,
      });
    };

    await mapPool(todo, CONCURRENCY, async (obj, i) => {
      if (this.stopping()) return;
      try {
        if (await this.rewrite(run, obj, result)) result.rewritten += 1;
        else result.gone += 1;
        finished[i] = true;
      } catch (err) {
        if (isKubeError(err, 'Cancelled')) {
          this.stopping();
          return;
        }
        result.failed += 1;
        if (result.errors.length < ERRORS_MAX) {
          result.errors.push({
            namespace: obj.metadata?.namespace ?? '',
            name: obj.metadata?.name ?? '',
            message: err instanceof Error ? err.message : String(err),
          });
        }
      }
      this.progress(
        `${kind}: ${result.doneBefore + result.rewritten + result.gone + result.failed}/${objects.length} objects`,
      );
      await advance(false);
    });
    await advance(true);

    const complete = finished.every(Boolean);
    if (!complete) {
      result.result = result.failed > 0 ? 'failed' : 'stopped';
      return result;
    }
    await this.trim(run, result);
    return result;
  }

  /** Sets status.storedVersions to the storage version and drops the checkpoint. */
  private async trim(run: CrdRun, result: CrdMigration): Promise<void> {
    const name = run.crd.metadata?.name ?? '';
    for (let attempt = 1; ; attempt++) {
      const crd = await this.cluster.get(this.crdType, undefined, name, this.signal);
      const updated: KubeObject = { ...crd, status: { ...crd.status, storedVersions: [run.storage] } };
      try {
        await this.cluster.replaceStatus(this.crdType, undefined, updated, {
          dryRun: this.req.dryRun,
          signal: this.signal,
        });
        break;
      } catch (err) {
        if (!isKubeError(err, 'Conflict') || attempt >= RETRIES) throw err;
      }
    }
    if (this.req.dryRun) {
      result.result = 'dry-run';
      return;
    }
    await this.saveCheckpoint(run, null);
    result.storedVersionsAfter = [run.storage];
    result.result = 'migrated';
    this.progress(`${result.kind}: migrated to ${run.storage}`, true);
  }
}

export async function migrateStorage(cluster: Cluster, req: MigrationRequest): Promise<Migration> {
  if (cluster.client.scope) {
    throw new FluxError(
      'migrate_flux_storage rewrites objects in every namespace and the CRDs, which --allowed-namespaces does not allow; nothing was changed',
    );
  }
  const signal = req.signal;
  const crdType = await cluster.discovery.resolve(
    { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1' },
    signal,
  );
  const crds = (await cluster.listAll(crdType, { labelSelector: FLUX_SELECTOR, signal })).sort((a, b) =>
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  if (crds.length === 0) {
    throw new FluxError(
      `no Flux CRDs (labelled ${FLUX_SELECTOR}) in context ${cluster.context}; nothing was changed`,
    );
  }
  await checkReleases(cluster, crds, req.namespace, signal);

  const migrator = new Migrator(cluster, crdType, req, signal);
  const results: CrdMigration[] = [];
  for (const crd of crds) {
    const storage = storageVersionOf(crd);
    const stored = storedVersionsOf(crd);
    const name = crd.metadata?.name ?? '';
    const kind = stringField(crd, 'spec', 'names', 'kind') ?? name;
    const group = stringField(crd, 'spec', 'group') ?? '';
    if (!storage) throw new KubeError('Invalid', `CRD ${name} has no storage version`);
    const untouched = (result: CrdMigration['result']): CrdMigration => ({
      crd: name,
      kind,
      storageVersion: storage,
      storedVersionsBefore: stored,
      storedVersionsAfter: stored,
      result,
      objects: 0,
      rewritten: 0,
      managedFieldsFixed: 0,
      doneBefore: 0,
      gone: 0,
      failed: 0,
      errors: [],
    });
    if (stored.length === 1 && stored[0] === storage) {
      results.push(untouched('up-to-date'));
      continue;
    }
    if (migrator.stoppedBy) {
      results.push(untouched('stopped'));
      continue;
    }
    const resource = await cluster.discovery.resolve({ kind, apiVersion: `${group}/${storage}` }, signal);
    results.push(await migrator.migrate({ crd, resource, storage }, stored));
  }

  const work = results.filter((r) => r.result !== 'up-to-date');
  const result: Migration['result'] =
    work.length === 0
      ? 'up-to-date'
      : work.some((r) => r.result === 'failed')
        ? 'failed'
        : work.some((r) => r.result === 'stopped') || migrator.stoppedBy
          ? 'stopped'
          : req.dryRun
            ? 'dry-run'
            : 'migrated';
  return {
    context: cluster.context,
    dryRun: req.dryRun,
    result,
    ...(migrator.stoppedBy ? { stoppedBy: migrator.stoppedBy } : {}),
    crds: results,
  };
}
