import { z } from 'zod';
import { text } from './schemas.js';
import { defineTool, READ_ONLY, ToolError } from './contract.js';

export default defineTool({
  name: 'set_kubeconfig_context',
  title: 'Set session context',
  description: 'Sets the context that cluster tools use when a call gives none, for this MCP session only.',
  input: {
    name: text(253),
  },
  output: {
    previous: z.string(),
    current: z.string(),
  },
  // The full form is already the text's facts, and as short.
  compact: {
    previous: z.string(),
    current: z.string(),
  },
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    if (ctx.session.stateless) {
      throw new ToolError(
        'this server runs stateless HTTP: nothing is kept between calls, so there is no session context to set; pass `context` to each tool call instead',
      );
    }
    const kube = await ctx.kube();
    const previous = ctx.session.context ?? kube.defaultContext();
    // Resolving the cluster checks that the context exists and may be used.
    const cluster = kube.cluster(args.name);
    ctx.session.context = cluster.context;
    return {
      text: `Context for this session: ${cluster.context} (was ${previous}); cluster tools use it when a call names no context.`,
      structured: { previous, current: cluster.context },
      compact: { previous, current: cluster.context },
    };
  },
});
