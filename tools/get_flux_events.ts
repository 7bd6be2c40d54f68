import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { collectEvents, eventRecordSchema, relatedObjectSchema } from '../src/flux/events.js';
import { compactEventsShape, renderEvents } from '../src/format/events.js';
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
  name: 'get_flux_events',
  title: 'Flux events',
  description:
    "Events of a Flux object and of its source and chart, newest first, full messages; without a name, a namespace's.",
  input: {
    apiVersion: apiVersionName.optional(),
    kind: kindName.optional().describe('Flux kind; needed with name.'),
    name: objectName.optional(),
    namespace: namespaceName.optional(),
    since: sinceParam,
    type: z.enum(['Normal', 'Warning']).optional(),
    limit: limitParam(MAX_LIMIT),
    context: contextName,
  },
  output: {
    context: z.string(),
    objects: z.array(relatedObjectSchema).describe('The object and the objects it depends on.'),
    total: z.number(),
    omitted: z.number(),
    events: z.array(eventRecordSchema),
    notVisible: z.array(z.string()),
  },
  compact: compactEventsShape,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const answer = await collectEvents(
      cluster,
      {
        ...(args.kind ? { kind: args.kind } : {}),
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        ...(args.name ? { name: args.name } : {}),
        ...(args.namespace ? { namespace: args.namespace } : {}),
        ...(args.since ? { sinceMs: parseDuration(args.since)! } : {}),
        ...(args.type ? { type: args.type } : {}),
      },
      ctx.signal,
    );
    const { text, shown, omitted, compact } = renderEvents(answer, {
      context: cluster.context,
      limit: args.limit,
      narrow: 'since or type',
      ...(args.namespace ? { namespace: args.namespace } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.since ? { since: args.since } : {}),
      ...(args.type ? { type: args.type } : {}),
    });
    return {
      text,
      structured: {
        context: cluster.context,
        objects: answer.objects,
        total: answer.events.length,
        omitted,
        events: shown,
        notVisible: answer.notVisible,
      },
      compact,
    };
  },
});
