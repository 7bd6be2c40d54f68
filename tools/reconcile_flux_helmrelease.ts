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
  name: 'reconcile_flux_helmrelease',
  title: 'Reconcile a Flux HelmRelease',
  description:
    'Reconciles a HelmRelease now, as flux reconcile helmrelease does. force upgrades even when in sync; reset clears the failure counts so that a Stalled release is tried again; with_source fetches the chart source first. Refuses suspended objects.',
  input: {
    name: objectName,
    namespace: namespaceName,
    with_source: z.boolean().optional().describe('The HelmChart and its source, or the chartRef, first.'),
    with_dependencies: z.boolean().optional().describe('The dependsOn chain first, parents first.'),
    force: z.boolean().optional().describe('Upgrade even when in sync.'),
    reset: z.boolean().optional().describe('Clear the failure counts; retries a Stalled release.'),
    ...waitParams,
  },
  output: reconcileOutput,
  annotations: WRITE_ANNOTATIONS,
  writes: true,
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
        ...waitOptions(args),
      },
      args.context,
    ),
});
