// OpenID Connect access tokens (JWTs): signature from the issuer's keys (a JWKS URL, the issuer's
// discovery document, or a local file), issuer, audience and expiry checked by jose; then the scopes the
// server requires (--oidc-required-scopes).
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Logger } from 'pino';
import type { OidcOptions } from '../../options.js';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_S = 30;

/** What a valid token says about its caller. */
export interface TokenClaims {
  name: string;
  /** The --oidc-groups-claim values (a list of strings, or one string); none when the claim is absent. */
  groups: string[];
}

export class OidcVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(
    private readonly options: OidcOptions,
    private readonly log: Logger,
  ) {
    // A bad key file is a start-up error, not a 401 for every caller.
    if (options.jwksFile) this.keys = Promise.resolve(this.readKeyFile(options.jwksFile));
  }

  private readKeyFile(path: string): JWTVerifyGetKey {
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(readFileSync(path, 'utf8')) as JSONWebKeySet;
    } catch (err) {
      throw new Error(
        `cannot read --oidc-jwks-file ${path}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (!Array.isArray(jwks.keys))
      throw new Error(`--oidc-jwks-file ${path} is not a JWKS: it has no "keys" array`);
    return createLocalJWKSet(jwks);
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const doc = (await response.json()) as { jwks_uri?: unknown };
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri));
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const loading = this.options.jwksUrl
        ? Promise.resolve(createRemoteJWKSet(new URL(this.options.jwksUrl)))
        : this.discover();
      this.keys = loading;
      loading.catch((err: unknown) => {
        this.log.error(
          { issuer: this.options.issuer, err: String(err) },
          'cannot load the OIDC signing keys',
        );
        if (this.keys === loading) this.keys = undefined;
      });
    }
    return this.keys;
  }

  /** Re-reads a local key file (SIGHUP); keeps the old keys when the file is not valid. */
  reload(): void {
    if (!this.options.jwksFile) return;
    try {
      this.keys = Promise.resolve(this.readKeyFile(this.options.jwksFile));
      this.log.info({ path: this.options.jwksFile }, 'reloaded OIDC signing keys');
    } catch (err) {
      this.log.error({ err: String(err) }, 'kept the previous OIDC signing keys');
    }
  }

  /**
   * The caller of a valid token; throws with a reason fit for WWW-Authenticate otherwise, InsufficientScope
   * when the token lacks a required scope.
   */
  async verify(token: string): Promise<TokenClaims> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keySet();
    } catch (err) {
      throw new OidcUnavailable('the signing keys of the issuer cannot be loaded', { cause: err });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      if (err instanceof errors.JWKSTimeout) throw new OidcUnavailable(err.message, { cause: err });
      throw new Error(rejection(err), { cause: err });
    }
    const identity = payload[this.options.identityClaim];
    if (typeof identity !== 'string' || identity === '')
      throw new Error(`the token has no ${this.options.identityClaim} claim`);
    const granted = scopesOf(payload);
    const missing = this.options.requiredScopes.filter((s) => !granted.has(s));
    if (missing.length > 0) throw new InsufficientScope(missing);
    return { name: identity, groups: stringsOf(payload[this.options.groupsClaim]) };
  }
}

/**
 * The scopes of an access token: `scope`, a space-separated string (RFC 9068 §2.2.3), or `scp`, which some
 * issuers (Microsoft Entra ID, Okta) use instead, as a string or a list.
 */
function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    const values = typeof claim === 'string' ? claim.split(' ') : stringsOf(claim);
    for (const s of values) if (s) scopes.add(s);
  }
  return scopes;
}

function stringsOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim ? [claim] : [];
  if (!Array.isArray(claim)) return [];
  return claim.filter((v): v is string => typeof v === 'string' && v !== '');
}

function rejection(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return 'the token is not signed by the issuer';
  if (err instanceof errors.JOSEError) return 'the token is not a valid JWT';
  return err instanceof Error ? err.message : String(err);
}

/** The keys could not be had: the caller may retry later (503, not 401). */
export class OidcUnavailable extends Error {}

/** A valid token without every required scope (403 insufficient_scope). */
export class InsufficientScope extends Error {
  constructor(readonly missing: string[]) {
    super(`the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
}
