import { z } from 'zod';
import { logLineSchema, logSourceSchema, readLogs } from '../src/flux/controller-logs.js';
import { parseDuration } from '../src/flux/duration.js';
import { compactLogsShape, renderLogs } from '../src/format/logs.js';
import { truncate } from '../src/format/text.js';
import { defineTool, READ_ONLY } from './contract.js';
import {
  contextName,
  controllersNamespace,
  kindName,
  namespaceName,
  objectName,
  limitParam,
  text,
  sinceParam,
} from './schemas.js';

const MAX_LIMIT = 1000;
const STRUCTURED_LINE_MAX = 2000;
const DEFAULT_CONTROLLER_NAMESPACE = 'flux-system';

const containerName = text(253);

export default defineTool({
  name: 'get_kubernetes_logs',
  title: 'Controller logs',
  description:
    "Logs of the Flux controller of a kind, kept to one object's lines, or of a Pod or workload; the newest lines.",
  input: {
    kind: kindName.optional().describe('Flux kind, or a workload kind.'),
    name: objectName.optional(),
    namespace: namespaceName.optional(),
    level: z.enum(['error', 'info', 'debug']).optional(),
    since: sinceParam,
    grep: text(500).optional().describe('Text, any case.'),
    grep_regex: z.boolean().optional().describe('grep is RE2.'),
    limit: limitParam(MAX_LIMIT),
    container: containerName.optional().describe('Default manager.'),
    previous: z.boolean().optional(),
    controller_namespace: controllersNamespace,
    context: contextName,
  },
  output: {
    context: z.string(),
    subject: z.string(),
    controller: z.string().optional(),
    sources: z.array(logSourceSchema),
    scanned: z.number(),
    matched: z.number(),
    /** Matching lines older than those shown. */
    omitted: z.number(),
    lines: z.array(logLineSchema),
    failures: z.array(z.string()),
  },
  compact: compactLogsShape,
  annotations: READ_ONLY,
  writes: false,
  // The Flux Operator MCP server names a pod with pod_name, pod_namespace and container_name.
  normalize: ({ pod_name, pod_namespace, container_name, ...args }) =>
    pod_name === undefined
      ? args
      : {
          ...args,
          kind: 'Pod',
          name: pod_name,
          ...(pod_namespace !== undefined ? { namespace: pod_namespace } : {}),
          ...(container_name !== undefined ? { container: container_name } : {}),
        },
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const sinceMs = args.since ? parseDuration(args.since)! : undefined;
    const answer = await readLogs(
      cluster,
      {
        ...(args.kind ? { kind: args.kind } : {}),
        ...(args.name ? { name: args.name } : {}),
        ...(args.namespace ? { namespace: args.namespace } : {}),
        ...(args.container ? { container: args.container } : {}),
        ...(args.level ? { level: args.level } : {}),
        ...(args.grep ? { grep: args.grep, grepRegex: args.grep_regex ?? false } : {}),
        ...(sinceMs !== undefined ? { sinceSeconds: Math.max(1, Math.ceil(sinceMs / 1000)) } : {}),
        ...(args.previous ? { previous: true } : {}),
        // Without a limit, the text keeps as many of the newest lines as fit.
        limit: args.limit ?? MAX_LIMIT,
        controllerNamespace: args.controller_namespace ?? DEFAULT_CONTROLLER_NAMESPACE,
      },
      ctx.signal,
    );
    const filters = [
      args.level ? `level ${args.level}` : undefined,
      args.since ? `since ${args.since}` : undefined,
    ].filter((f): f is string => f !== undefined);
    const grep = args.grep ? { pattern: args.grep, regex: args.grep_regex ?? false } : undefined;
    const { text, lines, compact } = renderLogs(answer, {
      filters,
      context: cluster.context,
      ...(grep ? { grep } : {}),
      ...(args.limit ? { limit: args.limit } : {}),
    });
    return {
      text,
      structured: {
        context: cluster.context,
        subject: answer.subject,
        ...(answer.controller ? { controller: answer.controller } : {}),
        sources: answer.sources,
        scanned: answer.scanned,
        matched: answer.matched,
        omitted: answer.matched - lines.length,
        failures: answer.failures,
        lines: lines.map((l) => ({ ...l, message: truncate(l.message, STRUCTURED_LINE_MAX) })),
      },
      compact,
    };
  },
});
