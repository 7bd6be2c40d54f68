// Destructive changes (a Helm rollback, a storage migration) are confirmed by a person where the client can
// ask one (MCP elicitation): the tool works out the plan in a dry run, the person reads it in one paragraph,
// and only an accept lets the change run. Clients that cannot ask keep the behaviour they had, unless the
// server runs with --confirm-destructive always: then the call is refused until the person has seen a dry run
// and the model re-runs it with confirm: true.
import { z } from 'zod';
import { ToolError, type ToolContext } from './contract.js';

/** The parameter a model sets once the person has seen the dry run and agreed (--confirm-destructive always). */
export const confirmParam = z.boolean().optional();

type Person = Pick<ToolContext, 'canAsk' | 'confirm' | 'confirmDestructive'>;

/**
 * Whether to work out a plan and ask the person (`ask`), or to go ahead as asked (`go`). Throws the refusal
 * when no one can be asked and the server requires a confirmation the call does not give.
 */
export function confirmation(ctx: Person, tool: string, confirmed: boolean): 'ask' | 'go' {
  if (ctx.canAsk) return 'ask';
  if (ctx.confirmDestructive === 'always' && !confirmed) {
    throw new ToolError(
      `Not done: this server asks a person to confirm destructive changes, and this client cannot ask. ` +
        `Run ${tool} with dry_run: true, show the person its plan, and if they agree run it again with confirm: true. Nothing was changed.`,
    );
  }
  return 'go';
}

/** Asks the person with `plan`; resolves on accept, throws the answer that says nothing changed otherwise. */
export async function askPerson(ctx: Person, plan: string): Promise<void> {
  const answer = await ctx.confirm(plan);
  if (answer === 'accept') return;
  if (answer === 'decline')
    throw new ToolError(`The person declined; nothing was changed. The plan was: ${plan}`);
  throw new ToolError(`The person cancelled (or did not answer); nothing was changed. The plan was: ${plan}`);
}
