// Command-line options: parsing, validation and the usage text. Pure, so it can be tested alone.
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration, parseWait } from './flux/duration.js';
import { isReserved, nameProblem } from './kube/identity-names.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

export interface HttpOptions {
  host: string;
  port: number;
  stateless: boolean;
  /** Host names (without port) accepted in the Host header, besides the loopback names. */
  allowedHosts: string[];
  /** Origins (scheme://host[:port]) accepted in the Origin header, besides those of allowed hosts. */
  allowedOrigins: string[];
  authTokensFile?: string;
  oidc?: OidcOptions;
  tlsCert?: string;
  tlsKey?: string;
  maxBodyBytes: number;
  /** How long a client may take to send a request's headers and body (not the answer: tool calls may run long). */
  requestTimeoutMs: number;
  /** Open connections in all; more are closed as they come. */
  maxConnections: number;
  shutdownTimeoutMs: number;
  /** Every Kubernetes request made for a caller impersonates that caller (user and groups). */
  impersonate: boolean;
  limits: CallerLimits;
}

export interface CallerLimits {
  /** Open MCP sessions in all. */
  maxSessions: number;
  /** Open MCP sessions of one caller. */
  maxSessionsPerCaller: number;
  /** A session without requests for this long is closed. */
  sessionIdleMs: number;
  /** At most `calls` tool calls per caller in any `windowMs`; none when absent. */
  rateLimit?: { calls: number; windowMs: number };
}

export interface OidcOptions {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  jwksFile?: string;
  /** The claim that names the caller in audit records and suspension annotations. */
  identityClaim: string;
  /** The claim that lists the caller's groups (for --impersonate). */
  groupsClaim: string;
  /**
   * Put before the identity claim, as kube-apiserver's --oidc-username-prefix: by default the issuer URL and
   * "#" unless the claim is email; "" when the flag is "-".
   */
  usernamePrefix: string;
  /** Put before each group, as kube-apiserver's --oidc-groups-prefix (default none). */
  groupsPrefix: string;
  /** Scopes every token must carry; a token without one of them gets 403 insufficient_scope. */
  requiredScopes: string[];
  /** Scopes a token must carry to see and call the tools that write; without them its caller only reads. */
  writeScopes: string[];
  /** The URL clients use for /mcp, the `resource` of the protected resource metadata; from the Host header when absent. */
  resource?: string;
}

export interface Options {
  transport: 'stdio' | 'http';
  kubeconfig?: string;
  context?: string;
  readOnly: boolean;
  disableDestructive: boolean;
  /** Only these tools are offered, when given. */
  tools?: string[];
  allowedContexts?: string[];
  allowedNamespaces?: string[];
  /** Directories diff_flux_kustomization may read; over HTTP that tool exists only when given. */
  allowedPaths?: string[];
  /** Where audit records go: a file path, or stderr when absent. */
  auditLog?: string;
  logLevel: LogLevel;
  /** How long a write tool waits for the controller when the call gives no `timeout`. */
  waitTimeoutMs: number;
  http: HttpOptions;
}

export type ParseResult =
  | { kind: 'run'; options: Options }
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'error';
      message: string;
      /** The command line did not parse (unknown flag, missing value): the usage helps more than a hint. */
      usage: boolean;
    };

// Claude Desktop and other clients built on the MCP SDK give up on a call after 60 seconds (the SDK's
// default request timeout), whatever progress the server reports: a wait must answer before that.
export const DEFAULT_WAIT_TIMEOUT = '50s';
export const DEFAULT_PORT = 8080;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT = '30s';
export const DEFAULT_MAX_CONNECTIONS = 2000;
export const DEFAULT_SHUTDOWN_TIMEOUT = '25s';
export const DEFAULT_MAX_SESSIONS = 1000;
export const DEFAULT_MAX_SESSIONS_PER_CALLER = 50;
export const DEFAULT_SESSION_IDLE_TIMEOUT = '30m';
export const DEFAULT_RATE_LIMIT = '120/1m';

