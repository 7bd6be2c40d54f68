// The built server over HTTP: started as a child process on a free loopback port, driven by the SDK's
// StreamableHTTPClientTransport.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  type StreamableHTTPClientTransportOptions,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  assertNoSchemaDefects,
  cluster,
  connectClient,
  SERVER_ENTRY,
  type PersonAtTheClient,
} from './env.js';

export interface HttpServer {
  /** The /mcp URL. */
  url: string;
  /** The server's origin, e.g. http://127.0.0.1:41234. */
  base: string;
  process: ChildProcess;
  stderr(): string;
  /** JSON lines from stderr. */
  logs(): Record<string, unknown>[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `dist/cli.js --transport http` against the test cluster and waits until it listens. */
export async function startHttpServer(
  extraArgs: string[] = [],
  options: { kubeconfig?: string | null; env?: Record<string, string> } = {},
): Promise<HttpServer> {
  const kubeconfig = options.kubeconfig === undefined ? cluster().kubeconfig : options.kubeconfig;
  const child = spawn(
    process.execPath,
    [
      SERVER_ENTRY,
      '--transport',
      'http',
      '--port',
      '0',
      '--log-level',
      'info',
      ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []),
      // As over stdio (env.ts): the full machine form, unless a test asks for the compact one.
      ...(extraArgs.some((a) => a.startsWith('--structured-content'))
        ? []
        : ['--structured-content', 'full']),
      ...extraArgs,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    },
  );
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"url":"([^"]+)"[^\n]*"msg":"flux-ops-mcp serving"/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
  });
  const logs = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    url,
    base: new URL(url).origin,
    process: child,
    stderr: () => stderr,
    logs,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      assertNoSchemaDefects(stderr);
    },
  };
}

/** Connects an SDK client; `token` is sent as a bearer token. */
export async function connect(
  url: string,
  options: {
    token?: string;
    headers?: Record<string, string>;
    /** The client declares elicitation, and answers each question the server asks with this. */
    onElicit?: PersonAtTheClient;
  } & Pick<StreamableHTTPClientTransportOptions, 'fetch'> = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const headers = {
    ...options.headers,
    ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const client = await connectClient(transport, options.onElicit);
  return { client, transport };
}

/** A raw JSON-RPC initialize, for checking status codes and headers. */
export function rawInitialize(
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body:
      body ??
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw', version: '0' },
        },
      }),
  });
}
