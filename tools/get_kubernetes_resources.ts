import { z } from 'zod';
import type { Cluster } from '../src/kube/cluster.js';
import { isKubeError, KubeError } from '../src/kube/errors.js';
import { apiVersionOf, type KubeObject, type ResourceType } from '../src/kube/types.js';
import { objectLine, objectSummarySchema, summarizeObject } from '../src/format/objects.js';
import { sanitize } from '../src/format/sanitize.js';
import { plural } from '../src/format/text.js';
import { defineTool, READ_ONLY } from './contract.js';
import {
  apiVersionName,
  contextName,
  kindName,
  namespaceOrAll,
  objectName,
  limitParam,
  text,
} from './schemas.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Lists namespaces that hold objects of this resource, to help after a not-found. */
async function namespacesWith(
  cluster: Cluster,
  r: ResourceType,
  signal: AbortSignal,
): Promise<string[] | undefined> {
  try {
    const list = await cluster.list(r, { limit: 500, signal });
    return [...new Set(list.items.map((i) => i.metadata?.namespace ?? ''))].filter(Boolean).sort();
  } catch {
    return undefined;
  }
}

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
    limit: limitParam(MAX_LIMIT, `Per page (default ${DEFAULT_LIMIT}).`),
    continue: text(4096).optional(),
    output: z.enum(['compact', 'yaml']).optional(),
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
  },
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

    let objects: KubeObject[];
    let next: string | undefined;
    let remaining: number | undefined;
    if (args.name && (namespace || !r.namespaced)) {
      try {
        objects = [await cluster.get(r, namespace, args.name, ctx.signal)];
      } catch (err) {
        if (isKubeError(err, 'NotFound')) {
          const where = namespace ? `${namespace}/${args.name}` : args.name;
          const others = r.namespaced ? await namespacesWith(cluster, r, ctx.signal) : undefined;
          const hint =
            others === undefined
              ? ''
              : others.length > 0
                ? ` (namespaces with ${r.kind} objects: ${others.join(', ')})`
                : ` (no ${r.kind} objects in any namespace)`;
          throw new KubeError(
            'NotFound',
            `${r.kind} ${where} not found in context ${cluster.context}${hint}`,
          );
        }
        throw err;
      }
    } else {
      const page = await cluster.list(r, {
        ...(namespace ? { namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
        ...(args.name ? { fieldSelector: `metadata.name=${args.name}` } : {}),
        limit: args.limit ?? DEFAULT_LIMIT,
        ...(args.continue ? { continue: args.continue } : {}),
        signal: ctx.signal,
      });
      objects = page.items;
      next = page.metadata?.continue || undefined;
      remaining = page.metadata?.remainingItemCount;
    }

    const items = objects.map(summarizeObject);
    const now = Date.now();
    const where = namespace ? `namespace ${namespace}` : r.namespaced ? 'all namespaces' : 'the cluster';
    const header = `${plural(items.length, r.kind)} (${apiVersionOf(r)}) in ${where}, context ${cluster.context}${labelSelector ? `, selector ${labelSelector}` : ''}${args.continue ? ' (continued)' : ''}`;
    const more = next
      ? `\n${remaining !== undefined ? `${remaining} more` : 'More'} objects: call again with continue: "${next}"`
      : '';
    const sanitized = args.output === 'yaml' ? objects.map(sanitize) : undefined;
    const stringify = sanitized ? (await import('../src/kube/yaml.js')).stringify : undefined;
    const body = sanitized
      ? sanitized.map((o) => stringify!(o, { lineWidth: 0 }).trimEnd()).join('\n---\n')
      : items.map((s) => objectLine(s, now)).join('\n');
    return {
      text: `${header}${items.length > 0 ? `:\n${body}` : '.'}${more}`,
      structured: {
        context: cluster.context,
        apiVersion: apiVersionOf(r),
        kind: r.kind,
        ...(namespace ? { namespace } : {}),
        count: items.length,
        items,
        ...(next ? { continue: next } : {}),
        ...(remaining !== undefined ? { remainingItemCount: remaining } : {}),
        ...(sanitized ? { objects: sanitized as Record<string, unknown>[] } : {}),
      },
    };
  },
});
