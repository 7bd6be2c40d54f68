// "What is wrong with Flux?" in one pass: every Flux kind listed concurrently, each object classified as
// ready, failing, progressing, suspended or stale, with the facts an operator looks at first.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { KubeError, isKubeError } from '../kube/errors.js';
import { mapPool } from '../kube/pool.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { FLUX_KINDS, findFluxKind, type FluxKind } from './kinds.js';
import { NOT_READY_READ_MS, notReadyObjects } from './not-ready.js';
import { dependencies, refString, sourceChain, type FluxRef } from './refs.js';
import { staleness } from './staleness.js';
import { findCondition, summarizeFlux } from './status.js';
import { suspensionDetails } from './suspension.js';

const FALLBACK_CONCURRENCY = 16;

const countsShape = {
  total: z.number(),
  ready: z.number(),
  failing: z.number(),
  progressing: z.number(),
  suspended: z.number(),
  stale: z.number(),
  /**
   * Objects counted both as failing and as suspended (suspended while Ready=False or Stalled): the other
   * counts add up to `total` less this.
   */
  suspendedFailing: z.number().optional(),
};
const refShape = { kind: z.string(), namespace: z.string(), name: z.string() };

export const totalsSchema = z.object(countsShape);
export const kindCountsSchema = z.object({ kind: z.string(), ...countsShape });

export const failingObjectSchema = z.object({
  ...refShape,
  stalled: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  revision: z.string().optional(),
  attemptedRevision: z
    .string()
    .optional()
    .describe('The revision the failing reconcile tried, where it is not `revision` (the applied one).'),
  since: z.string().optional().describe('When it started failing (Ready condition transition).'),
  blockedBy: z.string().optional().describe('A failing source or dependency, the likely cause.'),
  notReady: z
    .string()
    .optional()
    .describe('What it waited for in vain: objects not ready, with why their Pods are not.'),
  suspended: z
    .literal(true)
    .optional()
    .describe('Also suspended: the failure stays until someone resumes it (listed under suspended too).'),
});

export const suspendedObjectSchema = z.object({
  ...refShape,
  by: z.string().optional(),
  at: z.string().optional(),
  reason: z.string().optional(),
  manager: z.string().optional().describe('Field manager that set the suspend switch.'),
});

export const staleObjectSchema = z.object({
  ...refShape,
  lastHandled: z.string().optional(),
  interval: z.string().optional(),
  requestPendingSince: z.string().optional(),
  revision: z.string().optional(),
});

export const visibilitySchema = z.object({
  /** Every served Flux kind was read in every namespace asked for. */
  complete: z.boolean(),
  /** Namespaces where no Flux kind could be read. */
  unreadableNamespaces: z.array(z.string()),
  /** Namespaces where some kinds could not be read. */
  unreadableKinds: z.array(z.object({ namespace: z.string(), kinds: z.array(z.string()) })),
  /** Listing across namespaces was refused and the namespaces could not be listed: only these were read. */
  onlyNamespaces: z.array(z.string()).optional(),
  user: z.string().optional(),
});

export type Totals = z.infer<typeof totalsSchema>;
export type KindCounts = z.infer<typeof kindCountsSchema>;
export type FailingObject = z.infer<typeof failingObjectSchema>;
export type SuspendedObject = z.infer<typeof suspendedObjectSchema>;
export type StaleObject = z.infer<typeof staleObjectSchema>;
export type Visibility = z.infer<typeof visibilitySchema>;

export interface FluxOverview {
  context: string;
  namespace?: string;
  totals: Totals;
  kinds: KindCounts[];
  failing: FailingObject[];
  suspended: SuspendedObject[];
  stale: StaleObject[];
  /** Flux kinds whose CRD this cluster does not serve. */
  notServed: string[];
  visibility: Visibility;
}

export interface OverviewRequest {
  namespace?: string;
  /** Only this kind (kind name, plural or short name). */
  kind?: string;
}

