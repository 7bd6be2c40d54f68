// What the reconcile tools share: the waiting parameters, the result schema, and the text rendering.
import { z } from 'zod';
import { parseDuration } from '../src/flux/duration.js';
import { reconcile, type ReconcileOutcome, type ReconcileRequest, type Step } from '../src/flux/reconcile.js';
import { refString } from '../src/flux/refs.js';
import { formatDuration, shortenHex, truncate } from '../src/format/text.js';
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

const resultEnum = z.enum([
  'ready',
  'failed',
  'timeout',
  'cancelled',
  'requested',
  'dry-run',
  'not-supported',
  'skipped',
]);

export const stepSchema = z.object({
  role: z.enum(['source', 'dependency', 'target']),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  result: resultEnum,
  message: z.string(),
  revision: z.string().optional(),
  durationMs: z.number().optional(),
  patch: z.record(z.string(), z.unknown()).optional(),
});

export const reconcileOutput = {
  context: z.string(),
  object: z.object({ apiVersion: z.string(), kind: z.string(), namespace: z.string(), name: z.string() }),
  action: z.literal('reconcile'),
  token: z.string().describe('The reconcile.fluxcd.io/requestedAt value of this request.'),
  result: resultEnum,
  revision: z.string().optional(),
  message: z.string(),
  durationMs: z.number(),
  steps: z.array(stepSchema),
};

type ReconcileStructured = z.infer<z.ZodObject<typeof reconcileOutput>>;

function stepLine(step: Step, i: number): string {
  const took = step.durationMs !== undefined ? ` (${formatDuration(step.durationMs)})` : '';
  const what = step.result === 'ready' ? step.message : `${step.result}: ${step.message}`;
  return `  ${i + 1}. ${refString(step)}: ${truncate(shortenHex(what), 300)}${took}`;
}

export function renderReconcile(
  outcome: ReconcileOutcome,
  context: string,
  target: Step | undefined,
  ref: string,
): string {
  const took = formatDuration(outcome.durationMs);
  const message = shortenHex(outcome.message);
  let head: string;
  switch (outcome.result) {
    case 'ready':
      head = `Reconciled ${ref} in ${took}: Ready, ${message}.`;
      break;
    case 'failed':
      head = `Reconciliation of ${ref} failed after ${took}: ${truncate(message, 600)}`;
      break;
    case 'timeout':
      head = `Timed out after ${took} waiting for ${target && target.result !== 'timeout' ? refString(target) : ref}: ${truncate(message, 600)}`;
      break;
    case 'cancelled':
      head = `Cancelled after ${took} while waiting for ${ref}: ${message}`;
      break;
    case 'requested':
      head = `Requested reconciliation of ${ref} (token ${outcome.token}); not waiting. Check it later with get_kubernetes_resources.`;
      break;
    case 'dry-run':
      head = `Dry run in context ${context}: the API server accepted ${outcome.steps.filter((s) => s.patch).length} patch(es); nothing was changed.`;
      break;
    default:
      head = message;
  }
  const showSteps = outcome.steps.length > 1 || outcome.result === 'dry-run';
  const lines = showSteps ? outcome.steps.map(stepLine) : [];
  if (outcome.result === 'dry-run') {
    const patch = outcome.steps.find((s) => s.patch)?.patch;
    if (patch) lines.push(`  patch (JSON merge patch, field manager flux-ops-mcp): ${JSON.stringify(patch)}`);
  }
  return [head, ...lines].join('\n');
}

/** Runs a reconcile request and turns its outcome into a tool result. */
export async function runReconcile(
  ctx: ToolContext,
  request: ReconcileRequest,
  context: string | undefined,
): Promise<ToolResult<ReconcileStructured>> {
  const cluster = await ctx.cluster(context);
  const outcome = await reconcile(cluster, request, {
    signal: ctx.signal,
    progress: (m) => ctx.progress(shortenHex(m)),
  });
  const target = outcome.steps[outcome.steps.length - 1];
  const kind = target?.kind ?? request.kind;
  const ref = refString({ kind, namespace: request.namespace, name: request.name });
  return {
    text: renderReconcile(outcome, cluster.context, target, ref),
    isError: ['failed', 'timeout', 'cancelled'].includes(outcome.result),
    structured: {
      context: cluster.context,
      object: { apiVersion: outcome.apiVersion, kind, namespace: request.namespace, name: request.name },
      action: 'reconcile',
      token: outcome.token,
      result: outcome.result,
      ...(outcome.revision ? { revision: outcome.revision } : {}),
      message: outcome.message,
      durationMs: outcome.durationMs,
      steps: outcome.steps,
    },
  };
}

export const WRITE_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};
