// MCP sessions over HTTP: one McpServer and one SessionState per session, bound to the caller that opened
// it, closed after --session-idle-timeout without requests, and capped per caller and in all.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import type { SessionState } from '../../../tools/index.js';
import type { CallerLimits } from '../../options.js';

export interface Session {
  id: string;
  /** Whom the session belongs to: callerKey (src/server/caller.ts) of the caller that opened it. */
  owner: string;
  /** That caller's name, for logs and messages. */
  identity: string | undefined;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  state: SessionState;
  lastSeen: number;
  /** Requests of this session being answered now. */
  active: number;
}

export type Admission =
  { ok: true; release: () => void } | { ok: false; status: 429 | 503; message: string; retryAfterS: number };

type SessionLimits = Pick<CallerLimits, 'maxSessions' | 'maxSessionsPerCaller' | 'sessionIdleMs'>;

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  /** Sessions being opened (admitted, not yet initialized), per caller. */
  private readonly opening = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly limits: SessionLimits,
  ) {
    const every = Math.max(1000, Math.min(60_000, Math.floor(limits.sessionIdleMs / 2)));
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  private countOf(owner: string): number {
    let n = this.opening.get(owner) ?? 0;
    for (const s of this.sessions.values()) if (s.owner === owner) n += 1;
    return n;
  }

  private get total(): number {
    let n = this.sessions.size;
    for (const pending of this.opening.values()) n += pending;
    return n;
  }

  private refusal(owner: string, identity: string | undefined): Admission | undefined {
    const mine = this.countOf(owner);
    if (mine >= this.limits.maxSessionsPerCaller) {
      return {
        ok: false,
        status: 429,
        message: `${identity ?? 'this caller'} has ${mine} open sessions, the most one caller may have (--max-sessions-per-caller ${this.limits.maxSessionsPerCaller}); end unused ones (DELETE /mcp) or wait until idle ones close`,
        retryAfterS: this.retryAfterS((s) => s.owner === owner),
      };
    }
    if (this.total >= this.limits.maxSessions) {
      return {
        ok: false,
        status: 503,
        message: `the server has ${this.total} open sessions, the most it keeps (--max-sessions ${this.limits.maxSessions}); try again later`,
        retryAfterS: this.retryAfterS(() => true),
      };
    }
    return undefined;
  }

  /**
   * Admits a new session of `owner` (named `identity` in messages), or says why not and when to try again. Idle sessions past the
   * timeout are closed first, so a cap is never held by sessions that are already due to close. The caller
   * calls `release` once the session is initialized (or failed to be).
   */
  async admit(owner: string, identity: string | undefined): Promise<Admission> {
    if (this.refusal(owner, identity)) await this.sweep();
    const refused = this.refusal(owner, identity);
    if (refused) return refused;
    const key = owner;
    this.opening.set(key, (this.opening.get(key) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.opening.get(key) ?? 1) - 1;
        if (left > 0) this.opening.set(key, left);
        else this.opening.delete(key);
      },
    };
  }

  /** Seconds until the first of the matching sessions is due to close as idle (busy ones count as just used). */
  private retryAfterS(match: (s: Session) => boolean): number {
    const now = Date.now();
    let soonest = this.limits.sessionIdleMs;
    for (const s of this.sessions.values()) {
      if (!match(s)) continue;
      const since = s.active > 0 ? now : s.lastSeen;
      soonest = Math.min(soonest, since + this.limits.sessionIdleMs - now);
    }
    return Math.max(1, Math.ceil(soonest / 1000));
  }

  add(session: Session): void {
    this.sessions.set(session.id, session);
    this.log.debug(
      { session: session.id, identity: session.identity, sessions: this.sessions.size },
      'session opened',
    );
  }

  /** The session, if it exists and belongs to this caller; someone else's session id is as good as unknown. */
  find(id: string, owner: string, identity: string | undefined): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.owner !== owner) {
      this.log.warn(
        { session: id, owner: session.identity, caller: identity },
        'a caller used the session of another',
      );
      return undefined;
    }
    session.lastSeen = Date.now();
    return session;
  }

  forget(id: string): void {
    if (this.sessions.delete(id))
      this.log.debug({ session: id, sessions: this.sessions.size }, 'session closed');
  }

  private async sweep(): Promise<void> {
    const cutoff = Date.now() - this.limits.sessionIdleMs;
    const idle = [...this.sessions.values()].filter((s) => s.active === 0 && s.lastSeen <= cutoff);
    for (const s of idle) this.log.info({ session: s.id, identity: s.identity }, 'closing idle session');
    await Promise.all(idle.map(close));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map(close));
  }
}

async function close(s: Session): Promise<void> {
  // Closing the transport ends its streams and fires onclose, which forgets the session.
  await s.transport.close().catch(() => undefined);
  await s.server.close().catch(() => undefined);
}
