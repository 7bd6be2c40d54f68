// The Streamable HTTP transport: /mcp with sessions or stateless, /healthz and /readyz, DNS rebinding
// protection, authentication, a body size limit, optional TLS, and a graceful shutdown that lets calls
// in flight finish up to a deadline.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { HttpOptions } from '../../options.js';
import type { SessionState } from '../../../tools/index.js';
import { createServer, type ServerOptions } from '../create.js';
import { Authenticator, wwwAuthenticate } from './auth.js';
import { readJsonBody } from './body.js';
import { RequestGuard } from './guard.js';
import { MAX_SESSIONS, SessionRegistry, type Session } from './sessions.js';

export const MCP_PATH = '/mcp';

export interface HttpServerHandle {
  /** The /mcp URL the server answers on. */
  url: string;
  /** Reloads the token file and OIDC key file (SIGHUP). */
  reload(why: string): void;
  /** Stops taking requests, lets calls in flight finish until the deadline, then closes everything. */
  shutdown(why: string): Promise<void>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function rpcError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    { jsonrpc: '2.0', error: { code: status === 400 ? -32700 : -32000, message }, id: null },
    headers,
  );
}

export async function startHttpServer(
  options: HttpOptions,
  serverOptions: ServerOptions,
  log: Logger,
): Promise<HttpServerHandle> {
  const auth = Authenticator.create(options, log);
  const guard = new RequestGuard({
    bindHost: options.host,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });
  const sessions = new SessionRegistry(log);
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const track = (res: ServerResponse, session?: Session) => {
    inFlight += 1;
    if (session) session.active += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (session) {
        session.active -= 1;
        session.lastSeen = Date.now();
      }
      if (inFlight === 0) idle?.();
    });
  };

  async function openSession(req: IncomingMessage, res: ServerResponse, body: unknown, identity?: string) {
    if (sessions.size >= MAX_SESSIONS) {
      rpcError(res, 503, `too many open sessions (${MAX_SESSIONS}); close unused ones`, {
        'Retry-After': '10',
      });
      return;
    }
    const state: SessionState = {};
    const server = createServer(serverOptions, state, identity);
    let session: Session | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { id, identity, server, transport, state, lastSeen: Date.now(), active: 1 };
        sessions.add(session);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.forget(transport.sessionId);
      void server.close().catch(() => undefined);
    };
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (session) session.active -= 1;
      if (inFlight === 0) idle?.();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    if (!transport.sessionId) await transport.close();
  }

  async function stateless(req: IncomingMessage, res: ServerResponse, body: unknown, identity?: string) {
    const server = createServer(serverOptions, { stateless: true }, identity);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    track(res);
    res.once('close', () => {
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async function mcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = guard.check(req);
    if (refused) {
      log.warn({ host: req.headers.host, origin: req.headers.origin, reason: refused }, 'refused a request');
      rpcError(res, 403, `Forbidden: ${refused}`);
      return;
    }
    if (draining) {
      rpcError(res, 503, 'the server is shutting down', { Connection: 'close', 'Retry-After': '5' });
      return;
    }
    const who = await auth.authenticate(req);
    if (!who.ok) {
      if (who.status === 401) log.info({ reason: who.description }, 'unauthenticated request');
      rpcError(res, who.status, who.status === 401 ? `Unauthorized: ${who.description}` : who.description, {
        ...(who.status === 401 ? { 'WWW-Authenticate': wwwAuthenticate(who) } : { 'Retry-After': '10' }),
      });
      return;
    }
    const identity = who.identity;
    const sessionId = req.headers['mcp-session-id'];

    if (req.method === 'POST') {
      const read = await readJsonBody(req, options.maxBodyBytes);
      if (!read.ok) {
        rpcError(res, read.status, read.message, read.status === 413 ? { Connection: 'close' } : {});
        return;
      }
      if (options.stateless) return stateless(req, res, read.body, identity);
      if (typeof sessionId === 'string') {
        const session = sessions.find(sessionId, identity);
        if (!session) return rpcError(res, 404, 'Session not found');
        track(res, session);
        return session.transport.handleRequest(req, res, read.body);
      }
      if (isInitializeRequest(read.body)) return openSession(req, res, read.body, identity);
      return rpcError(res, 400, 'Bad Request: no Mcp-Session-Id header; start a session with initialize');
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (options.stateless) {
        return rpcError(res, 405, 'Method not allowed: this server is stateless', { Allow: 'POST' });
      }
      if (typeof sessionId !== 'string') return rpcError(res, 400, 'Bad Request: no Mcp-Session-Id header');
      const session = sessions.find(sessionId, identity);
      if (!session) return rpcError(res, 404, 'Session not found');
      // A GET is the session's stream for server notifications: open for as long as the session, so it is
      // not a call in flight that shutdown should wait for.
      if (req.method === 'DELETE') track(res, session);
      return session.transport.handleRequest(req, res);
    }
    rpcError(res, 405, 'Method not allowed', { Allow: options.stateless ? 'POST' : 'GET, POST, DELETE' });
  }

  async function ready(res: ServerResponse): Promise<void> {
    if (draining) return sendJson(res, 503, { status: 'shutting down' });
    try {
      (await serverOptions.kube()).defaultContext();
      sendJson(res, 200, { status: 'ready' });
    } catch (err) {
      sendJson(res, 503, { status: 'not ready', reason: err instanceof Error ? err.message : String(err) });
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        log.error({ err, path }, 'request failed');
        if (!res.headersSent) rpcError(res, 500, 'Internal server error');
        else res.end();
      });
    // Probes come from the kubelet with the pod IP as Host, and reveal nothing: no guard, no auth.
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return void done(ready(res));
    if (path !== MCP_PATH) return sendJson(res, 404, { error: `not found; the MCP endpoint is ${MCP_PATH}` });
    void done(mcp(req, res));
  };

  const tls = options.tlsCert && options.tlsKey;
  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(options.tlsCert!), key: readFileSync(options.tlsKey!) }, handler)
    : createHttpServer(handler);
  // Tool calls that wait for a reconcile can take many minutes; the default request timeout would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${address.port}${MCP_PATH}`;

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (why: string): Promise<void> => {
    shutdownPromise ??= (async () => {
      draining = true;
      log.info(
        { why, inFlight, sessions: sessions.size, deadlineMs: options.shutdownTimeoutMs },
        'shutting down',
      );
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const finished = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), options.shutdownTimeoutMs);
          idle = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        if (!finished)
          log.warn({ inFlight }, 'shutdown deadline passed; cancelling the calls still in flight');
      }
      await sessions.closeAll();
      server.closeAllConnections();
      // Closing sessions and connections aborted the calls still running; let them write their audit records.
      await serverOptions.calls?.settled(2_000);
      await closed;
      auth.close();
      await serverOptions.audit.close();
      log.info('stopped');
    })();
    return shutdownPromise;
  };

  return { url, reload: (why) => auth.reload(why), shutdown };
}
