/**
 * Contact Center chat webhooks: Chat Gateway and the legacy Chat API v2.
 * https://developer.8x8.com/actions-events/docs/webhooks-events-reference
 *
 * Dedupe key: `x-8x8-event-id`, stable across retries (the retry number and transmission
 * time change, which is why they are kept with the event).
 */
import { IngestError } from '../../errors.js';
import { FAMILY_ROUTES, FAMILY_TABLES, header, str, type Classification, type Delivery, type SourceFamily } from '../family.js';
import type { KeyStore } from './key-store.js';
import { parseDetachedJws, SIGNATURE_HEADERS, signedPayload, verifyDetached } from './signature.js';

export function contactCenterFamily(keys: KeyStore): SourceFamily {
  return {
    name: 'contact-center',
    route: FAMILY_ROUTES['contact-center'],
    table: FAMILY_TABLES['contact-center'],
    keptHeaders: ['content-type', 'user-agent', ...SIGNATURE_HEADERS],
    async verify(delivery) {
      const missing = SIGNATURE_HEADERS.filter((name) => header(delivery.headers, name) === undefined);
      if (missing.length > 0) {
        throw new IngestError(
          'SB_INGEST_AUTH_MISSING',
          `Missing signature headers: ${missing.join(', ')}. Contact Center webhooks always carry them; is this URL registered as a Chat Gateway or Chat API webhook?`,
        );
      }
      const retry = header(delivery.headers, 'x-8x8-retry') ?? '';
      const tt = header(delivery.headers, 'x-8x8-transmission-time') ?? '';
      const jws = parseDetachedJws(header(delivery.headers, 'x-8x8-signature') ?? '');
      if (jws === null || !/^\d{1,19}$/.test(retry) || !/^\d{1,19}$/.test(tt)) {
        throw new IngestError(
          'SB_INGEST_SIGNATURE_MALFORMED',
          'x-8x8-signature must be a detached RS256 JWS (header..signature, b64:false), and x-8x8-retry and x-8x8-transmission-time integers.',
        );
      }
      const key = await keys.get(jws.kid);
      if (await verifyDetached(jws, signedPayload(delivery.body, delivery.headers), key)) return 'jws-rs256';
      throw new IngestError(
        'SB_INGEST_SIGNATURE_INVALID',
        'x-8x8-signature does not verify over this body and these headers. If a proxy rewrites bodies or headers, make it pass them through unchanged.',
      );
    },
    classify: classifyContactCenter,
  };
}

export function classifyContactCenter(event: Record<string, unknown>, delivery: Delivery): Classification {
  // verify() has already required the header.
  return {
    eventType: str(event.eventType) ?? 'unknown',
    dedupeKey: `cc:${header(delivery.headers, 'x-8x8-event-id') ?? ''}`,
  };
}
