// Asking the person at the client to confirm a destructive change (MCP elicitation, form mode). Only a client
// that declared the elicitation capability is asked; the others (Claude Desktop, claude.ai) cannot show the
// question, and tools/confirm.ts decides what happens then.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Confirmation } from '../../tools/index.js';

/** How long the person has to answer; no answer is taken as cancel. */
export const ASK_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * `plan` as the question; the person accepts or declines (no field to fill in: the clients that support only
 * strings, enums and booleans show it as well). A request that fails or is not answered in time is a cancel.
 */
/** Whether the client declared form elicitation: whether the person can be asked. */
export function canAsk(server: Server): boolean {
  return Boolean(server.getClientCapabilities()?.elicitation?.form);
}

export async function askPerson(
  server: Server,
  plan: string,
  signal: AbortSignal,
  /** The tool call the question belongs to: over HTTP it travels on that call's response stream. */
  relatedRequestId?: RequestId,
): Promise<Confirmation> {
  if (!canAsk(server)) return 'unsupported';
  try {
    const answer = await server.elicitInput(
      { mode: 'form', message: plan, requestedSchema: { type: 'object', properties: {} } },
      { signal, timeout: ASK_TIMEOUT_MS, ...(relatedRequestId !== undefined ? { relatedRequestId } : {}) },
    );
    return answer.action;
  } catch {
    return 'cancel';
  }
}
