import { z } from 'zod';
import { checkUpgrade, upgradeCheckSchema } from '../src/flux/upgrade-check.js';
import { renderUpgradeCheck } from '../src/format/upgrade-check.js';
import { defineTool, READ_ONLY } from './contract.js';
import { contextName, namespaceName } from './schemas.js';

export default defineTool({
  name: 'check_flux_upgrade',
  title: 'Flux upgrade pre-flight',
  description:
    'Pre-flight for upgrading Flux to a target version such as 2.9 or 2.9.5; changes nothing. Reports the installed version and how Flux was installed (Flux Operator, bootstrap, flux install), the Kubernetes version against the minimum, CRDs whose status.storedVersions still list a version the target drops (objects to migrate), Flux objects applied from Git in removed or deprecated apiVersions (from inventories), and the steps in order with exact commands.',
  input: {
    version: z.string().min(1).max(40).describe('Target Flux version: 2.9, 2.9.x or 2.9.5.'),
    namespace: namespaceName.optional().describe('Namespace of the Flux controllers (default flux-system).'),
    context: contextName,
  },
  output: upgradeCheckSchema.shape,
  annotations: READ_ONLY,
  writes: false,
  async handler(args, ctx) {
    const cluster = await ctx.cluster(args.context);
    const check = await checkUpgrade(
      cluster,
      { target: args.version, namespace: args.namespace ?? 'flux-system' },
      ctx.signal,
    );
    return { text: renderUpgradeCheck(check), structured: check };
  },
});
