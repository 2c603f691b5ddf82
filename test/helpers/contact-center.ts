/**
 * Contact Center deliveries as 8x8 sends them: the six x-8x8-* headers, signed (a detached
 * RS256 JWS over the header fields and the body's CRC32), or with any signature a test wants.
 * https://developer.8x8.com/actions-events/docs/validating-webhook-events
 */
import { signDetached, signedPayload } from '../../ingest/families/contact-center/signature.js';

/** A signing key and the kid it claims (e.g. from JwkServer.addKey). */
export interface SigningKey {
  privateKey: Parameters<typeof signDetached>[1];
  kid: string;
}

export interface DeliveryFields {
  /** x-8x8-event-id; default: a fresh random one. */
  eventId?: string;
  /** x-8x8-transmission-time (epoch ms); default: now. */
  transmittedAt?: number;
}

/** The headers of a delivery without its signature (`x-8x8-signature` set to `signature`). */
export function contactCenterHeaders(signature: string, fields: DeliveryFields = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-8x8-customer-id': 'acme',
    'x-8x8-tenant-id': 'acme',
    'x-8x8-event-id': fields.eventId ?? `evt-${Math.random().toString(36).slice(2)}`,
    'x-8x8-retry': '0',
    'x-8x8-transmission-time': String(fields.transmittedAt ?? Date.now()),
    'x-8x8-signature': signature,
  };
}

/** The headers of `body` signed with `key`, as 8x8 would send them. */
export async function signedContactCenterHeaders(body: string, key: SigningKey, fields: DeliveryFields = {}): Promise<Record<string, string>> {
  const headers = contactCenterHeaders('', fields);
  headers['x-8x8-signature'] = await signDetached(signedPayload(Buffer.from(body), headers), key.privateKey, key.kid);
  return headers;
}

/** A JWS whose protected header is exactly `headerJson`, with a junk signature: verifiable by nobody. */
export function unverifiableSignature(headerJson: string): string {
  const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
  return `${b64url(headerJson)}..${b64url('not-a-signature')}`;
}
