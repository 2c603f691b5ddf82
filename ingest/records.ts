/**
 * What the landing path writes to the spool, and the drainer reads back: accepted raw events
 * and rejections. One JSON object per spool record (`k` tells which).
 */
import { createHash } from 'node:crypto';

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

/** Headers whose values are credentials whatever the family: always redacted. */
const ALWAYS_CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'] as const;

/** What a redacted credential is stored as: a fixed width, so not even its length is kept. */
export const REDACTED = '[redacted]';

/**
 * How headers are made safe to store or log. Built once from the enabled families
 * (`headerPolicy(routes.map((r) => r.family))`), so a family declares its own credential
 * headers and nothing here lists them.
 */
export interface HeaderPolicy {
  /** Lower-case names whose values become `[redacted]`. */
  readonly credentials: ReadonlySet<string>;
  /** Lower-case names whose values become `sha256:<hex>` (reusable proofs, e.g. `x-8x8-signature`). */
  readonly digested: ReadonlySet<string>;
  /** True when a value contains a configured secret, whatever its header's name. */
  holdsSecret(value: string): boolean;
}

/** The families' parts of a policy (see SourceFamily in families/family.ts). */
export interface HeaderPolicySource {
  readonly credentialHeaders: readonly string[];
  readonly digestedHeaders: readonly string[];
  holdsSecret?(value: string): boolean;
}

/** @example headerPolicy(routes.map((r) => r.family)) */
export function headerPolicy(families: readonly HeaderPolicySource[]): HeaderPolicy {
  const lower = (names: readonly string[]): string[] => names.map((n) => n.toLowerCase());
  return {
    credentials: new Set([...ALWAYS_CREDENTIALS, ...families.flatMap((f) => lower(f.credentialHeaders))]),
    digested: new Set(families.flatMap((f) => lower(f.digestedHeaders))),
    holdsSecret: (value) => families.some((f) => f.holdsSecret?.(value) === true),
  };
}

/** Only the headers that are credentials whatever the family. */
export const BASE_HEADER_POLICY: HeaderPolicy = headerPolicy([]);

/**
 * Flattens headers for storage: credentials → `[redacted]`, reusable proofs → `sha256:<hex>`,
 * and any value holding a configured secret → `[redacted]`.
 * @param only keep just these names (a family's keptHeaders); default: all
 */
export function storableHeaders(
  headers: Record<string, string | string[] | undefined>,
  policy: HeaderPolicy = BASE_HEADER_POLICY,
  only?: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of only ?? Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[name] = storableValue(name.toLowerCase(), text, policy);
  }
  return out;
}

function storableValue(name: string, text: string, policy: HeaderPolicy): string {
  if (policy.credentials.has(name)) return REDACTED;
  // A value already stored as a digest (a replayed rejection's header) stays as it is.
  if (policy.digested.has(name)) return /^sha256:[0-9a-f]{64}$/.test(text) ? text : `sha256:${createHash('sha256').update(text, 'latin1').digest('hex')}`;
  return policy.holdsSecret(text) ? REDACTED : text;
}
