// What suspend and resume share: selecting one object or all of a kind, and reporting per object.
import { z } from 'zod';
import type { ObjectOutcome, SelectionOutcome } from '../src/flux/suspend.js';
import { formatDuration, shortenHex } from '../src/format/text.js';
import type { ToolResult } from './contract.js';
import { waitParams } from './reconcile-common.js';
import { apiVersionName, kindName, namespaceName, objectName } from './schemas.js';

export const selectionInput = {
  apiVersion: apiVersionName.optional(),
  kind: kindName,
  name: objectName.optional().describe('Object name; omit and set all: true for every object of the kind.'),
  namespace: namespaceName,
  all: z.boolean().optional().describe('Every object of the kind in the namespace.'),
  dry_run: waitParams.dry_run,
  context: waitParams.context,
};

export const WRITE_IDEMPOTENT = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export function selectionOutput<R extends string>(
  action: 'suspend' | 'resume',
  results: readonly [R, ...R[]],
) {
  return {
    context: z.string(),
    action: z.literal(action),
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string(),
    token: z.string().optional(),
    objects: z.array(
      z.object({
        name: z.string(),
        result: z.enum(results),
        message: z.string(),
        revision: z.string().optional(),
        durationMs: z.number().optional(),
        patch: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
  };
}

const FAILED = new Set(['failed', 'timeout', 'cancelled']);

function line<R extends string>(kind: string, namespace: string, o: ObjectOutcome<R>): string {
  const took = o.durationMs !== undefined ? ` (${formatDuration(o.durationMs)})` : '';
  return `${kind} ${namespace}/${o.name}: ${o.result}, ${shortenHex(o.message)}${took}`;
}

export function renderSelection<R extends string>(
  action: 'suspend' | 'resume',
  context: string,
  outcome: SelectionOutcome<R> & { token?: string },
): ToolResult<{
  context: string;
  action: typeof action;
  apiVersion: string;
  kind: string;
  namespace: string;
  token?: string;
  objects: ObjectOutcome<R>[];
}> {
  const lines = outcome.objects.map((o) => line(outcome.kind, outcome.namespace, o));
  const failed = outcome.objects.filter((o) => FAILED.has(o.result));
  let text: string;
  if (outcome.objects.length === 1) {
    text = lines[0]!;
  } else {
    const counts = new Map<string, number>();
    for (const o of outcome.objects) counts.set(o.result, (counts.get(o.result) ?? 0) + 1);
    const summary = [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
    text = `${action === 'suspend' ? 'Suspend' : 'Resume'} ${outcome.objects.length} ${outcome.kind} objects in ${outcome.namespace} (context ${context}): ${summary}\n${lines.map((l) => `  ${l}`).join('\n')}`;
  }
  if (outcome.objects.some((o) => o.result === 'dry-run')) {
    const patch = outcome.objects.find((o) => o.patch)?.patch;
    text += `\nDry run: nothing was changed. Patch (JSON merge patch, field manager flux-ops-mcp): ${JSON.stringify(patch)}`;
  }
  return {
    text,
    ...(failed.length > 0 ? { isError: true } : {}),
    structured: {
      context,
      action,
      apiVersion: outcome.apiVersion,
      kind: outcome.kind,
      namespace: outcome.namespace,
      ...(outcome.token ? { token: outcome.token } : {}),
      objects: outcome.objects,
    },
  };
}
