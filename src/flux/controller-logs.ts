// Logs of the Flux controller that reconciles a kind, narrowed to one object, or of any workload, as
// `flux logs` and the Flux Operator's get_kubernetes_logs read them (docs/flux-semantics.md, Logs).
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { timeMs } from './duration.js';
import { KubeError, isKubeError } from '../kube/errors.js';
import { logUnavailable, summarizePod } from '../kube/pod-status.js';
import { containerNames, podsOf } from '../kube/pods.js';
import type { KubeObject } from '../kube/types.js';
import { FluxError } from './errors.js';
import { linePattern } from './grep.js';
import { findFluxKind, type FluxKind } from './kinds.js';
import { filterLog, logEntrySchema, type LogFilter } from './logs.js';

/** Lines read from the end of each container log before filtering. */
export const SCAN_LINES = 10_000;
const LIMIT_BYTES = 8 * 1024 * 1024;
/** Pods read per workload (HA controllers run a few; only the leader reconciles). */
const MAX_PODS = 3;
/** The kinds whose Pods' logs are read by name, as the Flux Operator MCP server reads them. */
const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;
const FLUX_SELECTOR = 'app.kubernetes.io/part-of=flux';

export interface LogsRequest {
  kind?: string;
  name?: string;
  namespace?: string;
  container?: string;
  level?: string;
  grep?: string;
  /** grep is an RE2 regular expression, not a substring. */
  grepRegex?: boolean;
  sinceSeconds?: number;
  previous?: boolean;
  limit: number;
  /** Where the Flux controllers run. */
  controllerNamespace: string;
}

export const logSourceSchema = z.object({
  namespace: z.string(),
  pod: z.string(),
  container: z.string(),
  node: z.string().optional(),
  /** What is wrong with the Pod, when something is: `CrashLoopBackOff, 3 restarts: container app ...`. */
  state: z.string().optional(),
});

export const logLineSchema = logEntrySchema.extend({ pod: z.string() });

export type LogSource = z.infer<typeof logSourceSchema>;
export type LogLine = z.infer<typeof logLineSchema>;

export interface LogsAnswer {
  /** What the lines are about: `Kustomization apps/podinfo`, `Deployment apps/podinfo`. */
  subject: string;
  /** The controller Deployment whose logs were read, for a Flux kind. */
  controller?: string;
  /** The lines are all about one named object, so they need not say which. */
  oneObject: boolean;
  sources: LogSource[];
  lines: LogLine[];
  scanned: number;
  matched: number;
  /** Pods whose log could not be read, and why. */
  failures: string[];
}

async function controllerDeployment(
  cluster: Cluster,
  flux: FluxKind,
  namespace: string,
  signal: AbortSignal,
): Promise<KubeObject> {
  const deployments = await cluster.discovery.resolve({ kind: 'Deployment', apiVersion: 'apps/v1' }, signal);
  try {
    return await cluster.get(deployments, namespace, flux.controller, signal);
  } catch (err) {
    if (!isKubeError(err, 'NotFound')) throw err;
  }
  const fluxDeployments = await cluster.listAll(deployments, {
    namespace,
    labelSelector: FLUX_SELECTOR,
    signal,
  });
  const names = fluxDeployments.map((d) => d.metadata?.name).join(', ');
  throw new FluxError(
    `no Deployment ${flux.controller} (the controller of ${flux.kind}) in namespace ${namespace} of context ${cluster.context}` +
      (names
        ? `; Flux controllers there: ${names}`
        : '; if Flux runs in another namespace, pass it as controller_namespace'),
  );
}

async function workloadPods(
  cluster: Cluster,
  kind: (typeof WORKLOAD_KINDS)[number],
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  const group =
    kind === 'Pod'
      ? { apiVersion: 'v1' }
      : kind === 'Job' || kind === 'CronJob'
        ? { group: 'batch' }
        : { group: 'apps' };
  const r = await cluster.discovery.resolve({ kind, ...group }, signal);
  let obj: KubeObject;
  try {
    obj = await cluster.get(r, namespace, name, signal);
  } catch (err) {
    if (isKubeError(err, 'NotFound')) {
      throw new FluxError(`${kind} ${namespace}/${name} not found in context ${cluster.context}`);
    }
    throw err;
  }
  if (kind === 'Pod') return [obj];
  if (kind === 'CronJob') return podsOf(cluster, await newestJob(cluster, obj, signal), signal);
  return podsOf(cluster, obj, signal);
}

