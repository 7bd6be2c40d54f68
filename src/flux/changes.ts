// get_flux_changes: reads what the timeline of a window is made of, in one cluster or in many: the Flux
// objects in scope and the objects on their paths in other namespaces, their events, and the Helm storage
// of their HelmReleases; then assembles it (src/flux/timeline.ts).
import type { Cluster } from '../kube/cluster.js';
import { isKubeError, KubeError } from '../kube/errors.js';
import type { KubeAccess } from '../kube/access.js';
import { askFleet, fleetContexts, type FleetEntry } from '../kube/fleet.js';
import { getNamed } from '../kube/get-named.js';
import { mapPool } from '../kube/pool.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { readFluxEvent } from './change-events.js';
import { FluxError } from './errors.js';
import { CLUSTER_TIMEOUT_MS, FLEET_CONCURRENCY } from './fleet.js';
import { readReleaseHistory, type StoredRelease } from './helm-records.js';
import { helmReleaseCoordinates, historySnapshots } from './helm-release.js';
import { FLUX_KINDS, findFluxKind, type FluxKind } from './kinds.js';
import { refString, type FluxRef } from './refs.js';
import { field, findCondition } from './status.js';
import { suspensionDetails } from './suspension.js';
import {
  assembleTimeline,
  inWindow,
  pathOf,
  refKey,
  timeOf,
  upstreamOf,
  type Change,
  type KnownObject,
  type Timeline,
  type Window,
} from './timeline.js';

export interface ChangesRequest {
  /** Only this namespace (and the objects on the paths of its objects). */
  namespace?: string;
  /** Only changes of this kind of object. */
  kind?: string;
  /** One object (with kind) and the objects on its path. */
  name?: string;
  window: Window;
}

export interface ClusterChanges {
  context: string;
  timeline: Timeline;
  /** Flux objects read, and how many of them lie outside the namespace asked for (on the paths). */
  objects: number;
  elsewhere: number;
  /** With a name: the object and the objects on its path. */
  focus?: { ref: FluxRef; path: FluxRef[] };
  /** What could not be read, and what that leaves out. */
  notes: string[];
}

/** Objects on paths read one by one from other namespaces, at most. */
const PATH_READS_MAX = 30;
/** HelmReleases whose Helm storage is read: all of them up to this many, else those active in the window. */
export const STORAGE_READS_MAX = 20;
const CONCURRENCY = 8;
/** Events read per query at most, as get_kubernetes_events caps its scan. */
const EVENTS_MAX = 5_000;

interface Served {
  flux: FluxKind;
  resource: ResourceType;
}

async function servedKinds(cluster: Cluster, signal: AbortSignal): Promise<Served[]> {
  const resolved = await Promise.all(
    FLUX_KINDS.map(async (flux) => {
      try {
        return {
          flux,
          resource: await cluster.discovery.resolve({ kind: flux.kind, group: flux.group }, signal),
        };
      } catch (err) {
        if (isKubeError(err, 'UnknownKind')) return undefined;
        throw err;
      }
    }),
  );
  return resolved.filter((r): r is Served => r !== undefined);
}