export const USAGE = `Usage: flux-ops-mcp [flags]

An MCP server that lets AI assistants operate Flux CD through your kubeconfig.

Flags:
  --transport stdio|http   How clients connect (default: stdio).
  --kubeconfig PATH        Kubeconfig file(s), separated by ":", merged as kubectl merges KUBECONFIG (default:
                           $KUBECONFIG, then ~/.kube/config, then the in-cluster service account).
  --context NAME           Kubeconfig context used when a call names none (default: the current context).
  --log-level LEVEL        trace, debug, info, warn, error, fatal or silent (default: info). Logs go to stderr.
  --wait-timeout DUR       How long write tools wait for the controller when a call gives no timeout (default:
                           ${DEFAULT_WAIT_TIMEOUT}, within the 60 s after which many clients give up on a call; at most 30m).
  --version                Print the version and exit.
  -h, --help               Print this help and exit.

Safety:
  --read-only              Offer only tools that read; tools that change the cluster are not registered.
  --disable-destructive    Do not register tools marked destructive (destructiveHint).
  --tools LIST             Offer only these tools (comma-separated names).
  --allowed-contexts LIST  Kubeconfig contexts that may be used (comma-separated; default: all).
  --allowed-namespaces LIST
                           Namespaces that may be read or changed (comma-separated; default: all). Lists
                           without a namespace cover only these; cluster-scoped objects can be read, not changed.
  --allowed-paths LIST     Directories diff_flux_kustomization may read on this machine (comma-separated,
                           absolute). Default: any over stdio; over HTTP the tool is offered only with this.
  --audit-log FILE         Append one JSON line per call of a tool that writes (default: stderr).

HTTP transport (--transport http):
  --host ADDRESS           Address to listen on (default: 127.0.0.1). Any other than loopback needs
                           authentication (--auth-tokens or --oidc-issuer).
  --port N                 Port (default: ${DEFAULT_PORT}).
  --stateless              No MCP sessions: every request stands alone (for load-balanced replicas);
                           set_kubeconfig_context is then not available, pass context on each call.
  --allowed-hosts LIST     Host header names accepted besides localhost, 127.0.0.1 and [::1] (comma-separated,
                           e.g. the Service's DNS names); guards against DNS rebinding.
  --allowed-origins LIST   Origin header values accepted (comma-separated), besides http(s) origins of allowed hosts.
  --auth-tokens FILE       Bearer tokens, one "name:token" or "name:token:group1,group2" per line; the name
                           identifies the caller. Re-read when the file changes and on SIGHUP.
  --oidc-issuer URL        Accept JWTs from this OpenID Connect issuer (needs --oidc-audience and a JWKS).
  --oidc-audience AUD      The audience (aud) the JWTs must carry.
  --oidc-jwks-url URL      Where the issuer's signing keys are (default: the issuer's discovery document).
  --oidc-jwks-file FILE    The issuer's signing keys from a local JWKS file instead.
  --oidc-identity-claim C  JWT claim that names the caller (default: sub).
  --oidc-groups-claim C    JWT claim that lists the caller's groups, for --impersonate (default: groups).
  --oidc-username-prefix P
                           Put before the identity claim, as kube-apiserver does (default: the issuer URL and
                           "#", none for the email claim; "-" for no prefix).
  --oidc-groups-prefix P   Put before each group of the groups claim, as kube-apiserver does (default: none).
  --oidc-required-scopes LIST
                           Scopes every JWT must carry (comma-separated); a token without them gets 403
                           insufficient_scope. Also the scopes_supported of the OAuth metadata.
  --oidc-write-scopes LIST
                           Scopes a JWT must carry to see and call the tools that change the cluster; a token
                           without them gets the read-only tools, and 403 insufficient_scope for a write tool.
  --oidc-resource URL      The URL clients use for /mcp, as the OAuth protected resource metadata names it
                           (default: built from the request's Host header).
  --impersonate            Every Kubernetes request made for a caller impersonates that caller and their
                           groups (from --auth-tokens or --oidc-groups-claim), so RBAC applies per caller. The
                           server's own credentials need the impersonate verb; it checks at start.
  --tls-cert FILE          Serve HTTPS with this certificate (PEM; needs --tls-key).
  --tls-key FILE           The certificate's private key (PEM).
  --max-body-bytes N       Largest request body accepted; larger ones get 413 (default: ${DEFAULT_MAX_BODY_BYTES}).
  --request-timeout DUR    How long a client may take to send a request (headers and body); slower ones get
                           408 and are closed. Answers are not cut: a tool call may run longer (default: ${DEFAULT_REQUEST_TIMEOUT}).
  --max-connections N      Open connections in all; more are closed as they come (default: ${DEFAULT_MAX_CONNECTIONS}).
  --shutdown-timeout DUR   On SIGTERM or SIGINT, how long calls in flight may finish (default: ${DEFAULT_SHUTDOWN_TIMEOUT}).

Limits (HTTP):
  --max-sessions N         Open MCP sessions in all (default: ${DEFAULT_MAX_SESSIONS}).
  --max-sessions-per-caller N
                           Open MCP sessions of one caller (default: ${DEFAULT_MAX_SESSIONS_PER_CALLER}).
  --session-idle-timeout DUR
                           Close a session without requests for this long (default: ${DEFAULT_SESSION_IDLE_TIMEOUT}).
  --rate-limit N/DUR       At most N tool calls per caller in any DUR; more get 429 with Retry-After
                           (default: ${DEFAULT_RATE_LIMIT}; "off" for none).

Environment:
  KUBECONFIG               Kubeconfig file(s) when --kubeconfig is not given; missing ones are skipped.
  KUBERNETES_SERVICE_HOST  Set inside a pod: without a kubeconfig, the pod's service account is used.
  FLUX_OPS_MCP_LOG_LEVEL   Log level when --log-level is not given.
  FLUX_OPS_MCP_CONTEXT     --context when the flag is not given (an empty value counts as not set).
  FLUX_OPS_MCP_READ_ONLY   --read-only when the flag is not given: true or false.
  FLUX_OPS_MCP_ALLOWED_NAMESPACES
                           --allowed-namespaces when the flag is not given.
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY
                           The proxy for clusters whose kubeconfig entry has no proxy-url, as kubectl.
  NODE_DISABLE_COMPILE_CACHE
                           1: do not keep the server's compiled code on disk for the next start.
`;

