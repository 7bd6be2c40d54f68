import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { renderEvents, subjectsPhrase } from '../src/format/events.js';
import { eventRecordSchema, eventSubjectSchema, readEvents } from '../src/kube/events.js';
import { defineTool, READ_ONLY } from './contract.js';
import { apiVersionName, contextName, kindName, namespaceName, objectName, limitParam } from './schemas.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_kubernetes_events',
  title: 'Kubernetes events',
  description:
    'Reads the Kubernetes events of any object, newest first: a Pod (image pull failures, crash loops, failed scheduling, probes), a Deployment with its ReplicaSets and newest Pods, a StatefulSet, DaemonSet, ReplicaSet or Job with its newest Pods, a CronJob with its newest Jobs, or any other kind. Without a name: every event of the namespace (or all namespaces), optionally of one kind. Filter with type (Warning or Normal), since (e.g. "1h") and grep (plain text, case-insensitive). For a Flux object and its sources use get_flux_events.',
  input: {
    apiVersion: apiVersionName.optional(),
    kind: kindName.optional().describe('Kind, e.g. Pod, Deployment, Node; plural and short names work too.'),
    name: objectName.optional(),
    namespace: namespaceName.optional().describe('Namespace; omit for all namespaces.'),
    type: z.enum(['Normal', 'Warning']).optional().describe('Only events of this type.'),
    since: z
      .string()
      .refine((s) => parseDuration(s) !== undefined, 'must be a duration such as "30m" or "2h"')
      .optional()
      .describe('Only events newer than this, e.g. "30m" or "2h".'),
    grep: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'Only events whose reason, message or object contain this text (plain text, case-insensitive).',
      ),
    limit: limitParam(MAX_LIMIT, `Most events listed (default ${DEFAULT_LIMIT}).`),
    context: contextName,
  },
  output: {
    context: z.string(),
    objects: z
      .array(eventSubjectSchema)
      .describe('The object and the ReplicaSets, Jobs and Pods whose events were read with it.'),
    total: z.number(),
    omitted: z.number(),
    truncated: z.boolean().describe('The scan stopped at 5,000 events: some were not read.'),
    events: z.array(eventRecordSchema),
    notVisible: z.array(z.string()),
  },
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const answer = await readEvents(
      cluster,
      {
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        ...(args.kind ? { kind: args.kind } : {}),
        ...(args.name ? { name: args.name } : {}),
        ...(args.namespace ? { namespace: args.namespace } : {}),
        ...(args.type ? { type: args.type } : {}),
        ...(args.since ? { sinceMs: parseDuration(args.since)! } : {}),
        ...(args.grep ? { grep: args.grep } : {}),
      },
      ctx.signal,
    );
    const subject = subjectsPhrase(answer.subjects, args);
    const { text, shown, omitted } = renderEvents(answer, {
      context: cluster.context,
      limit: args.limit ?? DEFAULT_LIMIT,
      subject,
      truncated: answer.truncated,
      ...(args.since ? { since: args.since } : {}),
      ...(args.type ? { type: args.type } : {}),
      ...(args.grep ? { grep: args.grep } : {}),
    });
    return {
      text,
      structured: {
        context: cluster.context,
        objects: answer.subjects,
        total: answer.events.length,
        omitted,
        truncated: answer.truncated,
        events: shown,
        notVisible: answer.notVisible,
      },
    };
  },
});
