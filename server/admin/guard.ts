/**
 * The operator API's gate, run before every route (and for unknown paths):
 * 1. the Host header must name the admin listener (admin.host, admin.allowedHosts, and the
 *    loopback names when admin.host is loopback or a wildcard), so that a web page cannot
 *    reach the API through DNS rebinding: 421 SB_ADMIN_HOST_REFUSED;
 * 2. a valid `Authorization: Bearer <token>`: 401 SB_ADMIN_UNAUTHORIZED;
 * 3. the token's role must allow the route (operate for what changes or runs something):
 *    403 SB_ADMIN_FORBIDDEN;
 * 4. a route that runs something, asked by a CLI that read another config than this server
 *    loaded (the `switchboard-config` request header, a fingerprint of the config file), is
 *    refused before it starts: 409 SB_ADMIN_CONFIG_MISMATCH. The CLI would otherwise run,
 *    say, a sync it just added to the file in a server that does not have it.
 * Every authenticated answer carries the server's fingerprint in `switchboard-config` (and
 * its config file, URI-encoded, in `switchboard-config-source`), so the CLI can tell too.
 * Paths of the web console (../console/, given as `browser`) authenticate by session cookie
 * instead of steps 2-4: its gate sends a browser without a session to the login page, and
 * its routes check the role of what they run. Step 1 applies to them as to every path.
 * Then every request, allowed or refused, leaves one audit row (../admin-audit.ts).
 *
 * Registered on the root instance before the route plugins (../admin-app.ts), so its hooks
 * apply to every route of every plugin, and to the 404 handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../../ingest/errors.js';
import type { AdminAudit } from '../admin-audit.js';
import { ADMIN_TOKEN_ENV, type AdminPrincipal, type AdminRole, type AdminTokenVerifier } from '../admin-tokens.js';

export interface AdminGuardOptions {
  verifier: Pick<AdminTokenVerifier, 'verify'>;
  audit: AdminAudit;
  /** admin.host, e.g. `127.0.0.1`. */
  host: string;
  /** admin.allowedHosts: more names the listener may be reached by, e.g. `ops.internal`. */
  allowedHosts: readonly string[];
  /** Where the bootstrap token file is, for messages. */
  tokenFile: string;
  /** The config this server loaded at start: its file (null: built-in defaults) and fingerprint. */
  config: { source: string | null; fingerprint: string };
  /**
   * The web console's gate (../console/gate.ts): paths it owns authenticate by session
   * cookie instead of a bearer token. The Host check (step 1) and the audit apply to them too.
   */
  browser?: BrowserGate | undefined;
}

/** How browser pages authenticate: a session cookie instead of `Authorization: Bearer`. */
export interface BrowserGate {
  /** Whether `path` is the browser's (e.g. `/console/syncs`). */
  owns(path: string): boolean;
  /** `public` (the login page, static assets), the session's principal, or null (no live session). */
  authenticate(request: FastifyRequest, path: string): AdminPrincipal | 'public' | null;
  /** Answers a request without a live session, e.g. a redirect to the login page. */
  refuse(request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply;
}

/** The header carrying a config fingerprint: the CLI's in requests, the server's in answers. */
export const CONFIG_HEADER = 'switchboard-config';
/** The server's config file in answers, URI-encoded; `built-in defaults` when it read none. */
export const CONFIG_SOURCE_HEADER = 'switchboard-config-source';

/** Routes that change something or start work: role operate. Everything else needs read. */
const OPERATE_ROUTES: ReadonlySet<string> = new Set(['POST /rejections/replay', 'POST /build', 'POST /test', 'POST /seed', 'POST /sync', 'POST /pull', 'POST /alerts/test', 'POST /dlq/replay']);

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
const WILDCARD = ['0.0.0.0', '::', ''];

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the operator API request authenticated as; null until (or unless) it did. */
    adminPrincipal: AdminPrincipal | null;
    /** The error code the response carried, for the audit row. */
    adminOutcome: string | null;
  }
}

export function requiredRole(method: string, path: string): AdminRole {
  return OPERATE_ROUTES.has(`${method} ${path}`) ? 'operate' : 'read';
}

export function allowedHostNames(host: string, extra: readonly string[]): Set<string> {
  const names = new Set([host.toLowerCase().replace(/^\[|\]$/g, ''), ...extra.map((h) => h.toLowerCase())]);
  if (LOOPBACK.includes(host) || WILDCARD.includes(host) || host.startsWith('127.')) for (const name of LOOPBACK) names.add(name);
  return names;
}

