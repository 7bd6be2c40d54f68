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
    'Asks helm-controller to reconcile a HelmRelease now, as `flux reconcile helmrelease` does, and by default waits until it is Ready or failed. force runs a Helm upgrade even when nothing changed; reset clears the failure counters so a release whose retries are exhausted is tried again. with_source first reconciles the chart source: the generated HelmChart and its HelmRepository, GitRepository or Bucket (spec.chart), or the OCIRepository or HelmChart of spec.chartRef. with_dependencies reconciles the dependsOn chain first. Refuses suspended objects and changes nothing then.',
  input: {
    name: objectName,
    namespace: namespaceName,
    with_source: z
      .boolean()
      .optional()
      .describe('Reconcile the chart source first (HelmChart and its source, or the chartRef).'),
    with_dependencies: z
      .boolean()
      .optional()
      .describe('Reconcile the dependsOn chain first, parents before children.'),
    force: z
      .boolean()
      .optional()
      .describe('Force a Helm upgrade even when the release is in sync (reconcile.fluxcd.io/forceAt).'),
    reset: z
      .boolean()
      .optional()
      .describe('Reset the install/upgrade failure counters (reconcile.fluxcd.io/resetAt).'),
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
