// --impersonate at start: may the server's own credentials impersonate its callers? Asked of each context
// with SelfSubjectAccessReviews. A context that says no stops the start, with what to grant; a context that
// cannot be reached now is logged and left to answer later (an impersonated request it refuses says who may
// not impersonate whom, see src/kube/errors.ts).
import type { Logger } from 'pino';
import type { KubeAccess } from '../../kube/access.js';
import type { Cluster } from '../../kube/cluster.js';
import { KubeError } from '../../kube/errors.js';
import { isReserved } from '../../kube/identity-names.js';
import { actAsSelf } from '../../kube/impersonation.js';
import { mapPool } from '../../kube/pool.js';
import type { TokenOwner } from './tokens.js';

const TIMEOUT_MS = 10_000;
const CONCURRENCY = 8;

export const IMPERSONATION_ROLE = 'deploy/optional/impersonation.yaml';

type Kind = 'users' | 'groups';

async function mayImpersonate(cluster: Cluster, resource: Kind, name?: string): Promise<boolean> {
  const review = await cluster.client.request<{ status?: { allowed?: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'impersonate', group: '', resource, ...(name ? { name } : {}) } },
      },
      timeoutMs: TIMEOUT_MS,
      describe: { verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io' },
    },
  );
  return review.status?.allowed === true;
}

/**
 * What the server may not impersonate in one context: nothing when it may impersonate any user and any
 * group; otherwise, when the token file names the callers, those of its users and groups it may not (a
 * ClusterRole narrowed with resourceNames); otherwise "any user" or "any group".
 */
async function missingIn(cluster: Cluster, owners: TokenOwner[] | undefined): Promise<string[]> {
  const missing: string[] = [];
  for (const kind of ['users', 'groups'] as const) {
    if (await mayImpersonate(cluster, kind)) continue;
    // The server never impersonates system: groups (src/server/http/identity.ts), so they need no grant.
    const names = owners
      ? [...new Set(owners.flatMap((o) => (kind === 'users' ? [o.name] : o.groups)))].filter(
          (n) => !isReserved(n),
        )
      : undefined;
    if (!names) {
      missing.push(`any ${kind === 'users' ? 'user' : 'group'} (callers come from --oidc-issuer)`);
      continue;
    }
    for (const name of names) {
      if (!(await mayImpersonate(cluster, kind, name)))
        missing.push(`${kind === 'users' ? 'user' : 'group'} ${name}`);
    }
  }
  return missing;
}

/**
 * Refuses the start (throws) when a reachable context says the server may not impersonate its callers.
 * `owners` are the callers of the token file, when there is one and no OIDC issuer.
 */
export async function checkImpersonation(
  kube: KubeAccess,
  owners: TokenOwner[] | undefined,
  log: Logger,
): Promise<void> {
  await actAsSelf(async () => {
    const contexts = kube.names();
    const results = await mapPool(contexts, CONCURRENCY, async (context) => {
      try {
        const cluster = kube.cluster(context);
        const missing = await missingIn(cluster, owners);
        return { context, missing, self: missing.length > 0 ? await cluster.identity() : undefined };
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
        log.warn(
          { context, reason: err.message },
          '--impersonate: cannot ask this context now whether the server may impersonate; calls to it will say so if it may not',
        );
        return { context, missing: [] };
      }
    });
    const refused = results.filter((r) => r.missing.length > 0);
    if (refused.length === 0) {
      log.info(
        { contexts: results.map((r) => r.context) },
        '--impersonate: the server may impersonate its callers',
      );
      return;
    }
    const lines = refused.map(
      (r) => `  context ${r.context}: ${r.self ?? 'the server'} may not impersonate ${r.missing.join(', ')}`,
    );
    throw new Error(
      `--impersonate: the server's own credentials may not impersonate its callers:\n${lines.join('\n')}\n` +
        `Grant the impersonate verb on users and groups (the ClusterRole of ${IMPERSONATION_ROLE}, bound to the ` +
        "server's user); with resourceNames, list every caller's name and group.",
    );
  });
}
