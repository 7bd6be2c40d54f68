import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OidcOptions } from '../../src/options.js';
import { InsufficientScope, OidcVerifier } from '../../src/server/http/oidc.js';

const ISSUER = 'https://id.example.test';
let sign: (claims: Record<string, unknown>) => Promise<string>;
let jwksFile: string;

function verifier(extra: Partial<OidcOptions> = {}): OidcVerifier {
  return new OidcVerifier(
    {
      issuer: ISSUER,
      audience: 'flux-ops-mcp',
      jwksFile,
      identityClaim: 'sub',
      groupsClaim: 'groups',
      requiredScopes: [],
      ...extra,
    },
    pino({ level: 'silent' }),
  );
}

beforeAll(async () => {
  const keys = await generateKeyPair('ES256');
  jwksFile = join(mkdtempSync(join(tmpdir(), 'oidc-')), 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k' }] }));
  sign = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setIssuer(ISSUER)
      .setAudience('flux-ops-mcp')
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(keys.privateKey);
});

describe('OidcVerifier claims', () => {
  it('reads the groups claim as a list, a single string, or nothing', async () => {
    expect(await verifier().verify(await sign({ groups: ['team-a', 7, 'sre'] }))).toEqual({
      name: 'alice',
      groups: ['team-a', 'sre'],
    });
    expect((await verifier({ groupsClaim: 'team' }).verify(await sign({ team: 'team-b' }))).groups).toEqual([
      'team-b',
    ]);
    expect((await verifier().verify(await sign({}))).groups).toEqual([]);
  });

  it('accepts a token with every required scope, in scope or scp', async () => {
    const v = verifier({ requiredScopes: ['flux:read', 'flux:operate'] });
    await expect(v.verify(await sign({ scope: 'openid flux:read flux:operate' }))).resolves.toMatchObject({
      name: 'alice',
    });
    await expect(v.verify(await sign({ scp: ['flux:read', 'flux:operate'] }))).resolves.toMatchObject({
      name: 'alice',
    });
  });

  it('refuses a token without a required scope, naming the missing ones', async () => {
    const v = verifier({ requiredScopes: ['flux:read', 'flux:operate'] });
    const refused = v.verify(await sign({ scope: 'flux:read' }));
    await expect(refused).rejects.toBeInstanceOf(InsufficientScope);
    await expect(refused).rejects.toThrow('the token lacks the scope flux:operate');
  });
});
