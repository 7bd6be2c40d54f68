import type { IncomingMessage } from 'node:http';
import { extractWWWAuthenticateParams, selectResourceURL } from '@modelcontextprotocol/sdk/client/auth.js';
import { getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { OAuthProtectedResourceMetadataSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { describe, expect, it } from 'vitest';
import type { OidcOptions } from '../../src/options.js';
import {
  bearerChallenge,
  isMetadataPath,
  metadataUrl,
  protectedResourceMetadata,
  resourceOf,
} from '../../src/server/http/oauth.js';

const oidc: OidcOptions = {
  issuer: 'https://id.example.com/realms/eng',
  audience: 'flux-ops-mcp',
  identityClaim: 'sub',
  groupsClaim: 'groups',
  usernamePrefix: 'https://id.example.com/realms/eng#',
  groupsPrefix: '',
  requiredScopes: ['flux:operate'],
  writeScopes: [],
};

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

/** The auth-params of a challenge (RFC 7235 §2.1: `scheme param="value", ...`). */
function params(challenge: string): { scheme: string; params: Record<string, string> } {
  const [scheme, rest] = [
    challenge.slice(0, challenge.indexOf(' ')),
    challenge.slice(challenge.indexOf(' ') + 1),
  ];
  const out: Record<string, string> = {};
  for (const m of rest.matchAll(/([A-Za-z_]+)="([^"]*)"\s*(?:,\s*|$)/g)) out[m[1]!] = m[2]!;
  return { scheme, params: out };
}

describe('the protected resource metadata URL', () => {
  it('puts the well-known string between host and path, as RFC 9728 §3.1 shows', () => {
    expect(metadataUrl('https://resource.example.com/resource1')).toBe(
      'https://resource.example.com/.well-known/oauth-protected-resource/resource1',
    );
  });

  it('gives the MCP authorization spec example: /public/mcp has its metadata under /public/mcp', () => {
    expect(metadataUrl('https://example.com/public/mcp')).toBe(
      'https://example.com/.well-known/oauth-protected-resource/public/mcp',
    );
  });

  it('is at the root for a resource without a path', () => {
    expect(metadataUrl('https://mcp.example.com')).toBe(
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    );
  });

  it('is the URL the SDK computes for the same resource', () => {
    for (const resource of [
      'https://mcp.example.com/mcp',
      'http://127.0.0.1:8080/mcp',
      'https://x.example/a/b/mcp',
    ])
      expect(metadataUrl(resource)).toBe(getOAuthProtectedResourceMetadataUrl(new URL(resource)));
  });

  it('is served at the root, under /mcp, and under the path of --oidc-resource', () => {
    const withResource = { ...oidc, resource: 'https://example.com/flux/mcp' };
    expect(isMetadataPath('/.well-known/oauth-protected-resource', oidc, '/mcp')).toBe(true);
    expect(isMetadataPath('/.well-known/oauth-protected-resource/mcp', oidc, '/mcp')).toBe(true);
    expect(isMetadataPath('/.well-known/oauth-protected-resource/flux/mcp', withResource, '/mcp')).toBe(true);
    expect(isMetadataPath('/.well-known/oauth-protected-resource/other', oidc, '/mcp')).toBe(false);
  });
});

describe('the resource identifier', () => {
  it('is --oidc-resource when given', () => {
    const req = request({ host: 'inside.svc:8080' });
    expect(resourceOf(req, { ...oidc, resource: 'https://flux-ops.example.com/mcp' }, false, '/mcp')).toBe(
      'https://flux-ops.example.com/mcp',
    );
  });

  it('is the URL of the request otherwise, https when served with TLS or forwarded as https', () => {
    expect(resourceOf(request({ host: '127.0.0.1:8080' }), oidc, false, '/mcp')).toBe(
      'http://127.0.0.1:8080/mcp',
    );
    expect(resourceOf(request({ host: 'Flux-Ops.Example.com' }), oidc, true, '/mcp')).toBe(
      'https://flux-ops.example.com/mcp',
    );
    expect(
      resourceOf(
        request({ host: 'flux-ops.example.com', 'x-forwarded-proto': 'https' }),
        oidc,
        false,
        '/mcp',
      ),
    ).toBe('https://flux-ops.example.com/mcp');
  });
});

describe('the metadata document', () => {
  const doc = protectedResourceMetadata('https://flux-ops.example.com/mcp', oidc);

  it('names the resource, the issuer, the scopes and the header as the way to send tokens (RFC 9728 §2)', () => {
    expect(doc).toEqual({
      resource: 'https://flux-ops.example.com/mcp',
      authorization_servers: ['https://id.example.com/realms/eng'],
      scopes_supported: ['flux:operate'],
      bearer_methods_supported: ['header'],
    });
  });

  it('leaves scopes_supported out when no scope is required', () => {
    expect(
      protectedResourceMetadata('https://x.example/mcp', { ...oidc, requiredScopes: [] }),
    ).not.toHaveProperty('scopes_supported');
  });

  it('parses with the SDK client schema, and the SDK client accepts its resource for the URL it used', async () => {
    const parsed = OAuthProtectedResourceMetadataSchema.parse(doc);
    const chosen = await selectResourceURL('https://flux-ops.example.com/mcp', {} as never, parsed);
    expect(chosen?.href).toBe('https://flux-ops.example.com/mcp');
    await expect(selectResourceURL('https://elsewhere.example.com/mcp', {} as never, parsed)).rejects.toThrow(
      /does not match/,
    );
  });
});

describe('WWW-Authenticate', () => {
  const metadata = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

  it('points a 401 to the metadata and names the scopes, as the MCP authorization spec example does', () => {
    const challenge = bearerChallenge({ resourceMetadata: metadata, scopes: ['files:read'] });
    expect(params(challenge)).toEqual({
      scheme: 'Bearer',
      params: { realm: 'flux-ops-mcp', resource_metadata: metadata, scope: 'files:read' },
    });
  });

  it('gives a 403 error="insufficient_scope" with the scopes needed, as the spec example does', () => {
    const challenge = bearerChallenge({
      error: 'insufficient_scope',
      description: 'the token lacks the scope files:write',
      scopes: ['files:read', 'files:write'],
      resourceMetadata: metadata,
    });
    expect(params(challenge).params).toMatchObject({
      error: 'insufficient_scope',
      scope: 'files:read files:write',
      resource_metadata: metadata,
      error_description: 'the token lacks the scope files:write',
    });
  });

  it('reads, for the SDK client, as the metadata URL, the scope and the error', () => {
    const challenge = bearerChallenge({
      error: 'insufficient_scope',
      description: 'the token lacks the scope flux:operate',
      scopes: ['flux:operate'],
      resourceMetadata: metadata,
    });
    const read = extractWWWAuthenticateParams(
      new Response(null, { headers: { 'WWW-Authenticate': challenge } }),
    );
    expect(read).toEqual({
      resourceMetadataUrl: new URL(metadata),
      scope: 'flux:operate',
      error: 'insufficient_scope',
    });
  });

  it('keeps quotes out of quoted values', () => {
    expect(bearerChallenge({ description: 'a "quoted" \\ word' })).toContain(
      `error_description="a 'quoted' ' word"`,
    );
  });

  it('keeps what a header cannot carry out of quoted values', () => {
    expect(bearerChallenge({ description: 'the token has no 名前 claim\r\n' })).toContain(
      `error_description="the token has no ?? claim??"`,
    );
  });
});