function refOf(obj: KubeObject, flux: FluxKind): FluxRef {
  return { kind: flux.kind, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

class Reader {
  readonly objects = new Map<string, KnownObject>();
  readonly notes: string[] = [];
  private readonly byKind: Map<string, Served>;

  constructor(
    private readonly cluster: Cluster,
    served: Served[],
    private readonly signal: AbortSignal,
  ) {
    this.byKind = new Map(served.map((s) => [s.flux.kind, s]));
  }

  get served(): Served[] {
    return [...this.byKind.values()];
  }

  add(obj: KubeObject, flux: FluxKind): void {
    obj.kind ??= flux.kind;
    this.objects.set(refKey(refOf(obj, flux)), { obj, flux });
  }

  /**
   * Every Flux object of a namespace (or of all). A kind the user may not list is a note; when no kind can
   * be listed at all, the call is refused: an empty timeline would say that nothing changed.
   */
  async list(namespace: string | undefined): Promise<void> {
    const refused: KubeError[] = [];
    await Promise.all(
      this.served.map(async ({ flux, resource }) => {
        try {
          const items = await this.cluster.listAll(resource, {
            ...(namespace ? { namespace } : {}),
            signal: this.signal,
          });
          for (const obj of items) this.add(obj, flux);
        } catch (err) {
          if (isKubeError(err, 'Forbidden')) {
            refused.push(err);
            this.notes.push(
              `${flux.kind} objects ${namespace ? `in namespace ${namespace}` : 'across namespaces'} are not readable (${err.message}); their changes are not listed`,
            );
          } else if (!isKubeError(err, 'NotFound')) throw err;
        }
      }),
    );
    if (refused.length === this.served.length) {
      const user = await this.cluster.identity().catch(() => undefined);
      throw new KubeError(
        'Forbidden',
        `forbidden: ${user ? `user ${user}` : 'this user'} cannot list Flux objects ${namespace ? `in namespace ${namespace}` : 'across namespaces'} (context ${this.cluster.context}); ${namespace ? 'ask a cluster admin for read access or use another context' : 'pass a namespace you can read'}`,
      );
    }
  }

  async get(ref: FluxRef): Promise<KnownObject | undefined> {
    const known = this.objects.get(refKey(ref));
    if (known) return known;
    const served = this.byKind.get(ref.kind);
    if (!served) return undefined;
    try {
      const obj = await this.cluster.get(served.resource, ref.namespace, ref.name, this.signal);
      this.add(obj, served.flux);
      return { obj, flux: served.flux };
    } catch (err) {
      if (isKubeError(err, 'NotFound')) return undefined;
      if (isKubeError(err, 'Forbidden')) {
        this.notes.push(
          `${refString(ref)} is not readable (${err.message}): what changed on it is not listed`,
        );
        return undefined;
      }
      throw err;
    }
  }

  /** Reads the objects upstream of these that were not read yet, as far as the path goes. */
  async completePaths(from: FluxRef[]): Promise<FluxRef[]> {
    const read: FluxRef[] = [];
    let frontier = from;
    for (let depth = 0; depth < 4 && frontier.length > 0 && read.length < PATH_READS_MAX; depth++) {
      const missing = new Map<string, FluxRef>();
      for (const r of frontier) {
        const known = this.objects.get(refKey(r));
        if (!known) continue;
        for (const up of upstreamOf(known.obj, known.flux))
          if (!this.objects.has(refKey(up))) missing.set(refKey(up), up);
      }
      const batch = [...missing.values()].slice(0, PATH_READS_MAX - read.length);
      const got = await mapPool(batch, CONCURRENCY, (r) => this.get(r));
      frontier = batch.filter((_, i) => got[i] !== undefined);
      read.push(...frontier);
    }
    return read;
  }

  private eventsType?: Promise<ResourceType>;

  private async scan(namespace: string | undefined, fieldSelector: string): Promise<KubeObject[]> {
    this.eventsType ??= this.cluster.discovery.resolve({ kind: 'Event', apiVersion: 'v1' }, this.signal);
    const events = await this.eventsType;
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.cluster.list(events, {
        ...(namespace ? { namespace } : {}),
        fieldSelector,
        limit: 500,
        ...(token ? { continue: token } : {}),
        signal: this.signal,
      });
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token && items.length < EVENTS_MAX);
    if (token)
      this.notes.push(
        `more than ${EVENTS_MAX} events match ${fieldSelector}${namespace ? ` in ${namespace}` : ''}: the oldest were not read; pass a namespace or a name`,
      );
    return items;
  }

  /**
   * Events of the Flux kinds that have objects in a namespace (or in all), and of single objects
   * elsewhere: one query per kind, selected by the API server rather than read whole.
   */
  async events(namespace: string | undefined, kinds: boolean, single: FluxRef[]): Promise<KubeObject[]> {
    const queries: { namespace: string | undefined; selector: string; what: string }[] = [];
    const present = new Set([...this.objects.values()].map((k) => k.flux.kind));
    if (kinds)
      for (const { flux } of this.served.filter((s) => present.has(s.flux.kind)))
        queries.push({
          namespace,
          selector: `involvedObject.kind=${flux.kind}`,
          what: `${flux.kind} objects`,
        });
    for (const r of single)
      queries.push({
        namespace: r.namespace,
        selector: `involvedObject.kind=${r.kind},involvedObject.name=${r.name}`,
        what: refString(r),
      });
    const lists = await mapPool(queries, CONCURRENCY, async (q) => {
      try {
        return await this.scan(q.namespace, q.selector);
      } catch (err) {
        if (!isKubeError(err, 'Forbidden')) throw err;
        this.notes.push(
          `events of ${q.what} are not readable (${err.message}); only what the objects keep is listed`,
        );
        return [];
      }
    });
    return lists.flat();
  }

  async releases(hrs: KnownObject[]): Promise<Map<string, StoredRelease[]>> {
    const out = new Map<string, StoredRelease[]>();
    let forbidden: string | undefined;
    await mapPool(hrs, CONCURRENCY, async ({ obj }) => {
      if (field(obj, 'spec', 'kubeConfig')) return; // the release lives in another cluster
      const where = helmReleaseCoordinates(obj);
      try {
        const read = await readReleaseHistory(
          this.cluster,
          where.storageNamespace,
          where.release,
          this.signal,
        );
        out.set(`${obj.metadata?.namespace}/${obj.metadata?.name}`, read.records);
      } catch (err) {
        if (!isKubeError(err, 'Forbidden')) throw err;
        forbidden ??= err.message;
      }
    });
    if (forbidden)
      this.notes.push(
        `Helm storage is not readable (${forbidden}): Helm releases written outside helm-controller (a helm rollback) are not listed`,
      );
    return out;
  }
}

/** HelmReleases (`namespace/name`) with an event in the window. */
function releasesWithEvents(events: KubeObject[], w: Window): Set<string> {
  const out = new Set<string>();
  for (const e of events) {
    const ev = readFluxEvent(e);
    if (ev?.ref.kind === 'HelmRelease' && timeOf(ev.last) >= w.from)
      out.add(`${ev.ref.namespace}/${ev.ref.name}`);
  }
  return out;
}

/** Whether a HelmRelease shows any sign of activity in the window: its storage is then worth reading. */
function active(k: KnownObject, withEvents: Set<string>, w: Window): boolean {
  const { obj } = k;
  if (withEvents.has(`${obj.metadata?.namespace}/${obj.metadata?.name}`)) return true;
  const ready = findCondition(obj, 'Ready');
  if (inWindow(ready?.lastTransitionTime, w)) return true;
  if (historySnapshots(obj).some((s) => inWindow(s.lastDeployed, w))) return true;
  return inWindow(suspensionDetails(obj).at, w);
}

async function findFocus(
  reader: Reader,
  req: ChangesRequest,
  cluster: Cluster,
  signal: AbortSignal,
): Promise<FluxRef> {
  const flux = req.kind ? findFluxKind(req.kind) : undefined;
  if (!req.kind)
    throw new FluxError('give the kind of the object as well as its name, e.g. kind: "Kustomization"');
  if (!flux) throw new FluxError(`${req.kind} is not a Flux kind`);
  const served = reader.served.find((s) => s.flux.kind === flux.kind);
  if (!served) throw new FluxError(`context ${cluster.context} does not serve ${flux.kind}`);
  if (req.namespace) {
    const obj = await getNamed(cluster, served.resource, req.namespace, req.name!, signal);
    reader.add(obj, flux);
    return refOf(obj, flux);
  }
  const matches = await cluster.listAll(served.resource, {
    fieldSelector: `metadata.name=${req.name}`,
    signal,
  });
  if (matches.length === 0)
    throw new FluxError(`no ${flux.kind} named ${req.name} in any namespace of context ${cluster.context}`);
  if (matches.length > 1)
    throw new FluxError(
      `${flux.kind} ${req.name} exists in several namespaces (${matches.map((m) => m.metadata?.namespace).join(', ')}); pass namespace`,
    );
  reader.add(matches[0]!, flux);
  return refOf(matches[0]!, flux);
}

/** Reads and assembles the changes of one cluster in the window. */
export async function collectChanges(
  cluster: Cluster,
  req: ChangesRequest,
  signal: AbortSignal,
): Promise<ClusterChanges> {
  const served = await servedKinds(cluster, signal);
  if (served.length === 0)
    throw new FluxError(
      `context ${cluster.context} serves no Flux API: is Flux installed? get_flux_instance tells what is there`,
    );
  if (req.kind && !findFluxKind(req.kind))
    throw new FluxError(
      `${req.kind} is not a Flux kind (Flux kinds: ${FLUX_KINDS.map((f) => f.kind).join(', ')})`,
    );
  const reader = new Reader(cluster, served, signal);
  const w = req.window;
  let focus: ClusterChanges['focus'];
  let inScope: (ref: FluxRef) => boolean;
  let rawEvents: KubeObject[];
  let elsewhere = 0;
  if (req.name) {
    const ref = await findFocus(reader, req, cluster, signal);
    await reader.completePaths([ref]);
    const path = pathOf(ref, reader.objects);
    focus = { ref, path };
    const keys = new Set([refKey(ref), ...path.map(refKey)]);
    inScope = (r) => keys.has(refKey(r));
    rawEvents = await reader.events(undefined, false, [ref, ...path]);
  } else {
    await reader.list(req.namespace);
    const own = [...reader.objects.values()].map((k) => refOf(k.obj, k.flux));
    const others = req.namespace ? await reader.completePaths(own) : [];
    elsewhere = others.length;
    inScope = () => true;
    rawEvents = await reader.events(req.namespace, true, others);
  }
  const hrs = [...reader.objects.values()].filter(
    (k) => k.flux.kind === 'HelmRelease' && inScope(refOf(k.obj, k.flux)),
  );
  const withEvents = hrs.length > STORAGE_READS_MAX ? releasesWithEvents(rawEvents, w) : new Set<string>();
  const toRead = hrs.length <= STORAGE_READS_MAX ? hrs : hrs.filter((k) => active(k, withEvents, w));
  const releases = await reader.releases(toRead.slice(0, STORAGE_READS_MAX));
  if (hrs.length > STORAGE_READS_MAX)
    reader.notes.push(
      `Helm storage was read for ${Math.min(toRead.length, STORAGE_READS_MAX)} of ${hrs.length} HelmReleases (those active in the window): a helm rollback of another one is not listed; pass a namespace or a name`,
    );
  const timeline = assembleTimeline({
    objects: [...reader.objects.values()].map((k) => k.obj),
    events: rawEvents,
    releases,
    window: w,
  });
  const kind = req.kind && !req.name ? findFluxKind(req.kind)?.kind : undefined;
  const keep = (c: Change) => inScope(c.ref) && (!kind || c.ref.kind === kind);
  return {
    context: cluster.context,
    timeline: {
      ...timeline,
      changes: timeline.changes.filter(keep),
      failures: timeline.failures.filter((f) => keep(f.change)),
    },
    objects: reader.objects.size,
    elsewhere,
    ...(focus ? { focus } : {}),
    notes: reader.notes,
  };
}

/** The same question asked of many contexts; a cluster that does not answer is an entry, not a failure. */
export async function fleetChanges(
  access: KubeAccess,
  contexts: 'all' | readonly string[],
  req: ChangesRequest,
  signal: AbortSignal,
): Promise<FleetEntry<ClusterChanges>[]> {
  return askFleet(access, fleetContexts(access, contexts), (cluster, s) => collectChanges(cluster, req, s), {
    concurrency: FLEET_CONCURRENCY,
    timeoutMs: CLUSTER_TIMEOUT_MS,
    signal,
  });
}
