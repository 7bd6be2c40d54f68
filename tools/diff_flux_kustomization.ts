import { diffKustomization, diffSchema } from '../src/flux/diff.js';
import { LocalPaths } from '../src/flux/local-build.js';
import { compactDiff, compactDiffShape, renderDiff } from '../src/format/diff.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName, objectName, text, FLUX_CLI_NAMESPACE } from './schemas.js';

export default defineTool({
  name: 'diff_flux_kustomization',
  title: 'Diff a Kustomization',
  description:
    'flux diff kustomization --path: a local directory built and dry-run applied as the Kustomization would; what changes.',
  input: {
    name: objectName,
    namespace: namespaceName,
    path: text(4096).describe('Local directory of spec.path.'),
    context: contextName,
  },
  output: diffSchema.shape,
  compact: compactDiffShape,
  annotations: READ_ONLY,
  writes: false,
  defaultNamespace: FLUX_CLI_NAMESPACE,
  localFiles: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const diff = await diffKustomization(cluster, {
      name: args.name,
      namespace: args.namespace,
      path: args.path,
      paths: new LocalPaths(ctx.allowedPaths),
      signal: ctx.signal,
    });
    return { text: renderDiff(diff), structured: diff, compact: compactDiff(diff) };
  },
});
