// What the reconcile tools share: the waiting parameters, the result schema, and running the request.
import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { reconcile, reconcileOutcomeSchema, type ReconcileRequest } from '../src/flux/reconcile.js';
import { renderReconcile } from '../src/format/reconcile.js';
import { shortenHex } from '../src/format/text.js';
import type { ToolContext, ToolResult } from './contract.js';
import { contextName } from './schemas.js';

const MIN_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_TIMEOUT = '5m';

export const waitParams = {
  wait: z
    .boolean()
    .optional()
    .describe(
      'Wait until the controller has handled the request and the object is Ready or failed (default true).',
    ),
  timeout: z
    .string()
    .refine((s) => {
      const ms = parseDuration(s);
      return ms !== undefined && ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS;
    }, 'must be a duration between 1s and 30m, such as "90s" or "5m"')
    .optional()
    .describe(
      `How long to wait, as a duration like "90s" or "5m" (default ${DEFAULT_TIMEOUT}, at most 30m).`,
    ),
  dry_run: z
    .boolean()
    .optional()
    .describe('Show the exact patch, checked by the API server in a dry run, and change nothing.'),
  context: contextName,
};

export function timeoutMs(timeout: string | undefined): number {
  return parseDuration(timeout ?? DEFAULT_TIMEOUT)!;
}

/** The waiting parameters as the Flux layer takes them, defaults applied. */
export function waitOptions(args: {
  wait?: boolean | undefined;
  timeout?: string | undefined;
  dry_run?: boolean | undefined;
}): {
  wait: boolean;
  timeoutMs: number;
  dryRun: boolean;
} {
  return { wait: args.wait ?? true, timeoutMs: timeoutMs(args.timeout), dryRun: args.dry_run ?? false };
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
): Promise<ToolResult<z.infer<z.ZodObject<typeof reconcileOutput>>>> {
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
  };
}

export const WRITE_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