/**
 * What stderr says for a command line that is refused: the whole usage when it did not parse, else the one
 * line that says what is wrong and where the flags are described.
 */
export function errorText(error: Extract<ParseResult, { kind: 'error' }>): string {
  const line = `flux-ops-mcp: ${error.message}\n`;
  return error.usage ? `${line}\n${USAGE}` : `${line}Run flux-ops-mcp --help for the flags.\n`;
}

/**
 * A setting from the environment, for hosts that configure a server through its environment rather than its
 * flags (a flag wins). An empty value is no value: a Claude Desktop bundle passes an optional setting the
 * user left empty as "".
 */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Flags that take a value, so an empty one is an error. */
const VALUED_FLAGS = [
  'kubeconfig',
  'context',
  'tools',
  'allowed-contexts',
  'allowed-namespaces',
  'allowed-paths',
  'audit-log',
  'wait-timeout',
] as const;
/** Flags that take a value and mean something only with --transport http. */
const HTTP_VALUED_FLAGS = [
  'host',
  'port',
  'allowed-hosts',
  'allowed-origins',
  'auth-tokens',
  'oidc-issuer',
  'oidc-audience',
  'oidc-jwks-url',
  'oidc-jwks-file',
  'oidc-identity-claim',
  'oidc-groups-claim',
  'oidc-username-prefix',
  'oidc-groups-prefix',
  'oidc-required-scopes',
  'oidc-write-scopes',
  'oidc-resource',
  'tls-cert',
  'tls-key',
  'max-body-bytes',
  'request-timeout',
  'max-connections',
  'shutdown-timeout',
  'max-sessions',
  'max-sessions-per-caller',
  'session-idle-timeout',
  'rate-limit',
] as const;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Parses the command line. `knownTools` are the tool names `--tools` may name; without it, names are not
 * checked.
 */
