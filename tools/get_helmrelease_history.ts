import { z } from 'zod';
import { FluxError } from '../src/flux/errors.js';
import { helmHistorySchema, readHelmHistory } from '../src/flux/helm-history.js';
import { compactHelmHistoryShape, helmHistoryAnswer } from '../src/format/helm-history.js';
import { maskManifestSecrets } from '../src/format/sanitize.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName, objectName, revisionNumber, FLUX_CLI_NAMESPACE } from './schemas.js';

export default defineTool({
  name: 'get_helmrelease_history',
  title: 'HelmRelease history',
  description:
    "A HelmRelease's Helm revisions, newest first: status, chart, when, why, live, rollback targets; remediation settings.",
  input: {
    name: objectName,
    namespace: namespaceName,
    manifest_revision: revisionNumber.optional().describe('Also show its manifest.'),
    context: contextName,
  },
  output: {
    context: z.string(),
    ...helmHistorySchema.shape,
    manifest: z.object({ revision: z.number(), text: z.string() }).optional(),
  },
  compact: compactHelmHistoryShape,
  annotations: READ_ONLY,
  writes: false,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const { history, records } = await readHelmHistory(cluster, args.namespace, args.name, ctx.signal);
    let manifest: { revision: number; text: string } | undefined;
    if (args.manifest_revision !== undefined) {
      const record = records.find((r) => r.revision === args.manifest_revision);
      if (!record) {
        const stored = records.map((r) => `v${r.revision}`).join(', ');
        throw new FluxError(
          `revision ${args.manifest_revision} of Helm release ${history.release} is not in Helm storage${history.storage === 'forbidden' ? ' (not readable)' : stored ? ` (stored: ${stored})` : ''}`,
        );
      }
      manifest = { revision: record.revision, text: await maskManifestSecrets(record.manifest) };
    }
    const { text, compact } = helmHistoryAnswer(history, cluster.context, manifest);
    return {
      text,
      structured: { context: cluster.context, ...history, ...(manifest ? { manifest } : {}) },
      compact,
    };
  },
});
