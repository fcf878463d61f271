import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Console sessions, held in this node's memory. A session stands for the credential that signed it
 * in (a token or an identity provider's JWT): every request made with it is authenticated from that
 * credential again, so it has exactly that credential's rights and dies with it (revoked, rotated,
 * expired). The browser holds only the session id, in an HttpOnly cookie; the CSRF token it sends
 * with every state-changing call is kept in the page's memory.
 */
export interface ConsoleSession {
  /** The credential as presented at sign-in; never logged, never sent back. */
  readonly credential: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface SessionLimits {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  maxAgeMs: number;
  /** The oldest-used session is dropped to make room beyond this many. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 60 * 60_000,
  maxAgeMs: 12 * 60 * 60_000,
  maxSessions: 10_000,
};

export class ConsoleSessions {
  /** By SHA-256 of the session id, so the map's keys are no use to whoever reads them. Insertion order is use order. */
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly now: () => number,
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  create(credential: string): { id: string; session: ConsoleSession } {
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: ConsoleSession = {
      credential,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: at,
      lastSeenAt: at,
    };
    this.sessions.set(keyOf(id), session);
    while (this.sessions.size > this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return { id, session };
  }

  /** The live session an id names, marked as used now; undefined when unknown, idle too long or too old. */
  use(id: string): ConsoleSession | undefined {
    const key = keyOf(id);
    const session = this.sessions.get(key);
    if (session === undefined) return undefined;
    const at = this.now();
    if (at - session.lastSeenAt > this.limits.idleMs || at - session.createdAt > this.limits.maxAgeMs) {
      this.sessions.delete(key);
      return undefined;
    }
    session.lastSeenAt = at;
    this.sessions.delete(key);
    this.sessions.set(key, session);
    return session;
  }

  end(id: string): boolean {
    return this.sessions.delete(keyOf(id));
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Constant-time comparison of the CSRF token a request sent with the session's. */
export function csrfMatches(session: ConsoleSession, sent: string | undefined): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
