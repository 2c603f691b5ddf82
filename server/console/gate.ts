/**
 * How a browser gets into the console, plugged into the operator API's guard
 * (../admin/guard.ts, which still refuses a Host that does not name the listener, 421, and
 * audits every request):
 * - the login page and the static assets are public;
 * - every other /console path needs a live session cookie (sessions.ts); without one, a GET
 *   is redirected to the login page (which then returns to it), anything else gets 401;
 * - every POST must come from a console page: its Origin (or, failing that, its Referer)
 *   must be this listener's own origin, or it is refused with 403 SB_CONSOLE_ORIGIN_REFUSED
 *   (cross-site request forgery; the SameSite=Strict cookie is the second fence).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BrowserGate } from '../admin/guard.js';
import type { ConsoleSession, ConsoleSessions } from './sessions.js';
import { SESSION_MAX_MS } from './sessions.js';
import { CONSOLE_PREFIX } from './layout.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'sb_console_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session the request came with (set by the gate); null outside the console. */
    consoleSession: ConsoleSession | null;
  }
}

const PUBLIC = new Set([`${CONSOLE_PREFIX}/login`]);

export function consoleGate(sessions: ConsoleSessions): BrowserGate {
  return {
    owns: (path) => path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`),
    authenticate(request, path) {
      if (PUBLIC.has(path) || path.startsWith(`${CONSOLE_PREFIX}/assets/`)) return 'public';
      const session = sessions.touch(sessionIdOf(request));
      request.consoleSession = session;
      return session?.principal ?? null;
    },
    refuse(request, reply, path) {
      const hadCookie = sessionIdOf(request) !== undefined;
      if (request.method === 'GET' || request.method === 'HEAD') {
        const next = path === CONSOLE_PREFIX || path === `${CONSOLE_PREFIX}/` ? '' : `&next=${encodeURIComponent(request.url)}`;
        return reply.code(303).header('location', `${CONSOLE_PREFIX}/login?reason=${hadCookie ? 'expired' : 'signin'}${next}`).header('cache-control', 'no-store').send();
      }
      return reply
        .code(401)
        .type('text/plain; charset=utf-8')
        .send(`SB_ADMIN_UNAUTHORIZED: ${hadCookie ? 'your console session ended' : 'not signed in'}; sign in again at ${CONSOLE_PREFIX}/login`);
    },
  };
}

/** The session id from the Cookie header, if any. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** Set-Cookie for a new session: HttpOnly, SameSite=Strict, Path=/console; Secure when the request came over TLS. */
export function sessionCookie(request: FastifyRequest, id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_MS / 1000}${request.protocol === 'https' ? '; Secure' : ''}`;
}

/** Set-Cookie that removes the session cookie. */
export function clearedCookie(request: FastifyRequest): string {
  return `${SESSION_COOKIE}=; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=0${request.protocol === 'https' ? '; Secure' : ''}`;
}

/**
 * Whether a POST comes from this listener's own pages: its Origin, else its Referer's
 * origin, is `http(s)://<Host>` (the guard has checked the Host names this listener).
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const host = request.headers.host?.toLowerCase();
  if (host === undefined || host === '') return false;
  const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
  if (origin === undefined) return false;
  try {
    // URL parsing drops a default port on both sides (`http://h` and Host `h:80` are one origin).
    const claimed = new URL(origin);
    if ((claimed.protocol !== 'http:' && claimed.protocol !== 'https:') || claimed.pathname !== '/' || claimed.search !== '' || claimed.username !== '') return false;
    return claimed.host === new URL(`${claimed.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/** Where to go after sign-in: a console path from `next`, else the overview (never another site). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith(`${CONSOLE_PREFIX}/`) || next.startsWith('//') || /[\\\r\n]/.test(next)) return `${CONSOLE_PREFIX}/`;
  if (next.startsWith(`${CONSOLE_PREFIX}/login`) || next.startsWith(`${CONSOLE_PREFIX}/logout`)) return `${CONSOLE_PREFIX}/`;
  return next;
}

/** Headers every console answer carries: a CSP that allows only this origin, no framing, no sniffing. */
export function securityHeaders(reply: FastifyReply): void {
  void reply.header(
    'content-security-policy',
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('x-frame-options', 'DENY');
  void reply.header('referrer-policy', 'same-origin');
}
