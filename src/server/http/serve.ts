// The Streamable HTTP transport: /mcp with sessions or stateless, /healthz and /readyz, DNS rebinding
// protection, authentication (with OAuth protected resource metadata for OIDC), impersonation of callers,
// limits per caller, a body size limit, optional TLS, and a graceful shutdown that lets calls in flight
// finish up to a deadline.
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
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { HttpOptions } from '../../options.js';
import { TOOLS, type SessionState } from '../../../tools/index.js';
import { authInfoOf, callerKey, impersonationOf, type Caller } from '../caller.js';
import { createServer, type ServerOptions } from '../create.js';
import { Authenticator, type AuthResult } from './auth.js';
import { readJsonBody } from './body.js';
import { RequestGuard } from './guard.js';
import { checkImpersonation } from './impersonation-check.js';
import {
  bearerChallenge,
  isMetadataPath,
  metadataUrl,
  protectedResourceMetadata,
  resourceOf,
} from './oauth.js';
import { RateLimiter } from './rate-limit.js';
import { SessionRegistry, type Session } from './sessions.js';

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
  id: string | number | null = null,
): void {
  sendJson(
    res,
    status,
    { jsonrpc: '2.0', error: { code: status === 400 ? -32700 : -32000, message }, id },
    headers,
  );
}

/** The tools/call requests of a POST body (one message, or a batch). */
function toolCalls(body: unknown): { id: string | number | null; name: string }[] {
  const messages = Array.isArray(body) ? (body as unknown[]) : [body];
  return messages.flatMap((m) => {
    const msg = m as { method?: unknown; id?: unknown; params?: { name?: unknown } } | null;
    if (msg?.method !== 'tools/call') return [];
    const id = typeof msg.id === 'string' || typeof msg.id === 'number' ? msg.id : null;
    return [{ id, name: typeof msg.params?.name === 'string' ? msg.params.name : '' }];
  });
}

function durationText(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

type AuthedRequest = IncomingMessage & { auth?: AuthInfo };

/**
 * An answer sent before the request's body was read (a 401, a 413) leaves the rest of the body on its way.
 * Closing the connection then would reset it, and a client still sending would lose the answer; so the rest is
 * read and dropped for up to LINGER_MS (or LINGER_BYTES), and the connection kept, or closed after that.
 */
const LINGER_MS = 5_000;
const LINGER_BYTES = 16 * 1024 * 1024;

function lingerAfterAnswer(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let drained = 0;
  const close = () => req.socket.destroy();
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_BYTES) close();
  });
  req.once('close', () => clearTimeout(timer));
  req.once('end', () => clearTimeout(timer));
  req.resume();
}

