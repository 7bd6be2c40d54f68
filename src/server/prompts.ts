// MCP prompts: the incident playbooks of the operations guide, written against the tools this server
// offers. A step that needs a tool the server does not offer (read-only mode) says what to do instead.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Tool } from '../../tools/index.js';

type Has = (tool: string) => boolean;

export interface PromptArgs {
  name: string;
  namespace: string;
  context?: string;
  reason?: string;
  revision?: string;
}

function where(a: PromptArgs): string {
  return `${a.namespace}/${a.name}${a.context ? ` in context ${a.context}` : ''}`;
}

function ctxArg(a: PromptArgs): string {
  return a.context ? `, context: "${a.context}"` : '';
}

/** The first step of a debug playbook: what changed on the object's path before it failed. */
function changesStep(has: Has, kind: string, a: PromptArgs): string | undefined {
  if (!has('get_flux_changes')) return undefined;
  return `Call get_flux_changes (kind "${kind}", name "${a.name}", namespace "${a.namespace}", since "1h"${ctxArg(a)}): what changed on its path (its source, chart, dependencies, the Kustomization that applies it) and when it started failing. The changes listed as "preceded by" are the first suspects, not proven causes; widen since when the failure is older.`;
}

function lookStep(has: Has, kind: string, a: PromptArgs): string {
  return has('get_flux_status')
    ? `Call get_flux_status (namespace "${a.namespace}"${ctxArg(a)}) to see whether ${kind} ${a.name} fails alone or with others, then get_kubernetes_resources (kind "${kind}", name "${a.name}", namespace "${a.namespace}", output "yaml"${ctxArg(a)}) for its full status.`
    : `Call get_kubernetes_resources (kind "${kind}", name "${a.name}", namespace "${a.namespace}", output "yaml"${ctxArg(a)}) and read its conditions: Ready, Reconciling, Stalled, their reasons and messages.`;
}

function eventsStep(has: Has, kind: string, a: PromptArgs): string | undefined {
  if (!has('get_flux_events')) return undefined;
  return `Call get_flux_events for ${kind} ${a.name} in ${a.namespace}${ctxArg(a)}: the newest Warning events of the object and of its source usually name the cause.`;
}

function logsStep(has: Has, kind: string, a: PromptArgs): string | undefined {
  if (!has('get_kubernetes_logs')) return undefined;
  return `If the events are not enough, call get_kubernetes_logs for ${kind} ${a.name} in ${a.namespace} with level "error".`;
}

function numbered(steps: (string | undefined)[]): string {
  return steps
    .filter((s): s is string => Boolean(s))
    .map((s, i) => `${i + 1}. ${s}`)
    .join('\n');
}

export function debugKustomization(a: PromptArgs, has: Has): string {
  return `Kustomization ${where(a)} is failing. Find the cause and propose the fix; change nothing without my approval.

${numbered([
  changesStep(has, 'Kustomization', a),
  lookStep(has, 'Kustomization', a),
  'Check its source: spec.sourceRef names a GitRepository, OCIRepository or Bucket. If that source is not Ready (authentication, missing branch or tag, unreachable URL), the source is the problem, not the Kustomization.',
  'Check spec.dependsOn: a Ready=False reason DependencyNotReady means a parent Kustomization is the one to look at; repeat these steps for it.',
  eventsStep(has, 'Kustomization', a),
  logsStep(has, 'Kustomization', a),
  has('get_flux_tree')
    ? `For health-check failures (HealthCheckFailed), call get_flux_tree for the Kustomization (problems_only: true) to see which managed objects are missing or not ready; a workload's line says why its Pods fail (ImagePullBackOff, CrashLoopBackOff, OOMKilled)${has('get_kubernetes_events') ? ', and get_kubernetes_events for that Pod says why in full' : ''}.`
    : 'For health-check failures (HealthCheckFailed), look at the objects named in the message with get_kubernetes_resources.',
  has('reconcile_flux_kustomization')
    ? `Once the cause is fixed (usually in Git), call reconcile_flux_kustomization (name "${a.name}", namespace "${a.namespace}", with_source: true${ctxArg(a)}) and report the revision it applied.`
    : 'This server is read-only: tell me which reconcile to run once the cause is fixed.',
])}

