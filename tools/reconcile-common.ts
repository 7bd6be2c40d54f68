// What the reconcile tools share: the waiting parameters, the result schema, and running the request.
import { z } from 'zod';
import { parseWait } from '../src/flux/duration.js';
import { reconcile, reconcileOutcomeSchema, type ReconcileRequest } from '../src/flux/reconcile.js';
import { compactReconcile, renderReconcile, type CompactReconcile } from '../src/format/reconcile.js';
import { shortenHex } from '../src/format/text.js';
import type { ToolContext, ToolResult } from './contract.js';
import { contextName } from './schemas.js';

/** wait, timeout and dry_run mean the same in every write tool; the server instructions say what. */
export const waitParams = {
  wait: z.boolean().optional(),
  timeout: z
    .string()
    .refine((s) => parseWait(s) !== undefined, 'must be a duration between 1s and 30m, such as "90s" or "5m"')
    .optional(),
  dry_run: z.boolean().optional(),
  context: contextName,
};

/** The call's timeout, or the server's (--wait-timeout) when it gives none. */
export function timeoutMs(timeout: string | undefined, ctx: Pick<ToolContext, 'waitTimeoutMs'>): number {
  return timeout === undefined ? ctx.waitTimeoutMs : parseWait(timeout)!;
}

/** The waiting parameters as the Flux layer takes them, defaults applied. */
export function waitOptions(
  args: {
    wait?: boolean | undefined;
    timeout?: string | undefined;
    dry_run?: boolean | undefined;
  },
  ctx: Pick<ToolContext, 'waitTimeoutMs'>,
): {
  wait: boolean;
  timeoutMs: number;
  dryRun: boolean;
} {
  return { wait: args.wait ?? true, timeoutMs: timeoutMs(args.timeout, ctx), dryRun: args.dry_run ?? false };
}

export const reconcileOutput = {
  context: z.string(),
  action: z.literal('reconcile'),
  ...reconcileOutcomeSchema.shape,
};

/** Runs a reconcile request and turns its outcome into a tool result. */
export async function runReconcile(
  ctx: ToolContext,
  request: ReconcileRequest,
  context: string | undefined,
): Promise<ToolResult<z.infer<z.ZodObject<typeof reconcileOutput>>, CompactReconcile>> {
  const cluster = await ctx.cluster(context);
  const outcome = await reconcile(cluster, request, {
    signal: ctx.signal,
    progress: (m) => ctx.progress(shortenHex(m)),
  });
  return {
    text: renderReconcile(outcome, cluster.context),
    isError: ['failed', 'timeout', 'cancelled'].includes(outcome.result),
    outcome: outcome.result,
    structured: { context: cluster.context, action: 'reconcile', ...outcome },
    compact: compactReconcile(outcome, cluster.context),
  };
}

export const WRITE_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
