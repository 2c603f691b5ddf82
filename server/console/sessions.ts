/**
 * The console's sign-in sessions, in this process's memory. Logging in with an operator
 * token opens a session: its id (32 random bytes) is the only thing the browser gets, in an
 * HttpOnly, SameSite=Strict cookie scoped to /console; the token itself is never stored,
 * only its sha256, which is checked again on every request, so revoking the token
 * (`switchboard admin-token revoke`) ends its sessions at once, and a role change applies.
 *
 * A session ends after {@link SESSION_IDLE_MS} without a request, {@link SESSION_MAX_MS}
 * after it opened, at logout, or when serve restarts (sign in again).
 *
 * Each session also holds a random in-process bearer ({@link ConsoleSession.bearer}): the
 * console calls the operator API's own routes with it (`app.inject`), so they check the
 * session's role and audit the call under the token's id, exactly as for the CLI. It never
 * leaves the process.
 */
import { randomBytes } from 'node:crypto';
import type { AdminPrincipal } from '../admin-tokens.js';
import { tokenHash } from '../admin-tokens.js';

/** A session ends after this long without a request (30 minutes). */
export const SESSION_IDLE_MS = 30 * 60_000;
/** A session ends this long after sign-in, however busy (12 hours). */
export const SESSION_MAX_MS = 12 * 3_600_000;
/** At most this many open sessions; past it, the least recently used ends. */
const MAX_SESSIONS = 1000;

/** What can tell a token's principal from its hash (admin-tokens.ts AdminTokenVerifier). */
export interface HashVerifier {
  verifyHash(sha256: string): AdminPrincipal | null;
}

export interface ConsoleSession {
  /** The cookie value: 43 base64url characters. */
  id: string;
  /** Who signed in, as of the last request (the role follows the token's). */
  principal: AdminPrincipal;
  /** The in-process bearer for the operator API's routes (never sent to the browser). */
  bearer: string;
  openedAt: number;
  lastSeenAt: number;
}

export class ConsoleSessions {
  private readonly byId = new Map<string, ConsoleSession & { tokenSha256: string }>();
  private readonly byBearer = new Map<string, string>();

  /** @param now the clock (tests pass a fake one) */
  constructor(
    private readonly verifier: HashVerifier,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs in with a token: a new session, or null when the token is unknown or revoked. */
  open(token: string): ConsoleSession | null {
    const tokenSha256 = tokenHash(token.trim());
    const principal = this.verifier.verifyHash(tokenSha256);
    if (principal === null) return null;
    this.sweep();
    if (this.byId.size >= MAX_SESSIONS) {
      const oldest = [...this.byId.values()].sort((a, b) => a.lastSeenAt - b.lastSeenAt)[0];
      if (oldest !== undefined) this.close(oldest.id);
    }
    const at = this.now();
    const session = { id: randomBytes(32).toString('base64url'), principal, bearer: `sbcs_${randomBytes(32).toString('base64url')}`, openedAt: at, lastSeenAt: at, tokenSha256 };
    this.byId.set(session.id, session);
    this.byBearer.set(session.bearer, session.id);
    return publicView(session);
  }

  /**
   * The live session with this id, its last-seen time moved to now; null when there is none,
   * it expired (idle or too old), or its token was revoked (it is then closed).
   */
  touch(id: string | undefined): ConsoleSession | null {
    const session = this.current(id);
    if (session === null) return null;
    session.lastSeenAt = this.now();
    return publicView(session);
  }

  /** The principal behind an in-process bearer (the console calling a route), or null. */
  principalOfBearer(bearer: string): AdminPrincipal | null {
    if (!bearer.startsWith('sbcs_')) return null;
    const id = this.byBearer.get(bearer);
    return id === undefined ? null : (this.current(id)?.principal ?? null);
  }

  close(id: string | undefined): void {
    if (id === undefined) return;
    const session = this.byId.get(id);
    if (session === undefined) return;
    this.byId.delete(id);
    this.byBearer.delete(session.bearer);
  }

  /** Open sessions (expired ones not yet swept may count). */
  get size(): number {
    return this.byId.size;
  }

  private current(id: string | undefined): (ConsoleSession & { tokenSha256: string }) | null {
    if (id === undefined) return null;
    const session = this.byId.get(id);
    if (session === undefined) return null;
    const at = this.now();
    const principal = at - session.lastSeenAt > SESSION_IDLE_MS || at - session.openedAt > SESSION_MAX_MS ? null : this.verifier.verifyHash(session.tokenSha256);
    if (principal === null) {
      this.close(id);
      return null;
    }
    session.principal = principal;
    return session;
  }

  private sweep(): void {
    const at = this.now();
    for (const session of [...this.byId.values()]) {
      if (at - session.lastSeenAt > SESSION_IDLE_MS || at - session.openedAt > SESSION_MAX_MS) this.close(session.id);
    }
  }
}

function publicView(session: ConsoleSession & { tokenSha256: string }): ConsoleSession {
  const { tokenSha256: _hash, ...view } = session;
  return view;
}
