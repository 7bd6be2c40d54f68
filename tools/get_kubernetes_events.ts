import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { looksLikeRegex } from '../src/flux/grep.js';
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
    // The Flux Operator MCP server reads grep as a regular expression; here it is plain text (a caller's pattern
    // runs over thousands of events): a pattern that reads like one and matched nothing is said to be text.
    const hint =
      args.grep && answer.events.length === 0 && looksLikeRegex(args.grep)
        ? `grep is matched as plain text, not as a regular expression: "${args.grep}" matched nothing; give one word or phrase at a time`
        : undefined;
    return {
      text: hint ? `${text}\n${hint}.` : text,
      structured: {
        context: cluster.context,
        objects: answer.subjects,
        total: answer.events.length,
        omitted,
        truncated: answer.truncated,
        events: shown,
        notVisible: answer.notVisible,
      },
      compact: hint ? { ...compact, hint } : compact,
    };
  },
});
