// What integration tests share: the test cluster, a namespace per test file, and the built server
// driven over stdio by the MCP SDK client.
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ElicitRequestSchema,
  type CallToolResult,
  type ElicitRequest,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { inject } from 'vitest';
import { TestApi } from './api.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_ENTRY = join(ROOT, 'dist', 'cli.js');

export function cluster() {
  return inject('cluster');
}

/** The Flux release whose CRDs the test cluster serves, e.g. v2.9.5 (FLUX_OPS_MCP_FLUX selects the set). */
export function fluxRelease(): string {
  return cluster().fluxRelease;
}

/** True when the test cluster serves the CRDs of Flux `minor` (e.g. '2.8') or a newer release. */
export function fluxAtLeast(minor: string): boolean {
  const [major, wanted] = minor.split('.').map(Number);
  const [, have, of] = /^v?(\d+)\.(\d+)/.exec(fluxRelease())!.map(Number);
  return have! > major! || (have === major && of! >= wanted!);
}

export function adminApi(): TestApi {
  const c = cluster();
  return new TestApi(c.server, c.adminToken, c.caFile);
}

export function restrictedApi(): TestApi {
  const c = cluster();
  return new TestApi(c.server, c.restrictedToken, c.caFile);
}

/** A fresh namespace for one test file. */
export async function testNamespace(api: TestApi, prefix: string): Promise<string> {
  const name = `t-${prefix}-${randomBytes(3).toString('hex')}`;
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** The person at a client that supports elicitation (Claude Code, VS Code, Cursor): reads the question, answers. */
export type PersonAtTheClient = (question: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;

export interface ServerHandle {
  client: Client;
  /** The server process. */
  pid: number | null;
  stderr: () => string;
  close(): Promise<void>;
}

/**
 * Starts the built server over stdio against the test cluster and connects an SDK client. `kubeconfig: null`
 * gives no --kubeconfig flag.
 */
export async function startServer(
  extraArgs: string[] = [],
  options: {
    kubeconfig?: string | null;
    env?: Record<string, string>;
    /** The client declares elicitation, and answers each question the server asks with this. */
    onElicit?: PersonAtTheClient;
  } = {},
): Promise<ServerHandle> {
  const kubeconfig = options.kubeconfig === undefined ? cluster().kubeconfig : options.kubeconfig;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      SERVER_ENTRY,
      ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []),
      '--log-level',
      'warn',
      // The tests read the full machine form, unless one asks for the compact form models read.
      ...(extraArgs.some((a) => a.startsWith('--structured-content'))
        ? []
        : ['--structured-content', 'full']),
      ...extraArgs,
    ],
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = await connectClient(transport, options.onElicit);
  return {
    client,
    pid: transport.pid,
    stderr: () => stderr,
    async close() {
      await client.close();
      assertNoSchemaDefects(stderr);
    },
  };
}

/**
 * Connects an SDK client the way real clients (Claude Code, VS Code, the Inspector) do: initialize, then
 * tools/list before any call. Having seen the list, the SDK client validates every structuredContent
 * against the tool's output schema and throws on a mismatch.
 */
export async function connectClient(transport: Transport, onElicit?: PersonAtTheClient): Promise<Client> {
  const client = new Client(
    { name: 'flux-ops-mcp-tests', version: '0.0.0' },
    onElicit ? { capabilities: { elicitation: { form: {} } } } : undefined,
  );
  if (onElicit) client.setRequestHandler(ElicitRequestSchema, (request) => onElicit(request.params));
  await client.connect(transport);
  await client.listTools();
  return client;
}

/**
 * The server repairs a structured result that does not match its output schema (so that clients still get
 * the answer) and logs the defect; a test run must never see one.
 */
export function assertNoSchemaDefects(stderr: string): void {
  const defects = stderr.split('\n').filter((l) => l.includes('"msg":"structured result'));
  if (defects.length > 0)
    throw new Error(`structured results did not match their schemas:\n${defects.join('\n')}`);
}

export interface ToolCall {
  result: CallToolResult;
  text: string;
  structured: Record<string, unknown>;
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
  options: Parameters<Client['callTool']>[2] = {},
): Promise<ToolCall> {
  const result = (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
  const text = result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return { result, text, structured: (result.structuredContent ?? {}) as Record<string, unknown> };
}
