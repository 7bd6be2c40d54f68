// Events of Flux objects, as `flux events` reads them (docs/flux-semantics.md, Events): core/v1 Events
// selected by involvedObject, for one object and the objects it depends on, or for every Flux object of a
// namespace; newest first.
import { z } from 'zod';
import type { Cluster } from '../kube/cluster.js';
import { timeMs } from './duration.js';
import { KubeError, isKubeError } from '../kube/errors.js';
import { getNamed } from '../kube/get-named.js';
import { toEventRecord, type EventRecord } from '../kube/events.js';
import type { KubeObject, ResourceType } from '../kube/types.js';
import { FluxError } from './errors.js';
import { findFluxKind, groupOf, isFluxGroup, type FluxKind } from './kinds.js';
import { refString, resolveFluxKind, type FluxRef } from './refs.js';
import { field, stringField } from './status.js';

/** An object whose events are included, and why. */
export const relatedObjectSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  role: z.enum(['object', 'source', 'chart', 'provider', 'image repository']),
});

export type RelatedObject = z.infer<typeof relatedObjectSchema>;

export { eventRecordSchema, eventTime, toEventRecord, type EventRecord } from '../kube/events.js';

export interface EventsRequest {
  kind?: string;
  apiVersion?: string;
  name?: string;
  namespace?: string;
  /** Only events newer than this many milliseconds. */
  sinceMs?: number;
  type?: 'Normal' | 'Warning';
}

export interface EventsAnswer {
  /** The objects whose events were read (one-object mode); empty in namespace mode. */
  objects: RelatedObject[];
  events: EventRecord[];
  /** Objects or namespaces whose events could not be read. */
  notVisible: string[];
}

function ref(kind: string, namespace: string, name: string): FluxRef {
  return { kind, namespace, name };
}

/** The objects whose events explain this one's: its source, its HelmChart and the chart's source, and so on. */
export function relatedObjects(obj: KubeObject, kind: FluxKind): RelatedObject[] {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  const out: RelatedObject[] = [];
  const add = (
    role: RelatedObject['role'],
    kindName: string | undefined,
    refName: string | undefined,
    refNs?: string,
  ) => {
    if (kindName && refName) out.push({ role, ...ref(kindName, refNs ?? ns, refName) });
  };
  switch (kind.kind) {
    case 'Kustomization':
    case 'ImageUpdateAutomation': {
      const s = field(obj, 'spec', 'sourceRef');
      add('source', stringField(s, 'kind'), stringField(s, 'name'), stringField(s, 'namespace'));
      break;
    }
    case 'HelmRelease': {
      const chartRef = field(obj, 'spec', 'chartRef');
      if (chartRef) {
        add(
          'chart',
          stringField(chartRef, 'kind'),
          stringField(chartRef, 'name'),
          stringField(chartRef, 'namespace'),
        );
        break;
      }
      const template = field(obj, 'spec', 'chart', 'spec');
      const sourceNs = stringField(template, 'sourceRef', 'namespace') ?? ns;
      // helm-controller records the HelmChart it made in status.helmChart; its name rule is <ns>-<name>.
      const [chartNs, chartName] = (
        stringField(obj, 'status', 'helmChart') ?? `${sourceNs}/${ns}-${name}`
      ).split('/');
      add('chart', 'HelmChart', chartName, chartNs);
      add(
        'source',
        stringField(template, 'sourceRef', 'kind'),
        stringField(template, 'sourceRef', 'name'),
        sourceNs,
      );
      break;
    }
    case 'HelmChart': {
      const s = field(obj, 'spec', 'sourceRef');
      add('source', stringField(s, 'kind'), stringField(s, 'name'));
      break;
    }
    case 'Alert':
      add('provider', 'Provider', stringField(obj, 'spec', 'providerRef', 'name'));
      break;
    case 'ImagePolicy': {
      const r = field(obj, 'spec', 'imageRepositoryRef');
      add('image repository', 'ImageRepository', stringField(r, 'name'), stringField(r, 'namespace'));
      break;
    }
  }
  return out;
}

