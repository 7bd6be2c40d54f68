// The issuer's signing keys, fetched from its JWKS URL at most once per 10 s (src/server/http/jwks.ts): a key
// the issuer starts serving is accepted on the first try, a flood of tokens naming unknown key ids costs one
// fetch, and an issuer that cannot be reached gives callers 503 with Retry-After (their tokens are not bad)
// while tokens of the keys fetched before still work. The fetches are counted at the JWKS URL.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawInitialize, startHttpServer, type HttpServer } from '../support/http.js';
import { AUDIENCE, startIssuer, type TestIssuer } from '../support/oidc-issuer.js';

function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

async function status(url: string, token: string): Promise<{ status: number; retryAfter: string | null }> {
  const res = await rawInitialize(url, bearer(token));
  await res.body?.cancel();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

function oidc(issuer: TestIssuer): string[] {
  return ['--oidc-issuer', issuer.issuer, '--oidc-audience', AUDIENCE, '--oidc-jwks-url', issuer.jwksUrl];
}

describe('keys from a JWKS URL', () => {
  let issuer: TestIssuer;
  let server: HttpServer;

  beforeAll(async () => {
    issuer = await startIssuer();
    server = await startHttpServer(oidc(issuer));
  });
  afterAll(async () => {
    await server?.stop();
    await issuer?.close();
  });

  it('fetches the keys once for the first token', async () => {
    expect((await status(server.url, await issuer.sign({}, { subject: 'a' }))).status).toBe(200);
    expect((await status(server.url, await issuer.sign({}, { subject: 'b' }))).status).toBe(200);
    expect(issuer.fetches()).toBe(1);
  });

  it('accepts a token of a key the issuer starts serving on its first try, with one more fetch', async () => {
    await issuer.addKey('k2');
    const before = issuer.fetches();
    const started = performance.now();
    expect((await status(server.url, await issuer.sign({}, { kid: 'k2', subject: 'c' }))).status).toBe(200);
    console.info(`a new signing key was accepted after ${Math.round(performance.now() - started)} ms`);
    expect(issuer.fetches() - before).toBe(1);
  });

  it('answers a flood of tokens with unknown key ids with 401, for at most one fetch per 10 s', async () => {
    const before = issuer.fetches();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 200 }, async () => status(server.url, await issuer.signUnknown(randomUUID()))),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(answers.every((a) => a.status === 401)).toBe(true);
    const fetches = issuer.fetches() - before;
    console.info(`200 tokens with unknown key ids in ${seconds.toFixed(1)} s: ${fetches} JWKS fetch(es)`);
    expect(fetches).toBeLessThanOrEqual(Math.ceil(seconds / 10) + 1);
  });

  it('keeps accepting tokens of the keys it has while the issuer is down', async () => {
    issuer.setDown(true);
    const before = issuer.fetches();
    expect((await status(server.url, await issuer.sign({}, { subject: 'd' }))).status).toBe(200);
    expect(issuer.fetches()).toBe(before);
  });

  it('answers a token it has no key for with 503 and Retry-After while the issuer is down, not 401', async () => {
    await issuer.addKey('k3');
    const answer = await status(server.url, await issuer.sign({}, { kid: 'k3', subject: 'e' }));
    expect(answer.status).toBe(503);
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(answer.retryAfter)).toBeLessThanOrEqual(10);
    expect(server.logs()).toContainEqual(
      expect.objectContaining({ msg: 'cannot fetch the OIDC signing keys', keptKeys: true }),
    );
  });

  it('accepts that token once the issuer is back', async () => {
    issuer.setDown(false);
    expect((await status(server.url, await issuer.sign({}, { kid: 'k3', subject: 'e' }))).status).toBe(200);
  });
});

describe('an issuer that cannot be reached from the start', () => {
  let issuer: TestIssuer;
  let server: HttpServer;

  beforeAll(async () => {
    issuer = await startIssuer();
    issuer.setDown(true);
    server = await startHttpServer(oidc(issuer));
  });
  afterAll(async () => {
    await server?.stop();
    await issuer?.close();
  });

  it('answers 503 with Retry-After, with the reason, and fetches at most once per 10 s however many callers come', async () => {
    const started = performance.now();
    const token = await issuer.sign({}, { subject: 'a' });
    const res = await rawInitialize(server.url, bearer(token));
    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^Service Unavailable: the signing keys of the issuer cannot be fetched now \(.*answered 503\); try again later$/,
    );
    const answers = await Promise.all(Array.from({ length: 100 }, () => status(server.url, token)));
    expect(answers.every((a) => a.status === 503 && Number(a.retryAfter) >= 1)).toBe(true);
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `101 callers while the issuer was down, in ${seconds.toFixed(1)} s: ${issuer.fetches()} JWKS fetch(es)`,
    );
    expect(issuer.fetches()).toBeLessThanOrEqual(Math.ceil(seconds / 10) + 1);
  });
});