interface KindList {
  flux: FluxKind;
  resource: ResourceType;
  items: KubeObject[];
  /** Namespaces where listing this kind was forbidden. */
  forbidden: string[];
}

async function servedKinds(
  cluster: Cluster,
  kinds: readonly FluxKind[],
  signal: AbortSignal,
): Promise<{ served: { flux: FluxKind; resource: ResourceType }[]; notServed: string[] }> {
  const resolved = await Promise.all(
    kinds.map(async (flux) => {
      try {
        return {
          flux,
          resource: await cluster.discovery.resolve({ kind: flux.kind, group: flux.group }, signal),
        };
      } catch (err) {
        if (isKubeError(err, 'UnknownKind')) return { flux, resource: undefined };
        throw err;
      }
    }),
  );
  return {
    served: resolved.filter((r): r is { flux: FluxKind; resource: ResourceType } => r.resource !== undefined),
    notServed: resolved.filter((r) => r.resource === undefined).map((r) => r.flux.kind),
  };
}

/** The namespaces to read one by one when a cluster-wide list is forbidden. */
async function namespacesToTry(
  cluster: Cluster,
  signal: AbortSignal,
): Promise<{ names: string[]; listed: boolean }> {
  try {
    const ns = await cluster.discovery.resolve({ kind: 'Namespace', apiVersion: 'v1' }, signal);
    const items = await cluster.listAll(ns, { signal });
    return {
      names: items
        .map((i) => i.metadata?.name ?? '')
        .filter(Boolean)
        .sort(),
      listed: true,
    };
  } catch (err) {
    if (!isKubeError(err, 'Forbidden')) throw err;
    return { names: cluster.defaultNamespace ? [cluster.defaultNamespace] : [], listed: false };
  }
}

async function listKinds(
  cluster: Cluster,
  served: { flux: FluxKind; resource: ResourceType }[],
  namespace: string | undefined,
  signal: AbortSignal,
): Promise<{ lists: KindList[]; onlyNamespaces?: string[] }> {
  const lists: KindList[] = await Promise.all(
    served.map(async ({ flux, resource }) => {
      try {
        const items = await cluster.listAll(resource, { ...(namespace ? { namespace } : {}), signal });
        return { flux, resource, items, forbidden: [] };
      } catch (err) {
        if (isKubeError(err, 'Forbidden'))
          return { flux, resource, items: [], forbidden: [namespace ?? '*'] };
        if (isKubeError(err, 'NotFound')) return { flux, resource, items: [], forbidden: [] };
        throw err;
      }
    }),
  );
  const refusedClusterWide = lists.filter((l) => l.forbidden.includes('*'));
  if (namespace || refusedClusterWide.length === 0) return { lists };

  // Listing across namespaces was refused: read namespace by namespace what this user may read.
  const namespaces = await namespacesToTry(cluster, signal);
  const work = refusedClusterWide.flatMap((list) => namespaces.names.map((ns) => ({ list, ns })));
  await mapPool(work, FALLBACK_CONCURRENCY, async ({ list, ns }) => {
    try {
      list.items.push(...(await cluster.listAll(list.resource, { namespace: ns, signal })));
    } catch (err) {
      if (!isKubeError(err, 'Forbidden')) throw err;
      list.forbidden.push(ns);
    }
  });
  for (const list of refusedClusterWide) list.forbidden = list.forbidden.filter((ns) => ns !== '*');
  return namespaces.listed ? { lists } : { lists, onlyNamespaces: namespaces.names };
}

function visibilityOf(lists: KindList[], onlyNamespaces: string[] | undefined): Visibility {
  const byNamespace = new Map<string, string[]>();
  for (const list of lists) {
    for (const ns of list.forbidden) byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), list.flux.kind]);
  }
  const unreadableNamespaces: string[] = [];
  const unreadableKinds: { namespace: string; kinds: string[] }[] = [];
  for (const [namespace, kinds] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
    if (kinds.length === lists.length) unreadableNamespaces.push(namespace);
    else unreadableKinds.push({ namespace, kinds: kinds.sort() });
  }
  return {
    complete: byNamespace.size === 0 && !onlyNamespaces,
    unreadableNamespaces,
    unreadableKinds,
    ...(onlyNamespaces ? { onlyNamespaces } : {}),
  };
}

