// An OpenID Connect issuer for tests: its signing keys, tokens signed with them, and a JWKS URL on 127.0.0.1
// that counts its fetches, can start serving a new key, and can stop answering (503) as an issuer that is down.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const AUDIENCE = 'flux-ops-mcp';

export interface TestIssuer {
  /** The issuer URL (the iss of its tokens), also where its JWKS is served. */
  issuer: string;
  jwksUrl: string;
  /** GET requests the JWKS URL has had. */
  fetches(): number;
  /** A token of this issuer for AUDIENCE, signed with the key `kid` (default: the first key), valid 5 minutes. */
  sign(claims: Record<string, unknown>, options?: { kid?: string; subject?: string }): Promise<string>;
  /** A token whose header names a key id the issuer never had (nothing needs to check its signature first). */
  signUnknown(kid: string): Promise<string>;
  /** Creates a key; the JWKS URL serves it only once `publish` is called. */
  addKey(kid: string, publish?: boolean): Promise<void>;
  publish(kid: string): void;
  /** While down, the JWKS URL answers 503. */
  setDown(down: boolean): void;
  /** The published keys as a JWKS file in `dir`. */
  writeJwksFile(dir: string): string;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<TestIssuer> {
  const keys = new Map<string, { privateKey: CryptoKey; jwk: JWK; published: boolean }>();
  const stray = await generateKeyPair('ES256');
  let fetches = 0;
  let down = false;
  const jwks = () => ({ keys: [...keys.values()].filter((k) => k.published).map((k) => k.jwk) });
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks') {
      res.writeHead(404);
      res.end();
      return;
    }
    fetches += 1;
    if (down) {
      res.writeHead(503);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(jwks()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const addKey = async (kid: string, publish = true) => {
    const pair = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
    keys.set(kid, { privateKey: pair.privateKey, jwk, published: publish });
  };
  await addKey('k1');
  const token = (claims: Record<string, unknown>, kid: string, key: CryptoKey, subject?: string) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m');
    return (subject === undefined ? jwt : jwt.setSubject(subject)).sign(key);
  };
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    fetches: () => fetches,
    sign: (claims, options = {}) => {
      const kid = options.kid ?? 'k1';
      const key = keys.get(kid);
      if (!key) throw new Error(`no key ${kid}`);
      return token(claims, kid, key.privateKey, options.subject);
    },
    signUnknown: (kid) => token({}, kid, stray.privateKey, 'nobody'),
    addKey,
    publish: (kid) => {
      keys.get(kid)!.published = true;
    },
    setDown: (value) => {
      down = value;
    },
    writeJwksFile: (dir) => {
      const path = join(dir, 'jwks.json');
      writeFileSync(path, JSON.stringify(jwks()));
      return path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
