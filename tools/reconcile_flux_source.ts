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

export const SOURCE_KINDS = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
] as const;

export default defineTool({
  name: 'reconcile_flux_source',
  title: 'Reconcile a Flux source',
  description:
    'Asks source-controller to fetch a source now (GitRepository, OCIRepository, HelmRepository, HelmChart or Bucket), as `flux reconcile source` does, and by default waits until it has fetched a new artifact or failed, reporting the revision. A HelmRepository of type oci is static and is not reconciled; the answer says so. Refuses suspended objects and changes nothing then.',
  input: {
    kind: z.enum(SOURCE_KINDS).describe('Source kind.'),
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
        namespace: args.namespace,
        name: args.name,
        ...waitOptions(args),
      },
      args.context,
    ),
});
