// What a Pod's status says, in the words an operator looks for: the STATUS column of `kubectl get pods`
// (a container's waiting or terminated reason such as ImagePullBackOff, CrashLoopBackOff or OOMKilled
// before the phase), ready containers, restarts, and the first container problem with its message.
// The rules follow kubectl's pod printer (kubernetes pkg/printers/internalversion/printers.go printPod).
import type { KubeObject } from './types.js';

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; signal?: number };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodSummary {
  /** As kubectl's STATUS column: Running, Pending, ImagePullBackOff, CrashLoopBackOff, Init:0/1, Terminating, ... */
  status: string;
  readyContainers: number;
  containers: number;
  restarts: number;
  /** The first problem in words, e.g. `container app ImagePullBackOff: Back-off pulling image "app:bad"`. */
  problem?: string;
  /** Running and ready, or finished successfully. */
  healthy: boolean;
}

function statuses(pod: KubeObject, key: 'containerStatuses' | 'initContainerStatuses'): ContainerStatus[] {
  const list = pod.status?.[key];
  return Array.isArray(list) ? (list as ContainerStatus[]) : [];
}

function initContainerAlwaysRestarts(pod: KubeObject, name: string | undefined): boolean {
  const specs = pod.spec?.initContainers;
  return (
    Array.isArray(specs) &&
    (specs as { name?: string; restartPolicy?: string }[]).some(
      (c) => c.name === name && c.restartPolicy === 'Always',
    )
  );
}

function terminatedWord(t: NonNullable<ContainerState['terminated']>): string {
  if (t.reason) return t.reason;
  return t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
}

function podCondition(pod: KubeObject, type: string): { status?: string; reason?: string; message?: string } {
  const list = pod.status?.conditions;
  const found = Array.isArray(list)
    ? (list as { type?: string; status?: string; reason?: string; message?: string }[]).find(
        (c) => c.type === type,
      )
    : undefined;
  return found ?? {};
}

