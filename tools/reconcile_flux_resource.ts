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
  title: 'Reconcile Flux object',
  description:
    'Reconciles any Flux object with a reconcile request (image automation, Receiver, operator kinds) and waits for the result.',
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
        ...waitOptions(args, ctx),
      },
      args.context,
    ),
});