/** The host name of a Host header, lower-case, without port or IPv6 brackets. */
export function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'));
  return value.replace(/:\d*$/, '');
}

export function adminGuard(app: FastifyInstance, options: AdminGuardOptions): void {
  const hosts = allowedHostNames(options.host, options.allowedHosts);
  app.decorateRequest('adminPrincipal', null);
  app.decorateRequest('adminOutcome', null);

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    const name = hostName(request.headers.host);
    if (!hosts.has(name)) {
      return refuse(reply, 421, 'SB_ADMIN_HOST_REFUSED', `The operator API answers only to the host names ${[...hosts].join(', ')}, not "${name}" (a browser tricked by DNS rebinding sends its own). Call it at admin.host, or add the name you use to admin.allowedHosts.`);
    }
    const browser = options.browser;
    if (browser?.owns(path) === true) {
      const who = browser.authenticate(request, path);
      if (who === 'public') return undefined;
      if (who === null) {
        request.adminOutcome = 'SB_ADMIN_UNAUTHORIZED';
        return browser.refuse(request, reply, path);
      }
      request.adminPrincipal = who; // the console's own routes check the role of what they run
      return undefined;
    }
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    const principal = presented === undefined ? null : options.verifier.verify(presented);
    if (principal === null) {
      void reply.header('www-authenticate', 'Bearer realm="switchboard-admin"');
      return refuse(
        reply,
        401,
        'SB_ADMIN_UNAUTHORIZED',
        `${presented === undefined ? 'No' : 'An unknown or revoked'} operator API token. Send Authorization: Bearer <token>, with the value of ${ADMIN_TOKEN_ENV} if serve has it, else of ${options.tokenFile} (the switchboard CLI does this by itself), or a token from switchboard admin-token create.`,
      );
    }
    request.adminPrincipal = principal;
    const needed = requiredRole(request.method, path);
    if (needed === 'operate' && principal.role !== 'operate') {
      return refuse(reply, 403, 'SB_ADMIN_FORBIDDEN', `${request.method} ${path} needs a token with role operate; token ${principal.id} has role ${principal.role}. Issue one with: switchboard admin-token create --role operate`);
    }
    const theirs = request.headers[CONFIG_HEADER];
    if (needed === 'operate' && typeof theirs === 'string' && theirs !== options.config.fingerprint) {
      return refuse(
        reply,
        409,
        'SB_ADMIN_CONFIG_MISMATCH',
        `This server runs the config it loaded at start (${options.config.source ?? 'built-in defaults'}, fingerprint ${short(options.config.fingerprint)}), not the one the request was made with (fingerprint ${short(theirs)}); nothing was run. Restart serve to load the new config, or make the request with the config serve runs.`,
      );
    }
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.adminPrincipal !== null) {
      void reply.header(CONFIG_HEADER, options.config.fingerprint);
      void reply.header(CONFIG_SOURCE_HEADER, encodeURIComponent(options.config.source ?? 'built-in defaults'));
    }
    if (reply.statusCode >= 400 && typeof payload === 'string' && request.adminOutcome === null) {
      try {
        request.adminOutcome = (JSON.parse(payload) as { error?: { code?: string } }).error?.code ?? null;
      } catch {
        /* not JSON: the status says enough */
      }
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const principal = request.adminPrincipal;
    options.audit.record({
      requestedAt: new Date(),
      tokenId: principal?.id ?? 'none',
      role: principal?.role ?? 'none',
      method: request.method,
      route: pathOf(request.url).slice(0, 200),
      summary: principal === null ? '' : summarize(request),
      sourceIp: request.ip,
      status: reply.statusCode,
      outcome: reply.statusCode < 400 ? 'ok' : (request.adminOutcome ?? `HTTP ${reply.statusCode}`),
    });
  });
}

/** The first 12 hex digits of a fingerprint: enough to tell two configs apart in a message. */
export function short(fingerprint: string): string {
  return fingerprint.slice(0, 12);
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  reply.request.adminOutcome = code;
  return reply.code(status).send(errorBody(code, message));
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** What was asked, short and without secrets: the body's fields (the SQL text up to 1000 characters; a token field never). */
function summarize(request: FastifyRequest): string {
  const body = request.body as Record<string, unknown> | null | undefined;
  if (body !== null && typeof body === 'object') {
    if (typeof body.query === 'string') return body.query.slice(0, 1000);
    return JSON.stringify(body, (key, value: unknown) => (/token|secret|password/i.test(key) ? '[redacted]' : value)).slice(0, 1000);
  }
  const q = request.url.indexOf('?');
  return q === -1 ? '' : request.url.slice(q + 1, q + 1001);
}
