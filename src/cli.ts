// The server's start-up, loaded by src/bin.ts once the Node.js version is known to be good. The Kubernetes
// client is loaded only when a tool first needs it, so the server answers initialize as fast as a bare MCP
// server.
import { readFileSync } from 'node:fs';
import { createLogger, type Logger } from './log.js';
import { errorText, parseOptions, USAGE, type Options } from './options.js';
import { openAuditSink } from './server/audit.js';
import { CallTracker } from './server/calls.js';
import { createServer, type ServerOptions } from './server/create.js';
import { TOOLS } from '../tools/index.js';
import type { KubeAccess } from './kube/access.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * Prepares, in the background, what the first tool call needs: the Kubernetes client, the kubeconfig and
 * the default context's API discovery. Nothing waits for it; a failure is reported by the call that needs
 * the cluster.
 */
function warmUp(serverOptions: ServerOptions): void {
  setImmediate(() => {
    serverOptions
      .kube()
      .then((access) => access.cluster().discovery.warm())
      .catch(() => undefined);
  });
}

async function serveStdio(serverOptions: ServerOptions, log: Logger, options: Options): Promise<void> {
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const server = createServer(serverOptions);
  // Load the Kubernetes client, the kubeconfig and discovery while the client is busy with its own start-up.
  server.server.oninitialized = () => warmUp(serverOptions);
  const transport = new StdioServerTransport();
  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    log.info({ why }, 'shutting down');
    void server
      .close()
      .then(() => serverOptions.audit.close())
      .finally(() => process.exit(0));
  };
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await server.connect(transport);
  log.info({ transport: 'stdio', readOnly: options.readOnly }, 'flux-ops-mcp serving');
}

async function serveHttp(serverOptions: ServerOptions, log: Logger, options: Options): Promise<void> {
  const { startHttpServer } = await import('./server/http/serve.js');
  const http = await startHttpServer(options.http, serverOptions, log);
  warmUp(serverOptions);
  const shutdown = (why: string) => {
    void http.shutdown(why).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => http.reload('SIGHUP'));
  log.info(
    {
      transport: 'http',
      url: http.url,
      stateless: options.http.stateless,
      authentication: [
        ...(options.http.authTokensFile ? ['bearer tokens'] : []),
        ...(options.http.oidc ? ['oidc'] : []),
      ],
      readOnly: options.readOnly,
      impersonate: options.http.impersonate,
      limits: options.http.limits,
    },
    'flux-ops-mcp serving',
  );
}

async function main(): Promise<void> {
  const parsed = parseOptions(
    process.argv.slice(2),
    process.env,
    TOOLS.map((t) => t.name),
  );
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return;
    case 'version':
      process.stdout.write(`flux-ops-mcp ${packageVersion()}\n`);
      return;
    case 'error':
      process.stderr.write(errorText(parsed));
      process.exitCode = 2;
      return;
  }
  const options = parsed.options;
  const log = createLogger(options.logLevel);
  const impersonate = options.transport === 'http' && options.http.impersonate;

  let access: Promise<KubeAccess> | undefined;
  const kube = (): Promise<KubeAccess> => {
    access ??= import('./kube/access.js').then(
      ({ KubeAccess }) =>
        new KubeAccess({
          ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
          ...(options.context ? { context: options.context } : {}),
          ...(options.allowedContexts ? { allowedContexts: options.allowedContexts } : {}),
          ...(options.allowedNamespaces ? { allowedNamespaces: options.allowedNamespaces } : {}),
          impersonate,
        }),
    );
    return access;
  };

  const serverOptions: ServerOptions = {
    version: packageVersion(),
    readOnly: options.readOnly,
    disableDestructive: options.disableDestructive,
    ...(options.tools ? { toolNames: options.tools } : {}),
    // Over HTTP a local path means this machine's disk, not the caller's: only where --allowed-paths says.
    ...(options.transport === 'stdio' || options.allowedPaths
      ? { localFiles: options.allowedPaths ? { allowed: options.allowedPaths } : {} }
      : {}),
    kube,
    log,
    audit: await openAuditSink(options.auditLog),
    calls: new CallTracker(),
    impersonate,
    waitTimeoutMs: options.waitTimeoutMs,
    structuredContent: options.structuredContent,
    confirmDestructive: options.confirmDestructive,
  };
  if (options.transport === 'http') await serveHttp(serverOptions, log, options);
  else await serveStdio(serverOptions, log, options);
}

main().catch((err: unknown) => {
  process.stderr.write(`flux-ops-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
