// Assembles an MCP server from the tool table: registration, read-only mode, instructions, and the
// translation of tool results and errors into MCP results.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Logger } from 'pino';
import { TOOLS, ToolError, type SessionState, type Tool, type ToolContext } from '../../tools/index.js';
import type { KubeAccess } from '../kube/access.js';
import { FluxError } from '../flux/errors.js';
import { KubeError } from '../kube/errors.js';
import { registerPrompts } from './prompts.js';

export interface ServerOptions {
  version: string;
  readOnly: boolean;
  kube: () => Promise<KubeAccess>;
  log: Logger;
  tools?: readonly Tool[];
}

/** The tools this server offers under the given options. */
export function enabledTools(options: Pick<ServerOptions, 'readOnly' | 'tools'>): Tool[] {
  return (options.tools ?? TOOLS).filter((t) => !(options.readOnly && t.writes));
}

export function instructions(tools: readonly Tool[], readOnly: boolean): string {
  const reads = tools.filter((t) => !t.writes).map((t) => t.name);
  const writes = tools.filter((t) => t.writes).map((t) => t.name);
  return [
    'flux-ops-mcp operates Flux CD on the Kubernetes clusters of the kubeconfig, one context per cluster.',
    'Every cluster tool takes an optional `context`; get_kubeconfig_contexts lists them.',
    'Look before you act: read the state of an object before changing it, and report what a change did.',
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

function errorResult(err: unknown, tool: string, log: Logger): CallToolResult {
  let text: string;
  if (err instanceof KubeError || err instanceof FluxError || err instanceof ToolError) {
    text = err.message;
  } else {
    log.error({ err, tool }, 'tool failed unexpectedly');
    text = `internal error in ${tool}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return { isError: true, content: [{ type: 'text', text }] };
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

/** A new MCP server for one session (stdio has one; HTTP has one per session). */
export function createServer(
  options: ServerOptions,
  session: SessionState = {},
  identity?: string,
): McpServer {
  const tools = enabledTools(options);
  const server = new McpServer(
    { name: 'flux-ops-mcp', version: options.version },
    { capabilities: { logging: {} }, instructions: instructions(tools, options.readOnly) },
  );
  registerPrompts(server, tools);
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (args: Record<string, unknown>, extra: Extra): Promise<CallToolResult> => {
        const log = options.log.child({
          tool: tool.name,
          ...(extra.sessionId ? { session: extra.sessionId } : {}),
        });
        const ctx: ToolContext = {
          kube: options.kube,
          cluster: async (context) => (await options.kube()).cluster(context ?? session.context),
          session,
          signal: extra.signal,
          progress: progressSender(extra),
          ...(identity ? { identity } : {}),
          log,
        };
        const started = performance.now();
        const audit = (outcome: string, message?: string) => {
          if (!tool.writes) return;
          log.info(
            {
              audit: {
                tool: tool.name,
                arguments: args,
                context: (args.context as string | undefined) ?? session.context ?? 'default',
                identity: identity ?? 'kubeconfig user',
                outcome,
                ...(message ? { message } : {}),
                ms: Math.round(performance.now() - started),
              },
            },
            'audit',
          );
        };
        try {
          const result = await tool.run(args, ctx);
          log.debug({ ms: Math.round(performance.now() - started) }, 'tool call done');
          audit(String(result.structured.result ?? (result.isError ? 'error' : 'ok')));
          return {
            content: [{ type: 'text', text: result.text }],
            structuredContent: result.structured,
            ...(result.isError ? { isError: true } : {}),
          };
        } catch (err) {
          log.debug({ ms: Math.round(performance.now() - started), err: String(err) }, 'tool call failed');
          audit('error', err instanceof Error ? err.message : String(err));
          return errorResult(err, tool.name, log);
        }
      },
    );
  }
  return server;
}
