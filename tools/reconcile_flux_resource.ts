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
import { apiVersionName, fluxKindName, namespaceName, objectName, FLUX_CLI_NAMESPACE } from './schemas.js';

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
    with_source: z.boolean().optional(),
    ...waitParams,
  },
  output: reconcileOutput,
  compact: compactReconcileShape,
  annotations: WRITE_ANNOTATIONS,
  writes: true,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const result = await runReconcile(
      ctx,
      {
        kind: args.kind,
        ...(args.apiVersion ? { apiVersion: args.apiVersion } : {}),
        namespace: args.namespace,
        name: args.name,
        withSource: args.with_source ?? false,
        ...waitOptions(args, ctx),
      },
      args.context,
    );
    // The Flux Operator MCP server's with_source on a kind without a source: said, not dropped.
    if (args.with_source && !result.structured.steps.some((s) => s.role === 'source')) {
      const hint = `with_source: ${result.structured.object.kind} has no source to reconcile first; only the object itself was reconciled`;
      result.text += `\n${hint}.`;
      if (result.compact) result.compact.hint = hint;
    }
    return result;
  },
});
