// The table of tools. Registration, read-only mode, the server instructions and the README's tool table
// all come from this list.
import type { Tool } from './contract.js';
import checkFluxUpgrade from './check_flux_upgrade.js';
import diffFluxKustomization from './diff_flux_kustomization.js';
import getFluxDrift from './get_flux_drift.js';
import getFluxChanges from './get_flux_changes.js';
import getFluxEvents from './get_flux_events.js';
import getFluxInstance from './get_flux_instance.js';
import getFluxStatus from './get_flux_status.js';
import getFluxTree from './get_flux_tree.js';
import getHelmreleaseHistory from './get_helmrelease_history.js';
import getKubeconfigContexts from './get_kubeconfig_contexts.js';
import getKubernetesEvents from './get_kubernetes_events.js';
import getKubernetesLogs from './get_kubernetes_logs.js';
import getKubernetesResources from './get_kubernetes_resources.js';
import migrateFluxStorage from './migrate_flux_storage.js';
import reconcileFluxHelmrelease from './reconcile_flux_helmrelease.js';
import reconcileFluxKustomization from './reconcile_flux_kustomization.js';
import reconcileFluxResource from './reconcile_flux_resource.js';
import reconcileFluxSource from './reconcile_flux_source.js';
import resumeFluxReconciliation from './resume_flux_reconciliation.js';
import rollbackFluxHelmrelease from './rollback_flux_helmrelease.js';
import setFluxDriftDetection from './set_flux_drift_detection.js';
import setKubeconfigContext from './set_kubeconfig_context.js';
import suspendFluxReconciliation from './suspend_flux_reconciliation.js';
import upgradeFluxInstance from './upgrade_flux_instance.js';
import traceKubernetesResource from './trace_kubernetes_resource.js';

export const TOOLS: readonly Tool[] = [
  getKubeconfigContexts,
  setKubeconfigContext,
  getFluxStatus,
  getFluxInstance,
  getFluxChanges,
  getFluxEvents,
  getKubernetesEvents,
  getKubernetesLogs,
  getFluxTree,
  getHelmreleaseHistory,
  getFluxDrift,
  traceKubernetesResource,
  getKubernetesResources,
  checkFluxUpgrade,
  diffFluxKustomization,
  reconcileFluxKustomization,
  reconcileFluxHelmrelease,
  reconcileFluxSource,
  reconcileFluxResource,
  suspendFluxReconciliation,
  resumeFluxReconciliation,
  migrateFluxStorage,
  upgradeFluxInstance,
  rollbackFluxHelmrelease,
  setFluxDriftDetection,
];

export type { Confirmation, Tool, ToolContext, ToolResult, SessionState } from './contract.js';
export { ToolError } from './contract.js';
