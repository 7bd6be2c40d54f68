// Assembles an MCP server from the tool table: registration, read-only mode, instructions, and the
// translation of tool results and errors into MCP results.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import {
  TOOLS,
  ToolError,
  type SessionState,
  type Tool,
  type ToolContext,
  type ToolResult,
} from '../../tools/index.js';
import type { KubeAccess } from '../kube/access.js';
import { parseWait } from '../flux/duration.js';
import { FluxError } from '../flux/errors.js';
import { KubeError } from '../kube/errors.js';
import { actAs } from '../kube/impersonation.js';
import { DEFAULT_WAIT_TIMEOUT } from '../options.js';
import type { AuditSink } from './audit.js';
import type { CallTracker } from './calls.js';
import { callerOf } from './caller.js';
import { conform } from './conform.js';
import { checkArguments } from './arguments.js';
import { askPerson, canAsk } from './elicitation.js';
import { registerPrompts } from './prompts.js';
import { compile, type StructuredForm } from './tool-definitions.js';

export interface ServerOptions {
  version: string;
  readOnly: boolean;
  /** Leave out tools marked destructive. */
  disableDestructive?: boolean;
  /** Offer only these tools (--tools), after the other filters. */
  toolNames?: readonly string[];
  kube: () => Promise<KubeAccess>;
  log: Logger;
  audit: AuditSink;
  /** Counts running tool calls, for a shutdown that waits for them. */
  calls?: CallTracker;
  /** The tool table; the real one unless a test gives another. */
  tools?: readonly Tool[];
  /** --impersonate: every tool call acts as its caller in Kubernetes, and a call without one is refused. */
  impersonate?: boolean;
  /**
   * Whether tools may read the server's disk, and where: `allowed` lists the directories (--allowed-paths),
   * every path when absent. Undefined: tools that read local files are not offered.
   */
  localFiles?: { allowed?: readonly string[] };
  /** How long write tools wait when a call gives no timeout (--wait-timeout); DEFAULT_WAIT_TIMEOUT if absent. */
  waitTimeoutMs?: number;
  /** Which structuredContent tools answer with (--structured-content); compact when absent. */
  structuredContent?: StructuredForm;
  /** --confirm-destructive: `always` refuses destructive changes no one confirmed; `ask` when absent. */
  confirmDestructive?: 'ask' | 'always';
}

function waitTimeout(options: ServerOptions): number {
  return options.waitTimeoutMs ?? parseWait(DEFAULT_WAIT_TIMEOUT)!;
}

/** The tools this server offers under the given options. */
export function enabledTools(
  options: Pick<ServerOptions, 'readOnly' | 'disableDestructive' | 'toolNames' | 'tools' | 'localFiles'>,
): Tool[] {
  return (options.tools ?? TOOLS).filter(
    (t) =>
      !(options.readOnly && t.writes) &&
      !(t.localFiles && !options.localFiles) &&
      !(options.disableDestructive && t.writes && t.annotations.destructiveHint) &&
      (!options.toolNames || options.toolNames.includes(t.name)),
  );
}

