// Extra users for RBAC tests: a ServiceAccount with exactly the access a test grants, and a kubeconfig for it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApi } from './api.js';
import { cluster } from './env.js';

export interface TestUser {
  /** The user name the API server sees. */
  name: string;
  kubeconfig: string;
  /** Removes the cluster-wide grants; namespaced ones go with the test namespace. */
  cleanup(): Promise<void>;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

/**
 * A ServiceAccount in `namespace` that may list namespaces and read everything in `readable`, and nothing
 * else; its kubeconfig context is `reader`.
 */
export async function namespaceReader(
  api: TestApi,
  namespace: string,
  readable: string[],
): Promise<TestUser> {
  const sa = 'reader';
  const clusterWide = `${namespace}-list-namespaces`;
  await api.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } });
  const subject = { kind: 'ServiceAccount', name: sa, namespace };
  await api.apply({
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name: clusterWide },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }],
  });
  await api.apply({
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: clusterWide },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterWide },
    subjects: [subject],
  });
  for (const ns of readable) {
    await api.apply({
      apiVersion: RBAC,
      kind: 'Role',
      metadata: { name: `${namespace}-reader`, namespace: ns },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    });
    await api.apply({
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: `${namespace}-reader`, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${namespace}-reader` },
      subjects: [subject],
    });
  }
  const kubeconfig = await serviceAccountKubeconfig(api, namespace, sa, 'reader');
  return {
    name: `system:serviceaccount:${namespace}:${sa}`,
    kubeconfig,
    cleanup: async () => {
      await api.delete(RBAC, 'ClusterRoleBinding', undefined, clusterWide);
      await api.delete(RBAC, 'ClusterRole', undefined, clusterWide);
    },
  };
}

/** A kubeconfig whose only context, `context`, uses a token of the ServiceAccount `namespace/sa`. */
async function serviceAccountKubeconfig(
  api: TestApi,
  namespace: string,
  sa: string,
  context: string,
): Promise<string> {
  const review = await api.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`,
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  );
  const c = cluster();
  const ca = readFileSync(c.caFile).toString('base64');
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-user-')), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${c.server}
    certificate-authority-data: ${ca}
users:
- name: ${sa}
  user:
    token: ${review.status.token}
contexts:
- name: ${context}
  context:
    cluster: test
    user: ${sa}
current-context: ${context}
`,
  );
  return kubeconfig;
}

export interface RoleRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * A ServiceAccount `sa` in `namespace` granted exactly `rules` in that namespace (and nothing at cluster
 * scope); its kubeconfig context is `sa`. Everything goes with the namespace.
 */
export async function namespaceUser(
  api: TestApi,
  namespace: string,
  sa: string,
  rules: RoleRule[],
): Promise<TestUser> {
  await api.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } });
  await api.apply({ apiVersion: RBAC, kind: 'Role', metadata: { name: sa, namespace }, rules });
  await api.apply({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: sa, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
  });
  return {
    name: `system:serviceaccount:${namespace}:${sa}`,
    kubeconfig: await serviceAccountKubeconfig(api, namespace, sa, sa),
    cleanup: async () => undefined,
  };
}

/**
 * A ServiceAccount `sa` in `namespace` bound to the ClusterRole `clusterRole` (and granted nothing else); its
 * kubeconfig context is `sa`. The binding is cluster-wide: `cleanup` removes it.
 */
export async function clusterRoleUser(
  api: TestApi,
  namespace: string,
  sa: string,
  clusterRole: string,
): Promise<TestUser> {
  const binding = `${namespace}-${sa}`;
  await api.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } });
  await api.apply({
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name: binding },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
  });
  return {
    name: `system:serviceaccount:${namespace}:${sa}`,
    kubeconfig: await serviceAccountKubeconfig(api, namespace, sa, sa),
    cleanup: () => api.delete(RBAC, 'ClusterRoleBinding', undefined, binding),
  };
}
