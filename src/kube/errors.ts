// Kubernetes API failures as typed errors whose messages say what happened and what to do next.

export type KubeErrorCode =
  | 'NotFound'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Conflict'
  | 'Invalid'
  | 'AlreadyExists'
  | 'Unreachable'
  | 'TLS'
  | 'Timeout'
  | 'Cancelled'
  | 'Config'
  | 'OutOfScope'
  | 'UnknownKind'
  | 'ServerError';

export class KubeError extends Error {
  constructor(
    readonly code: KubeErrorCode,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = `KubeError(${code})`;
  }
}

/** True for a KubeError of this code, e.g. `isKubeError(err, 'NotFound')`. */
export function isKubeError(err: unknown, code: KubeErrorCode): err is KubeError {
  return err instanceof KubeError && err.code === code;
}

export interface RequestDescription {
  verb: string;
  /** Resource plural, with the group: `kustomizations.kustomize.toolkit.fluxcd.io`. */
  resource?: string;
  namespace?: string;
  name?: string;
  context: string;
  server: string;
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string; group?: string; causes?: { field?: string; message?: string }[] };
}

function describeTarget(req: RequestDescription): string {
  const what = req.resource ?? 'resource';
  const name = req.name ? ` ${req.name}` : '';
  const where = req.namespace ? ` in namespace ${req.namespace}` : req.name ? '' : ' in all namespaces';
  return `${what}${name}${where}`;
}

const FORBIDDEN =
  /User "([^"]*)" cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]*)")?/;
/** The object a 403 names: `users "alice" is forbidden: ...`. */
const FORBIDDEN_OBJECT = /^\S+ "([^"]*)" is forbidden:/;

/** How the API server begins the message of a server-side apply refused for fields other managers own. */
export const APPLY_CONFLICT = 'Apply failed with';

/** Maps an HTTP error response from the API server to a typed error. */
export function errorFromResponse(status: number, body: unknown, req: RequestDescription): KubeError {
  const s = (typeof body === 'object' && body !== null ? body : {}) as StatusBody;
  const apiMessage = s.message ?? (typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status}`);
  const ctx = `context ${req.context}`;
  switch (status) {
    case 401:
      return new KubeError(
        'Unauthorized',
        `unauthorized: the API server of ${ctx} (${req.server}) rejected the credentials; check the user's token or certificate in the kubeconfig`,
        status,
      );
    case 403: {
      const m = FORBIDDEN.exec(apiMessage);
      if (m && m[2] === 'impersonate') {
        // The API server refused to let our own credentials act as the caller (--impersonate).
        const who = FORBIDDEN_OBJECT.exec(apiMessage)?.[1];
        const what = m[3] === 'users' ? 'user' : m[3] === 'groups' ? 'group' : m[3];
        return new KubeError(
          'Forbidden',
          `forbidden: this server (user ${m[1]}) may not impersonate ${what}${who ? ` ${who}` : ''} in ${ctx}; grant it the impersonate verb (deploy/optional/impersonation.yaml, with this name in resourceNames if the role lists names)`,
          status,
        );
      }
      if (m) {
        const [, user, verb, resource, group, ns] = m;
        const res = group ? `${resource}.${group}` : resource;
        const where = ns
          ? `in namespace ${ns}`
          : req.namespace
            ? `in namespace ${req.namespace}`
            : 'at cluster scope';
        return new KubeError(
          'Forbidden',
          `forbidden: user ${user} cannot ${verb} ${res} ${where} (${ctx}); ask a cluster admin for RBAC access or use another context`,
          status,
        );
      }
      return new KubeError('Forbidden', `forbidden: ${apiMessage} (${ctx})`, status);
    }
    case 404:
      return new KubeError('NotFound', `${describeTarget(req)} not found in ${ctx}`, status);
    case 409:
      if (s.reason === 'AlreadyExists') {
        return new KubeError('AlreadyExists', `${describeTarget(req)} already exists in ${ctx}`, status);
      }
      if (apiMessage.startsWith(APPLY_CONFLICT)) {
        // Server-side apply: fields another manager owns, not a stale read; the API server names them.
        return new KubeError('Conflict', `conflict: ${describeTarget(req)}: ${apiMessage} (${ctx})`, status);
      }
      return new KubeError(
        'Conflict',
        `conflict: ${describeTarget(req)} was changed by someone else while this request ran (${ctx}); read it again and retry`,
        status,
      );
    case 422:
    case 400: {
      const causes = (s.details?.causes ?? [])
        .map((c) => [c.field, c.message].filter(Boolean).join(': '))
        .filter(Boolean);
      const detail = causes.length > 0 ? causes.join('; ') : apiMessage;
      return new KubeError(
        'Invalid',
        `invalid request for ${describeTarget(req)} (${ctx}): ${detail}`,
        status,
      );
    }
    case 408:
    case 504:
      return new KubeError('Timeout', `the API server of ${ctx} timed out: ${apiMessage}`, status);
    default:
      return new KubeError(
        'ServerError',
        `the API server of ${ctx} answered ${status} to ${req.verb} ${describeTarget(req)}: ${apiMessage}`,
        status,
      );
  }
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'EPIPE',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function innermostMessage(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error && e.message) msg = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return msg;
}

/** Maps a transport failure (no HTTP response) to a typed error. */
export function errorFromTransport(err: unknown, req: RequestDescription): KubeError {
  if (err instanceof KubeError) return err;
  const name = (err as { name?: unknown }).name;
  if (name === 'AbortError') return new KubeError('Cancelled', 'the request was cancelled');
  const code = errorCode(err);
  const detail = innermostMessage(err);
  const ctx = `context ${req.context}`;
  if (name === 'TimeoutError' || (code && TIMEOUT_CODES.has(code))) {
    return new KubeError(
      'Timeout',
      `cluster timed out: ${req.server} (${ctx}) did not answer in time: ${detail}`,
    );
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    return new KubeError(
      'TLS',
      `TLS error talking to ${req.server} (${ctx}): ${detail}; check certificate-authority data and the server address in the kubeconfig`,
    );
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    return new KubeError(
      'Unreachable',
      `cluster unreachable: ${req.server} (${ctx}): ${detail}; check the network, VPN or the server address in the kubeconfig`,
    );
  }
  return new KubeError('Unreachable', `cluster unreachable: ${req.server} (${ctx}): ${detail}`);
}