Report: the cause in one sentence, the evidence (condition messages, events), and the fix.`;
}

export function debugHelmRelease(a: PromptArgs, has: Has): string {
  return `HelmRelease ${where(a)} is failing. Find the cause and propose the fix; change nothing without my approval.

${numbered([
  changesStep(has, 'HelmRelease', a),
  lookStep(has, 'HelmRelease', a),
  'Read status.history (the Helm releases, newest first), status.failures, installFailures and upgradeFailures, and the Released, Remediated and TestSuccess conditions. A Stalled condition with RetriesExceeded means the controller has given up until reset.',
  'Check the chart source: spec.chart (the generated HelmChart <namespace>-<name> and its HelmRepository, GitRepository or Bucket) or spec.chartRef (an OCIRepository or HelmChart). A chart that cannot be fetched shows there.',
  eventsStep(has, 'HelmRelease', a),
  logsStep(has, 'HelmRelease', a),
  has('reconcile_flux_helmrelease')
    ? `Once the cause is fixed, call reconcile_flux_helmrelease (name "${a.name}", namespace "${a.namespace}", with_source: true${ctxArg(a)}); add reset: true when the retries are exhausted, and force: true only to re-run an upgrade that has nothing new.`
    : 'This server is read-only: tell me which reconcile to run once the cause is fixed.',
])}

Report: the cause in one sentence, the evidence, and the fix.`;
}

export function plannedMaintenance(a: PromptArgs & { kind: string }, has: Has): string {
  if (!has('suspend_flux_reconciliation')) {
    return `This server runs read-only and cannot suspend ${a.kind} ${where(a)}. Tell me the steps to run on a server that can write: suspend with a reason, do the maintenance, resume and verify.`;
  }
  return `I need to pause Flux on ${a.kind} ${where(a)} for planned maintenance${a.reason ? `: ${a.reason}` : ''}.

${numbered([
  `Call get_kubernetes_resources (kind "${a.kind}", name "${a.name}", namespace "${a.namespace}"${ctxArg(a)}) and tell me its state now, so we know what "healthy" looked like before.`,
  `Call suspend_flux_reconciliation (kind "${a.kind}", name "${a.name}", namespace "${a.namespace}", reason "${a.reason ?? 'planned maintenance'}"${ctxArg(a)}). It records the reason, who and when on the object. If it was already suspended, stop and tell me by whom and why.`,
  'Tell me it is suspended, and wait for me to say the maintenance is done.',
  `Then call resume_flux_reconciliation (kind "${a.kind}", name "${a.name}", namespace "${a.namespace}"${ctxArg(a)}); it waits until the object is Ready or failed.`,
  'Report the result and the revision; if it failed, follow the debug playbook for the kind.',
])}

