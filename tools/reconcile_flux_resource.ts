import { defineTool } from './contract.js';
import {
  reconcileOutput,
  runReconcile,
  waitOptions,
  waitParams,
  WRITE_ANNOTATIONS,
} from './reconcile-common.js';
import { apiVersionName, fluxKindName, namespaceName, objectName } from './schemas.js';

export default defineTool({
  name: 'reconcile_flux_resource',
  title: 'Reconcile any Flux object',
  description:
    'Asks the responsible controller to reconcile any reconcilable Flux object now: sources, Kustomization, HelmRelease, Receiver, ImageRepository, ImagePolicy, ImageUpdateAutomation, ArtifactGenerator, and the Flux Operator kinds (FluxInstance, ResourceSet, ResourceSetInputProvider). By default waits until it is Ready or failed. Alert, Provider and ExternalArtifact have no reconcile request and are refused. Refuses suspended objects and changes nothing then.',
  input: {
    apiVersion: apiVersionName.optional(),
    kind: fluxKindName((k) => k.reconcilable),
    name: objectName,
    namespace: namespaceName,
    ...waitParams,
  },
  output: reconcileOutput,
  annotations: WRITE_ANNOTATIONS,
  writes: true,
  handler: (args, ctx) =>
    runReconcile(
      ctx,
      {
        kind: args.kind,
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        namespace: args.namespace,
        name: args.name,
        ...waitOptions(args),
      },
      args.context,
    ),
});
