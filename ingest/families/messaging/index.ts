/**
 * Connect messaging: SMS and Chat Apps (https://developer.8x8.com/connect/docs/webhook-object-structure).
 *
 * 8x8 signs nothing here. It proves itself by the static `Authorization` value registered as
 * `httpAuthorization`, or by a bearer token it fetched from our /oauth/token, and by its
 * source addresses (the allowlist is checked before this family runs).
 */
import { IngestError } from '../../errors.js';
import { SecretSet } from '../../auth/constant-time.js';
import { secretScanner } from '../../auth/secret-scan.js';
import { bodyDigestKey } from '../dedupe.js';
import { firstEventTime } from '../event-time.js';
import { FAMILY_ROUTES, FAMILY_TABLES, header, obj, str, type Classification, type Delivery, type SourceFamily } from '../family.js';
import type { OAuthTokens } from './oauth-tokens.js';

export type MessagingAuth =
  | { mode: 'static'; authorization: string }
  | { mode: 'oauth'; tokens: OAuthTokens }
  | { mode: 'none' };

export function messagingFamily(auth: MessagingAuth): SourceFamily {
  const expected = new SecretSet(auth.mode === 'static' ? [auth.authorization] : []);
  const holds = secretScanner(auth.mode === 'static' ? [auth.authorization] : []);
  return {
    name: 'messaging',
    route: FAMILY_ROUTES.messaging,
    table: FAMILY_TABLES.messaging,
    keptHeaders: ['content-type', 'user-agent', 'x-8x8-signature'],
    // 8x8 shows an XML rendering of the SMS delivery receipt beside the JSON one
    // (docs/connect/docs/delivery-receipts-for-outbound-sms.md); how an account gets it is not documented.
    xmlBodies: true,
    credentialHeaders: ['authorization'],
    // 8x8 documents no scheme for it (8x8.md §1.7): kept as a digest, never as a reusable value.
    digestedHeaders: ['x-8x8-signature'],
    holdsSecret: (value) => (auth.mode === 'static' ? holds(value) : auth.mode === 'oauth' && auth.tokens.holdsSecret(value)),
    async verify(delivery) {
      return verifyMessaging(auth, expected, delivery);
    },
    classify: classifyMessaging,
    eventTime: messagingEventTime,
  };
}

/**
 * A receipt's status time, else the message's or click's time, else the time of a WhatsApp
 * business-management envelope (docs/connect/docs/webhook-object-structure.md and the
 * samples in samples.ts).
 */
export function messagingEventTime(event: Record<string, unknown>): number | undefined {
  const payload = obj(event.payload);
  return firstEventTime(obj(payload.status).timestamp, payload.timestamp, payload.occurredAt, event.timestamp);
}

function verifyMessaging(auth: MessagingAuth, expected: SecretSet, delivery: Delivery): string {
  if (auth.mode === 'none') return 'ip-allowlist';
  const presented = header(delivery.headers, 'authorization');
  if (presented === undefined) {
    throw new IngestError(
      'SB_INGEST_AUTH_MISSING',
      auth.mode === 'static'
        ? 'No Authorization header. Register the webhook with httpAuthorization set to the value of SWITCHBOARD_MESSAGING_AUTHORIZATION.'
        : 'No bearer token. Register the webhook with an oauth object pointing at this server\'s /oauth/token.',
      { configKey: 'families.messaging.auth.mode' },
    );
  }
  if (auth.mode === 'static') {
    if (expected.matches(presented)) return 'static-authorization';
    throw new IngestError(
      'SB_INGEST_AUTH_INVALID',
      'The Authorization header does not match SWITCHBOARD_MESSAGING_AUTHORIZATION. Make the webhook\'s httpAuthorization and that variable the same value.',
      { configKey: 'families.messaging.auth.mode' },
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(presented);
  const verdict = match?.[1] === undefined ? 'invalid' : auth.tokens.check(match[1], delivery.receivedAt.getTime());
  if (verdict === 'valid') return 'oauth-bearer';
  throw new IngestError(
    'SB_INGEST_AUTH_INVALID',
    verdict === 'expired'
      ? 'The bearer token has expired. 8x8 should fetch a new one from /oauth/token; check the webhook\'s oauth.url.'
      : 'The bearer token was not issued by this server (or SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET changed since). Check the webhook\'s oauth.url.',
    { configKey: 'families.messaging.auth' },
  );
}

/**
 * Dedupe keys (there is no event id on MO/DR; https://developer.8x8.com/connect/docs/message-status-references):
 * inbound and echoes by `umid`; receipts by `umid` + state + detail + timestamp, so each
 * state change is its own event; clicks and WhatsApp management events by `eventId`.
 */
export function classifyMessaging(event: Record<string, unknown>, delivery: Delivery): Classification {
  const namespace = str(event.namespace);
  const eventType = str(event.eventType) ?? 'unknown';
  if (namespace === undefined) {
    // WhatsApp business-management events use their own envelope: {eventId, provider, eventType, eventDetails}.
    const provider = str(event.provider) ?? 'unknown';
    const eventId = str(event.eventId);
    return {
      eventType: `${provider}.${eventType}`,
      dedupeKey: eventId === undefined ? bodyDigestKey(delivery.body) : `${provider}:event:${eventId}`,
    };
  }
  const payload = obj(event.payload);
  const umid = str(payload.umid);
  const type = `${namespace}.${eventType}`;
  if (eventType === 'outbound_message_status_changed' && umid !== undefined) {
    const status = obj(payload.status);
    const parts = [umid, str(status.state) ?? '', str(status.detail) ?? '', str(status.timestamp) ?? ''];
    return { eventType: type, dedupeKey: `${namespace}:receipt:${parts.join(':')}` };
  }
  if (eventType === 'short_url_clicked' && str(payload.eventId) !== undefined) {
    return { eventType: type, dedupeKey: `${namespace}:click:${str(payload.eventId)}` };
  }
  if (umid !== undefined) return { eventType: type, dedupeKey: `${namespace}:${eventType}:${umid}` };
  return { eventType: type, dedupeKey: bodyDigestKey(delivery.body) };
}
