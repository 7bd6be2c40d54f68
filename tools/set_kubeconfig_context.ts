import { z } from 'zod';
import { defineTool, READ_ONLY, ToolError } from './contract.js';

export default defineTool({
  name: 'set_kubeconfig_context',
  title: 'Set the session kubeconfig context',
  description:
    'Sets the kubeconfig context that cluster tools use when a call names none, for this MCP session only: other sessions and clients of the same server keep their own. Changes nothing in any cluster. List the contexts with get_kubeconfig_contexts; a single call can also pass `context` instead.',
  input: {
    name: z.string().min(1).max(253).describe('Context name, as get_kubeconfig_contexts lists it.'),
  },
  output: {
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
    };
  },
});
