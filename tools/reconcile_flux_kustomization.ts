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
    'Asks kustomize-controller to reconcile a Kustomization now, as `flux reconcile kustomization` does, and by default waits until it is Ready or failed and reports the applied revision. with_source first fetches its GitRepository, OCIRepository or Bucket; with_dependencies first reconciles its dependsOn chain, parents before children, and stops at a failed parent. Refuses suspended objects and changes nothing then. Use dry_run to see the exact patch.',
  input: {
    name: objectName,
    namespace: namespaceName,
    with_source: z
      .boolean()
      .optional()
      .describe('Reconcile the source (GitRepository, OCIRepository, Bucket) first and wait for it.'),
    with_dependencies: z
      .boolean()
      .optional()
      .describe('Reconcile the dependsOn chain first, parents before children.'),
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