function refKey(ref: FluxRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** A failing source or dependency of a failing object: where to look first. */
function blockedBy(obj: KubeObject, kind: FluxKind, failing: ReadonlySet<string>): string | undefined {
  const sources = sourceChain(obj, kind);
  const refs = [...(Array.isArray(sources) ? sources : []), ...dependencies(obj, kind)];
  const culprit = refs.find((r) => failing.has(refKey(r)));
  return culprit ? refString(culprit) : undefined;
}

/** Failing appliers whose objects are looked at: the newest this many that waited in vain. */
const NOT_READY_EXPLAINED = 3;
/**
 * A failure of waiting for objects to become ready: a health check, Helm's wait, kstatus ("context deadline
 * exceeded", or the controller's client rate limiter that "would exceed context deadline").
 */
const WAITED = /health ?check|deadline|timed out|timeout waiting|not ready|InProgress/i;

/**
 * Says, beside the newest failing Kustomizations and HelmReleases that waited for their objects in vain,
 * which objects are not ready and why their Pods are not (ImagePullBackOff, CrashLoopBackOff), read within
 * NOT_READY_READ_MS: "why is it failing?" answered without another call.
 */
async function explainWaits(cluster: Cluster, failing: FailingObject[], signal: AbortSignal): Promise<void> {
  const waited = failing
    .filter(
      (f) =>
        (f.kind === 'Kustomization' || f.kind === 'HelmRelease') &&
        (f.reason === 'HealthCheckFailed' || WAITED.test(f.message ?? '')),
    )
    .slice(0, NOT_READY_EXPLAINED);
  if (waited.length === 0) return;
  const budget = AbortSignal.any([signal, AbortSignal.timeout(NOT_READY_READ_MS)]);
  await Promise.all(
    waited.map(async (f) => {
      const kind = f.kind as 'Kustomization' | 'HelmRelease';
      const notReady = await notReadyObjects(cluster, { kind, namespace: f.namespace, name: f.name }, budget);
      if (notReady) f.notReady = notReady;
    }),
  );
}

function byNewest<T>(get: (t: T) => string | undefined): (a: T, b: T) => number {
  return (a, b) => (get(b) ?? '').localeCompare(get(a) ?? '');
}

/** Reads every Flux object in scope and classifies it. Forbidden namespaces are reported, never skipped silently. */
export async function collectOverview(
  cluster: Cluster,
  req: OverviewRequest,
  signal: AbortSignal,
  now: number = Date.now(),
): Promise<FluxOverview> {
  let kinds: readonly FluxKind[] = FLUX_KINDS;
  if (req.kind) {
    const k = findFluxKind(req.kind);
    if (!k)
      throw new FluxError(
        `${req.kind} is not a Flux kind (Flux kinds: ${FLUX_KINDS.map((f) => f.kind).join(', ')})`,
      );
    kinds = [k];
  }
  const { served, notServed } = await servedKinds(cluster, kinds, signal);
  if (served.length === 0) {
    throw new FluxError(
      `context ${cluster.context} serves no Flux API (${kinds.map((k) => k.kind).join(', ')}): is Flux installed? get_flux_instance tells what is there`,
    );
  }
  const { lists, onlyNamespaces } = await listKinds(cluster, served, req.namespace, signal);
  const visibility = visibilityOf(lists, onlyNamespaces);
  if (req.namespace && visibility.unreadableNamespaces.length > 0) {
    // Nothing in the namespace asked for is readable: that is an error, not an empty answer.
    const user = await cluster.identity().catch(() => undefined);
    throw new KubeError(
      'Forbidden',
      `forbidden: ${user ? `user ${user}` : 'this user'} cannot list Flux objects in namespace ${req.namespace} (context ${cluster.context}); ask a cluster admin for read access or use another context`,
    );
  }
  if (!visibility.complete) {
    const user = await cluster.identity().catch(() => undefined);
    if (user) visibility.user = user;
  }

  const counts: KindCounts[] = [];
  const failing: FailingObject[] = [];
  const suspended: SuspendedObject[] = [];
  const stale: StaleObject[] = [];
  const failingObjects: { obj: KubeObject; kind: FluxKind; entry: FailingObject }[] = [];
  for (const { flux, items } of lists) {
    const c: KindCounts = {
      kind: flux.kind,
      total: 0,
      ready: 0,
      failing: 0,
      progressing: 0,
      suspended: 0,
      stale: 0,
    };
    counts.push(c);
    for (const obj of items) {
      c.total += 1;
      const ref = {
        kind: flux.kind,
        namespace: obj.metadata?.namespace ?? '',
        name: obj.metadata?.name ?? '',
      };
      const s = summarizeFlux(obj, flux);
      // A suspended object that was failing when suspended still fails: it is counted and listed as both.
      const stalled = findCondition(obj, 'Stalled')?.status === 'True';
      const failed =
        s.state === 'Failing' || s.state === 'Stalled' || (s.suspended && (stalled || s.ready === 'False'));
      if (s.state === 'Suspended') {
        c.suspended += 1;
        const d = suspensionDetails(obj, flux.suspend.type === 'annotation' ? flux.suspend.key : undefined);
        suspended.push({ ...ref, ...d });
        if (!failed) continue;
        c.suspendedFailing = (c.suspendedFailing ?? 0) + 1;
      }
      if (failed) {
        c.failing += 1;
        const entry: FailingObject = {
          ...ref,
          stalled,
          ...(s.suspended ? { suspended: true as const } : {}),
          ...(s.reason ? { reason: s.reason } : {}),
          ...(s.message ? { message: s.message } : {}),
          ...(s.revision ? { revision: s.revision } : {}),
          ...(s.attemptedRevision ? { attemptedRevision: s.attemptedRevision } : {}),
          ...(s.since ? { since: s.since } : {}),
        };
        failing.push(entry);
        failingObjects.push({ obj, kind: flux, entry });
        continue;
      }
      const st = staleness(obj, flux, now);
      if (st) {
        c.stale += 1;
        stale.push({
          ...ref,
          ...(st.lastHandled ? { lastHandled: st.lastHandled } : {}),
          ...(st.interval ? { interval: st.interval } : {}),
          ...(st.requestPendingSince ? { requestPendingSince: st.requestPendingSince } : {}),
          ...(s.revision ? { revision: s.revision } : {}),
        });
      } else if (s.state === 'Ready' || s.state === 'Static') c.ready += 1;
      else c.progressing += 1;
    }
  }
  const failingKeys = new Set(failing.map(refKey));
  for (const { obj, kind, entry } of failingObjects) {
    const culprit = blockedBy(obj, kind, failingKeys);
    if (culprit) entry.blockedBy = culprit;
  }
  failing.sort(byNewest((f) => f.since));
  await explainWaits(cluster, failing, signal);
  suspended.sort(byNewest((s) => s.at));
  stale.sort((a, b) => (a.lastHandled ?? '').localeCompare(b.lastHandled ?? ''));

  const totals: Totals = { total: 0, ready: 0, failing: 0, progressing: 0, suspended: 0, stale: 0 };
  for (const c of counts) {
    for (const key of ['total', 'ready', 'failing', 'progressing', 'suspended', 'stale'] as const)
      totals[key] += c[key];
    if (c.suspendedFailing) totals.suspendedFailing = (totals.suspendedFailing ?? 0) + c.suspendedFailing;
  }
  return {
    context: cluster.context,
    ...(req.namespace ? { namespace: req.namespace } : {}),
    totals,
    kinds: counts,
    failing,
    suspended,
    stale,
    notServed,
    visibility,
  };
}