/** The newest Job a CronJob made (its ownerReferences name the CronJob), whose Pods have the latest run's logs. */
async function newestJob(cluster: Cluster, cronJob: KubeObject, signal: AbortSignal): Promise<KubeObject> {
  const jobs = await cluster.discovery.resolve({ kind: 'Job', group: 'batch' }, signal);
  const namespace = cronJob.metadata?.namespace ?? '';
  const owned = (await cluster.listAll(jobs, { namespace, signal })).filter((j) =>
    (j.metadata?.ownerReferences ?? []).some((o) => o.uid === cronJob.metadata?.uid),
  );
  const newest = owned.sort((a, b) =>
    (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''),
  )[0];
  if (!newest)
    throw new FluxError(
      `CronJob ${namespace}/${cronJob.metadata?.name} has no Job in context ${cluster.context}: it has not run yet, or its Jobs were cleaned up`,
    );
  return newest;
}

/** A name given without a kind: the Pod of that name, or else the Deployment's ("the logs of helm-controller"). */
async function podsByName(
  cluster: Cluster,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<{ kind: (typeof WORKLOAD_KINDS)[number]; pods: KubeObject[] }> {
  for (const kind of ['Pod', 'Deployment'] as const) {
    try {
      return { kind, pods: await workloadPods(cluster, kind, namespace, name, signal) };
    } catch (err) {
      if (!(err instanceof FluxError)) throw err; // only "not found" is a FluxError here
    }
  }
  throw new FluxError(
    `no Pod or Deployment ${namespace}/${name} in context ${cluster.context}; give kind for a StatefulSet, DaemonSet, Job or CronJob, or a Flux kind (e.g. HelmRelease) for its controller's lines about that object`,
  );
}

function pickContainer(pod: KubeObject, wanted: string | undefined, preferred: string | undefined): string {
  const names = containerNames(pod);
  if (wanted) {
    if (!names.includes(wanted)) {
      throw new FluxError(
        `pod ${pod.metadata?.namespace}/${pod.metadata?.name} has no container ${wanted} (containers: ${names.join(', ')})`,
      );
    }
    return wanted;
  }
  if (preferred && names.includes(preferred)) return preferred;
  return names[0] ?? '';
}

/** Longest `state` of a log source. */
const STATE_MAX = 300;

/** What is wrong with a Pod whose log is read (src/kube/pod-status.ts), when something is. */
function podState(pod: KubeObject): { state?: string } {
  const s = summarizePod(pod);
  if (s.healthy) return {};
  const restarts = s.restarts > 0 ? `, ${s.restarts} restart${s.restarts === 1 ? '' : 's'}` : '';
  const state = `${s.status}${restarts}${s.problem ? `: ${s.problem}` : ''}`;
  return { state: state.length > STATE_MAX ? `${state.slice(0, STATE_MAX - 3)}...` : state };
}

export async function readLogs(cluster: Cluster, req: LogsRequest, signal: AbortSignal): Promise<LogsAnswer> {
  const kindName = req.kind ?? (req.name ? 'Pod' : undefined);
  if (!kindName) {
    throw new FluxError(
      'give kind: a Flux kind (Kustomization, HelmRelease, ...) for its controller logs, or Pod or Deployment with name and namespace',
    );
  }
  const flux = findFluxKind(kindName);
  const workload = WORKLOAD_KINDS.find((k) => k.toLowerCase() === kindName.toLowerCase());
  const grep = req.grep ? linePattern(req.grep, req.grepRegex ?? false) : undefined;
  let pods: KubeObject[];
  let filter: LogFilter;
  let subject: string;
  let controller: string | undefined;
  let preferredContainer: string | undefined;
  if (flux) {
    const dep = await controllerDeployment(cluster, flux, req.controllerNamespace, signal);
    controller = `Deployment ${req.controllerNamespace}/${flux.controller}`;
    pods = await podsOf(cluster, dep, signal);
    if (pods.length === 0) throw new FluxError(`${controller} has no pods: the controller is not running`);
    // The flux CLI reads the container named manager when a controller pod has several.
    preferredContainer = 'manager';
    filter = {
      kind: flux.kind,
      ...(req.name ? { name: req.name } : {}),
      ...(req.namespace ? { namespace: req.namespace } : {}),
    };
    subject = req.name
      ? `${flux.kind} ${req.namespace ? `${req.namespace}/` : ''}${req.name}`
      : `${flux.kind} objects`;
  } else if (workload) {
    if (!req.name || !req.namespace) throw new FluxError(`give the name and namespace of the ${workload}`);
    const found = req.kind
      ? { kind: workload, pods: await workloadPods(cluster, workload, req.namespace, req.name, signal) }
      : await podsByName(cluster, req.namespace, req.name, signal);
    pods = found.pods;
    subject = `${found.kind} ${req.namespace}/${req.name}`;
    if (pods.length === 0) throw new FluxError(`${subject} has no pods`);
    filter = {};
  } else {
    throw new FluxError(
      `kind ${kindName}: give a Flux kind (its controller's logs, narrowed to the object) or one of ${WORKLOAD_KINDS.join(', ')}`,
    );
  }
  if (req.level) filter.level = req.level;
  if (grep) filter.grep = grep;

  // Pods that run have logs worth reading; if none runs, the best one tells why there are none.
  const running = pods.filter((p) => p.status?.phase === 'Running');
  const chosen = (running.length > 0 ? running : pods).slice(0, MAX_PODS);
  const sources: LogSource[] = chosen.map((pod) => ({
    namespace: pod.metadata?.namespace ?? '',
    pod: pod.metadata?.name ?? '',
    container: pickContainer(pod, req.container, preferredContainer),
    ...(typeof pod.spec?.nodeName === 'string' ? { node: pod.spec.nodeName } : {}),
    ...podState(pod),
  }));
  const failures: string[] = [];
  const results = await Promise.all(
    sources.map(async (s, i) => {
      if (!s.node) {
        // The API server answers an empty log for such a pod, which must not read as "no matching lines".
        failures.push(`pod ${s.namespace}/${s.pod} is not scheduled on a node, so it has no logs yet`);
        return undefined;
      }
      // What the kubelet would refuse, said with the container's reason (ImagePullBackOff and its message).
      const unavailable = logUnavailable(chosen[i]!, s.container, req.previous ?? false);
      if (unavailable) {
        failures.push(`pod ${s.namespace}/${s.pod} container ${s.container} ${unavailable}`);
        return undefined;
      }
      try {
        const text = await cluster.podLogs(s.namespace, s.pod, {
          container: s.container,
          tailLines: SCAN_LINES,
          limitBytes: LIMIT_BYTES,
          ...(req.sinceSeconds ? { sinceSeconds: req.sinceSeconds } : {}),
          ...(req.previous ? { previous: true } : {}),
          signal,
        });
        return { source: s, log: await filterLog(text, filter, req.limit, { keepPlain: !flux, signal }) };
      } catch (err) {
        if (!(err instanceof KubeError) || err.code === 'Cancelled') throw err;
        failures.push(
          `pod ${s.namespace}/${s.pod} container ${s.container} from the kubelet of node ${s.node}: ${err.message}`,
        );
        return undefined;
      }
    }),
  );
  const read = results.filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (read.length === 0) {
    throw new FluxError(`cannot read the logs of ${subject}: ${failures.join('; ')}`);
  }
  // Pods' lines merged by time; a line without one (a panic, a stack trace) stays after the line before it.
  const lines = read
    .flatMap((r) => {
      let at = 0;
      return r.log.entries.map((e) => {
        at = timeMs(e.time) || at;
        return { line: { ...e, pod: r.source.pod }, at };
      });
    })
    .sort((a, b) => a.at - b.at)
    .map((l) => l.line)
    .slice(-req.limit);
  return {
    subject,
    ...(controller ? { controller } : {}),
    oneObject: Boolean(flux && req.name),
    sources: read.map((r) => r.source),
    lines,
    scanned: read.reduce((n, r) => n + r.log.scanned, 0),
    matched: read.reduce((n, r) => n + r.log.matched, 0),
    failures,
  };
}
