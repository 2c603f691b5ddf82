/**
 * Contact Center chat webhooks: Chat Gateway and the legacy Chat API v2.
 * https://developer.8x8.com/actions-events/docs/webhooks-events-reference
 *
 * Dedupe key: `x-8x8-event-id`, stable across retries (the retry number and transmission
 * time change, which is why they are kept with the event).
 *
 * Freshness: the signature covers `x-8x8-transmission-time` (`tt`, epoch milliseconds, new on
 * each retry; https://developer.8x8.com/actions-events/docs/validating-webhook-events, 8x8.md
 * "Signature headers"), so a signed delivery is accepted only within
 * families.contactCenter.toleranceSeconds of its arrival. The signature covers just a CRC32
 * of the body, which anyone can match with another body; freshness bounds how long one
 * captured set of headers can be abused (docs/security.md).
 */
import { IngestError } from '../../errors.js';
import { eventTimeMs } from '../event-time.js';
import { FAMILY_ROUTES, FAMILY_TABLES, header, str, type Classification, type Delivery, type SourceFamily } from '../family.js';
import type { KeyStore } from './key-store.js';
import { parseDetachedJws, SIGNATURE_HEADERS, signedPayload, verifyDetached } from './signature.js';

export interface ContactCenterAuth {
  /** Largest accepted gap between `x-8x8-transmission-time` and the arrival time. */
  toleranceSeconds: number;
}

export function contactCenterFamily(keys: KeyStore, auth: ContactCenterAuth): SourceFamily {
  return {
    name: 'contact-center',
    route: FAMILY_ROUTES['contact-center'],
    table: FAMILY_TABLES['contact-center'],
    keptHeaders: ['content-type', 'user-agent', ...SIGNATURE_HEADERS],
    credentialHeaders: [],
    // The JWS signs only a CRC32 of the body: whoever reads one back could pair it with a
    // forged body of the same CRC32, so it is stored as sha256:<hex> (docs/security.md).
    digestedHeaders: ['x-8x8-signature'],
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
          'x-8x8-signature must be a detached RS256 JWS (header..signature, b64:false) whose kid is letters, digits, ".", "_" or "-", and x-8x8-retry and x-8x8-transmission-time integers.',
        );
      }
      // Checked before the key is looked up: a stale delivery costs no fetch and no RSA check.
      // Replays judge it against the original arrival (delivery.receivedAt), as JaaS does.
      const skewSeconds = Math.abs(delivery.receivedAt.getTime() - Number(tt)) / 1000;
      if (!(skewSeconds <= auth.toleranceSeconds)) {
        throw new IngestError(
          'SB_INGEST_SIGNATURE_EXPIRED',
          `x-8x8-transmission-time is ${Math.round(skewSeconds)} s away from the arrival time (tolerance ${auth.toleranceSeconds} s). Check this server's clock (NTP), or raise families.contactCenter.toleranceSeconds.`,
          { configKey: 'families.contactCenter.toleranceSeconds' },
        );
      }
      const key = await keys.get(jws.kid, { ip: delivery.ip, now: delivery.receivedAt.getTime() });
      if (await verifyDetached(jws, signedPayload(delivery.body, delivery.headers), key)) return 'jws-rs256';
      throw new IngestError(
        'SB_INGEST_SIGNATURE_INVALID',
        'x-8x8-signature does not verify over this body and these headers. If a proxy rewrites bodies or headers, make it pass them through unchanged.',
      );
    },
    classify: classifyContactCenter,
    // Chat Gateway events carry `timestamp` in epoch ms (samples.ts); WEB_HOOK_VERIFY has none.
    eventTime: (event) => eventTimeMs(event.timestamp),
  };
}

export function classifyContactCenter(event: Record<string, unknown>, delivery: Delivery): Classification {
  // verify() has already required the header.
  return {
    eventType: str(event.eventType) ?? 'unknown',
    dedupeKey: `cc:${header(delivery.headers, 'x-8x8-event-id') ?? ''}`,
  };
}
