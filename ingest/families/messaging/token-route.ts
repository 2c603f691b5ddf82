/**
 * POST /oauth/token: the OAuth2 client-credentials endpoint 8x8 calls before sending
 * messaging webhooks in `oauth` mode (RFC 6749 §4.4). 8x8 sends the client credentials in a
 * Basic header or in the form body (`credentialsLocation: header|body`); both are accepted.
 * Errors follow RFC 6749 §5.2: `{ "error": "invalid_client", "error_description": … }`.
 */
import type { FastifyInstance } from 'fastify';
import type { IpAllowlist } from '../../auth/ip-allowlist.js';
import type { OAuthTokens } from './oauth-tokens.js';

export async function tokenRoute(
  app: FastifyInstance,
  options: { tokens: OAuthTokens; allowlist: IpAllowlist },
): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.post('/oauth/token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!options.allowlist.allows(request.ip)) {
      request.log.warn({ ip: request.ip }, 'token request from an address outside families.messaging.allow');
      return reply.code(403).send({ error: 'access_denied', error_description: 'Source address not allowed (families.messaging.allow).' });
    }
    const form = (request.body ?? {}) as Record<string, string>;
    if (form.grant_type !== 'client_credentials') {
      return reply.code(400).send({
        error: 'unsupported_grant_type',
        error_description: 'Only grant_type=client_credentials is supported.',
      });
    }
    const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    let clientId = form.client_id;
    let clientSecret = form.client_secret;
    if (basic?.[1] !== undefined) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (clientId === undefined || clientSecret === undefined || !options.tokens.checkClient(clientId, clientSecret)) {
      request.log.warn({ ip: request.ip }, 'token request with wrong client credentials (families.messaging.auth.clientId / SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET)');
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="switchboard"')
        .send({ error: 'invalid_client', error_description: 'Unknown client or wrong secret.' });
    }
    return reply.send({
      access_token: options.tokens.issue(Date.now()),
      token_type: 'Bearer',
      expires_in: options.tokens.ttlSeconds,
    });
  });
}
