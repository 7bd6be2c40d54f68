// The authenticated caller of an HTTP request, the Kubernetes identity --impersonate makes of it, and how
// both travel from the request to the tool calls it carries (the SDK's authInfo, per request).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Impersonation } from '../kube/impersonation.js';

export interface Caller {
  /** The token file's name, or the OIDC identity claim. */
  name: string;
  /** The token file's groups, or the OIDC groups claim. */
  groups: readonly string[];
}

/**
 * Kubernetes keeps the system: prefix for its own users and groups (system:masters is every right there is;
 * system:serviceaccount:... are service accounts). No caller becomes one through this server, whatever an
 * identity provider puts in a token.
 */
const RESERVED = 'system:';

export type ImpersonationOf =
  { ok: true; as: Impersonation; dropped: string[] } | { ok: false; reason: string };

/** The user and groups a caller's requests act as; system: names are refused (user) or left out (groups). */
export function impersonationOf(caller: Caller): ImpersonationOf {
  if (caller.name.startsWith(RESERVED))
    return {
      ok: false,
      reason: `this server acts as its callers in Kubernetes and will not act as ${caller.name}: names that start with ${RESERVED} belong to Kubernetes`,
    };
  const groups = [...new Set(caller.groups)];
  return {
    ok: true,
    as: { user: caller.name, groups: groups.filter((g) => !g.startsWith(RESERVED)) },
    dropped: groups.filter((g) => g.startsWith(RESERVED)),
  };
}

/** What the HTTP layer hands the tool calls of one request. */
export interface RequestCaller {
  caller: Caller;
  /** Under --impersonate: the user and groups the caller's Kubernetes requests act as. */
  actingAs?: Impersonation;
}

const KEY = 'fluxOpsMcp';

/** The SDK's authInfo for a request; the token itself is not kept. */
export function authInfoOf(caller: Caller, actingAs?: Impersonation): AuthInfo {
  const value: RequestCaller = { caller, ...(actingAs ? { actingAs } : {}) };
  return { token: '', clientId: caller.name, scopes: [], extra: { [KEY]: value } };
}

/** The caller a tool call came with, if any (none over stdio or without authentication). */
export function callerOf(authInfo: AuthInfo | undefined): RequestCaller | undefined {
  return authInfo?.extra?.[KEY] as RequestCaller | undefined;
}
