import { z } from 'zod';
import { collectChanges, fleetChanges, type ChangesRequest } from '../src/flux/changes.js';
import { changesOutput, renderChanges, renderFleetChanges } from '../src/format/changes.js';
import { defineTool, READ_ONLY, ToolError } from './contract.js';
import {
  contextName,
  contextsParam,
  limitParam,
  namespaceOrAll,
  objectName,
  offsetParam,
  pointInTime,
  pointInTimeMs,
} from './schemas.js';

const DEFAULT_SINCE = '1h';

/** A Flux kind, said once in the server instructions rather than in the schema. */
const fluxKind = z
  .string()
  .refine((s) => /^[A-Za-z][A-Za-z0-9]{0,99}$/.test(s), 'must be a Flux kind such as Kustomization')
  .optional();
const MAX_LIMIT = 500;

export default defineTool({
  name: 'get_flux_changes',
  title: 'Flux changes',
  description:
    'What Flux changed in a window, newest first: revisions, applies, Helm releases, rollbacks, suspensions; failures with what preceded them.',
  input: {
    since: pointInTime,
    until: pointInTime,
    namespace: namespaceOrAll.optional(),
    kind: fluxKind,
    name: objectName.optional(),
    limit: limitParam(MAX_LIMIT),
    offset: offsetParam,
    context: contextName,
    contexts: contextsParam,
  },
  output: changesOutput,
  // Rows of the text's own words, within 1.25x its bytes already: the compact form is the same.
  compact: changesOutput,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const now = Date.now();
    // In whole seconds, as the controllers write times: the window a page names is then short to write.
    const window = {
      from: Math.floor(pointInTimeMs(args.since ?? DEFAULT_SINCE, now) / 1000) * 1000,
      to: Math.ceil((args.until ? pointInTimeMs(args.until, now) : now) / 1000) * 1000,
    };
    if (window.from >= window.to) throw new ToolError('since must be before until');
    if (args.name && !args.kind) throw new ToolError('give the kind of the object as well as its name');
    const req: ChangesRequest = {
      window,
      ...(args.namespace ? { namespace: args.namespace } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.name ? { name: args.name } : {}),
    };
    const opts = {
      window,
      now,
      ...(args.namespace ? { namespace: args.namespace } : {}),
      ...(args.kind ? { kind: args.kind } : {}),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
      ...(args.offset !== undefined ? { offset: args.offset } : {}),
    };
    if (args.contexts) {
      if (args.context) throw new ToolError('give context or contexts, not both');
      const started = performance.now();
      const entries = await fleetChanges(await ctx.kube(), args.contexts, req, ctx.signal);
      const fleet = renderFleetChanges(entries, opts, Math.round(performance.now() - started));
      return { ...fleet, compact: fleet.structured };
    }
    const cluster = await ctx.cluster(args.context);
    const one = renderChanges(await collectChanges(cluster, req, ctx.signal), opts);
    return { ...one, compact: one.structured };
  },
});