Never leave the object suspended without telling me: a suspended object no longer follows Git.`;
}

export function emergencyRollback(a: PromptArgs, has: Has): string {
  const canSuspend = has('suspend_flux_reconciliation');
  const canRollBack = has('rollback_flux_helmrelease');
  const hr = `name "${a.name}", namespace "${a.namespace}"${ctxArg(a)}`;
  const revision = a.revision ? `revision: ${a.revision}, ` : '';
  const reason = `reason "emergency rollback${a.reason ? `: ${a.reason}` : ''}"`;
  const look = has('get_helmrelease_history')
    ? `Call get_helmrelease_history (${hr}): it lists the Helm revisions newest first, which one is live, which are rollback targets (deployed or superseded, chart stored), and the remediation settings. ${a.revision ? `I asked for revision ${a.revision}: check it is a rollback target.` : 'Unless I name one, the target is the previous revision, as helm rollback picks it; if that one failed, propose the newest rollback target instead.'}`
    : `Call get_kubernetes_resources (kind "HelmRelease", ${hr}, output "yaml") and list status.history. The rollback target is the newest earlier revision with status deployed or superseded${a.revision ? ` (I asked for ${a.revision}: check it is one of those)` : ''}.`;
  const act = canRollBack
    ? [
        `Call rollback_flux_helmrelease (${hr}, ${revision}dry_run: true) and show me the plan: the target, each object created, changed (which fields) or deleted, and the hooks it will not run. Wait for my go.`,
        `Call rollback_flux_helmrelease (${hr}, ${revision}${reason}). It suspends the HelmRelease with the reason, so helm-controller does not undo the rollback, then rolls the Helm release back as helm rollback does. Report each step and the new revision; if it names hooks it did not run, tell me whether they matter.`,
        has('get_flux_tree')
          ? `Check the result: get_helmrelease_history shows the new revision deployed; get_flux_tree (kind "HelmRelease", ${hr}) shows whether its objects are ready.`
          : 'Check with get_helmrelease_history that the new revision is deployed.',
      ]
    : [
        canSuspend
          ? `Call suspend_flux_reconciliation (kind "HelmRelease", ${hr}, ${reason}), so helm-controller does not undo the rollback.`
          : 'This server cannot change the cluster: the HelmRelease must be suspended first (flux suspend helmrelease) so helm-controller does not undo the rollback.',
        `This server does not roll back here: give me the exact command, \`helm rollback <release name> <revision> -n <storage namespace>\`, with the release name and storage namespace from the HelmRelease status, and \`--force-conflicts\` when the release's records say apply_method ssa (Flux 2.9: Helm 4 applies server-side, and without it the rollback fails on the fields helm-controller owns); wait for me to confirm it ran.`,
      ];
  return `HelmRelease ${where(a)} needs an emergency rollback${a.revision ? ` to Helm revision ${a.revision}` : ''}${a.reason ? ` because ${a.reason}` : ''}.

${numbered([
  look,
  ...act,
  'Make the fix permanent in Git (revert the commit, or pin spec.chart.spec.version to the good chart version). Until then the HelmRelease stays suspended: say so plainly.',
  canSuspend
    ? `When Git holds the fix and I agree, call resume_flux_reconciliation (kind "HelmRelease", ${hr}) and report the revision it settles on. On resume helm-controller upgrades the release to the chart and values in Git: resuming before Git is fixed brings the broken version back.`
    : 'When Git holds the fix, the HelmRelease must be resumed (flux resume helmrelease) and verified.',
])}`;
}

export interface TimelineArgs {
  namespace?: string;
  kind?: string;
  name?: string;
  since?: string;
  context?: string;
}

/** The incident timeline: what changed, what broke, and what to roll back. */
export function incidentTimeline(a: TimelineArgs, has: Has): string {
  const scope =
    a.name && a.kind
      ? `${a.kind} ${a.namespace ? `${a.namespace}/` : ''}${a.name}`
      : a.namespace
        ? `namespace ${a.namespace}`
        : 'the cluster';
  const since = a.since ?? '1h';
  const args = [
    `since "${since}"`,
    ...(a.namespace ? [`namespace "${a.namespace}"`] : []),
    ...(a.kind && a.name ? [`kind "${a.kind}"`, `name "${a.name}"`] : []),
    ...(a.context ? [`context: "${a.context}"`] : []),
  ].join(', ');
  const look = has('get_flux_changes')
    ? `Call get_flux_changes (${args}). It lists every change Flux made or saw, newest first, and for each failure that started in the window the changes before it on its path ("preceded by"). If it says the window reaches past the events the API server keeps, say so; if the failure may be older, call it again with a larger since.`
    : `Call get_flux_events${a.namespace ? ` (namespace "${a.namespace}")` : ''} and get_helmrelease_history for the HelmReleases involved, and order what they say by time.`;
  const revert = has('reconcile_flux_source')
    ? 'revert it in Git (git revert <commit> on the branch the source follows), then apply it at once with reconcile_flux_kustomization or reconcile_flux_helmrelease and with_source: true'
    : 'revert it in Git (git revert <commit> on the branch the source follows); Flux applies the revert at its next interval';
  const helm = has('rollback_flux_helmrelease')
    ? 'rollback_flux_helmrelease, dry_run: true first and then for real: it suspends the HelmRelease so helm-controller does not undo the rollback; pin the good chart version in Git before resuming'
    : 'a helm rollback of the release with the HelmRelease suspended first (give me the commands)';
  const stop = has('suspend_flux_reconciliation')
    ? 'suspend_flux_reconciliation with the incident as reason, so Flux applies nothing more until it is fixed'
    : 'a suspension (flux suspend) with the incident as reason';
  return `Build the incident timeline of ${scope}${a.context ? ` in context ${a.context}` : ''} over the last ${since}: what changed, what broke, and what to roll back. Change nothing without my approval.

${numbered([
  look,
  'For each failure, name the change that preceded it on its path and when (the commit with its message, the chart version, the suspension). Say "preceded by", never "caused by", unless the failure message itself names the change. When nothing on its path changed before it, say so: the cause is then outside Flux (a node, a quota, a registry, a credential).',
  `Propose the rollback that fits the change, the least disruptive first: for a commit, ${revert}; for a Helm upgrade, ${helm}; when neither can be done now, ${stop}.`,
])}

Report: the incident as a short timeline (time, object, change), the suspected trigger of each failure with its evidence, and the rollback you propose as the exact tool call or git command.`;
}

