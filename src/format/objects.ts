// One-line summaries of Kubernetes objects: Flux objects with their readiness and revision,
// other objects with the status field that says most about them.
import { z } from 'zod';
import { findFluxKind, groupOf } from '../flux/kinds.js';
import { field, findCondition, summarizeFlux } from '../flux/status.js';
import { summarizePod } from '../kube/pod-status.js';
import type { KubeObject } from '../kube/types.js';
import { fitToBudget, sectionLines, textBytes, TEXT_BUDGET, type BudgetSection, type Fit } from './budget.js';
import { formatAge, shortenHex, truncate } from './text.js';

export const objectSummarySchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  created: z.string().optional(),
  ready: z.enum(['True', 'False', 'Unknown']).optional(),
  state: z.string().optional(),
  suspended: z.boolean().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  revision: z.string().optional(),
  attemptedRevision: z
    .string()
    .optional()
    .describe(
      'The revision last tried, where it differs from `revision` (e.g. a commit that fails to build).',
    ),
  lastHandledReconcileAt: z.string().optional(),
  since: z.string().optional(),
  /** For non-Flux objects: the status in a few words (phase, replicas, keys; a Pod's as kubectl shows it). */
  status: z.string().optional(),
  /** Pods: ready containers of all, e.g. `1/2`. */
  containers: z.string().optional(),
  /** Pods: container restarts, summed. */
  restarts: z.number().optional(),
});

export type ObjectSummary = z.infer<typeof objectSummarySchema>;

/** A Pod as `kubectl get pods` shows it, and its first container problem as the message. */
function podFields(obj: KubeObject): Pick<ObjectSummary, 'status' | 'containers' | 'restarts' | 'message'> {
  const pod = summarizePod(obj);
  return {
    status: pod.status,
    containers: `${pod.readyContainers}/${pod.containers}`,
    restarts: pod.restarts,
    ...(pod.problem ? { message: pod.problem } : {}),
  };
}

function genericStatus(obj: KubeObject): string | undefined {
  if (obj.kind === 'Secret') {
    const keys = Object.keys((obj.data as object | undefined) ?? {}).length;
    return `type ${String(obj.type ?? 'Opaque')}, ${keys} keys (values masked)`;
  }
  if (obj.kind === 'ConfigMap') return `${Object.keys((obj.data as object | undefined) ?? {}).length} keys`;
  const replicas = field(obj, 'status', 'replicas') ?? field(obj, 'spec', 'replicas');
  if (typeof replicas === 'number') {
    const ready = field(obj, 'status', 'readyReplicas');
    return `ready ${typeof ready === 'number' ? ready : 0}/${replicas}`;
  }
  const phase = field(obj, 'status', 'phase');
  if (typeof phase === 'string') return phase;
  const ready =
    findCondition(obj, 'Ready') ?? findCondition(obj, 'Available') ?? findCondition(obj, 'Established');
  if (ready) return `${ready.type}=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`;
  return undefined;
}

export function summarizeObject(obj: KubeObject): ObjectSummary {
  const apiVersion = obj.apiVersion ?? '';
  const kindName = obj.kind ?? '';
  const flux = findFluxKind(kindName);
  const fluxKind = flux && flux.group === groupOf(apiVersion) ? flux : undefined;
  // Built by assignment rather than by spreading: this runs for every object of a listing.
  const base: ObjectSummary = { apiVersion, kind: kindName, name: obj.metadata?.name ?? '' };
  if (obj.metadata?.namespace) base.namespace = obj.metadata.namespace;
  if (obj.metadata?.creationTimestamp) base.created = obj.metadata.creationTimestamp;
  if (fluxKind) return Object.assign(base, summarizeFlux(obj, fluxKind));
  if (kindName === 'Pod' && apiVersion === 'v1') return Object.assign(base, podFields(obj));
  const status = genericStatus(obj);
  if (status) base.status = status;
  return base;
}

