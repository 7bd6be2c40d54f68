// A thin REST client over one kubeconfig context: authentication from @kubernetes/client-node,
// requests with undici's request API (not its fetch, whose web streams and header checks cost a few tenths
// of a millisecond per request), errors mapped to KubeError.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { RequestContext, type HttpMethod } from '@kubernetes/client-node';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { withinDeadline } from './deadline.js';
import { errorFromResponse, errorFromTransport, KubeError, type RequestDescription } from './errors.js';
import { currentActor, groupHeaderLines, impersonationHeaders, SELF } from './impersonation.js';
import type { NamespaceScope } from './scope.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** What the request is about, for error messages. */
  describe?: Omit<RequestDescription, 'context' | 'server' | 'verb'> & { verb?: string };
  /** Per-request timeout in milliseconds (default 30s). */
  timeoutMs?: number;
  /** Return the body as text, unparsed (pod logs: a one-line JSON log would otherwise come back parsed). */
  text?: boolean;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface WatchOptions {
  signal: AbortSignal;
  /** What is watched, for error messages. */
  describe?: RequestOptions['describe'];
  /** Called when the API server has accepted the watch, before the first event. */
  onOpen?: () => void;
}

export type WatchResult = 'done' | 'closed' | 'expired' | 'aborted';

/** zlib, loaded the first time an answer comes gzipped (large lists): not on the first call of a session. */
const zlib = () => import('node:zlib');

/** The body of an answer as text; the API server gzips large answers when asked to (as fetch asks). */
async function bodyText(response: Dispatcher.ResponseData): Promise<string> {
  if (response.headers['content-encoding'] !== 'gzip') return response.body.text();
  const gunzip = promisify((await zlib()).gunzip);
  return (await gunzip(Buffer.from(await response.body.arrayBuffer()))).toString('utf8');
}

const isOk = (status: number) => status >= 200 && status < 300;

/**
 * Header values without the leading and trailing whitespace fetch would strip (RFC 9110 field values): a
 * token file ends with a newline, which the API server would otherwise get as part of the token.
 */
function normalized(headers: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v === 'string' && /^[\t\n\r ]|[\t\n\r ]$/.test(v))
      headers[k] = v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  }
  return headers;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const PLUGIN_TIMEOUT_MS = 30_000;
/** How long one connection pool serves a context before a fresh one picks up rotated client certificates. */
const DISPATCHER_TTL_MS = 5 * 60_000;

export class KubeClient {
  constructor(
    readonly context: string,
    readonly server: string,
    private readonly kc: KubeConfig,
    /** Namespaces requests may name (--allowed-namespaces); all when absent. */
    readonly scope?: NamespaceScope,
    /** --impersonate: every request acts as the caller of the running call, and one made outside a call is refused. */
    private readonly impersonate = false,
    /** How long a kubeconfig credential plugin may take to give credentials. */
    private readonly pluginTimeoutMs = PLUGIN_TIMEOUT_MS,
  ) {}

  private pool?: { dispatcher: Dispatcher; since: number };
  /** The authentication in progress, when the user runs a credential plugin (see authenticate). */
  private authenticating?: Promise<void>;

  private url(path: string, query: Query = {}): URL {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    return url;
  }

  private async auth(
    url: URL,
    method: string,
  ): Promise<{ headers: Record<string, string>; dispatcher?: Dispatcher }> {
    const who = currentActor();
    if (this.impersonate && who === undefined)
      throw new KubeError(
        'Config',
        `internal error: a request to context ${this.context} outside a caller's call under --impersonate was refused`,
      );
    const { headers: own, dispatcher } = await this.credentialsFor(url, method);
    if (!this.impersonate || who === undefined || who === SELF)
      return { headers: own, ...(dispatcher ? { dispatcher } : {}) };
    const headers = { ...own, ...impersonationHeaders(who) };
    if (who.groups.length === 0) return { headers, ...(dispatcher ? { dispatcher } : {}) };
    return { headers, dispatcher: (dispatcher ?? getGlobalDispatcher()).compose(groupHeaderLines) };
  }

