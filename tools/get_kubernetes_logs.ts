import { z } from 'zod';
import { logLineSchema, logSourceSchema, readLogs } from '../src/flux/controller-logs.js';
import { parseDuration } from '../src/flux/duration.js';
import { renderLogs } from '../src/format/logs.js';
import { truncate } from '../src/format/text.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, kindName, namespaceName, objectName, limitParam } from './schemas.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const STRUCTURED_LINE_MAX = 2000;
const DEFAULT_CONTROLLER_NAMESPACE = 'flux-system';

const containerName = z.string().min(1).max(253);

export default defineTool({
  name: 'get_kubernetes_logs',
  title: 'Flux controller logs',
  description:
    "Reads the logs of the Flux controller that reconciles a kind (kustomize-controller for Kustomization, helm-controller for HelmRelease, ...) and keeps only the lines about one object (kind, name, namespace), optionally one level (error, info, debug), a time window (since) and a text (grep, or an RE2 regular expression with grep_regex). Also reads any Pod or Deployment's logs (kind Pod or Deployment, or pod_name, pod_namespace and container_name as in the Flux Operator MCP server). Returns the newest matching lines, bounded. Logs come from the kubelet through the API server, so they need a cluster with running nodes.",
  input: {
    kind: kindName
      .optional()
      .describe(
        'A Flux kind (its controller logs, filtered to the object) or Pod, Deployment, StatefulSet, DaemonSet.',
      ),
    name: objectName.optional().describe('Name of the Flux object (or workload).'),
    namespace: namespaceName.optional().describe('Namespace of the Flux object (or workload).'),
    level: z.enum(['error', 'info', 'debug']).optional().describe('Only lines of this level.'),
    since: z
      .string()
      .refine((s) => parseDuration(s) !== undefined, 'must be a duration such as "30m" or "2h"')
      .optional()
      .describe('Only lines newer than this, e.g. "30m".'),
    grep: z
      .string()
      .max(500)
      .optional()
      .describe('Only lines that contain this text, ignoring case (a regular expression with grep_regex).'),
    grep_regex: z
      .boolean()
      .optional()
      .describe(
        'Read grep as an RE2 regular expression (case-insensitive; no backreferences or lookaround), e.g. "fail|error".',
      ),
    limit: limitParam(MAX_LIMIT, `Most lines returned, the newest (default ${DEFAULT_LIMIT}).`),
    container: containerName
      .optional()
      .describe('Container; default manager for Flux controllers, else the first.'),
    previous: z.boolean().optional().describe('Logs of the previous, crashed container.'),
    controller_namespace: namespaceName
      .optional()
      .describe(`Namespace of the Flux controllers (default ${DEFAULT_CONTROLLER_NAMESPACE}).`),
    pod_name: objectName.optional().describe('A pod to read (Flux Operator MCP parameter).'),
    pod_namespace: namespaceName.optional().describe('Namespace of pod_name.'),
    container_name: containerName.optional().describe('Container of pod_name.'),
    context: contextName,
  },
  output: {
    context: z.string(),
    subject: z.string(),
    controller: z.string().optional(),
    sources: z.array(logSourceSchema),
    scanned: z.number(),
    matched: z.number(),
    lines: z.array(logLineSchema),
    failures: z.array(z.string()),
  },
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const byPod = args.pod_name !== undefined;
    const sinceMs = args.since ? parseDuration(args.since)! : undefined;
    const answer = await readLogs(
      cluster,
      {
        ...(byPod ? { kind: 'Pod', name: args.pod_name } : {}),
        ...(!byPod && args.kind ? { kind: args.kind } : {}),
        ...(!byPod && args.name ? { name: args.name } : {}),
        ...((byPod ? args.pod_namespace : args.namespace)
          ? { namespace: (byPod ? args.pod_namespace : args.namespace)! }
          : {}),
        ...((args.container ?? args.container_name)
          ? { container: (args.container ?? args.container_name)! }
          : {}),
        ...(args.level ? { level: args.level } : {}),
        ...(args.grep ? { grep: args.grep, grepRegex: args.grep_regex ?? false } : {}),
        ...(sinceMs !== undefined ? { sinceSeconds: Math.max(1, Math.ceil(sinceMs / 1000)) } : {}),
        ...(args.previous ? { previous: true } : {}),
        limit: args.limit ?? DEFAULT_LIMIT,
        controllerNamespace: args.controller_namespace ?? DEFAULT_CONTROLLER_NAMESPACE,
      },
      ctx.signal,
    );
    const filters = [
      args.level ? `level ${args.level}` : undefined,
      args.since ? `since ${args.since}` : undefined,
    ].filter((f): f is string => f !== undefined);
    const grep = args.grep ? { pattern: args.grep, regex: args.grep_regex ?? false } : undefined;
    return {
      text: renderLogs(answer, filters, cluster.context, grep),
      structured: {
        context: cluster.context,
        subject: answer.subject,
        ...(answer.controller ? { controller: answer.controller } : {}),
        sources: answer.sources,
        scanned: answer.scanned,
        matched: answer.matched,
        failures: answer.failures,
        lines: answer.lines.map((l) => ({ ...l, message: truncate(l.message, STRUCTURED_LINE_MAX) })),
      },
    };
  },
});