export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  knownTools?: readonly string[],
): ParseResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        transport: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'read-only': { type: 'boolean' },
        'disable-destructive': { type: 'boolean' },
        tools: { type: 'string' },
        'allowed-contexts': { type: 'string' },
        'allowed-namespaces': { type: 'string' },
        'allowed-paths': { type: 'string' },
        'audit-log': { type: 'string' },
        'log-level': { type: 'string' },
        'wait-timeout': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        stateless: { type: 'boolean' },
        'allowed-hosts': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'auth-tokens': { type: 'string' },
        'oidc-issuer': { type: 'string' },
        'oidc-audience': { type: 'string' },
        'oidc-jwks-url': { type: 'string' },
        'oidc-jwks-file': { type: 'string' },
        'oidc-identity-claim': { type: 'string' },
        'oidc-groups-claim': { type: 'string' },
        'oidc-username-prefix': { type: 'string' },
        'oidc-groups-prefix': { type: 'string' },
        'oidc-required-scopes': { type: 'string' },
        'oidc-write-scopes': { type: 'string' },
        'oidc-resource': { type: 'string' },
        impersonate: { type: 'boolean' },
        'max-sessions': { type: 'string' },
        'max-sessions-per-caller': { type: 'string' },
        'session-idle-timeout': { type: 'string' },
        'rate-limit': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'request-timeout': { type: 'string' },
        'max-connections': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err), usage: true };
  }
  const v = { ...parsed.values };
  if (v.help) return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  const fail = (message: string): ParseResult => ({ kind: 'error', message, usage: false });

  v.context ??= envValue(env, 'FLUX_OPS_MCP_CONTEXT');
  v['allowed-namespaces'] ??= envValue(env, 'FLUX_OPS_MCP_ALLOWED_NAMESPACES');
  const readOnlyEnv = envValue(env, 'FLUX_OPS_MCP_READ_ONLY');
  if (v['read-only'] === undefined && readOnlyEnv !== undefined) {
    if (!/^(true|false|1|0)$/i.test(readOnlyEnv))
      return fail(`FLUX_OPS_MCP_READ_ONLY must be true or false, not "${readOnlyEnv}"`);
    v['read-only'] = /^(true|1)$/i.test(readOnlyEnv);
  }

  const transport = v.transport ?? 'stdio';
  if (transport !== 'stdio' && transport !== 'http') {
    return fail(`--transport must be stdio or http, not "${transport}"`);
  }
  const logLevel = v['log-level'] ?? envValue(env, 'FLUX_OPS_MCP_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const valued = [...VALUED_FLAGS, ...HTTP_VALUED_FLAGS] as const;
  for (const name of valued) {
    if (v[name] !== undefined && v[name].trim() === '') return fail(`--${name} needs a value`);
  }

  const tools = list(v.tools);
  if (tools && tools.length === 0) return fail('--tools needs at least one tool name');
  if (tools && knownTools) {
    const unknown = tools.filter((t) => !knownTools.includes(t));
    if (unknown.length > 0) {
      return fail(`--tools names unknown tools: ${unknown.join(', ')} (tools: ${knownTools.join(', ')})`);
    }
  }
  const allowedContexts = list(v['allowed-contexts']);
  if (allowedContexts && allowedContexts.length === 0)
    return fail('--allowed-contexts needs at least one context name');
  if (v.context && allowedContexts && !allowedContexts.includes(v.context)) {
    return fail(`--context ${v.context} is not one of --allowed-contexts (${allowedContexts.join(', ')})`);
  }
  const allowedNamespaces = list(v['allowed-namespaces']);
  if (allowedNamespaces && allowedNamespaces.length === 0)
    return fail('--allowed-namespaces needs at least one namespace');
  const badNamespace = allowedNamespaces?.find((n) => !DNS1123_LABEL.test(n) || n.length > 63);
  if (badNamespace) return fail(`--allowed-namespaces: "${badNamespace}" is not a valid namespace name`);
  const allowedPaths = list(v['allowed-paths']);
  if (allowedPaths && allowedPaths.length === 0) return fail('--allowed-paths needs at least one directory');
  const relativePath = allowedPaths?.find((p) => !isAbsolute(p));
  if (relativePath) return fail(`--allowed-paths: "${relativePath}" is not an absolute path`);

  const httpOnly = [...HTTP_VALUED_FLAGS, 'stateless', 'impersonate'] as const;
  if (transport !== 'http') {
    const given = httpOnly.filter((name) => v[name] !== undefined);
    if (given.length > 0) return fail(`--${given[0]} needs --transport http`);
  }

  const port = v.port === undefined ? DEFAULT_PORT : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return fail(`--port must be a port number from 0 to 65535, not "${v.port}"`);
  }
  const maxBodyBytes =
    v['max-body-bytes'] === undefined ? DEFAULT_MAX_BODY_BYTES : Number(v['max-body-bytes']);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024) {
    return fail(`--max-body-bytes must be a whole number of at least 1024, not "${v['max-body-bytes']}"`);
  }
  const requestTimeout = v['request-timeout'] ?? DEFAULT_REQUEST_TIMEOUT;
  const requestTimeoutMs = parseDuration(requestTimeout);
  if (requestTimeoutMs === undefined || requestTimeoutMs < 1000)
    return fail(`--request-timeout must be a duration of at least 1s such as "30s", not "${requestTimeout}"`);
  const maxConnections = positiveInteger(v['max-connections'], DEFAULT_MAX_CONNECTIONS);
  if (maxConnections === undefined)
    return fail(`--max-connections must be a whole number of at least 1, not "${v['max-connections']}"`);
  const waitTimeoutMs = parseWait(v['wait-timeout'] ?? DEFAULT_WAIT_TIMEOUT);
  if (waitTimeoutMs === undefined) {
    return fail(
      `--wait-timeout must be a duration from 1s to 30m such as "50s" or "5m", not "${v['wait-timeout']}"`,
    );
  }
  const shutdownTimeoutMs = parseDuration(v['shutdown-timeout'] ?? DEFAULT_SHUTDOWN_TIMEOUT);
  if (shutdownTimeoutMs === undefined) {
    return fail(
      `--shutdown-timeout must be a duration such as "25s" or "1m", not "${v['shutdown-timeout']}"`,
    );
  }
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
    return fail('--tls-cert and --tls-key go together');
  }
  const limits = parseLimits(v);
  if (typeof limits === 'string') return fail(limits);

  let oidc: OidcOptions | undefined;
  const oidcGiven = [
    'oidc-audience',
    'oidc-jwks-url',
    'oidc-jwks-file',
    'oidc-identity-claim',
    'oidc-groups-claim',
    'oidc-username-prefix',
    'oidc-groups-prefix',
    'oidc-required-scopes',
    'oidc-write-scopes',
    'oidc-resource',
  ] as const;
  if (v['oidc-issuer'] !== undefined) {
    let issuer: URL;
    try {
      issuer = new URL(v['oidc-issuer']);
    } catch {
      return fail(`--oidc-issuer must be a URL, not "${v['oidc-issuer']}"`);
    }
    if (!v['oidc-audience']) return fail('--oidc-issuer needs --oidc-audience');
    if (v['oidc-jwks-url'] && v['oidc-jwks-file'])
      return fail('give --oidc-jwks-url or --oidc-jwks-file, not both');
    if (v['oidc-jwks-url']) {
      try {
        new URL(v['oidc-jwks-url']);
      } catch {
        return fail(`--oidc-jwks-url must be a URL, not "${v['oidc-jwks-url']}"`);
      }
    }
    const resource = v['oidc-resource'];
    if (resource !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(resource);
      } catch {
        url = undefined;
      }
      if (
        !url ||
        (url.protocol !== 'https:' && url.protocol !== 'http:') ||
        url.hash ||
        resource.includes('#')
      )
        return fail(
          `--oidc-resource must be the http(s) URL clients use for the MCP endpoint, without a fragment, not "${resource}"`,
        );
    }
    const identityClaim = v['oidc-identity-claim'] ?? 'sub';
    for (const flag of ['oidc-username-prefix', 'oidc-groups-prefix'] as const) {
      const prefix = v[flag];
      if (prefix === undefined || (flag === 'oidc-username-prefix' && prefix === '-')) continue;
      const problem = nameProblem(prefix);
      if (problem) return fail(`--${flag} "${prefix}" ${problem}`);
      if (isReserved(prefix)) return fail(`--${flag} "${prefix}" would make every name a system: name`);
    }
    // kube-apiserver's legacy flags (pkg/kubeapiserver/options/authentication.go): without a prefix, names from
    // any claim but email get the issuer URL and "#", so they cannot equal a name of another authenticator.
    const usernamePrefixFlag = v['oidc-username-prefix'];
    const usernamePrefix =
      usernamePrefixFlag === '-'
        ? ''
        : (usernamePrefixFlag ?? (identityClaim === 'email' ? '' : `${v['oidc-issuer']}#`));
    oidc = {
      issuer: v['oidc-issuer'],
      audience: v['oidc-audience'],
      ...(v['oidc-jwks-url'] ? { jwksUrl: v['oidc-jwks-url'] } : {}),
      ...(v['oidc-jwks-file'] ? { jwksFile: v['oidc-jwks-file'] } : {}),
      identityClaim,
      groupsClaim: v['oidc-groups-claim'] ?? 'groups',
      usernamePrefix,
      groupsPrefix: v['oidc-groups-prefix'] ?? '',
      requiredScopes: list(v['oidc-required-scopes']) ?? [],
      writeScopes: list(v['oidc-write-scopes']) ?? [],
      ...(resource ? { resource } : {}),
    };
    for (const [flag, scopes] of [
      ['oidc-required-scopes', oidc.requiredScopes],
      ['oidc-write-scopes', oidc.writeScopes],
    ] as const) {
      const badScope = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
      if (badScope !== undefined) return fail(`--${flag}: "${badScope}" is not a valid OAuth scope`);
    }
    if (v['oidc-write-scopes'] !== undefined && oidc.writeScopes.length === 0)
      return fail('--oidc-write-scopes needs at least one scope');
    if (!oidc.jwksUrl && !oidc.jwksFile && issuer.protocol !== 'https:') {
      return fail(
        '--oidc-issuer must be https to discover its keys; or give --oidc-jwks-url or --oidc-jwks-file',
      );
    }
  } else {
    const given = oidcGiven.find((name) => v[name] !== undefined);
    if (given) return fail(`--${given} needs --oidc-issuer`);
  }

  const host = v.host ?? '127.0.0.1';
  if (transport === 'http' && !isLoopback(host) && !v['auth-tokens'] && !oidc) {
    return fail(
      `refusing to listen on ${host} without authentication: anyone who can reach it could operate your clusters. ` +
        'Give --auth-tokens FILE or --oidc-issuer URL, or listen on 127.0.0.1.',
    );
  }

  if (v.impersonate && !v['auth-tokens'] && !oidc) {
    return fail(
      '--impersonate needs callers with a name: give --auth-tokens FILE or --oidc-issuer URL (a caller without an identity cannot be impersonated)',
    );
  }

  return {
    kind: 'run',
    options: {
      transport,
      ...(v.kubeconfig ? { kubeconfig: v.kubeconfig } : {}),
      ...(v.context ? { context: v.context } : {}),
      readOnly: v['read-only'] ?? false,
      disableDestructive: v['disable-destructive'] ?? false,
      ...(tools ? { tools } : {}),
      ...(allowedContexts ? { allowedContexts } : {}),
      ...(allowedNamespaces ? { allowedNamespaces } : {}),
      ...(allowedPaths ? { allowedPaths } : {}),
      ...(v['audit-log'] ? { auditLog: v['audit-log'] } : {}),
      logLevel: logLevel as LogLevel,
      waitTimeoutMs,
      http: {
        host,
        port,
        stateless: v.stateless ?? false,
        allowedHosts: list(v['allowed-hosts']) ?? [],
        allowedOrigins: list(v['allowed-origins']) ?? [],
        ...(v['auth-tokens'] ? { authTokensFile: v['auth-tokens'] } : {}),
        ...(oidc ? { oidc } : {}),
        ...(v['tls-cert'] ? { tlsCert: v['tls-cert'] } : {}),
        ...(v['tls-key'] ? { tlsKey: v['tls-key'] } : {}),
        maxBodyBytes,
        requestTimeoutMs,
        maxConnections,
        shutdownTimeoutMs,
        impersonate: v.impersonate ?? false,
        limits,
      },
    },
  };
}

