// Whether a Kubernetes object is ready, for the kinds that say so in their status: the rules of kstatus
// (fluxcd/cli-utils pkg/kstatus/status/core.go) for workloads, conditions and phases for the rest.
import { summarizePod } from './pod-status.js';
import type { Condition, KubeObject } from './types.js';

export interface Health {
  /** Undefined for objects without a notion of readiness (ConfigMap, Service, ...). */
  ready: boolean | undefined;
  message: string;
}

function num(obj: KubeObject, section: 'spec' | 'status', key: string): number | undefined {
  const v = obj[section]?.[key];
  return typeof v === 'number' ? v : undefined;
}

function condition(obj: KubeObject, type: string): Condition | undefined {
  const list = obj.status?.conditions;
  return Array.isArray(list) ? (list as Condition[]).find((c) => c?.type === type) : undefined;
}

function generationObserved(obj: KubeObject): boolean {
  const observed = num(obj, 'status', 'observedGeneration');
  const generation = obj.metadata?.generation;
  return observed === undefined || generation === undefined || observed >= generation;
}

export function deploymentHealth(obj: KubeObject): Health {
  const desired = num(obj, 'spec', 'replicas') ?? 1;
  const ready = num(obj, 'status', 'readyReplicas') ?? 0;
  const counts = `ready ${ready}/${desired}`;
  if (!generationObserved(obj)) return { ready: false, message: `${counts}, rollout not observed yet` };
  const progressing = condition(obj, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      ready: false,
      message: `${counts}, progress deadline exceeded: ${progressing.message ?? ''}`.trimEnd(),
    };
  }
  const updated = num(obj, 'status', 'updatedReplicas') ?? 0;
  const replicas = num(obj, 'status', 'replicas') ?? 0;
  const available = num(obj, 'status', 'availableReplicas') ?? 0;
  if (updated < desired) return { ready: false, message: `${counts}, ${updated}/${desired} updated` };
  if (replicas > updated)
    return { ready: false, message: `${counts}, ${replicas - updated} old replicas terminating` };
  if (available < updated) return { ready: false, message: `${counts}, ${available}/${updated} available` };
  if (ready < desired) return { ready: false, message: counts };
  const availableCond = condition(obj, 'Available');
  if (availableCond?.status === 'False') {
    return {
      ready: false,
      message: `${counts}, not available: ${availableCond.message ?? availableCond.reason ?? ''}`,
    };
  }
  return { ready: true, message: counts };
}

function statefulSetHealth(obj: KubeObject): Health {
  const desired = num(obj, 'spec', 'replicas') ?? 1;
  const ready = num(obj, 'status', 'readyReplicas') ?? 0;
  const counts = `ready ${ready}/${desired}`;
  if (!generationObserved(obj)) return { ready: false, message: `${counts}, rollout not observed yet` };
  const current = obj.status?.currentRevision;
  const update = obj.status?.updateRevision;
  if (ready < desired) return { ready: false, message: counts };
  if (current && update && current !== update)
    return { ready: false, message: `${counts}, rolling update in progress` };
  return { ready: true, message: counts };
}

function daemonSetHealth(obj: KubeObject): Health {
  const desired = num(obj, 'status', 'desiredNumberScheduled') ?? 0;
  const ready = num(obj, 'status', 'numberReady') ?? 0;
  const updated = num(obj, 'status', 'updatedNumberScheduled') ?? 0;
  const counts = `ready ${ready}/${desired}`;
  if (!generationObserved(obj)) return { ready: false, message: `${counts}, rollout not observed yet` };
  if (updated < desired) return { ready: false, message: `${counts}, ${updated}/${desired} updated` };
  return { ready: ready >= desired, message: counts };
}

function podHealth(obj: KubeObject): Health {
  const pod = summarizePod(obj);
  if (obj.status?.phase === 'Succeeded') return { ready: true, message: 'Succeeded' };
  if (pod.healthy) return { ready: true, message: 'Running' };
  const readyCond = condition(obj, 'Ready');
  const why = pod.problem ?? readyCond?.message;
  return { ready: false, message: why ? `${pod.status}: ${why}` : pod.status };
}

function jobHealth(obj: KubeObject): Health {
  if (condition(obj, 'Complete')?.status === 'True') return { ready: true, message: 'Complete' };
  const failed = condition(obj, 'Failed');
  if (failed?.status === 'True')
    return { ready: false, message: `Failed: ${failed.message ?? failed.reason ?? ''}`.trimEnd() };
  return { ready: false, message: 'running' };
}

/** Readiness of any object, by its kind; `ready` is undefined when the kind has no such notion. */
export function objectHealth(obj: KubeObject): Health {
  if (obj.metadata?.deletionTimestamp) return { ready: false, message: 'being deleted' };
  switch (obj.kind) {
    case 'Deployment':
      return deploymentHealth(obj);
    case 'StatefulSet':
      return statefulSetHealth(obj);
    case 'DaemonSet':
      return daemonSetHealth(obj);
    case 'Pod':
      return podHealth(obj);
    case 'Job':
      return jobHealth(obj);
    case 'PersistentVolumeClaim': {
      const phase = String(obj.status?.phase ?? 'Pending');
      return { ready: phase === 'Bound', message: phase };
    }
    case 'Namespace': {
      const phase = String(obj.status?.phase ?? 'Active');
      return { ready: phase === 'Active', message: phase };
    }
    case 'CustomResourceDefinition': {
      const established = condition(obj, 'Established')?.status === 'True';
      return { ready: established, message: established ? 'Established' : 'not established' };
    }
  }
  const ready = condition(obj, 'Ready') ?? condition(obj, 'Available');
  if (ready) {
    return {
      ready: ready.status === 'True',
      message: `${ready.type}=${ready.status}${ready.reason ? ` ${ready.reason}` : ''}${ready.message ? `: ${ready.message}` : ''}`,
    };
  }
  return { ready: undefined, message: 'present' };
}
