import { z } from 'zod';
import { diffKustomization, diffSchema } from '../src/flux/diff.js';
import { LocalPaths } from '../src/flux/local-build.js';
import { renderDiff } from '../src/format/diff.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName, objectName } from './schemas.js';

export default defineTool({
  name: 'diff_flux_kustomization',
  title: 'Diff a local directory against a Kustomization',
  description:
    "What flux diff kustomization --path shows: builds a directory on this server's disk (plain YAML; kustomize overlays when a kustomize or kubectl binary is on its PATH), applies the Kustomization's targetNamespace, namePrefix/nameSuffix, patches, images and commonMetadata, server-side applies each object in a dry run as kustomize-controller, and reports created, changed (by field, Secret values masked) and what prune would delete. Changes nothing.",
  input: {
    name: objectName.describe('Kustomization name.'),
    namespace: namespaceName.describe('Kustomization namespace.'),
    path: z
      .string()
      .min(1)
      .max(4096)
      .describe('Absolute path of the local directory that corresponds to the Kustomization spec.path.'),
    context: contextName,
  },
  output: diffSchema.shape,
  annotations: READ_ONLY,
  writes: false,
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
    return { text: renderDiff(diff), structured: diff };
  },
});
