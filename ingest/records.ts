/**
 * What the landing path writes to the spool, and the drainer reads back: accepted raw events
 * and rejections. One JSON object per spool record (`k` tells which).
 */

/** A verified event, exactly as received. */
export interface RawEventRecord {
  k: 'event';
  /** Unique per delivery (a retry gets a new one). */
  deliveryId: string;
  family: string;
  /** The raw table (inside the raw schema) it lands in. */
  table: string;
  eventType: string;
  dedupeKey: string;
  /** The exact body text (validated UTF-8, so it round-trips byte for byte). */
  body: string;
  /** The family's kept headers; credentials are never among them. */
  headers: Record<string, string>;
  /** Epoch milliseconds. */
  receivedAt: number;
  ip: string;
  verifiedBy: string;
}

/** A request that was refused, kept so an operator can see it and replay it. */
export interface RejectionRecord {
  k: 'rejection';
  rejectionId: string;
  /** The family whose route it reached, or `unknown`. */
  family: string;
  route: string;
  receivedAt: number;
  ip: string;
  statusCode: number;
  errorCode: string;
  reason: string;
  /** Whether the sender was verified (e.g. a signed voice CALL_ACTION); unverified bodies are never trusted. */
  verified: boolean;
  /** Request headers with credential values redacted. */
  headers: Record<string, string>;
  /** The body as text (UTF-8, or base64 prefixed `base64:` when it is not UTF-8), cut at a limit; null when unread. */
  body: string | null;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** Hex SHA-256 of the whole body as received (absent when it was never read). */
  bodySha256?: string | undefined;
  /**
   * How many refusals this record stands for: absent (one), or the count of refusals from one
   * source that were past rejections.perSourcePerMinute and are summed up here, bodyless.
   */
  occurrences?: number | undefined;
}

export type SpoolRecord = RawEventRecord | RejectionRecord;

export function encodeRecord(record: SpoolRecord): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

export function decodeRecord(payload: Buffer): SpoolRecord {
  return JSON.parse(payload.toString('utf8')) as SpoolRecord;
}

/** Headers whose values are credentials: kept only as a redacted hint in rejections. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

/** Flattens headers for storage, redacting credentials: `Bearer abc…` → `[redacted: 38 chars]`. */
export function storableHeaders(
  headers: Record<string, string | string[] | undefined>,
  only?: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of only ?? Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = CREDENTIAL_HEADERS.has(name) ? `[redacted: ${text.length} chars]` : text;
  }
  return out;
}
