import { z } from 'zod';
import { defineTool } from './contract.js';
import {
  reconcileOutput,
  runReconcile,
  waitOptions,
  waitParams,
  WRITE_ANNOTATIONS,
} from './reconcile-common.js';
import { namespaceName, objectName } from './schemas.js';

export default defineTool({
  name: 'reconcile_flux_kustomization',
  title: 'Reconcile a Flux Kustomization',
  description:
    "Reconciles a Kustomization now, as flux reconcile kustomization does, and reports the applied revision or the controller's failure. Refuses suspended objects.",
  input: {
    name: objectName,
    namespace: namespaceName,
    with_source: z.boolean().optional().describe('Its source first.'),
    with_dependencies: z.boolean().optional().describe('dependsOn chain first.'),
    ...waitParams,
  },
  output: reconcileOutput,
  annotations: WRITE_ANNOTATIONS,
  writes: true,
  handler: (args, ctx) =>
    runReconcile(
      ctx,
      {
        kind: 'Kustomization',
        namespace: args.namespace,
        name: args.name,
        withSource: args.with_source ?? false,
        withDependencies: args.with_dependencies ?? false,
        ...waitOptions(args),
      },
      args.context,
    ),
});