function isFluxEvent(e: KubeObject): boolean {
  const apiVersion = stringField(e, 'involvedObject', 'apiVersion');
  if (apiVersion) return isFluxGroup(groupOf(apiVersion));
  return findFluxKind(stringField(e, 'involvedObject', 'kind') ?? '') !== undefined;
}

async function findObject(
  cluster: Cluster,
  req: EventsRequest & { kind: string; name: string },
  signal: AbortSignal,
): Promise<{ flux: FluxKind; obj: KubeObject }> {
  const { flux, resource } = await resolveFluxKind(cluster, req.kind, req.apiVersion, signal);
  if (req.namespace) {
    return { flux, obj: await getNamed(cluster, resource, req.namespace, req.name, signal) };
  }
  const matches = await cluster.listAll(resource, { fieldSelector: `metadata.name=${req.name}`, signal });
  if (matches.length === 1) return { flux, obj: matches[0]! };
  if (matches.length === 0)
    throw new FluxError(`no ${flux.kind} named ${req.name} in any namespace of context ${cluster.context}`);
  const namespaces = matches.map((m) => m.metadata?.namespace).join(', ');
  throw new FluxError(
    `${flux.kind} ${req.name} exists in several namespaces (${namespaces}); pass namespace`,
  );
}

async function listEvents(
  cluster: Cluster,
  events: ResourceType,
  namespace: string | undefined,
  fieldSelector: string | undefined,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  return cluster.listAll(events, {
    ...(namespace ? { namespace } : {}),
    ...(fieldSelector ? { fieldSelector } : {}),
    signal,
  });
}

function selector(parts: (string | undefined)[]): string | undefined {
  const s = parts.filter(Boolean).join(',');
  return s || undefined;
}

/** Reads the events asked for, newest first. */
export async function collectEvents(
  cluster: Cluster,
  req: EventsRequest,
  signal: AbortSignal,
  now: number = Date.now(),
): Promise<EventsAnswer> {
  const eventsType = await cluster.discovery.resolve({ kind: 'Event', apiVersion: 'v1' }, signal);
  const typeSelector = req.type ? `type=${req.type}` : undefined;
  const notVisible: string[] = [];
  let raw: KubeObject[];
  let objects: RelatedObject[] = [];

  if (req.name) {
    if (!req.kind)
      throw new FluxError('give the kind of the object as well as its name, e.g. kind: "Kustomization"');
    const { flux, obj } = await findObject(cluster, { ...req, kind: req.kind, name: req.name }, signal);
    const subject: RelatedObject = {
      role: 'object',
      ...ref(flux.kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''),
    };
    objects = [subject, ...relatedObjects(obj, flux)];
    const lists = await Promise.all(
      objects.map(async (o) => {
        const fs = selector([`involvedObject.kind=${o.kind}`, `involvedObject.name=${o.name}`, typeSelector]);
        try {
          return await listEvents(cluster, eventsType, o.namespace, fs, signal);
        } catch (err) {
          // The object itself must be readable; a source in a namespace the user cannot read is reported.
          if (o.role === 'object' || !isKubeError(err, 'Forbidden')) throw err;
          notVisible.push(`${refString(o)} (forbidden)`);
          return [];
        }
      }),
    );
    raw = lists.flat();
  } else {
    const kind = req.kind ? findFluxKind(req.kind) : undefined;
    if (req.kind && !kind) throw new FluxError(`${req.kind} is not a Flux kind`);
    const fs = selector([kind ? `involvedObject.kind=${kind.kind}` : undefined, typeSelector]);
    try {
      raw = (await listEvents(cluster, eventsType, req.namespace, fs, signal)).filter(isFluxEvent);
    } catch (err) {
      if (isKubeError(err, 'Forbidden') && !req.namespace) {
        throw new KubeError('Forbidden', `${err.message}; or pass a namespace you can read`);
      }
      throw err;
    }
  }

  const cutoff = req.sinceMs !== undefined ? now - req.sinceMs : undefined;
  const records = raw
    .map(toEventRecord)
    .filter((e) => cutoff === undefined || (e.time !== undefined && Date.parse(e.time) >= cutoff))
    .sort((a, b) => timeMs(b.time) - timeMs(a.time));
  return { objects, events: records, notVisible };
}
