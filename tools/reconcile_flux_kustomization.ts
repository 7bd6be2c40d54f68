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
  name: 'reconcile_flux_kustomization',
  title: 'Reconcile Kustomization',
  description:
    "Reconciles a Kustomization now, as flux reconcile kustomization does: the applied revision or the controller's failure.",
  input: {
    name: objectName,
    namespace: namespaceName,
    with_source: z.boolean().optional(),
    with_dependencies: z.boolean().optional(),
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
        kind: 'Kustomization',
        namespace: args.namespace,
        name: args.name,
        withSource: args.with_source ?? false,
        withDependencies: args.with_dependencies ?? false,
        ...waitOptions(args, ctx),
      },
      args.context,
    ),
});
