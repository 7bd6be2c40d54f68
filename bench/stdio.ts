// Starting MCP servers over stdio for the benchmarks: any command (ours, the Flux Operator's Go binary, the
// bare SDK floor), timed from spawn, driven with raw JSON-RPC where exact bytes matter or with the SDK client.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ROOT } from '../test/support/env.js';

export interface ServerCommand {
  command: string;
  args: string[];
  /** Added to the environment an SDK client gives a server (PATH, HOME, USER, SHELL, TERM, LOGNAME). */
  env?: Record<string, string>;
}

/**
 * Every server gets the environment MCP clients built on the SDK give it, not this process's: a variable
 * such as NODE_EXTRA_CA_CERTS here would slow the start of Node servers and not of the Go one.
 */
function envOf(server: ServerCommand): Record<string, string> {
  return { ...getDefaultEnvironment(), ...server.env };
}

const CLIENT_INFO = { name: 'bench', version: '0' };

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: CLIENT_INFO },
} as const;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Milliseconds from spawn to the initialize response, and the server's RSS (kB) right after it. */
export function initializeOnce(server: ServerCommand): Promise<{ ms: number; rssKb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(server.command, server.args, {
      stdio: ['pipe', 'pipe', 'ignore'],
      cwd: ROOT,
      env: envOf(server),
    });
    child.on('error', reject);
    child.stdout.once('data', () => {
      const ms = performance.now() - started;
      const rss = rssKb(child.pid!);
      child.stdin.end();
      child.kill();
      resolve({ ms, rssKb: rss });
    });
    child.stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
  });
}

/**
 * One raw JSON-RPC exchange after initialize: the answer as parsed JSON and the size of its `result` as the
 * server wrote it (compact JSON), and the instructions the server sent with its initialize response.
 */
export async function rawRequest(
  server: ServerCommand,
  method: string,
  params: Record<string, unknown> = {},
): Promise<{ result: Record<string, unknown>; bytes: number; instructions: string }> {
  const child = spawn(server.command, server.args, {
    stdio: ['pipe', 'pipe', 'ignore'],
    cwd: ROOT,
    env: envOf(server),
  });
  const lines = createInterface({ input: child.stdout });
  const answers = new Map<number, (line: string) => void>();
  lines.on('line', (line) => {
    const id = (JSON.parse(line) as { id?: number }).id;
    if (id !== undefined) answers.get(id)?.(line);
  });
  const ask = (id: number, m: string, p: Record<string, unknown>) =>
    new Promise<string>((resolve) => {
      answers.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: m, params: p })}\n`);
    });
  try {
    const init = JSON.parse(await ask(1, INITIALIZE.method, INITIALIZE.params)) as {
      result: { instructions?: string };
    };
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const answer = JSON.parse(await ask(2, method, params)) as { result: Record<string, unknown> };
    return {
      result: answer.result,
      bytes: Buffer.byteLength(JSON.stringify(answer.result)),
      instructions: init.result.instructions ?? '',
    };
  } finally {
    lines.close();
    child.stdin.end();
    child.kill();
  }
}

/** An SDK client connected to a new server process (initialize done, nothing else). */
export async function connect(server: ServerCommand): Promise<Client> {
  const client = new Client(CLIENT_INFO);
  await client.connect(
    new StdioClientTransport({
      command: server.command,
      args: server.args,
      env: envOf(server),
      stderr: 'ignore',
    }),
  );
  return client;
}
