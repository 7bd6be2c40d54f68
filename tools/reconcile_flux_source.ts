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

export const SOURCE_KINDS = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
] as const;

export default defineTool({
  name: 'reconcile_flux_source',
  title: 'Reconcile source',
  description:
    'Fetches a Flux source now, as flux reconcile source does: the new revision or the failure. An OCI HelmRepository is static.',
  input: {
    kind: z.enum(SOURCE_KINDS),
    name: objectName,
    namespace: namespaceName,
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
        kind: args.kind,
        namespace: args.namespace,
        name: args.name,
        ...waitOptions(args, ctx),
      },
      args.context,
    ),
});
