import { z } from 'zod';
import { compactContextsShape, contextsAnswer, type ActingAs } from '../src/format/contexts.js';
import { isKubeError } from '../src/kube/errors.js';
import { defineTool, READ_ONLY } from './contract.js';

export default defineTool({
  name: 'get_kubeconfig_contexts',
  title: 'Kubeconfig contexts',
  description:
    "Lists the kubeconfig contexts this server may use, with cluster and namespace, and this session's current one.",
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
    /**
     * Under --impersonate: who Kubernetes requests of this caller act as. `api-server`: what the current
     * context answered to a SelfSubjectReview; `impersonation`: what the server sends, when that context
     * could not be asked.
     */
    actingAs: z
      .object({
        user: z.string(),
        groups: z.array(z.string()),
        source: z.enum(['api-server', 'impersonation']),
      })
      .optional(),
  },
  compact: compactContextsShape,
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
    let actingAs: ActingAs | undefined;
    if (ctx.actingAs) {
      try {
        const me = await (await ctx.cluster()).whoAmI(ctx.signal);
        actingAs = { user: me.username, groups: me.groups, source: 'api-server' };
      } catch (err) {
        if (!isKubeError(err, 'Unreachable') && !isKubeError(err, 'Timeout') && !isKubeError(err, 'TLS'))
          throw err;
        actingAs = { user: ctx.actingAs.user, groups: [...ctx.actingAs.groups], source: 'impersonation' };
      }
    }
    const { text, compact } = contextsAnswer(contexts, current, actingAs);
    return { text, structured: { current, contexts, ...(actingAs ? { actingAs } : {}) }, compact };
  },
});