  /**
   * The user's credentials for a request, and the connection pool to send it through. client-node makes a
   * new pool for every request it authenticates (applySecurityAuthentication); while the pool kept for this
   * context is fresh, only the headers are asked for (applyToHTTPSOptions applies the same credentials
   * without making a pool), which saves a pool made and closed again on every request.
   */
  private async credentialsFor(
    url: URL,
    method: string,
  ): Promise<{ headers: Record<string, string>; dispatcher?: Dispatcher }> {
    const pool = this.pool;
    if (pool && Date.now() - pool.since < DISPATCHER_TTL_MS) {
      const opts: { headers?: Record<string, unknown>; auth?: string } = {};
      await this.authenticate(() => this.kc.applyToHTTPSOptions(opts));
      const headers: Record<string, string> = {};
      if (opts.auth) headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k] = `${v as string}`;
      return { headers, dispatcher: pool.dispatcher };
    }
    const ctx = new RequestContext(url.toString(), method as HttpMethod);
    await this.authenticate(() => this.kc.applySecurityAuthentication(ctx));
    const fresh = ctx.getDispatcher() as Dispatcher | undefined;
    return { headers: ctx.getHeaders(), ...(fresh ? { dispatcher: this.reuse(fresh) } : {}) };
  }

  /**
   * client-node runs a user's credential plugin (kubeconfig `exec`) for every request made before the
   * plugin's first answer is cached, and again for every request made while its token is expired, so the
   * lists of one get_flux_status would start it 18 times at once. Here one request runs it while the others
   * wait for that run: they then find its answer cached, or fail as it failed.
   */
  private async authenticate(apply: () => Promise<void>): Promise<void> {
    const user = this.kc.getCurrentUser();
    const exec =
      user?.exec ?? (user?.authProvider as { config?: { exec?: unknown } } | undefined)?.config?.exec;
    if (!exec) return this.credentials(apply);
    const plugin = String((exec as { command?: unknown }).command ?? '');
    if (this.authenticating) {
      await this.authenticating;
      return this.credentials(apply, plugin);
    }
    const mine = this.credentials(apply, plugin);
    this.authenticating = mine;
    try {
      await mine;
    } finally {
      if (this.authenticating === mine) this.authenticating = undefined;
    }
  }

  /** The kubeconfig user's credentials on the request; a failure says it is theirs, not the cluster's. */
  private async credentials(apply: () => Promise<void>, plugin?: string): Promise<void> {
    try {
      const applying = apply();
      // A plugin that waits for an interactive login would hold every call to this context.
      await (plugin === undefined
        ? applying
        : withinDeadline(
            applying,
            this.pluginTimeoutMs,
            () =>
              new KubeError(
                'Timeout',
                `the kubeconfig's credential plugin ${plugin} gave no credentials within ${this.pluginTimeoutMs / 1000}s for context ${this.context}; a plugin that waits for an interactive login cannot log in here: log in in a terminal first`,
              ),
          ));
    } catch (err) {
      if (err instanceof KubeError) throw err;
      const detail = (err instanceof Error ? err.message : String(err)).trim() || 'no message';
      // MCP clients often start servers with a short PATH (desktop apps do not read the shell's profile).
      if (plugin !== undefined && (err as { code?: unknown }).code === 'ENOENT') {
        throw new KubeError(
          'Config',
          `the kubeconfig's credential plugin ${plugin} for context ${this.context} was not found on this server's PATH (${process.env.PATH ?? ''}): name it by its full path in the kubeconfig, or set PATH in the env of this server in the MCP client's configuration`,
        );
      }
      throw new KubeError(
        'Config',
        plugin === undefined
          ? `the kubeconfig's credentials for context ${this.context} cannot be used: ${detail}`
          : `the kubeconfig's credential plugin ${plugin} failed for context ${this.context}: ${detail}`,
      );
    }
  }

  /**
   * client-node builds a new connection pool for every request, so every call would open a new TLS
   * connection and leave it open; one pool per context, renewed now and then, keeps connections alive.
   */
  private reuse(fresh: Dispatcher): Dispatcher {
    const now = Date.now();
    if (this.pool && now - this.pool.since < DISPATCHER_TTL_MS) {
      void fresh.close().catch(() => undefined);
      return this.pool.dispatcher;
    }
    const old = this.pool?.dispatcher;
    this.pool = { dispatcher: fresh, since: now };
    // Closing lets the requests and watches still running on the old pool finish.
    if (old) void old.close().catch(() => undefined);
    return fresh;
  }

  private description(method: string, opts: RequestOptions): RequestDescription {
    return {
      verb: opts.describe?.verb ?? method.toLowerCase(),
      ...opts.describe,
      context: this.context,
      server: this.server,
    };
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    this.scope?.checkPath(method, path, this.context);
    const url = this.url(path, opts.query);
    const desc = this.description(method, opts);
    // A timer cleared when the request ends: AbortSignal.timeout() cannot be, and every one of them would fire
    // 30 s later, each dispatching an abort event to the listeners still attached, in the middle of later calls.
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new DOMException('timed out', 'TimeoutError')),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ).unref();
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
    try {
      return await this.send<T>(method, url, desc, signal, opts);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send<T>(
    method: string,
    url: URL,
    desc: RequestDescription,
    signal: AbortSignal,
    opts: RequestOptions,
  ): Promise<T> {
    let response: Dispatcher.ResponseData;
    try {
      const { headers, dispatcher } = await this.auth(url, method);
      headers['Accept'] = opts.accept ?? 'application/json';
      headers['Accept-Encoding'] = 'gzip';
      headers['User-Agent'] = 'flux-ops-mcp';
      if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
      response = await (dispatcher ?? getGlobalDispatcher()).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers: normalized(headers),
        signal,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
    } catch (err) {
      if (opts.signal?.aborted) throw new KubeError('Cancelled', 'the request was cancelled');
      throw errorFromTransport(err, desc);
    }
    const ok = isOk(response.statusCode);
    const text = await bodyText(response).catch(() => '');
    if (opts.text && ok) return text as T;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // non-JSON bodies are kept as text for the error message
    }
    if (!ok) throw errorFromResponse(response.statusCode, body, desc);
    return body as T;
  }

  /**
   * Streams watch events to `onEvent` until it returns true (`done`), the server closes the stream
   * (`closed`), the server says the version watched from is too old (`expired`, 410 Gone), or `signal`
   * aborts (`aborted`). Transport failures and error answers are thrown as KubeError.
   */
  async watch<T>(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent<T>) => boolean | void,
    opts: WatchOptions,
  ): Promise<WatchResult> {
    const { signal } = opts;
    this.scope?.checkPath('GET', path, this.context);
    const url = this.url(path, { ...query, watch: true, allowWatchBookmarks: true });
    const desc = this.description('GET', {
      ...(opts.describe ? { describe: { ...opts.describe, verb: 'watch' } } : {}),
    });
    const local = new AbortController();
    const combined = AbortSignal.any([signal, local.signal]);
    let response: Dispatcher.ResponseData;
    try {
      const { headers, dispatcher } = await this.auth(url, 'GET');
      headers['Accept'] = 'application/json';
      headers['User-Agent'] = 'flux-ops-mcp';
      response = await (dispatcher ?? getGlobalDispatcher()).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: normalized(headers),
        signal: combined,
      });
    } catch (err) {
      if (signal.aborted) return 'aborted';
      throw errorFromTransport(err, desc);
    }
    if (!isOk(response.statusCode)) {
      const text = await bodyText(response).catch(() => '');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep text
      }
      if (response.statusCode === 410) return 'expired';
      throw errorFromResponse(response.statusCode, body, desc);
    }
    opts.onOpen?.();
    const body: Readable =
      response.headers['content-encoding'] === 'gzip'
        ? response.body.pipe((await zlib()).createGunzip())
        : response.body;
    // Ending the watch aborts the request, which errors the stream; that is expected, not a failure.
    body.on('error', () => undefined);
    const lines = createInterface({ input: body });
    try {
      for await (const line of lines) {
        if (!line) continue;
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type === 'ERROR') {
          const status = event.object as { code?: number };
          if (status.code === 410) return 'expired';
          throw errorFromResponse(status.code ?? 500, event.object, desc);
        }
        if (onEvent(event) === true) return 'done';
      }
    } catch (err) {
      if (signal.aborted) return 'aborted';
      if (err instanceof KubeError) throw err;
      throw errorFromTransport(err, desc);
    } finally {
      local.abort();
      lines.close();
      body.destroy();
    }
    return signal.aborted ? 'aborted' : 'closed';
  }
}
