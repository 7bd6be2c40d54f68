// Who is calling: a bearer token from the token file or an OIDC JWT. Without either configured, every
// caller is anonymous (loopback only: options refuse other addresses without authentication).
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { HttpOptions } from '../../options.js';
import type { Caller } from '../caller.js';
import { InsufficientScope, OidcUnavailable, OidcVerifier } from './oidc.js';
import { TokenFile, type TokenOwner } from './tokens.js';

export type AuthResult =
  | { ok: true; caller?: Caller }
  | {
      ok: false;
      status: 401 | 403 | 503;
      error?: 'invalid_token' | 'insufficient_scope';
      description: string;
    };

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class Authenticator {
  private constructor(
    private readonly tokens: TokenFile | undefined,
    private readonly oidc: OidcVerifier | undefined,
  ) {}

  /** Reads the token file and the OIDC key file now, so that a bad file stops the start. */
  static create(options: HttpOptions, log: Logger): Authenticator {
    const tokens = options.authTokensFile ? new TokenFile(options.authTokensFile, log) : undefined;
    const oidc = options.oidc ? new OidcVerifier(options.oidc, log) : undefined;
    tokens?.watch();
    return new Authenticator(tokens, oidc);
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
    this.oidc?.reload();
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
    if (owner) return { ok: true, caller: { name: owner.name, groups: owner.groups } };
    if (this.oidc && JWT.test(token)) {
      try {
        const claims = await this.oidc.verify(token);
        return { ok: true, caller: { name: claims.name, groups: claims.groups } };
      } catch (err) {
        const description = err instanceof Error ? err.message : String(err);
        if (err instanceof OidcUnavailable) return { ok: false, status: 503, description };
        if (err instanceof InsufficientScope)
          return { ok: false, status: 403, error: 'insufficient_scope', description };
        return { ok: false, status: 401, error: 'invalid_token', description };
      }
    }
    return { ok: false, status: 401, error: 'invalid_token', description: 'the token is not valid' };
  }
}