const base = {
  name: z.string().describe('Object name'),
  namespace: z.string().describe('Namespace'),
  context: z.string().optional().describe('Kubeconfig context (optional)'),
};

export function registerPrompts(server: McpServer, tools: readonly Tool[]): void {
  const names = new Set(tools.map((t) => t.name));
  const has: Has = (t) => names.has(t);
  const user = (text: string) => ({
    messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }],
  });

  server.registerPrompt(
    'debug_flux_kustomization',
    {
      title: 'Debug a failing Kustomization',
      description: 'Find why a Kustomization fails: status, source, dependencies, events, logs.',
      argsSchema: base,
    },
    (a) => user(debugKustomization(a, has)),
  );
  server.registerPrompt(
    'debug_flux_helmrelease',
    {
      title: 'Debug a failing HelmRelease',
      description: 'Find why a HelmRelease fails: history, remediation, chart source, events, logs.',
      argsSchema: base,
    },
    (a) => user(debugHelmRelease(a, has)),
  );
  server.registerPrompt(
    'flux_incident_timeline',
    {
      title: 'Incident timeline',
      description:
        'What changed, what broke and what to roll back: the changes of a window, each failure with what preceded it, and the rollback that fits.',
      argsSchema: {
        namespace: z.string().optional().describe('Namespace (default: all)'),
        kind: z.string().optional().describe('Kind of one object to focus on, e.g. Kustomization'),
        name: z.string().optional().describe('Name of that object'),
        since: z.string().optional().describe('How far back, e.g. 2h (default 1h)'),
        context: z.string().optional().describe('Kubeconfig context (optional)'),
      },
    },
    (a) => user(incidentTimeline(a, has)),
  );
  server.registerPrompt(
    'flux_planned_maintenance',
    {
      title: 'Planned maintenance',
      description: 'Suspend a Flux object with a reason, wait for the maintenance, resume it and verify.',
      argsSchema: {
        kind: z.string().describe('Kind, e.g. Kustomization or HelmRelease'),
        ...base,
        reason: z.string().optional().describe('Why, recorded on the object'),
      },
    },
    (a) => user(plannedMaintenance(a, has)),
  );
  server.registerPrompt(
    'flux_emergency_rollback',
    {
      title: 'Emergency rollback of a HelmRelease',
      description:
        "Suspend the HelmRelease with the reason, roll its Helm release back (plan first), check it; resuming is the operator's decision.",
      argsSchema: {
        ...base,
        revision: z
          .string()
          .optional()
          .describe('Helm revision to roll back to (default: the previous good one)'),
        reason: z.string().optional().describe('Why, recorded on the object'),
      },
    },
    (a) => user(emergencyRollback(a, has)),
  );
}
