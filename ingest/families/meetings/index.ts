/**
 * Meetings: 8x8 Jitsi as a Service (JaaS). https://developer.8x8.com/jaas/docs/webhooks-signatures
 *
 * `X-Jaas-Signature: t=<unix seconds>,v1=<base64>[,v1=…]` where each v1 is
 * base64(HMAC-SHA256(key = the whole secret *including* `whsec_`, msg = t + "." + rawBody)).
 */
import { createHmac } from 'node:crypto';
import { IngestError } from '../../errors.js';
import { constantTimeEqual, SecretSet } from '../../auth/constant-time.js';
import { secretScanner } from '../../auth/secret-scan.js';
import { bodyDigestKey } from '../dedupe.js';
import { eventTimeMs } from '../event-time.js';
import { FAMILY_ROUTES, FAMILY_TABLES, header, str, type Classification, type Delivery, type DeliveryFacts, type SourceFamily } from '../family.js';

export interface MeetingsAuth {
  /** Endpoint secrets (`whsec_…`); more than one during a rotation. */
  secrets: readonly string[];
  toleranceSeconds: number;
  /** The optional Authorization value configured on the JaaS endpoint. */
  authorization: string | null;
}

export function meetingsFamily(auth: MeetingsAuth): SourceFamily {
  const authorization = auth.authorization === null ? null : new SecretSet([auth.authorization]);
  return {
    name: 'meetings',
    route: FAMILY_ROUTES.meetings,
    table: FAMILY_TABLES.meetings,
    // X-Jaas-Signature is an HMAC over the whole body, so a stored one can only re-send the
    // same event (deduplicated); it is kept so a rejection can be re-verified on replay.
    keptHeaders: ['content-type', 'user-agent', 'x-jaas-signature'],
    credentialHeaders: ['authorization'],
    digestedHeaders: [],
    holdsSecret: secretScanner([...auth.secrets, auth.authorization]),
    async verify(delivery) {
      return verifyJaas(auth, authorization, delivery);
    },
    deliveryFacts: jaasSignatureAge,
    classify: classifyMeetings,
    // JaaS: `timestamp`, epoch ms (docs/jaas/docs/webhooks-overview.md).
    eventTime: (event) => eventTimeMs(event.timestamp),
  };
}

/**
 * The signature's age (arrival − t), on every delivery, accepted or refused. JaaS retries
 * "with an exponential back off" and documents neither the count nor whether a retry is
 * signed with a new t= (docs/jaas/docs/webhooks-overview.md, webhooks-signatures.md); if it
 * reuses the original t, late retries age past families.meetings.toleranceSeconds. The kept
 * ages are what sizes that tolerance (README).
 */
export function jaasSignatureAge(delivery: Delivery): DeliveryFacts {
  const parsed = parseJaasSignature(header(delivery.headers, 'x-jaas-signature') ?? '');
  if (parsed === null) return { stored: {} };
  const age = Math.round(delivery.receivedAt.getTime() / 1000 - parsed.t);
  return { stored: { [SIGNATURE_AGE_HEADER]: String(age) }, signatureAgeSeconds: age };
}

/** Where the signature age is stored among a row's headers (never sent by 8x8). */
export const SIGNATURE_AGE_HEADER = 'x-switchboard-signature-age-seconds';

/** Signs like JaaS does: for send-test-event and tests. */
export function signJaas(secret: string, timestampSeconds: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('base64');
  return `t=${timestampSeconds},v1=${mac}`;
}

export function parseJaasSignature(value: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const element of value.split(',')) {
    const at = element.indexOf('='); // split on the first '=' only: base64 may end in '='
    if (at < 0) continue;
    const prefix = element.slice(0, at).trim();
    const val = element.slice(at + 1).trim();
    if (prefix === 't' && /^\d{1,12}$/.test(val)) t = Number(val);
    else if (prefix === 'v1' && val !== '') v1.push(val); // other schemes are ignored (downgrade protection)
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

function verifyJaas(auth: MeetingsAuth, authorization: SecretSet | null, delivery: Delivery): string {
  if (authorization !== null && !authorization.matches(header(delivery.headers, 'authorization') ?? '')) {
    throw new IngestError(
      'SB_INGEST_AUTH_INVALID',
      'The Authorization header does not match SWITCHBOARD_MEETINGS_AUTHORIZATION. Set the same value on the JaaS endpoint, or unset the variable.',
    );
  }
  const value = header(delivery.headers, 'x-jaas-signature');
  if (value === undefined) {
    throw new IngestError('SB_INGEST_AUTH_MISSING', 'No X-Jaas-Signature header. Is this JaaS endpoint configured in the JaaS Console webhooks page?');
  }
  const parsed = parseJaasSignature(value);
  if (parsed === null) {
    throw new IngestError('SB_INGEST_SIGNATURE_MALFORMED', 'X-Jaas-Signature must look like t=<unix seconds>,v1=<base64>.');
  }
  const skew = Math.abs(delivery.receivedAt.getTime() / 1000 - parsed.t);
  let matched = false;
  for (const secret of auth.secrets) {
    const expected = signJaas(secret, parsed.t, delivery.body).split(',v1=')[1] ?? '';
    for (const candidate of parsed.v1) matched = constantTimeEqual(expected, candidate) || matched;
  }
  if (!matched) {
    throw new IngestError(
      'SB_INGEST_SIGNATURE_INVALID',
      'X-Jaas-Signature does not match the body. Check that SWITCHBOARD_MEETINGS_WEBHOOK_SECRET holds this endpoint\'s full secret, including the whsec_ prefix.',
    );
  }
  if (skew > auth.toleranceSeconds) {
    const age = Math.round(delivery.receivedAt.getTime() / 1000 - parsed.t);
    throw new IngestError(
      'SB_INGEST_SIGNATURE_EXPIRED',
      age >= 0
        ? `The signature is valid but ${age} s old (t=${parsed.t}; tolerance ${auth.toleranceSeconds} s): a late retry signed with its original t=, or a replay. If genuine retries are refused, raise families.meetings.toleranceSeconds (README: sizing it); else check this server's clock.`
        : `The signature is valid but its t=${parsed.t} is ${-age} s in the future (tolerance ${auth.toleranceSeconds} s). Check this server's clock (NTP).`,
      { configKey: 'families.meetings.toleranceSeconds' },
    );
  }
  return 'hmac-sha256';
}

/** Dedupe on `idempotencyKey`: "the same key means a duplicate" (webhooks-payload). */
export function classifyMeetings(event: Record<string, unknown>, delivery: Delivery): Classification {
  const key = str(event.idempotencyKey);
  return {
    eventType: str(event.eventType) ?? 'unknown',
    dedupeKey: key === undefined ? bodyDigestKey(delivery.body) : `jaas:${key}`,
  };
}
