// Kubernetes events as Flux controllers record them (core/v1, aggregated with a count).
import { randomBytes } from 'node:crypto';
import type { TestObject } from './api.js';

export interface EventOptions {
  type?: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** How long ago it last happened. */
  minutesAgo: number;
  count?: number;
  /** Set as the `<group>/revision` annotation, as Flux does. */
  revision?: string;
  component?: string;
}

export function fluxEvent(
  involved: { apiVersion: string; kind: string; name: string; namespace: string },
  o: EventOptions,
): TestObject {
  const last = new Date(Date.now() - o.minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const group = involved.apiVersion.split('/')[0]!;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${involved.name}.${randomBytes(6).toString('hex')}`,
      namespace: involved.namespace,
      ...(o.revision ? { annotations: { [`${group}/revision`]: o.revision } } : {}),
    },
    involvedObject: involved,
    type: o.type ?? 'Normal',
    reason: o.reason,
    message: o.message,
    count: o.count ?? 1,
    firstTimestamp: last,
    lastTimestamp: last,
    source: { component: o.component ?? 'kustomize-controller' },
  };
}

/** An event the kubelet records on a Pod (Failed to pull image, BackOff, Unhealthy, ...). */
export function kubeletEvent(
  pod: { name: string; namespace: string },
  o: Omit<EventOptions, 'component' | 'revision'>,
): TestObject {
  return fluxEvent({ apiVersion: 'v1', kind: 'Pod', ...pod }, { ...o, component: 'kubelet' });
}
