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
      usernamePrefix: '',
      groupsPrefix: '',
      requiredScopes: [],
      writeScopes: [],
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
  it('reads the groups claim as a list of strings, a single string, or nothing', async () => {
    expect(await verifier().verify(await sign({ groups: ['team-a', 'sre'] }))).toMatchObject({
      user: 'alice',
      groups: ['team-a', 'sre'],
    });
    expect((await verifier({ groupsClaim: 'team' }).verify(await sign({ team: 'team-b' }))).groups).toEqual([
      'team-b',
    ]);
    expect((await verifier().verify(await sign({}))).groups).toEqual([]);
  });

  it('refuses a groups claim that is neither a string nor a list of strings, as kube-apiserver does', async () => {
    for (const groups of [['team-a', 7], 7, { team: 'a' }, [null]])
      await expect(verifier().verify(await sign({ groups }))).rejects.toThrow(
        "the token's groups claim is not a string or a list of strings",
      );
  });

  it('refuses a token without the identity claim, or with one that is not a string', async () => {
    const v = verifier({ identityClaim: 'preferred_username' });
    await expect(v.verify(await sign({}))).rejects.toThrow('the token has no preferred_username claim');
    await expect(v.verify(await sign({ preferred_username: ['a'] }))).rejects.toThrow(
      "the token's preferred_username claim is not a string",
    );
  });

  describe('with the email claim', () => {
    const v = () => verifier({ identityClaim: 'email' });

    it('accepts a verified email, and one without email_verified as kube-apiserver does', async () => {
      for (const extra of [{ email_verified: true }, {}])
        await expect(v().verify(await sign({ email: 'dev@example.test', ...extra }))).resolves.toMatchObject({
          user: 'dev@example.test',
        });
    });

    it('refuses an email whose email_verified is present and not true', async () => {
      for (const email_verified of [false, 'true', 1, null])
        await expect(v().verify(await sign({ email: 'dev@example.test', email_verified }))).rejects.toThrow(
          "the token's email is not verified (email_verified is not true)",
        );
    });

    it('does not look at email_verified when another claim names the caller', async () => {
      await expect(verifier().verify(await sign({ email_verified: false }))).resolves.toMatchObject({
        user: 'alice',
      });
    });
  });

  it('accepts a token with every required scope, in scope or scp, and says which scopes it has', async () => {
    const v = verifier({ requiredScopes: ['flux:read', 'flux:operate'] });
    const claims = await v.verify(await sign({ scope: 'openid flux:read flux:operate' }));
    expect([...claims.scopes].sort()).toEqual(['flux:operate', 'flux:read', 'openid']);
    await expect(v.verify(await sign({ scp: ['flux:read', 'flux:operate'] }))).resolves.toMatchObject({
      user: 'alice',
    });
  });

  it('refuses a token without a required scope, naming the missing ones', async () => {
    const v = verifier({ requiredScopes: ['flux:read', 'flux:operate'] });
    const refused = v.verify(await sign({ scope: 'flux:read' }));
    await expect(refused).rejects.toBeInstanceOf(InsufficientScope);
    await expect(refused).rejects.toThrow('the token lacks the scope flux:operate');
  });
});
