import { z } from 'zod';
import { plural } from '../src/format/text.js';
import { defineTool, READ_ONLY } from './contract.js';

export default defineTool({
  name: 'get_kubeconfig_contexts',
  title: 'List kubeconfig contexts',
  description:
    'Lists the kubeconfig contexts this server can use: name, cluster, API server address, default namespace, and which one is current for this session. Credentials are never shown. Pass a context name as the `context` parameter of any cluster tool, or switch the session default with set_kubeconfig_context.',
  input: {},
  output: {
    current: z.string(),
    contexts: z.array(
      z.object({
        name: z.string(),
        cluster: z.string(),
        server: z.string().optional(),
        namespace: z.string().optional(),
        current: z.boolean(),
      }),
    ),
  },
  annotations: READ_ONLY,
  writes: false,
  async handler(_args, ctx) {
    const kube = await ctx.kube();
    const current = ctx.session.context ?? kube.defaultContext();
    const contexts = kube.contexts(current).map((c) => ({
      name: c.name,
      cluster: c.cluster,
      ...(c.server ? { server: c.server } : {}),
      ...(c.namespace ? { namespace: c.namespace } : {}),
      current: c.current,
    }));
    const lines = contexts.map(
      (c) =>
        `${c.current ? '*' : ' '} ${c.name}  cluster ${c.cluster}${c.server ? ` (${c.server})` : ''}${c.namespace ? `  namespace ${c.namespace}` : ''}`,
    );
    return {
      text: `${plural(contexts.length, 'kubeconfig context')}, current: ${current}\n${lines.join('\n')}`,
      structured: { current, contexts },
    };
  },
});
