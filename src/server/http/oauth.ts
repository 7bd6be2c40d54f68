// OAuth 2.0 Protected Resource Metadata (RFC 9728) for clients that do OAuth themselves (MCP authorization,
// https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization): where the document lives,
// what it says, and the WWW-Authenticate challenges (RFC 6750 §3) that point to it.
import type { IncomingMessage } from 'node:http';
import type { OidcOptions } from '../../options.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * The URL of the metadata of `resource`: RFC 9728 §3.1 puts the well-known string between the host and the
 * path, so https://mcp.example.com/mcp has https://mcp.example.com/.well-known/oauth-protected-resource/mcp.
 */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${METADATA_PATH}${path}${url.search}`;
}

/**
 * The resource identifier clients use for the MCP endpoint: --oidc-resource, or the URL the request was sent
 * to (its Host header, already checked against the allowed hosts; https when we serve TLS or a proxy in front
 * says X-Forwarded-Proto: https).
 */
export function resourceOf(req: IncomingMessage, oidc: OidcOptions, tls: boolean, mcpPath: string): string {
  if (oidc.resource) return oidc.resource;
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]!
    .trim()
    .toLowerCase();
  const scheme = tls || forwarded === 'https' ? 'https' : 'http';
  return new URL(`${scheme}://${req.headers.host ?? 'localhost'}${mcpPath}`).href;
}

/** Paths the metadata is served on: under the resource's own path (RFC 9728 §3.1) and at the root. */
export function isMetadataPath(path: string, oidc: OidcOptions, mcpPath: string): boolean {
  if (path === METADATA_PATH || path === `${METADATA_PATH}${mcpPath}`) return true;
  return oidc.resource !== undefined && path === new URL(metadataUrl(oidc.resource)).pathname;
}

/** The metadata document (RFC 9728 §2). */
export function protectedResourceMetadata(resource: string, oidc: OidcOptions): Record<string, unknown> {
  const scopes = [...new Set([...oidc.requiredScopes, ...oidc.writeScopes])];
  return {
    resource,
    authorization_servers: [oidc.issuer],
    ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
    bearer_methods_supported: ['header'],
  };
}

export interface Challenge {
  error?: 'invalid_token' | 'insufficient_scope';
  description?: string;
  /** Scopes the request needs (RFC 6750 §3). */
  scopes?: readonly string[];
  /** The metadata URL (RFC 9728 §5.1). */
  resourceMetadata?: string;
}

const REALM = 'flux-ops-mcp';

/** A quoted-string of printable ASCII: a header value cannot hold more (names in it are escaped already). */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/gu, '?')}"`;
}

/** A WWW-Authenticate value for the Bearer scheme. */
export function bearerChallenge(c: Challenge): string {
  const params = [`realm=${quoted(REALM)}`];
  if (c.resourceMetadata) params.push(`resource_metadata=${quoted(c.resourceMetadata)}`);
  if (c.scopes && c.scopes.length > 0) params.push(`scope=${quoted(c.scopes.join(' '))}`);
  if (c.error) params.push(`error=${quoted(c.error)}`);
  if (c.description) params.push(`error_description=${quoted(c.description)}`);
  return `Bearer ${params.join(', ')}`;
}
