import { inspectInstallation, installationSchema } from '../src/flux/installation.js';
import { renderInstallation } from '../src/format/installation.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName } from './schemas.js';

const DEFAULT_NAMESPACE = 'flux-system';

export default defineTool({
  name: 'get_flux_instance',
  title: 'Flux installation: versions and health',
  description:
    'The Flux installation, as flux check and flux version see it: versions, controller readiness, CRDs and API versions, Kubernetes version, FluxInstance; problems first.',
  input: {
    namespace: namespaceName.optional().describe(`Of the controllers (default ${DEFAULT_NAMESPACE}).`),
    context: contextName,
  },
  output: installationSchema.shape,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const installation = await inspectInstallation(cluster, args.namespace ?? DEFAULT_NAMESPACE, ctx.signal);
    return { text: renderInstallation(installation), structured: installation };
  },
});
