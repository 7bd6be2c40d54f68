// Destructive changes (a Helm rollback, a storage migration) are confirmed by a person where the client can
// ask one (MCP elicitation): the tool works out the plan in a dry run, the person reads it in one paragraph,
// and only an accept lets the change run. Clients that cannot ask keep the behaviour they had, unless the
// server runs with --confirm-destructive always: then the call is refused until the person has seen a dry run
// and the model re-runs it with confirm: true.
import { z } from 'zod';
import { ToolError, type ToolContext } from './contract.js';

/** The parameter a model sets once the person has seen the dry run and agreed (--confirm-destructive always). */
export const confirmParam = z.boolean().optional();

/**
 * Resolves when the change may go ahead; throws the answer that says nothing changed when the person
 * declined or cancelled, or when no one could be asked and the server requires it.
 */
export async function confirmDestructive(
  ctx: Pick<ToolContext, 'confirm' | 'confirmDestructive'>,
  tool: string,
  plan: string,
  confirmed: boolean,
): Promise<void> {
  const answer = await ctx.confirm(plan);
  switch (answer) {
    case 'accept':
      return;
    case 'decline':
      throw new ToolError(`The person declined; nothing was changed. The plan was: ${plan}`);
    case 'cancel':
      throw new ToolError(
        `The person cancelled (or did not answer); nothing was changed. The plan was: ${plan}`,
      );
    case 'unsupported':
      if (ctx.confirmDestructive === 'always' && !confirmed) {
        throw new ToolError(
          `Not done: this server asks a person to confirm destructive changes, and this client cannot ask. ` +
            `Run ${tool} with dry_run: true, show the person its plan, and if they agree run it again with confirm: true. Nothing was changed.`,
        );
      }
  }
}
