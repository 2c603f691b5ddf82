/**
 * POST /oauth/token: the OAuth2 client-credentials endpoint 8x8 calls before sending
 * messaging webhooks in `oauth` mode (RFC 6749 §4.4). 8x8 sends the client credentials in a
 * Basic header or in the form body (`credentialsLocation: header|body`; 8x8.md §1.7,
 * https://developer.8x8.com/connect/reference/add-webhooks-2); both are accepted.
 * Errors follow RFC 6749 §5.2: `{ "error": "invalid_client", "error_description": … }`,
 * and every refusal is a 4xx in that shape (never a 500 from a malformed request).
 *
 * Failed attempts are limited per source address (FailedAttempts): past the limit the
 * address gets 429 with Retry-After, even with the right secret, until the window ends, so
 * the secret cannot be guessed at request speed. (@fastify/rate-limit counts every request;
 * here only failures may count, so 8x8's own token fetches are never throttled.)
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IpAllowlist } from '../../auth/ip-allowlist.js';
import type { OAuthTokens } from './oauth-tokens.js';
import { FailedAttempts } from '../../auth/failed-attempts.js';

export interface TokenRouteOptions {
  tokens: OAuthTokens;
  allowlist: IpAllowlist;
  /** Failed attempts allowed per source address and window; injected clock for tests. */
  failures?: { max?: number; windowMs?: number; now?: () => number };
}

/** 8x8 fetches a token about once an hour; ten wrong secrets a minute is already generous. */
const DEFAULT_MAX_FAILURES = 10;
const DEFAULT_FAILURE_WINDOW_MS = 60_000;

export async function tokenRoute(app: FastifyInstance, options: TokenRouteOptions): Promise<void> {
  const failures = new FailedAttempts(
    options.failures?.max ?? DEFAULT_MAX_FAILURES,
    options.failures?.windowMs ?? DEFAULT_FAILURE_WINDOW_MS,
    options.failures?.now ?? (() => Date.now()), // read at each call, so mock.timers can move it
  );

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Unreadable bodies (bad JSON, unknown content types, too large) answer in OAuth's shape too.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unexpected error on /oauth/token');
    return oauthError(reply, status, status === 500 ? 'server_error' : 'invalid_request', status === 500 ? 'Unexpected error; see the server log.' : 'The request body could not be read.');
  });

  app.post('/oauth/token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!options.allowlist.allows(request.ip)) {
      request.log.warn({ ip: request.ip }, 'token request from an address outside families.messaging.allow');
      return oauthError(reply, 403, 'access_denied', 'Source address not allowed (families.messaging.allow).');
    }
    const blockedFor = failures.blockedForSeconds(request.ip);
    if (blockedFor > 0) {
      return oauthError(reply.header('retry-after', String(blockedFor)), 429, 'temporarily_unavailable', `Too many failed attempts from this address; retry after ${blockedFor} s.`);
    }
    const form = isRecord(request.body) ? request.body : {};
    if (form.grant_type !== 'client_credentials') {
      return oauthError(reply, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    }
    const credentials = clientCredentials(request.headers.authorization, form);
    if (credentials === null) {
      failures.fail(request.ip);
      return oauthError(reply, 400, 'invalid_request', 'Send the client credentials in a Basic header (form-encoded id:secret) or as client_id and client_secret strings in the form.');
    }
    if (!options.tokens.checkClient(credentials.clientId, credentials.clientSecret)) {
      failures.fail(request.ip);
      request.log.warn({ ip: request.ip }, 'token request with wrong client credentials (families.messaging.auth.clientId / SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET)');
      return oauthError(reply.header('www-authenticate', 'Basic realm="switchboard"'), 401, 'invalid_client', 'Unknown client or wrong secret.');
    }
    return reply.send({
      access_token: options.tokens.issue(Date.now()),
      token_type: 'Bearer',
      expires_in: options.tokens.ttlSeconds,
    });
  });
}

/**
 * The client credentials from a Basic header (RFC 6749 §2.3.1: each part form-urlencoded)
 * or the form; null when absent or malformed (not strings, bad %-escapes, no colon).
 */
function clientCredentials(authorization: string | undefined, form: Record<string, unknown>): { clientId: string; clientSecret: string } | null {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    return clientId === null || clientSecret === null ? null : { clientId, clientSecret };
  }
  const { client_id: clientId, client_secret: clientSecret } = form;
  return typeof clientId === 'string' && typeof clientSecret === 'string' ? { clientId, clientSecret } : null;
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return null; // `%` not followed by two hex digits, or an escape that is not UTF-8
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}
