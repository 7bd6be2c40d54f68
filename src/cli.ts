#!/usr/bin/env node
// Entry point. The Kubernetes client is loaded only when a tool first needs it, so the server answers
// initialize as fast as a bare MCP server.
import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogger } from './log.js';
import { parseOptions, USAGE } from './options.js';
import { createServer } from './server/create.js';
import type { KubeAccess } from './kube/access.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return;
    case 'version':
      process.stdout.write(`flux-ops-mcp ${packageVersion()}\n`);
      return;
    case 'error':
      process.stderr.write(`flux-ops-mcp: ${parsed.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
  }
  const options = parsed.options;
  const log = createLogger(options.logLevel);
  if (options.transport === 'http') {
    process.stderr.write('flux-ops-mcp: --transport http is not available in this version yet; use stdio.\n');
    process.exitCode = 1;
    return;
  }

  let access: Promise<KubeAccess> | undefined;
  const kube = (): Promise<KubeAccess> => {
    access ??= import('./kube/access.js').then(
      ({ KubeAccess }) =>
        new KubeAccess({
          ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
          ...(options.context ? { context: options.context } : {}),
        }),
    );
    return access;
  };

  const server = createServer({ version: packageVersion(), readOnly: options.readOnly, kube, log });
  // Load the Kubernetes client while the client is busy with its own start-up.
  server.server.oninitialized = () => setImmediate(() => void kube());
  const transport = new StdioServerTransport();
  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    log.info({ why }, 'shutting down');
    void server.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await server.connect(transport);
  log.info({ transport: 'stdio', readOnly: options.readOnly }, 'flux-ops-mcp serving');
}

main().catch((err: unknown) => {
  process.stderr.write(`flux-ops-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