export async function startHttpServer(
  options: HttpOptions,
  serverOptions: ServerOptions,
  log: Logger,
): Promise<HttpServerHandle> {
  const auth = Authenticator.create(options, log);
  if (options.impersonate) {
    // Callers of an OIDC issuer are not known in advance; those of a token file alone are.
    const owners = options.oidc ? undefined : auth.tokenOwners();
    await checkImpersonation(await serverOptions.kube(), owners, log);
  }
  const guard = new RequestGuard({
    bindHost: options.host,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  });
  const tls = Boolean(options.tlsCert && options.tlsKey);
  const writeTools = new Set((serverOptions.tools ?? TOOLS).filter((t) => t.writes).map((t) => t.name));
  const sessions = new SessionRegistry(log, options.limits);
  const rateLimit = options.limits.rateLimit;
  const limiter = rateLimit ? new RateLimiter(rateLimit) : undefined;
  const limiterSweep = limiter ? setInterval(() => limiter.sweep(), rateLimit!.windowMs) : undefined;
  limiterSweep?.unref();
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

  /** The server options of a caller's session: the --read-only tools for a token without the write scopes. */
  function optionsFor(readOnly: boolean): ServerOptions {
    return readOnly && !serverOptions.readOnly ? { ...serverOptions, readOnly: true } : serverOptions;
  }

  async function openSession(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    caller: Caller | undefined,
    readOnly: boolean,
  ) {
    const identity = caller?.name;
    const owner = callerKey(caller);
    const admitted = await sessions.admit(owner, identity);
    if (!admitted.ok) {
      log.warn({ identity, reason: admitted.message }, 'refused a new session');
      rpcError(res, admitted.status, admitted.message, { 'Retry-After': String(admitted.retryAfterS) });
      return;
    }
    res.once('close', admitted.release);
    const state: SessionState = {};
    const server = createServer(optionsFor(readOnly), state);
    let session: Session | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { id, owner, identity, server, transport, state, lastSeen: Date.now(), active: 1 };
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
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      admitted.release();
    }
    if (!transport.sessionId) await transport.close();
  }

  async function stateless(req: IncomingMessage, res: ServerResponse, body: unknown, readOnly: boolean) {
    const server = createServer(optionsFor(readOnly), { stateless: true });
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
    if (!who.ok) return refuse(req, res, who);
    const caller = who.caller;
    const identity = caller?.name;
    const owner = callerKey(caller);
    const readOnly = who.missingWriteScopes !== undefined;
    if (!authorize(req, res, caller)) return;
    const sessionId = req.headers['mcp-session-id'];

    if (req.method === 'POST') {
      const read = await readJsonBody(req, options.maxBodyBytes);
      if (!read.ok) {
        rpcError(res, read.status, read.message);
        return;
      }
      if (who.missingWriteScopes && !mayWrite(req, res, read.body, who.missingWriteScopes)) return;
      if (options.stateless) {
        if (!withinRateLimit(res, read.body, owner, identity)) return;
        return stateless(req, res, read.body, readOnly);
      }
      if (typeof sessionId === 'string') {
        const session = sessions.find(sessionId, owner, identity);
        if (!session) return rpcError(res, 404, 'Session not found');
        if (!withinRateLimit(res, read.body, owner, identity)) return;
        track(res, session);
        return session.transport.handleRequest(req, res, read.body);
      }
      if (isInitializeRequest(read.body)) return openSession(req, res, read.body, caller, readOnly);
      return rpcError(res, 400, 'Bad Request: no Mcp-Session-Id header; start a session with initialize');
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (options.stateless) {
        return rpcError(res, 405, 'Method not allowed: this server is stateless', { Allow: 'POST' });
      }
      if (typeof sessionId !== 'string') return rpcError(res, 400, 'Bad Request: no Mcp-Session-Id header');
      const session = sessions.find(sessionId, owner, identity);
      if (!session) return rpcError(res, 404, 'Session not found');
      // A GET is the session's stream for server notifications: open for as long as the session, so it is
      // not a call in flight that shutdown should wait for.
      if (req.method === 'DELETE') track(res, session);
      return session.transport.handleRequest(req, res);
    }
    rpcError(res, 405, 'Method not allowed', { Allow: options.stateless ? 'POST' : 'GET, POST, DELETE' });
  }

  /**
   * A token without the --oidc-write-scopes sees the read-only tools; a call of a tool that writes gets 403
   * insufficient_scope naming the scopes it lacks (RFC 6750 §3.1), so that an OAuth client can ask for them.
   */
  function mayWrite(req: IncomingMessage, res: ServerResponse, body: unknown, missing: string[]): boolean {
    const writes = toolCalls(body).filter((c) => writeTools.has(c.name));
    if (writes.length === 0) return true;
    const names = writes.map((c) => c.name).join(', ');
    const description = `the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} that ${names} need${writes.length > 1 ? '' : 's'} (--oidc-write-scopes); this token may only read`;
    log.info({ tools: writes.map((c) => c.name), missing }, 'refused a write without its scope');
    // The scopes the call needs: a client that asks for them all keeps those it had.
    const needed = [
      ...new Set([...(options.oidc?.requiredScopes ?? []), ...(options.oidc?.writeScopes ?? [])]),
    ];
    refuse(req, res, { ok: false, status: 403, error: 'insufficient_scope', description }, needed);
    return false;
  }

  /**
   * The challenge of a refused request: 401 or 403 with WWW-Authenticate, or 503 with Retry-After when the
   * issuer's keys cannot be had. `scopes` are those the request needs (the required ones by default).
   */
  function refuse(
    req: IncomingMessage,
    res: ServerResponse,
    who: Extract<AuthResult, { ok: false }>,
    scopes = options.oidc?.requiredScopes ?? [],
  ): void {
    if (who.status === 503) {
      log.warn({ reason: who.description, retryAfterS: who.retryAfterS }, 'cannot authenticate now');
      return rpcError(res, 503, `Service Unavailable: ${who.description}`, {
        'Retry-After': String(who.retryAfterS ?? 10),
      });
    }
    log.info({ reason: who.description, status: who.status }, 'unauthenticated request');
    const oidc = options.oidc;
    const challenge = bearerChallenge({
      ...(who.error ? { error: who.error } : {}),
      description: who.description,
      ...(oidc && scopes.length > 0 ? { scopes } : {}),
      ...(oidc ? { resourceMetadata: metadataUrl(resourceOf(req, oidc, tls, MCP_PATH)) } : {}),
    });
    const message = who.status === 401 ? `Unauthorized: ${who.description}` : `Forbidden: ${who.description}`;
    rpcError(res, who.status, message, { 'WWW-Authenticate': challenge });
  }

  /**
   * With --impersonate, who the caller's Kubernetes requests act as; refused when the caller cannot be acted
   * as. The caller travels with the request to the tool calls it carries (the SDK's authInfo).
   */
  function authorize(req: AuthedRequest, res: ServerResponse, caller: Caller | undefined): boolean {
    if (!options.impersonate) {
      if (caller) req.auth = authInfoOf(caller);
      return true;
    }
    if (!caller) {
      rpcError(res, 403, 'Forbidden: this server acts as its callers in Kubernetes; a caller needs a name');
      return false;
    }
    req.auth = authInfoOf(caller, impersonationOf(caller));
    return true;
  }

  /** Counts the tool calls of a POST against the caller's rate; over it, 429 with Retry-After. */
  function withinRateLimit(
    res: ServerResponse,
    body: unknown,
    owner: string,
    identity: string | undefined,
  ): boolean {
    if (!limiter) return true;
    const calls = toolCalls(body);
    if (calls.length === 0) return true;
    const taken = limiter.take(owner, calls.length);
    if (taken.ok) return true;
    const retryAfterS = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    const { calls: limit, windowMs } = limiter.limit;
    const message = `rate limit: ${identity ?? 'this caller'} may make ${limit} tool calls in ${durationText(windowMs)} (--rate-limit); ${calls.map((c) => c.name).join(', ')} was not run, retry in ${retryAfterS} s`;
    log.warn({ identity, tools: calls.map((c) => c.name), retryAfterS }, 'rate limit reached');
    rpcError(
      res,
      429,
      message,
      { 'Retry-After': String(retryAfterS) },
      calls.length === 1 ? calls[0]!.id : null,
    );
    return false;
  }

  function metadata(req: IncomingMessage, res: ServerResponse): void {
    const oidc = options.oidc!;
    // Public discovery data; browser-based clients fetch it from their own origin (RFC 9728 §3.2 leaves CORS open).
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET',
        'Access-Control-Allow-Headers': '*',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { error: 'method not allowed' }, { ...cors, Allow: 'GET' });
    const refused = guard.checkHost(req.headers.host);
    if (refused) return sendJson(res, 403, { error: refused }, cors);
    sendJson(res, 200, protectedResourceMetadata(resourceOf(req, oidc, tls, MCP_PATH), oidc), cors);
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
    res.once('finish', () => lingerAfterAnswer(req));
    const path = (req.url ?? '/').split('?')[0]!;
    const done = (p: Promise<void>) =>
      p.catch((err: unknown) => {
        // A client that went away, or one closed for taking longer than --request-timeout, is no failure of ours.
        if (req.destroyed && (err as { code?: unknown }).code === 'ECONNRESET') {
          log.debug({ path }, 'the connection closed before the request was read');
          return;
        }
        log.error({ err, path }, 'request failed');
        if (!res.headersSent) rpcError(res, 500, 'Internal server error');
        else res.end();
      });
    // Probes come from the kubelet with the pod IP as Host, and reveal nothing: no guard, no auth.
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return void done(ready(res));
    if (options.oidc && isMetadataPath(path, options.oidc, MCP_PATH)) return metadata(req, res);
    if (path !== MCP_PATH) return sendJson(res, 404, { error: `not found; the MCP endpoint is ${MCP_PATH}` });
    void done(mcp(req, res));
  };

  // A client has --request-timeout to send its request, headers and body, or gets 408 and is closed, so slow
  // senders cannot hold connections. The answer is not bounded: once the request is in, Node.js stops counting,
  // and a tool call that waits for a reconcile may take many minutes.
  const timeouts = {
    requestTimeout: options.requestTimeoutMs,
    headersTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs),
  };
  const server: Server = tls
    ? createHttpsServer(
        { ...timeouts, cert: readFileSync(options.tlsCert!), key: readFileSync(options.tlsKey!) },
        handler,
      )
    : createHttpServer(timeouts, handler);
  server.maxConnections = options.maxConnections;
  let lastDropLog = 0;
  server.on('drop', () => {
    if (Date.now() - lastDropLog < 10_000) return;
    lastDropLog = Date.now();
    log.warn({ maxConnections: options.maxConnections }, 'refused connections beyond --max-connections');
  });

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
      if (limiterSweep) clearInterval(limiterSweep);
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
