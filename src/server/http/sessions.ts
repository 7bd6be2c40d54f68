// MCP sessions over HTTP: one McpServer and one SessionState per session, bound to the identity that
// opened it, closed after a long idle time.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import type { SessionState } from '../../../tools/index.js';

export const SESSION_IDLE_MS = 30 * 60_000;
export const MAX_SESSIONS = 1000;
const SWEEP_MS = 60_000;

export interface Session {
  id: string;
  identity: string | undefined;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  state: SessionState;
  lastSeen: number;
  /** Requests of this session being answered now. */
  active: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly log: Logger) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  add(session: Session): void {
    this.sessions.set(session.id, session);
    this.log.debug(
      { session: session.id, identity: session.identity, sessions: this.sessions.size },
      'session opened',
    );
  }

  /** The session, if it exists and belongs to this caller; someone else's session id is as good as unknown. */
  find(id: string, identity: string | undefined): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.identity !== identity) {
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

  private sweep(): void {
    const cutoff = Date.now() - SESSION_IDLE_MS;
    for (const s of this.sessions.values()) {
      if (s.active === 0 && s.lastSeen < cutoff) {
        this.log.info({ session: s.id, identity: s.identity }, 'closing idle session');
        void close(s);
      }
    }
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
