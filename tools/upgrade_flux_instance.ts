import { z } from 'zod';
import { instanceUpgradeSchema, upgradeInstance } from '../src/flux/instance-upgrade.js';
import { renderInstanceUpgrade } from '../src/format/instance-upgrade.js';
import { shortenHex } from '../src/format/text.js';
import { defineTool } from './contract.js';
import { timeoutMs, waitParams } from './reconcile-common.js';
import { namespaceName } from './schemas.js';

const DEFAULT_TIMEOUT = '10m';

export default defineTool({
  name: 'upgrade_flux_instance',
  title: 'Upgrade Flux through the Flux Operator',
  description:
    "Upgrades Flux on a cluster run by the Flux Operator: sets the FluxInstance's spec.distribution.version (2.9.5, 2.9.x or 2.x), requests a reconcile and by default waits until the FluxInstance has applied it and the FluxReport shows it. Refuses, changing nothing, a lower minor (as the operator does), a suspended or Git-managed FluxInstance, and the blockers check_flux_upgrade finds. Without the operator it changes nothing and says what to run or commit.",
  input: {
    version: z.string().min(1).max(40).describe('Flux version or range: 2.9.5, 2.9.x or 2.x.'),
    namespace: namespaceName.optional().describe('Namespace of the FluxInstance (default: wherever it is).'),
    wait: waitParams.wait,
    timeout: waitParams.timeout.describe(
      `How long to wait, as a duration like "90s" or "10m" (default ${DEFAULT_TIMEOUT}, at most 30m).`,
    ),
    dry_run: waitParams.dry_run,
    context: waitParams.context,
  },
  output: instanceUpgradeSchema.shape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const upgrade = await upgradeInstance(cluster, {
      version: args.version,
      ...(args.namespace ? { namespace: args.namespace } : {}),
      wait: args.wait ?? true,
      timeoutMs: timeoutMs(args.timeout ?? DEFAULT_TIMEOUT),
      dryRun: args.dry_run ?? false,
      signal: ctx.signal,
      progress: (m) => void ctx.progress(shortenHex(m)),
    });
    return {
      text: renderInstanceUpgrade(upgrade),
      structured: upgrade,
      isError: ['failed', 'timeout', 'cancelled'].includes(upgrade.result),
      outcome: upgrade.result,
    };
  },
});
