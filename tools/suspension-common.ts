// What suspend and resume share: selecting one object or all of a kind, and the result per object.
import { z } from 'zod';
import type { ResumeOutcome, SuspendOutcome } from '../src/flux/suspend.js';
import { isFailure, renderSelection, selectionSummary } from '../src/format/selection.js';
import type { ToolResult } from './contract.js';
import { waitParams } from './reconcile-common.js';
import { apiVersionName, fluxKindName, namespaceName, objectName } from './schemas.js';

export const selectionInput = {
  apiVersion: apiVersionName.optional(),
  kind: fluxKindName((k) => k.suspend.type !== 'none'),
  // Either name or all: select() says so when a call gives both or neither.
  name: objectName.optional(),
  namespace: namespaceName,
  all: z.boolean().optional(),
  dry_run: waitParams.dry_run,
  context: waitParams.context,
};

export const WRITE_IDEMPOTENT = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** The tool result of a suspend or resume: the text, the structured outcome, and the audit summary. */
export function selectionResult<O extends SuspendOutcome | ResumeOutcome, A extends 'suspend' | 'resume'>(
  action: A,
  context: string,
  outcome: O,
): ToolResult<{ context: string; action: A } & O> {
  return {
    text: renderSelection(action, context, outcome),
    ...(outcome.objects.some((o) => isFailure(o.result)) ? { isError: true } : {}),
    outcome: selectionSummary(outcome.objects),
    structured: { context, action, ...outcome },
  };
}
