import { instanceUpgradeSchema, upgradeInstance } from '../src/flux/instance-upgrade.js';
import {
  compactInstanceUpgrade,
  compactInstanceUpgradeShape,
  renderInstanceUpgrade,
} from '../src/format/instance-upgrade.js';
import { shortenHex } from '../src/format/text.js';
import { defineTool } from './contract.js';
import { timeoutMs, waitParams } from './reconcile-common.js';
import { namespaceName, text } from './schemas.js';

export default defineTool({
  name: 'upgrade_flux_instance',
  title: 'Upgrade Flux',
  description:
    "Upgrades Flux through the Flux Operator's FluxInstance and waits for the FluxReport; without the operator, says what to run.",
  input: {
    version: text(40),
    namespace: namespaceName.optional(),
    ...waitParams,
  },
  output: instanceUpgradeSchema.shape,
  compact: compactInstanceUpgradeShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  writes: true,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const upgrade = await upgradeInstance(cluster, {
      version: args.version,
      ...(args.namespace ? { namespace: args.namespace } : {}),
      wait: args.wait ?? true,
      timeoutMs: timeoutMs(args.timeout, ctx),
      dryRun: args.dry_run ?? false,
      signal: ctx.signal,
      progress: (m) => void ctx.progress(shortenHex(m)),
    });
    return {
      text: renderInstanceUpgrade(upgrade),
      structured: upgrade,
      compact: compactInstanceUpgrade(upgrade),
      isError: ['failed', 'timeout', 'cancelled'].includes(upgrade.result),
      outcome: upgrade.result,
    };
  },
});
