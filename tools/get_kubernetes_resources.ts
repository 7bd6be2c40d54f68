import { z } from 'zod';
import { getNamed } from '../src/kube/get-named.js';
import { apiVersionOf, type KubeList } from '../src/kube/types.js';
import type { Fit } from '../src/format/budget.js';
import {
  compactListingShape,
  fitListing,
  listingAnswer,
  objectSummarySchema,
  summarizeObject,
  type ListingPage,
} from '../src/format/objects.js';
import { sanitize } from '../src/format/sanitize.js';
import { plural } from '../src/format/text.js';
import { JsonPathError, parseFieldPath, project, type FieldPath } from '../src/kube/jsonpath.js';
import { defineTool, READ_ONLY, ToolError } from './contract.js';
import {
  apiVersionName,
  contextName,
  kindName,
  namespaceOrAll,
  objectName,
  limitParam,
  text,
} from './schemas.js';

const MAX_LIMIT = 1000;
/** Objects read per page without a limit, of which the text shows those that fit. */
const COMPACT_PAGE = 100;
const YAML_PAGE = 10;

/** Lists namespaces that hold objects of this resource, to help after a not-found. */
export default defineTool({
  name: 'get_kubernetes_resources',
  title: 'Kubernetes resources',
  description:
    'Objects of any kind by name, namespace (omit for all), selector: a line each with readiness or status, or yaml.',
  input: {
    apiVersion: apiVersionName.optional(),
    kind: kindName,
    name: objectName.optional(),
    namespace: namespaceOrAll.optional(),
    selector: text(1000).optional().describe('E.g. "app=web,tier!=db".'),
    limit: limitParam(MAX_LIMIT, 'Per page (default: what fits).'),
    continue: text(4096).optional(),
    output: z.enum(['compact', 'yaml']).optional(),
    fields: z.array(text(500)).optional(),
    context: contextName,
  },
  output: {
    context: z.string(),
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().optional(),
    count: z.number(),
    items: z.array(objectSummarySchema),
    continue: z.string().optional(),
    remainingItemCount: z.number().optional(),
    objects: z.array(z.record(z.string(), z.unknown())).optional(),
    /** With `fields`: each item's selected values, keyed by expression. */
    fields: z.array(z.record(z.string(), z.unknown())).optional(),
  },
  compact: compactListingShape,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const r = await cluster.discovery.resolve(
      { kind: args.kind, ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}) },
      ctx.signal,
    );
    const namespace = r.namespaced && args.namespace ? args.namespace : undefined;
    const labelSelector = args.selector
      ?.trim()
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(',');

    let paths: FieldPath[] | undefined;
    try {
      paths = args.fields?.map(parseFieldPath);
    } catch (err) {
      if (err instanceof JsonPathError) throw new ToolError(`${err.message}; nothing was read`);
      throw err;
    }
    if (paths && args.output === 'yaml') throw new ToolError('give fields or output yaml, not both');
    const yaml = args.output === 'yaml';
    const stringify = yaml ? (await import('../src/kube/yaml.js')).stringify : undefined;
    const now = Date.now();
    const where = namespace ? `namespace ${namespace}` : r.namespaced ? 'all namespaces' : 'the cluster';
    const header = (count: number) =>
      `${plural(count, r.kind)} (${apiVersionOf(r)}) in ${where}, context ${cluster.context}${labelSelector ? `, selector ${labelSelector}` : ''}${args.continue ? ' (continued)' : ''}`;
    // The objects as the answer shows them: summaries, and with YAML every Secret value masked.
    const pageOf = ({ items, metadata }: KubeList) => {
      const sanitized = stringify ? items.map(sanitize) : undefined;
      const page: ListingPage = { items: items.map(summarizeObject) };
      if (sanitized) page.yaml = sanitized.map((o) => stringify!(o, { lineWidth: 0 }).trimEnd());
      if (paths) page.fields = items.map((o) => project(paths, sanitize(o)));
      if (metadata?.continue) page.continue = metadata.continue;
      if (metadata?.remainingItemCount !== undefined) page.remainingItemCount = metadata.remainingItemCount;
      return { page, sanitized };
    };
    const fit = (page: ListingPage, opts: { limit?: number; minimum: number }) =>
      fitListing(page, header(page.items.length), { ...opts, now });

    let read: ReturnType<typeof pageOf>;
    let fitted: Fit;
    if (args.name && (namespace || !r.namespaced)) {
      read = pageOf({ items: [await getNamed(cluster, r, namespace, args.name, ctx.signal)] });
      fitted = fit(read.page, { minimum: 1 });
    } else {
      const list = (limit: number) =>
        cluster.list(r, {
          ...(namespace ? { namespace } : {}),
          ...(labelSelector ? { labelSelector } : {}),
          ...(args.name ? { fieldSelector: `metadata.name=${args.name}` } : {}),
          limit,
          ...(args.continue ? { continue: args.continue } : {}),
          signal: ctx.signal,
        });
      read = pageOf(await list(args.limit ?? (yaml ? YAML_PAGE : COMPACT_PAGE)));
      fitted = fit(read.page, { ...(args.limit ? { limit: args.limit } : {}), minimum: 1 });
      const shown = fitted.shown[0]!;
      if (shown < read.page.items.length) {
        // The API server's continue token starts after the last object of the page it answered: read the
        // page again up to the last object that fits, so that the next page starts right after it.
        read = pageOf(await list(shown));
        fitted = fit(read.page, { minimum: read.page.items.length });
      }
    }

    const { page, sanitized } = read;
    const { text, compact } = listingAnswer(page, header(page.items.length), {
      context: cluster.context,
      ...(args.apiVersion ? {} : { apiVersion: apiVersionOf(r) }),
      kind: r.kind,
      messageMax: fitted.messageMax,
      now,
    });
    return {
      text,
      compact,
      structured: {
        context: cluster.context,
        apiVersion: apiVersionOf(r),
        kind: r.kind,
        ...(namespace ? { namespace } : {}),
        count: page.items.length,
        items: page.items,
        ...(page.continue ? { continue: page.continue } : {}),
        ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
        ...(sanitized ? { objects: sanitized as Record<string, unknown>[] } : {}),
        ...(page.fields ? { fields: page.fields } : {}),
      },
    };
  },
});
