// Who is calling: a bearer token from the token file or an OIDC JWT, made a caller by decideCaller
// (identity.ts). Without either configured, every caller is anonymous (loopback only: options refuse other
// addresses without authentication).
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { HttpOptions, OidcOptions } from '../../options.js';
import type { Caller } from '../caller.js';
import { decideCaller, type Credential } from './identity.js';
import { InsufficientScope, OidcUnavailable, OidcVerifier } from './oidc.js';
import { TokenFile, type TokenOwner } from './tokens.js';

export type AuthResult =
  | {
      ok: true;
      caller?: Caller;
      /** --oidc-write-scopes the token lacks: its caller may only read. */
      missingWriteScopes?: string[];
    }
  | {
      ok: false;
      status: 401 | 403 | 503;
      error?: 'invalid_token' | 'insufficient_scope';
      description: string;
      /** 503: when to try again. */
      retryAfterS?: number;
    };

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class Authenticator {
  private constructor(
    private readonly tokens: TokenFile | undefined,
    private readonly oidc: { verifier: OidcVerifier; options: OidcOptions } | undefined,
    private readonly log: Logger,
  ) {}

  /** Reads the token file and the OIDC key file now, so that a bad file stops the start. */
  static create(options: HttpOptions, log: Logger): Authenticator {
    const tokens = options.authTokensFile ? new TokenFile(options.authTokensFile, log) : undefined;
    const oidc = options.oidc
      ? { verifier: new OidcVerifier(options.oidc, log), options: options.oidc }
      : undefined;
    tokens?.watch();
    return new Authenticator(tokens, oidc, log);
  }

  get required(): boolean {
    return this.tokens !== undefined || this.oidc !== undefined;
  }

  /** The callers of the token file as it is now; undefined without one. */
  tokenOwners(): TokenOwner[] | undefined {
    return this.tokens?.owners();
  }

  reload(why: string): void {
    this.tokens?.reload(why);
    this.oidc?.verifier.reload();
  }

  close(): void {
    this.tokens?.close();
  }

  async authenticate(req: IncomingMessage): Promise<AuthResult> {
    if (!this.required) return { ok: true };
    const header = req.headers.authorization;
    if (!header)
      return {
        ok: false,
        status: 401,
        description: 'authentication required: send Authorization: Bearer <token>',
      };
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m)
      return {
        ok: false,
        status: 401,
        error: 'invalid_token',
        description: 'the Authorization header is not a Bearer token',
      };
    const token = m[1]!;
    const owner = this.tokens?.verify(token);
    if (owner)
      return this.decide({
        via: 'token-file',
        user: owner.name,
        userSource: "the token file's name",
        groups: owner.groups,
        groupsSource: `the token file's groups of ${owner.name}`,
      });
    if (this.oidc && JWT.test(token)) {
      const { verifier, options } = this.oidc;
      try {
        const claims = await verifier.verify(token);
        const missingWriteScopes = options.writeScopes.filter((s) => !claims.scopes.has(s));
        return this.decide(
          {
            via: 'oidc',
            user: claims.user,
            userSource: `the token's ${options.identityClaim} claim`,
            groups: claims.groups,
            groupsSource: `the token's ${options.groupsClaim} claim`,
            userPrefix: options.usernamePrefix,
            groupsPrefix: options.groupsPrefix,
          },
          missingWriteScopes,
        );
      } catch (err) {
        const description = err instanceof Error ? err.message : String(err);
        if (err instanceof OidcUnavailable)
          return { ok: false, status: 503, description, retryAfterS: err.retryAfterS };
        if (err instanceof InsufficientScope)
          return { ok: false, status: 403, error: 'insufficient_scope', description };
        return { ok: false, status: 401, error: 'invalid_token', description };
      }
    }
    return { ok: false, status: 401, error: 'invalid_token', description: 'the token is not valid' };
  }

  /** The caller of a valid credential, or a 401 that says why its names cannot be used. */
  private decide(credential: Credential, missingWriteScopes: string[] = []): AuthResult {
    const decided = decideCaller(credential, this.tokens?.names());
    if (!decided.ok) {
      this.log.warn({ via: credential.via, reason: decided.reason }, 'refused a caller');
      return { ok: false, status: 401, error: 'invalid_token', description: decided.reason };
    }
    if (decided.dropped.length > 0)
      this.log.info(
        { identity: decided.caller.name, dropped: decided.dropped },
        'left out groups that Kubernetes keeps for itself',
      );
    return {
      ok: true,
      caller: decided.caller,
      ...(missingWriteScopes.length > 0 ? { missingWriteScopes } : {}),
    };
  }
}
