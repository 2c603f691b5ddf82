/**
 * A source family: one kind of 8x8 sender with its own route, its own proof of identity and
 * its own raw table. Adding a family means one folder under ingest/families/ and one line in
 * ingest/families/index.ts; the landing pipeline (ingest/landing-route.ts) is shared.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** One HTTP delivery as received, before anything is trusted. */
export interface Delivery {
  /** The exact request body bytes. Signatures are checked over these, never a re-serialisation. */
  body: Buffer;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The client address after applying server.trustProxy. */
  ip: string;
  /** When the request arrived. */
  receivedAt: Date;
}

/** What a family makes of a verified, parsed event. */
export interface Classification {
  /** e.g. `SMS.inbound_message_received`, `SESSION_SUMMARY`, `PARTICIPANT_JOINED`. */
  eventType: string;
  /**
   * Identifies the logical event across retries: two deliveries with the same key are one
   * event (e.g. JaaS `idempotencyKey`). Falls back to `sha256:<hex of body>` when an event
   * carries no documented key, so unknown event types still land instead of being dropped.
   */
  dedupeKey: string;
}

export interface SourceFamily {
  /** Stable name used in config, logs, the rejections table and the `family` column. */
  readonly name: FamilyName;
  /** The POST route, e.g. `/webhooks/8x8/meetings`. */
  readonly route: string;
  /** The raw table this family lands in (inside the raw schema), e.g. `meetings_events`. */
  readonly table: string;
  /** The header names kept with each event (lower-case). Credentials are never kept. */
  readonly keptHeaders: readonly string[];
  /**
   * Header names (lower-case) whose values are this family's credentials, e.g. voice's
   * configured `x-voice-token`. Wherever headers are stored or logged, their values become
   * `[redacted]`, on every route (a credential sent to the wrong route is still a credential).
   */
  readonly credentialHeaders: readonly string[];
  /**
   * Header names (lower-case) carrying a proof that could be reused if read back, e.g.
   * Contact Center's `x-8x8-signature` (it signs a CRC32 of the body, so its headers can be
   * paired with another body of the same CRC32). Stored only as `sha256:<hex>` of the value.
   */
  readonly digestedHeaders: readonly string[];
  /**
   * True when `value` contains one of this family's configured secrets (belt and braces for
   * headers whose name nobody declared). @example family.holdsSecret?.('Bearer s3cret') → true
   */
  holdsSecret?(value: string): boolean;
  /**
   * Proves the delivery came from 8x8, over the raw bytes. Resolves with how it was verified
   * (stored in `verified_by`, e.g. `hmac-sha256`), or throws an IngestError.
   */
  verify(delivery: Delivery): Promise<string>;
  /**
   * True when the family's events may also come as XML documents (default false: JSON only).
   * Messaging: 8x8 documents XML delivery receipts (ingest/xml-event.ts).
   */
  readonly xmlBodies?: boolean;
  /**
   * Facts about the delivery worth keeping whether it is accepted or refused, computed from
   * the request alone (before and independently of verify), stored beside the kept headers
   * under `x-switchboard-*` names. @example JaaS: { 'x-switchboard-signature-age-seconds': '412' }
   */
  deliveryFacts?(delivery: Delivery): DeliveryFacts;
  /**
   * Names the event and its dedupe key. May throw an IngestError for a verified event that
   * cannot be landed (a voice CALL_ACTION).
   */
  classify(event: Record<string, unknown>, delivery: Delivery): Classification;
  /**
   * 8x8's own time of the event (epoch ms), read from the parsed event, for the signals'
   * event → received latency (server/signals); undefined when the event carries none. Called
   * on every accepted delivery while signals are on: keep it to a few field reads
   * (event-time.ts). Absent: the family's events have no event time.
   * @example voice: payload.timestamp of a CALL_STATUS, payload.endTime of a SESSION_SUMMARY
   */
  eventTime?(event: Record<string, unknown>): number | undefined;
}

/** Stored facts about a delivery (header-like names), plus the signature age for metrics. */
export interface DeliveryFacts {
  /** Stored with the raw row or the rejection, e.g. `x-switchboard-signature-age-seconds`. */
  stored: Record<string, string>;
  /** Seconds between the signed timestamp and the arrival (negative: signed "in the future"). */
  signatureAgeSeconds?: number;
}

export type FamilyName = 'messaging' | 'voice' | 'contact-center' | 'meetings';

/** Each family's raw table (in warehouse.rawSchema). */
export const FAMILY_TABLES: Readonly<Record<FamilyName, string>> = {
  messaging: 'messaging_events',
  voice: 'voice_events',
  'contact-center': 'contact_center_events',
  meetings: 'meetings_events',
};

/** Each family's POST route: one per family, because each proves its origin differently. */
export const FAMILY_ROUTES: Readonly<Record<FamilyName, string>> = {
  messaging: '/webhooks/8x8/messaging',
  voice: '/webhooks/8x8/voice',
  'contact-center': '/webhooks/8x8/contact-center',
  meetings: '/webhooks/8x8/meetings',
};

/**
 * Reads a string field, or undefined when it is absent, not a string, or not text a
 * warehouse can store. Event types and dedupe keys are built from these, and a NUL or a
 * lone surrogate (both valid in JSON: `"\u0000"`, `"\ud800"`) is refused by Postgres and
 * DuckDB: one such event would stop the drainer for every event behind it. Treated as
 * absent, the event still lands (type `unknown`, dedupe key from the body digest).
 */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && isStorableText(value) ? value : undefined;
}

/** No NUL and no unpaired UTF-16 surrogate. @example isStorableText('a\u0000') → false */
export function isStorableText(value: string): boolean {
  return !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** Reads a nested object, or an empty one. */
export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The first value of a header (Node joins most repeated headers, but not all). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === '' ? undefined : first;
}
