// OpenID Connect access tokens (JWTs): signature from the issuer's keys (a JWKS URL, the issuer's
// discovery document, or a local file), issuer, audience and expiry checked by jose; the scopes the server
// requires (--oidc-required-scopes); then the caller's claims, read as kube-apiserver's OIDC authenticator reads
// them (staging/src/k8s.io/apiserver/plugin/pkg/authenticator/token/oidc/oidc.go in kubernetes/kubernetes):
// the identity claim is a string, a present email_verified must be true when that claim is email, and the
// groups claim is a string or a list of strings. What the names may hold is decided in identity.ts.
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { Logger } from 'pino';
import type { OidcOptions } from '../../options.js';
import { KeysUnavailable, RemoteKeys } from './jwks.js';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_S = 30;

/** What a valid token says about its caller, as the claims give it (not checked as names yet). */
export interface TokenClaims {
  /** The value of the identity claim (--oidc-identity-claim). */
  user: string;
  /** The values of the groups claim (--oidc-groups-claim); none when the claim is absent. */
  groups: string[];
  /** The scopes the token carries (scope or scp). */
  scopes: ReadonlySet<string>;
}

export class OidcVerifier {
  private keys: JWTVerifyGetKey;

  constructor(
    private readonly options: OidcOptions,
    private readonly log: Logger,
  ) {
    // A bad key file is a start-up error, not a 401 for every caller.
    if (options.jwksFile) this.keys = this.readKeyFile(options.jwksFile);
    else this.keys = new RemoteKeys(options, log).getKey;
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

  /** Re-reads a local key file (SIGHUP); keeps the old keys when the file is not valid. */
  reload(): void {
    if (!this.options.jwksFile) return;
    try {
      this.keys = this.readKeyFile(this.options.jwksFile);
      this.log.info({ path: this.options.jwksFile }, 'reloaded OIDC signing keys');
    } catch (err) {
      this.log.error({ err: String(err) }, 'kept the previous OIDC signing keys');
    }
  }

  /**
   * The claims of a valid token; throws with a reason fit for WWW-Authenticate otherwise, InsufficientScope
   * when the token lacks a required scope, OidcUnavailable when the issuer's keys cannot be had now.
   */
  async verify(token: string): Promise<TokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      if (err instanceof KeysUnavailable) throw new OidcUnavailable(err.message, err.retryAfterS);
      throw new Error(rejection(err), { cause: err });
    }
    const granted = scopesOf(payload);
    const missing = this.options.requiredScopes.filter((s) => !granted.has(s));
    if (missing.length > 0) throw new InsufficientScope(missing);
    const claim = this.options.identityClaim;
    const user = payload[claim];
    if (user === undefined) throw new Error(`the token has no ${claim} claim`);
    if (typeof user !== 'string') throw new Error(`the token's ${claim} claim is not a string`);
    if (claim === 'email' && 'email_verified' in payload && payload.email_verified !== true)
      throw new Error(
        "the token's email is not verified (email_verified is not true): an unverified email cannot name a caller",
      );
    const groups = stringsOf(payload[this.options.groupsClaim]);
    if (groups === undefined)
      throw new Error(`the token's ${this.options.groupsClaim} claim is not a string or a list of strings`);
    return { user, groups, scopes: granted };
  }
}

/**
 * The scopes of an access token: `scope`, a space-separated string (RFC 9068 §2.2.3), or `scp`, which some
 * issuers (Microsoft Entra ID, Okta) use instead, as a string or a list.
 */
function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [payload.scope, payload.scp]) {
    const values = typeof claim === 'string' ? claim.split(' ') : (stringsOf(claim) ?? []);
    for (const s of values) if (s) scopes.add(s);
  }
  return scopes;
}

/** A claim that is a string or a list of strings, as kube-apiserver reads a groups claim; undefined otherwise. */
function stringsOf(claim: unknown): string[] | undefined {
  if (claim === undefined) return [];
  if (typeof claim === 'string') return [claim];
  if (Array.isArray(claim) && claim.every((v) => typeof v === 'string')) return claim as string[];
  return undefined;
}

function rejection(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return 'the token is not signed by the issuer';
  if (err instanceof errors.JOSEError) return 'the token is not a valid JWT';
  return err instanceof Error ? err.message : String(err);
}

/** The keys could not be had: the caller may retry later (503 with Retry-After, not 401). */
export class OidcUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

/** A valid token without every required scope (403 insufficient_scope). */
export class InsufficientScope extends Error {
  constructor(readonly missing: string[]) {
    super(`the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
}
