// The issuer's signing keys, fetched from its JWKS URL (or the jwks_uri of its discovery document) and kept.
//
// The keys are fetched at most once per FETCH_INTERVAL_MS, whatever the callers send: a token whose key id is
// not among the keys (which costs an attacker nothing: the key id is read before any signature is checked)
// waits for the next fetch, shared by every request waiting then, instead of starting one of its own. So a key
// the issuer starts signing with is accepted within FETCH_INTERVAL_MS, on the first try, and a flood of unknown
// key ids costs one fetch per interval. When the issuer cannot be reached, the keys fetched before stay in use;
// a token that needs a key the server does not have gets KeysUnavailable (503 with Retry-After), not a 401 that
// would tell the client its token is bad.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';

export const FETCH_INTERVAL_MS = 10_000;
/** Keys older than this are fetched again when a token comes, while the old ones keep serving. */
const MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

/** The signing keys cannot be had now; `retryAfterS` says when the next attempt will be made. */
export class KeysUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

type Header = Parameters<JWTVerifyGetKey>[0];
type Token = Parameters<JWTVerifyGetKey>[1];

export class RemoteKeys {
  private keys?: { get: JWTVerifyGetKey; at: number };
  private jwksUrl?: URL;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private lastError?: string;
  private next?: Promise<void>;
  /** Fetches made (successful or not), for the logs. */
  fetches = 0;

  constructor(
    private readonly source: { jwksUrl?: string; issuer: string },
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (source.jwksUrl) this.jwksUrl = new URL(source.jwksUrl);
  }

  /** jose's key lookup: the key of the token's header, fetching the key set again when it is not there. */
  readonly getKey = async (header: Header, token: Token) => {
    const held = this.keys;
    if (held) {
      try {
        const key = await held.get(header, token);
        if (this.now() - held.at > MAX_AGE_MS) void this.fetchSoon();
        return key;
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      }
    }
    await this.fetchSoon();
    const keys = this.keys;
    if (keys && keys !== held) {
      try {
        return await keys.get(header, token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey) || this.lastError === undefined) throw err;
      }
    }
    if (this.lastError !== undefined) {
      throw new KeysUnavailable(
        `the signing keys of the issuer cannot be fetched now (${this.lastError}); try again later`,
        this.retryAfterS(),
      );
    }
    throw new errors.JWKSNoMatchingKey();
  };

  private retryAfterS(): number {
    return Math.max(1, Math.ceil((this.lastAttempt + FETCH_INTERVAL_MS - this.now()) / 1000));
  }

  /** The next fetch: now if the last one is old enough, else at the end of the interval; one for all callers. */
  private fetchSoon(): Promise<void> {
    if (this.next) return this.next;
    const wait = Math.max(0, this.lastAttempt + FETCH_INTERVAL_MS - this.now());
    const next = (async () => {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      this.lastAttempt = this.now();
      try {
        await this.fetch();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
        this.log.error(
          { issuer: this.source.issuer, err: this.lastError, keptKeys: this.keys !== undefined },
          'cannot fetch the OIDC signing keys',
        );
      }
    })().finally(() => {
      if (this.next === next) this.next = undefined;
    });
    this.next = next;
    return next;
  }

  private async fetch(): Promise<void> {
    this.fetches += 1;
    this.jwksUrl ??= await this.discover();
    const jwks = (await getJson(this.jwksUrl)) as Partial<JSONWebKeySet>;
    if (!Array.isArray(jwks.keys))
      throw new Error(`${this.jwksUrl.href} is not a JWKS: it has no "keys" array`);
    this.keys = { get: createLocalJWKSet(jwks as JSONWebKeySet), at: this.now() };
    this.log.debug({ url: this.jwksUrl.href, keys: jwks.keys.length }, 'fetched the OIDC signing keys');
  }

  private async discover(): Promise<URL> {
    const url = new URL(`${this.source.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    const doc = (await getJson(url)) as { jwks_uri?: unknown };
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url.href} has no jwks_uri`);
    return new URL(doc.jwks_uri);
  }
}

async function getJson(url: URL): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `${url.href}: ${cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))}`,
      { cause: err },
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url.href} answered ${response.status}`);
  }
  try {
    return await response.json();
  } catch {
    throw new Error(`${url.href} did not answer JSON`);
  }
}
