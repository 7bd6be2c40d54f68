import { inspectInstallation, installationSchema } from '../src/flux/installation.js';
import { renderInstallation } from '../src/format/installation.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName } from './schemas.js';

const DEFAULT_NAMESPACE = 'flux-system';

export default defineTool({
  name: 'get_flux_instance',
  title: 'Flux installation: versions and health',
  description:
    'Checks the Flux installation like flux check and flux version do. Reports the Flux distribution version, each controller (Deployments labelled app.kubernetes.io/part-of=flux) with its image version and readiness, the Flux CRDs with their storage and served versions, the Kubernetes version, and the FluxInstance and FluxReport of the Flux Operator when present. Problems come first: controllers not ready, mixed Flux versions, objects still stored in deprecated API versions, a Kubernetes version too old for the Flux release. Controllers are looked for in flux-system unless namespace says otherwise.',
  input: {
    namespace: namespaceName
      .optional()
      .describe(`Namespace of the Flux controllers (default ${DEFAULT_NAMESPACE}).`),
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
