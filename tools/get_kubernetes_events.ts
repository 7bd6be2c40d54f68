import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { compactEventsShape, renderEvents, subjectsPhrase } from '../src/format/events.js';
import { eventRecordSchema, eventSubjectSchema, readEvents } from '../src/kube/events.js';
import { defineTool, READ_ONLY } from './contract.js';
import {
  apiVersionName,
  contextName,
  kindName,
  namespaceName,
  objectName,
  limitParam,
  sinceParam,
} from './schemas.js';

const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_kubernetes_events',
  title: 'Kubernetes events',
  description:
    "Events of any object, newest first: a Pod (image pulls, crash loops), a workload and its Pods; or a namespace's.",
  input: {
    apiVersion: apiVersionName.optional(),
    kind: kindName.optional().describe('E.g. Pod or Deployment.'),
    name: objectName.optional(),
    namespace: namespaceName.optional(),
    type: z.enum(['Normal', 'Warning']).optional(),
    since: sinceParam,
    grep: z
      .string()
      .refine((s) => s.length >= 1 && s.length <= 200, 'must be 1 to 200 characters')
      .optional()
      .describe('Text in reason or message.'),
    limit: limitParam(MAX_LIMIT),
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
  compact: compactEventsShape,
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
    const { text, shown, omitted, compact } = renderEvents(answer, {
      context: cluster.context,
      limit: args.limit,
      narrow: 'since, type or grep',
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
      compact,
    };
  },
});
