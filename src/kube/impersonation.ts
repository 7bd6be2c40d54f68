// Kubernetes impersonation per call (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation):
// who the requests of the running call act as. The clients stay one per context, with one connection pool;
// the identity travels with the call's async context, so every request a call makes, however deep in the
// Flux code, carries the Impersonate-* headers without a parameter threaded through every function.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dispatcher } from 'undici';
import { KubeError } from './errors.js';
import { headerBytes, isReserved, nameProblem, shown } from './identity-names.js';

export interface Impersonation {
  user: string;
  groups: readonly string[];
}

/** The server acting as itself (the --impersonate start check), where a caller is otherwise required. */
export const SELF = Symbol('the server itself');

const acting = new AsyncLocalStorage<Impersonation | typeof SELF>();

/** Runs `fn` with every Kubernetes request it makes impersonating `who`. */
export function actAs<T>(who: Impersonation, fn: () => T): T {
  return acting.run(who, fn);
}

/** Runs `fn` with the server's own credentials, where --impersonate otherwise requires a caller. */
export function actAsSelf<T>(fn: () => T): T {
  return acting.run(SELF, fn);
}

/** Who the current call acts as: a caller, the server itself (SELF), or undefined outside any call. */
export function currentActor(): Impersonation | typeof SELF | undefined {
  return acting.getStore();
}

/** The impersonated caller of the current call, if any. */
export function impersonated(): Impersonation | undefined {
  const who = acting.getStore();
  return who === SELF ? undefined : who;
}

// Kubernetes reads one group per Impersonate-Group header field, but fetch joins repeated headers into one
// ("a, b" would be one group named "a, b"), and so does undici's HTTP/2 client for repeated names. The groups
// travel as JSON in a header of our own, which the interceptor below turns into one Impersonate-Group field
// each just before the request is written, each name spelled in a different letter case: HTTP/1.1 writes them
// as separate lines, and HTTP/2 keeps them apart as separate keys until Node lowercases each into its own
// field. Should the interceptor ever be missing, the API server sees no groups: fewer rights, never more.
const GROUPS_HEADER = 'x-flux-ops-mcp-impersonate-groups';

/**
 * The headers of an impersonated request. The names were checked when the caller was authenticated
 * (src/server/http/identity.ts); a name that would not reach the API server as it is, or that Kubernetes
 * keeps for itself, is refused here again rather than sent.
 */
export function impersonationHeaders(who: Impersonation): Record<string, string> {
  for (const name of [who.user, ...who.groups]) {
    const problem = nameProblem(name) ?? (isReserved(name) ? 'is reserved for Kubernetes' : undefined);
    if (problem)
      throw new KubeError(
        'Config',
        `internal error: refused to impersonate ${shown(name)}, which ${problem}`,
      );
  }
  return {
    'Impersonate-User': headerBytes(who.user),
    // JSON with every non-ASCII character escaped: a header of fetch holds one byte per character.
    ...(who.groups.length > 0
      ? {
          [GROUPS_HEADER]: JSON.stringify(who.groups).replace(
            /[\u007f-\uffff]/g,
            (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
          ),
        }
      : {}),
  };
}

type DispatchOptions = Dispatcher.DispatchOptions;

/** `name` with its letters upper-cased where the bits of `n` are set: a spelling of its own for each n. */
function spelling(name: string, n: number): string {
  let bit = 0;
  return [...name].map((ch) => (/[a-z]/.test(ch) && (n >> bit++) & 1 ? ch.toUpperCase() : ch)).join('');
}

function rawHeaders(headers: DispatchOptions['headers']): string[] {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers.flat() as string[];
  const entries =
    Symbol.iterator in headers
      ? [...(headers as Iterable<[string, string | string[] | undefined]>)]
      : Object.entries(headers as Record<string, string | string[] | undefined>);
  return entries.flatMap(([k, v]) =>
    v === undefined ? [] : Array.isArray(v) ? v.flatMap((one) => [k, one]) : [k, v],
  );
}

/** An undici interceptor that writes each impersonated group as its own Impersonate-Group header field. */
export const groupHeaderLines: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const raw = rawHeaders(opts.headers);
  const out: string[] = [];
  let groups: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === GROUPS_HEADER) groups = JSON.parse(raw[i + 1]!) as string[];
    else out.push(raw[i]!, raw[i + 1]!);
  }
  if (groups.length === 0) return dispatch(opts, handler);
  groups.forEach((g, i) => out.push(spelling('impersonate-group', i), headerBytes(g)));
  return dispatch({ ...opts, headers: out }, handler);
};
