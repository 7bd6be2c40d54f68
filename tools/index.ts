// The table of tools. Registration, read-only mode, the server instructions and the README's tool table
// all come from this list.
import type { Tool } from './contract.js';
import getKubeconfigContexts from './get_kubeconfig_contexts.js';
import getKubernetesResources from './get_kubernetes_resources.js';

export const TOOLS: readonly Tool[] = [getKubeconfigContexts, getKubernetesResources];

export type { Tool, ToolContext, ToolResult, SessionState } from './contract.js';
export { ToolError } from './contract.js';
