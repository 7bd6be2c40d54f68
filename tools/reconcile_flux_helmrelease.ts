import { z } from 'zod';
import { compactReconcileShape } from '../src/format/reconcile.js';
import { defineTool } from './contract.js';
import {
  reconcileOutput,
  runReconcile,
  waitOptions,
  waitParams,
  WRITE_ANNOTATIONS,
} from './reconcile-common.js';
import { namespaceName, objectName, FLUX_CLI_NAMESPACE } from './schemas.js';

export default defineTool({
  name: 'reconcile_flux_helmrelease',
  title: 'Reconcile HelmRelease',
  description:
    "Reconciles a HelmRelease now, as flux reconcile helmrelease does: the chart version or the controller's failure.",
  input: {
    name: objectName,
    namespace: namespaceName,
    with_source: z.boolean().optional(),
    with_dependencies: z.boolean().optional(),
    force: z.boolean().optional().describe('Upgrade even if in sync.'),
    reset: z.boolean().optional().describe('Retry a Stalled release.'),
    ...waitParams,
  },
  output: reconcileOutput,
  compact: compactReconcileShape,
  annotations: WRITE_ANNOTATIONS,
  writes: true,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  handler: (args, ctx) =>
    runReconcile(
      ctx,
      {
        kind: 'HelmRelease',
        namespace: args.namespace,
        name: args.name,
        withSource: args.with_source ?? false,
        withDependencies: args.with_dependencies ?? false,
        force: args.force ?? false,
        reset: args.reset ?? false,
        ...waitOptions(args, ctx),
      },
      args.context,
    ),
});