/** kubectl's STATUS column. */
function statusWord(pod: KubeObject): string {
  const s = pod.status ?? {};
  let word =
    (typeof s.reason === 'string' && s.reason) || (typeof s.phase === 'string' && s.phase) || 'Pending';
  let initializing = false;
  const inits = statuses(pod, 'initContainerStatuses');
  for (const [i, c] of inits.entries()) {
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (c.state?.running && initContainerAlwaysRestarts(pod, c.name)) continue;
    initializing = true;
    if (t) word = `Init:${terminatedWord(t)}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing')
      word = `Init:${c.state.waiting.reason}`;
    else word = `Init:${i}/${inits.length}`;
    break;
  }
  if (!initializing) {
    let running = false;
    for (const c of [...statuses(pod, 'containerStatuses')].reverse()) {
      if (c.state?.waiting?.reason) word = c.state.waiting.reason;
      else if (c.state?.terminated) word = terminatedWord(c.state.terminated);
      else if (c.state?.running && c.ready) running = true;
    }
    if (word === 'Completed' && running)
      word = podCondition(pod, 'Ready').status === 'True' ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp) word = s.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return word;
}

function lastTermination(c: ContainerStatus): string {
  const t = c.lastState?.terminated;
  if (!t) return '';
  return `; last terminated ${terminatedWord(t)}${t.exitCode !== undefined ? ` (exit code ${t.exitCode})` : ''}`;
}

/** What is wrong with one container, or undefined when nothing is. */
function containerProblem(c: ContainerStatus, init: boolean): string | undefined {
  const who = `${init ? 'init container' : 'container'} ${c.name ?? ''}`;
  const waiting = c.state?.waiting;
  if (waiting?.reason && waiting.reason !== 'PodInitializing') {
    return `${who} ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}${lastTermination(c)}`;
  }
  const t = c.state?.terminated;
  if (t && !(t.exitCode === 0 && (init || t.reason === 'Completed' || !t.reason))) {
    const code = t.exitCode !== undefined ? ` (exit code ${t.exitCode})` : '';
    return `${who} terminated ${terminatedWord(t)}${code}${t.message ? `: ${t.message}` : ''}`;
  }
  if (c.state?.running && !init && !c.ready) {
    return `${who} running but not ready${(c.restartCount ?? 0) > 0 ? lastTermination(c) : ''}`;
  }
  return undefined;
}

export function summarizePod(pod: KubeObject): PodSummary {
  const containers = statuses(pod, 'containerStatuses');
  const inits = statuses(pod, 'initContainerStatuses');
  const specCount = Array.isArray(pod.spec?.containers) ? pod.spec.containers.length : 0;
  const restarts = [...inits, ...containers].reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const status = statusWord(pod);
  const phase = pod.status?.phase;
  const healthy =
    !pod.metadata?.deletionTimestamp &&
    (phase === 'Succeeded' || (phase === 'Running' && podCondition(pod, 'Ready').status === 'True'));
  let problem: string | undefined;
  if (!healthy) {
    problem =
      inits.map((c) => containerProblem(c, true)).find(Boolean) ??
      containers.map((c) => containerProblem(c, false)).find(Boolean);
    const scheduled = podCondition(pod, 'PodScheduled');
    if (!problem && scheduled.status === 'False')
      problem = `${scheduled.reason ?? 'not scheduled'}${scheduled.message ? `: ${scheduled.message}` : ''}`;
    if (!problem && typeof pod.status?.message === 'string') problem = pod.status.message;
  }
  return {
    status,
    readyContainers: containers.filter((c) => c.ready).length,
    containers: Math.max(specCount, containers.length),
    restarts,
    ...(problem ? { problem } : {}),
    healthy,
  };
}

/**
 * Why the pods of a workload are not ready, in one line: how many are not, by status, and the first
 * problem in words. Undefined when every pod is ready. `more` says the list was cut.
 */
export function explainPods(pods: readonly KubeObject[], more = false): string | undefined {
  if (pods.length === 0) return 'no pods match its selector';
  const failing = pods
    .map((pod) => ({ pod, s: summarizePod(pod) }))
    .filter(({ s }) => !s.healthy)
    // Pods that say what is wrong first, then the newest.
    .sort(
      (a, b) =>
        Number(!a.s.problem) - Number(!b.s.problem) ||
        (b.pod.metadata?.creationTimestamp ?? '').localeCompare(a.pod.metadata?.creationTimestamp ?? ''),
    );
  if (failing.length === 0) return undefined;
  const byStatus = new Map<string, number>();
  for (const { s } of failing) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
  const counts = [...byStatus].map(([status, n]) => `${n} ${status}`).join(', ');
  const first = failing[0]!;
  const of = `${pods.length}${more ? '+' : ''}`;
  return `pods: ${failing.length} of ${of} not ready (${counts}); ${first.pod.metadata?.name ?? ''}: ${first.s.problem ?? first.s.status}`;
}

/**
 * Why a kubelet has no log to give for a container, in its words plus the container's own reason, or
 * undefined when it has one (kubernetes pkg/kubelet/kubelet_pods.go validateContainerLogStatus): a
 * container that has never run (ErrImagePull, ImagePullBackOff, ContainerCreating) has no log, and
 * `previous` needs an instance that has terminated. A crash-looping container has the log of its last run.
 * Undefined too when the Pod reports no status for the container: the kubelet is asked then.
 */
export function logUnavailable(pod: KubeObject, container: string, previous: boolean): string | undefined {
  const status = [...statuses(pod, 'containerStatuses'), ...statuses(pod, 'initContainerStatuses')].find(
    (c) => c.name === container,
  );
  if (!status) return undefined;
  const lastTerminated = status.lastState?.terminated;
  if (previous) return lastTerminated ? undefined : 'has no previous instance: it has not restarted';
  if (status.state?.running || status.state?.terminated || lastTerminated) return undefined;
  const waiting = status.state?.waiting;
  if (!waiting) return 'is waiting to start: no logs yet';
  return `is waiting to start: ${waiting.reason ?? 'no logs yet'}${waiting.message ? `: ${waiting.message}` : ''}`;
}