export function instructions(tools: readonly Tool[], readOnly: boolean, waitTimeoutMs: number): string {
  const reads = tools.filter((t) => !t.writes).map((t) => t.name);
  const writes = tools.filter((t) => t.writes).map((t) => t.name);
  return [
    'flux-ops-mcp operates Flux CD on the Kubernetes clusters of the kubeconfig, one context per cluster.',
    'Look before you act: read the state of an object before changing it, and report what a change did.',
    'Parameters shared by the tools:',
    '- context: a kubeconfig context (get_kubeconfig_contexts lists them); default the session context (set_kubeconfig_context), else the server default.',
    "- name, namespace: Kubernetes names; a Flux object's namespace is flux-system when a call gives none, as with the flux CLI. apiVersion: optional, the version the cluster prefers is used.",
    '- Arguments are checked: an unknown one is refused, with the parameter it likely means.',
    ...(reads.includes('get_kubernetes_resources')
      ? [
          '- fields (get_kubernetes_resources): kubectl JSONPath expressions such as spec.suspend or status.conditions[?(@.type=="Ready")].message; each object answers with just those.',
        ]
      : []),
    '- limit: how many at most; without it, a list answer shows what fits in about 3 KB of text and says how to get the rest. since: only newer than a duration such as "30m".',
    '- The namespace of the Flux controllers (get_flux_instance, check_flux_upgrade, migrate_flux_storage; controller_namespace of get_kubernetes_logs) defaults to flux-system.',
    ...(reads.includes('get_flux_status') || reads.includes('get_flux_instance')
      ? [
          `- contexts (${['get_flux_status', 'get_flux_instance', 'get_flux_changes'].filter((t) => reads.includes(t)).join(', ')}): a list of contexts, or "all": many clusters at once, a line per cluster first (a cluster that does not answer is a line), then the problems by cluster, limit (default 3) per cluster; get_flux_changes merges the clusters' changes into one timeline.`,
        ]
      : []),
    ...(reads.includes('get_flux_changes')
      ? [
          '- get_flux_changes: since (default 1h) and until are a duration before now ("2h") or an RFC 3339 time; kind with name narrows it to one object and its path (source, chart, dependencies, the Kustomization that applies it); offset pages to older changes. Start an incident with it: "preceded by" lines are candidates, not causes.',
        ]
      : []),
    ...(writes.length > 0
      ? [
          '- dry_run: the API server checks the exact patch in a dry run; nothing changes, the answer shows the patch.',
          `- wait (default true): wait until the controller has handled the request and the object is Ready or failed. timeout: how long, e.g. "90s" or "5m" (default ${Math.round(waitTimeoutMs / 1000)}s, at most 30m); the request stays in place after it, and get_flux_status or get_kubernetes_resources shows how it went.`,
          '- Reconcile tools refuse a suspended object and change nothing: resume it first.',
          '- confirm (rollback_flux_helmrelease, migrate_flux_storage): true once the person has agreed to the plan of a dry run; where the client can ask, the server asks the person itself.',
        ]
      : []),
    `Read-only tools: ${reads.join(', ')}.`,
    writes.length > 0
      ? `Tools that change the cluster: ${writes.join(', ')}.`
      : readOnly
        ? 'This server runs read-only: it cannot change anything in the clusters.'
        : '',
  ]
    .filter(Boolean)
    .join('\n');
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function errorResult(err: unknown, tool: string, log: () => Logger): CallToolResult {
  let text: string;
  if (err instanceof KubeError || err instanceof FluxError || err instanceof ToolError) {
    text = err.message;
  } else {
    log().error({ err, tool }, 'tool failed unexpectedly');
    text = `internal error in ${tool}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * The MCP result of a tool result. The structured part is checked against the whole output declaration
 * (stricter than the published schema clients check); a mismatch is a defect of ours, logged, and repaired
 * where it can be so that the caller still gets the answer of an operation that has already happened.
 */
function toCallResult(
  result: ToolResult<Record<string, unknown>>,
  form: StructuredForm,
  notes: readonly string[],
  schema: ZodType,
  tool: string,
  log: () => Logger,
): CallToolResult {
  const structured = (form === 'compact' && result.compact) || result.structured;
  const note = notes.join('; ');
  const checked = conform(schema, note ? { ...structured, note } : structured);
  if (checked.undeclared.length > 0) {
    log().error({ undeclared: checked.undeclared }, 'structured result has undeclared fields; removed them');
  }
  if (!checked.value) {
    log().error({ error: checked.error }, 'structured result does not match the output schema');
    return {
      isError: true,
      content: [
        {
          type: 'text',
          text: `${withNote(result.text, note)}\n(internal error in ${tool}: its structured result does not match its output schema: ${checked.error})`,
        },
      ],
    };
  }
  return {
    content: [{ type: 'text', text: withNote(result.text, note) }],
    structuredContent: checked.value,
    ...(result.isError ? { isError: true } : {}),
  };
}

/** The answer's text with what the server filled in for the call, on a line of its own. */
function withNote(text: string, note: string): string {
  return note ? `${text}\nNote: ${note}.` : text;
}

function progressSender(extra: Extra): (message: string) => Promise<void> {
  const token = extra._meta?.progressToken;
  let step = 0;
  return async (message) => {
    if (token === undefined) return;
    step += 1;
    await extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: step, message },
      })
      .catch(() => undefined);
  };
}

async function auditContext(
  options: ServerOptions,
  args: Record<string, unknown>,
  session: SessionState,
): Promise<string | null> {
  if (typeof args.context === 'string') return args.context;
  if (session.context) return session.context;
  try {
    return (await options.kube()).defaultContext();
  } catch {
    return null;
  }
}

function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** One tool call: the caller, the context the tool gets, the audit record, the result checked. */
async function callTool(
  options: ServerOptions,
  session: SessionState,
  tool: Tool,
  args: Record<string, unknown>,
  notes: readonly string[],
  extra: Extra,
  person: Pick<ToolContext, 'canAsk' | 'confirm'>,
): Promise<CallToolResult> {
  const from = callerOf(extra.authInfo);
  const identity = from?.caller.name;
  const actingAs = from?.actingAs;
  // The call's logger is made when something is logged: most calls log nothing at the default level.
  let child: Logger | undefined;
  const log = (): Logger =>
    (child ??= options.log.child({
      tool: tool.name,
      ...(extra.sessionId ? { session: extra.sessionId } : {}),
    }));
  const debug = options.log.isLevelEnabled('debug');
  const ctx: ToolContext = {
    kube: options.kube,
    cluster: async (context) => (await options.kube()).cluster(context ?? session.context),
    session,
    signal: extra.signal,
    progress: progressSender(extra),
    ...(identity ? { identity } : {}),
    ...(actingAs ? { actingAs } : {}),
    ...(options.localFiles?.allowed ? { allowedPaths: options.localFiles.allowed } : {}),
    waitTimeoutMs: waitTimeout(options),
    ...person,
    confirmDestructive: options.confirmDestructive ?? 'ask',
    get log() {
      return log();
    },
  };
  const started = performance.now();
  const end = options.calls?.begin();
  const audit = async (outcome: string, message?: string) => {
    if (!tool.writes) return;
    await options.audit.write({
      time: new Date().toISOString(),
      type: 'audit',
      identity: identity ?? null,
      ...(actingAs ? { groups: [...actingAs.groups] } : {}),
      session: extra.sessionId ?? null,
      tool: tool.name,
      arguments: args,
      context: await auditContext(options, args, session),
      outcome,
      ...(message ? { message } : {}),
      durationMs: Math.round(performance.now() - started),
    });
  };
  try {
    if (options.impersonate && !actingAs)
      throw new ToolError('this server acts as its callers in Kubernetes; this call has no caller');
    const result = await (actingAs ? actAs(actingAs, () => tool.run(args, ctx)) : tool.run(args, ctx));
    if (debug) log().debug({ ms: Math.round(performance.now() - started) }, 'tool call done');
    await audit(result.outcome ?? (result.isError ? 'error' : 'ok'));
    const form = options.structuredContent ?? 'compact';
    return toCallResult(result, form, notes, compile(tool, form).output, tool.name, log);
  } catch (err) {
    if (debug)
      log().debug({ ms: Math.round(performance.now() - started), err: String(err) }, 'tool call failed');
    await audit('error', err instanceof Error ? err.message : String(err));
    const failed = errorResult(err, tool.name, log);
    const note = notes.join('; ');
    return note && failed.content[0]?.type === 'text'
      ? { ...failed, content: [{ type: 'text', text: withNote(failed.content[0].text, note) }] }
      : failed;
  } finally {
    end?.();
  }
}

/**
 * A new MCP server for one session (stdio has one; HTTP has one per session). Over HTTP each tool call
 * comes with the caller of the request that carried it.
 */
export function createServer(options: ServerOptions, session: SessionState = {}): McpServer {
  const tools = enabledTools(options);
  const server = new McpServer(
    { name: 'flux-ops-mcp', version: options.version },
    {
      capabilities: { logging: {}, tools: { listChanged: false } },
      instructions: instructions(tools, options.readOnly, waitTimeout(options)),
    },
  );
  registerPrompts(server, tools);
  const byName = new Map(tools.map((t) => [t.name, t]));
  // Tools are served on the protocol server directly, not through McpServer.registerTool: the listing is
  // computed once per process and without repeated `$schema` keys, and each result is checked once, the
  // way clients check it (toCallResult), instead of twice.
  const form = options.structuredContent ?? 'compact';
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((t) => compile(t, form).definition),
  }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) return toolError(`Tool ${request.params.name} not found`);
    const checked = checkArguments(tool, request.params.arguments ?? {});
    if (!checked.ok) return toolError(checked.message);
    // Stateless HTTP cannot ask: the person's answer would come back in a request no one is waiting for.
    const asks = !session.stateless && canAsk(server.server);
    return callTool(options, session, tool, checked.args, checked.notes, extra, {
      canAsk: asks,
      confirm: (plan) =>
        asks ? askPerson(server.server, plan, extra.signal, extra.requestId) : Promise.resolve('unsupported'),
    });
  });
  return server;
}