export function qualifiedName(s: { kind: string; namespace?: string; name: string }): string {
  return s.namespace ? `${s.kind} ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

const MESSAGE_MAX = 160;
/** Messages are shortened to these before objects are left out of a page. */
const MESSAGE_STEPS = [MESSAGE_MAX, 80, 0];

/**
 * `rev main@sha1:3f2a9c1e`, or where the controller tried another revision than the one applied,
 * `attempted rev main@sha1:9d0c4b2a (applied main@sha1:3f2a9c1e)`; HelmReleases name chart versions.
 */
export function revisionPhrase(
  kind: string,
  revision: string | undefined,
  attempted: string | undefined,
): string | undefined {
  if (attempted) {
    const before = revision
      ? ` (${kind === 'HelmRelease' ? 'last release' : 'applied'} ${shortenHex(revision)})`
      : '';
    return `attempted ${revisionLabel(kind, attempted)}${before}`;
  }
  return revision ? revisionLabel(kind, revision) : undefined;
}

/** `rev main@sha1:3f2a9c1e`, or for a HelmRelease `chart 1.2.0`. */
export function revisionLabel(kind: string, revision: string): string {
  return `${kind === 'HelmRelease' ? 'chart' : 'rev'} ${shortenHex(revision)}`;
}

/** `Kustomization apps/podinfo  Failing  HealthCheckFailed for 42m  rev main@sha1:3f2a9c1e` + message. */
export function objectLine(s: ObjectSummary, now: number = Date.now(), messageMax = MESSAGE_MAX): string {
  const { state, message } = objectParts(s, now, messageMax);
  const line = state ? `${qualifiedName(s)}  ${state}` : qualifiedName(s);
  return message ? `${line}\n    ${message}` : line;
}

type Parts = { state: string; message?: string };

/** What objectLine says of an object after its name: its state, revision and age; its message, cut. */
export function objectParts(s: ObjectSummary, now: number = Date.now(), messageMax = MESSAGE_MAX): Parts {
  return makeParts(s, now, messageMax);
}

function makeParts(s: ObjectSummary, now: number, messageMax: number): Parts {
  const parts: string[] = [];
  if (s.state) {
    const since = formatAge(s.since, now);
    const why = s.state !== 'Ready' && s.reason ? ` ${s.reason}` : '';
    parts.push(`${s.state}${why}${since && s.state !== 'Ready' ? ` for ${since}` : ''}`);
    const revision = revisionPhrase(s.kind, s.revision, s.attemptedRevision);
    if (revision) parts.push(revision);
  } else if (s.status) {
    parts.push(s.status);
    if (s.containers) parts.push(`ready ${s.containers}`);
    if (s.restarts) parts.push(`restarts ${s.restarts}`);
  }
  const age = formatAge(s.created, now);
  if (age) parts.push(`age ${age}`);
  const state = parts.join('  ');
  return s.message && s.state !== 'Ready' && messageMax > 0
    ? { state, message: truncate(shortenHex(s.message), messageMax) }
    : { state };
}

/** A page of a listing: the objects' summaries, their YAML when asked for, and where the list goes on. */
export interface ListingPage {
  items: ObjectSummary[];
  yaml?: string[];
  /** With `fields`: each object's selected values, keyed by expression (src/kube/jsonpath.ts project). */
  fields?: Record<string, unknown>[];
  continue?: string;
  remainingItemCount?: number;
}

/** What a continue token of the API server may take, for the room kept before the token is known. */
const TOKEN_ROOM = 200;

function nextPageLines(page: ListingPage, token = page.continue): string[] {
  if (!token) return [];
  const rest = page.remainingItemCount;
  return [`${rest !== undefined ? `${rest} more` : 'More'} objects: call again with continue: "${token}"`];
}

/** Longest value of a field shown in the text, before a marker saying how much more there is. */
export const FIELD_VALUE_MAX = 1000;

/** A selected value as the text shows it: a string as it is, anything else as JSON, long ones cut. */
export function fieldValueText(v: unknown, max = FIELD_VALUE_MAX): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return truncate(text, max, 'select a narrower field');
}

/** `Kustomization apps/podinfo  spec.suspend: true  status.conditions[...].status: False`. */
export function fieldsLine(s: ObjectSummary, fields: Record<string, unknown>, max = FIELD_VALUE_MAX): string {
  const values = Object.entries(fields).map(([expr, v]) => `${expr}: ${fieldValueText(v, max)}`);
  return [qualifiedName(s), ...(values.length > 0 ? values : ['(no field selected a value)'])].join('  ');
}

/** `Kustomization apps/podinfo  <state>` + message, from the parts objectParts made. */
function partsLine(s: ObjectSummary, { state, message }: Parts): string {
  const line = state ? `${qualifiedName(s)}  ${state}` : qualifiedName(s);
  return message ? `${line}\n    ${message}` : line;
}

function listingSection(
  page: ListingPage,
  now: number,
  parts?: { max: number; list: Parts[] },
): BudgetSection {
  const { yaml, items, fields } = page;
  return {
    count: items.length,
    lines: (i, max) =>
      yaml
        ? [...(i > 0 ? ['---'] : []), yaml[i]!]
        : fields
          ? [fieldsLine(items[i]!, fields[i]!)]
          : [parts?.max === max ? partsLine(items[i]!, parts.list[i]!) : objectLine(items[i]!, now, max)],
    // Objects left out of a page are read again on the next one, after a token still to come.
    more: () => nextPageLines(page, 'x'.repeat(TOKEN_ROOM)),
  };
}

/**
 * How many of a page's first objects get_kubernetes_resources shows: without a limit, those that fit in
 * about 3 KB of text under `header` (messages shortened first, at least `minimum`); with a limit, that many.
 * When that is fewer than the page, the page is to be read again with that limit, so that its continue
 * token starts right after the objects shown.
 */
export function fitListing(
  page: ListingPage,
  header: string,
  opts: { limit?: number | undefined; minimum: number; now: number },
): Fit {
  return fitToBudget([listingSection(page, opts.now)], {
    room: TEXT_BUDGET - textBytes([header, ...nextPageLines(page)]),
    steps: MESSAGE_STEPS,
    limit: opts.limit,
    minimum: opts.minimum,
  });
}

/** The whole page as text: `header`, a line per object (or its YAML) with messages cut to `messageMax`, the next page. */
export function renderListing(
  page: ListingPage,
  header: string,
  messageMax: number,
  now: number,
  parts?: { max: number; list: Parts[] },
): string {
  const section = listingSection(page, now, parts);
  const body = sectionLines([section], { shown: [page.items.length], messageMax });
  return [body.length > 0 ? `${header}:` : `${header}.`, ...body, ...nextPageLines(page)].join('\n');
}

/**
 * get_kubernetes_resources' answer: the text (renderListing) and its compact structured content
 * (compactListing), each object's line made once for both.
 */
export function listingAnswer(
  page: ListingPage,
  header: string,
  opts: { context: string; apiVersion?: string; kind: string; messageMax: number; now: number },
): { text: string; compact: CompactListing } {
  const parts =
    page.yaml || page.fields
      ? undefined
      : { max: opts.messageMax, list: page.items.map((i) => objectParts(i, opts.now, opts.messageMax)) };
  return {
    text: renderListing(page, header, opts.messageMax, opts.now, parts),
    compact: compactListing(page, opts, parts?.list),
  };
}

/** get_kubernetes_resources' compact structured content (docs/structured-content.md). */
export const compactListingShape = {
  context: z.string(),
  /** The API version read, when the call named none. */
  apiVersion: z.string().optional(),
  kind: z.string(),
  count: z.number(),
  /**
   * The objects by namespace/name: each one's state as the text says it (with its message), its selected
   * fields, or its YAML.
   */
  items: z
    .record(
      z.string(),
      z.union([
        z.string(),
        z.object({ state: z.string(), msg: z.string() }),
        z.record(z.string(), z.unknown()),
      ]),
    )
    .optional(),
  more: z.object({ objects: z.number().optional() }).optional(),
  continue: z.string().optional(),
  next: z.string().optional(),
};

export type CompactListing = z.infer<z.ZodObject<typeof compactListingShape>>;

/** The page as the text shows it, compact: a listing of one kind is keyed by namespace/name. */
export function compactListing(
  page: ListingPage,
  opts: { context: string; apiVersion?: string; kind: string; messageMax: number; now: number },
  parts?: Parts[],
): CompactListing {
  const { yaml, fields } = page;
  const items: NonNullable<CompactListing['items']> = {};
  page.items.forEach((item, i) => {
    let key = item.namespace ? `${item.namespace}/${item.name}` : item.name;
    for (let n = 2; key in items; n++)
      key = `${item.namespace ? `${item.namespace}/` : ''}${item.name} (${n})`;
    if (yaml) items[key] = yaml[i]!;
    else if (fields) items[key] = fields[i]!;
    else {
      const { state, message } = parts?.[i] ?? objectParts(item, opts.now, opts.messageMax);
      items[key] = message ? { state, msg: message } : state;
    }
  });
  const rest = page.remainingItemCount;
  return {
    context: opts.context,
    ...(opts.apiVersion ? { apiVersion: opts.apiVersion } : {}),
    kind: opts.kind,
    count: page.items.length,
    ...(page.items.length > 0 ? { items } : {}),
    ...(page.continue
      ? {
          ...(rest !== undefined ? { more: { objects: rest } } : {}),
          continue: page.continue,
          next: 'call again with continue',
        }
      : {}),
  };
}
