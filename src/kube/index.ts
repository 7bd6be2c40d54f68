export { KubeAccess, type KubeAccessOptions } from './access.js';
export { Cluster, FIELD_MANAGER, resourceName, type ListOptions, type PatchOptions } from './cluster.js';
export { KubeError, type KubeErrorCode } from './errors.js';
export type { ContextInfo } from './kubeconfig.js';
export * from './types.js';
