import { z } from 'zod';
import { traceObject, traceSchema } from '../src/flux/trace.js';
import { compactTrace, compactTraceShape, renderTrace } from '../src/format/trace.js';
import { truncate } from '../src/format/text.js';
import { defineTool, READ_ONLY } from './contract.js';
import { apiVersionName, contextName, kindName, namespaceName, objectName } from './schemas.js';

const STRUCTURED_MESSAGE_MAX = 1000;

export default defineTool({
  name: 'trace_kubernetes_resource',
  title: 'Trace to Flux',
  description:
    'Which Flux objects deliver an object of any kind: the Kustomization or HelmRelease that applied it, those above, sources.',
  input: {
    apiVersion: apiVersionName.optional(),
    kind: kindName,
    name: objectName,
    namespace: namespaceName.optional(),
    context: contextName,
  },
  output: {
    context: z.string(),
    managed: z.boolean(),
    ...traceSchema.shape,
  },
  compact: compactTraceShape,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const trace = await traceObject(
      cluster,
      {
        kind: args.kind,
        name: args.name,
        ...(args.namespace ? { namespace: args.namespace } : {}),
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
      },
      ctx.signal,
    );
    const bound = <T extends { message?: string }>(f: T): T =>
      f.message ? { ...f, message: truncate(f.message, STRUCTURED_MESSAGE_MAX) } : f;
    return {
      text: renderTrace(trace, cluster.context),
      structured: {
        context: cluster.context,
        ...trace,
        managed: trace.chain.length > 0,
        chain: trace.chain.map((s) => ({ ...bound(s), sources: s.sources.map(bound) })),
      },
      compact: compactTrace(trace, cluster.context),
    };
  },
});
