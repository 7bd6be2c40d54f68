import { checkUpgrade, upgradeCheckSchema } from '../src/flux/upgrade-check.js';
import {
  compactUpgradeCheck,
  compactUpgradeCheckShape,
  renderUpgradeCheck,
} from '../src/format/upgrade-check.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, controllersNamespace, text } from './schemas.js';

export default defineTool({
  name: 'check_flux_upgrade',
  title: 'Flux upgrade pre-flight',
  description:
    'Pre-flight for a Flux upgrade: install method, Kubernetes minimum, API versions it drops, steps with exact commands.',
  input: {
    version: text(40),
    namespace: controllersNamespace,
    context: contextName,
  },
  output: upgradeCheckSchema.shape,
  compact: compactUpgradeCheckShape,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const check = await checkUpgrade(
      cluster,
      { target: args.version, namespace: args.namespace ?? 'flux-system' },
      ctx.signal,
    );
    return { text: renderUpgradeCheck(check), structured: check, compact: compactUpgradeCheck(check) };
  },
});
