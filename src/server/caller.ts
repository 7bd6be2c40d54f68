// The authenticated caller of an HTTP request, the Kubernetes identity --impersonate makes of it, and how
// both travel from the request to the tool calls it carries (the SDK's authInfo, per request).
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Impersonation } from '../kube/impersonation.js';

/** An authenticated caller, as src/server/http/identity.ts decides it from a credential. */
export interface Caller {
  /** The full name: the token file's name, or the OIDC identity claim with its prefix (--oidc-username-prefix). */
  name: string;
  /** Checked, without the names Kubernetes keeps (system:...): under --impersonate, exactly the groups sent. */
  groups: readonly string[];
  /** Which credential named the caller. */
  via: 'token-file' | 'oidc';
}

/** What sessions and rate limits count a caller by: the full name, and which credential gave it. */
export function callerKey(caller: Caller | undefined): string {
  return caller ? `${caller.via} ${caller.name}` : '';
}

/** The user and groups a caller's Kubernetes requests act as under --impersonate: the caller, as decided. */
export function impersonationOf(caller: Caller): Impersonation {
  return { user: caller.name, groups: caller.groups };
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