/** RFC 6749 §3.3 scope-token: printable ASCII without space, double quote or backslash. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function positiveInteger(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

function parseLimits(v: Record<string, string | boolean | undefined>): CallerLimits | string {
  const text = (name: string) => (typeof v[name] === 'string' ? v[name] : undefined);
  const maxSessions = positiveInteger(text('max-sessions'), DEFAULT_MAX_SESSIONS);
  if (maxSessions === undefined)
    return `--max-sessions must be a whole number of at least 1, not "${text('max-sessions')}"`;
  const perCaller = positiveInteger(text('max-sessions-per-caller'), DEFAULT_MAX_SESSIONS_PER_CALLER);
  if (perCaller === undefined)
    return `--max-sessions-per-caller must be a whole number of at least 1, not "${text('max-sessions-per-caller')}"`;
  const idle = text('session-idle-timeout') ?? DEFAULT_SESSION_IDLE_TIMEOUT;
  const sessionIdleMs = parseDuration(idle);
  if (sessionIdleMs === undefined || sessionIdleMs < 1000)
    return `--session-idle-timeout must be a duration of at least 1s such as "30m", not "${idle}"`;
  const rate = text('rate-limit') ?? DEFAULT_RATE_LIMIT;
  let rateLimit: CallerLimits['rateLimit'];
  if (rate !== 'off') {
    const m = /^(\d+)\/(.+)$/.exec(rate.trim());
    const calls = m ? Number(m[1]) : NaN;
    const windowMs = m ? parseDuration(m[2]!) : undefined;
    if (!Number.isInteger(calls) || calls < 1 || windowMs === undefined || windowMs < 1000)
      return `--rate-limit must be calls per duration such as "120/1m" (at least 1 call, at least 1s), or "off", not "${rate}"`;
    rateLimit = { calls, windowMs };
  }
  return {
    maxSessions,
    maxSessionsPerCaller: Math.min(perCaller, maxSessions),
    sessionIdleMs,
    ...(rateLimit ? { rateLimit } : {}),
  };
}
