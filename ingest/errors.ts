/**
 * Landing errors. Each code is stable and documented in docs/errors.md; each carries the
 * HTTP status 8x8 receives and a message that says how to fix the cause. The response body
 * is always `{ "error": { "code", "message" } }`.
 */
import { SwitchboardError } from '../core/errors.js';

export class IngestError extends SwitchboardError {
  /** HTTP status sent to the caller. */
  readonly statusCode: number;
  /** Seconds for a Retry-After header (429 and 503 only). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: IngestErrorCode,
    message: string,
    options: { configKey?: string; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'IngestError';
    this.statusCode = INGEST_ERROR_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Every landing error code and its HTTP status. */
export const INGEST_ERROR_STATUS = {
  /** The source address is not in the family's allowlist. */
  SB_INGEST_IP_NOT_ALLOWED: 403,
  /** No credentials where the family requires them. */
  SB_INGEST_AUTH_MISSING: 401,
  /** Credentials present but wrong (static header, bearer token). */
  SB_INGEST_AUTH_INVALID: 401,
  /** A signature header that cannot be parsed. */
  SB_INGEST_SIGNATURE_MALFORMED: 401,
  /** A well-formed signature that does not verify against the raw body. */
  SB_INGEST_SIGNATURE_INVALID: 401,
  /** A JaaS signature timestamp outside the configured tolerance. */
  SB_INGEST_SIGNATURE_EXPIRED: 401,
  /** A Contact Center signature whose kid has no public key. */
  SB_INGEST_SIGNATURE_UNKNOWN_KEY: 401,
  /** The public key could not be fetched right now; 8x8 should retry. */
  SB_INGEST_KEY_UNAVAILABLE: 503,
  /** The body is not UTF-8 JSON (or is empty). */
  SB_INGEST_BODY_NOT_JSON: 400,
  /** The body is JSON but not an object, so it cannot be an 8x8 event. */
  SB_INGEST_BODY_NOT_OBJECT: 400,
  /** The body is over server.bodyLimitBytes. */
  SB_INGEST_BODY_TOO_LARGE: 413,
  /** A voice CALL_ACTION (VCA) asks for a callflow that a landing endpoint cannot give. */
  SB_INGEST_VOICE_CALL_ACTION: 422,
  /** Too many requests from one source address. */
  SB_INGEST_RATE_LIMITED: 429,
  /** The local spool is over its disk budget; the warehouse is behind. */
  SB_INGEST_SPOOL_FULL: 503,
  /** The spool cannot write (disk full or failing). */
  SB_INGEST_SPOOL_UNAVAILABLE: 503,
  /** The event loop is saturated (under-pressure); retry shortly. */
  SB_INGEST_OVERLOADED: 503,
  /** The event was not durable within server.durableDeadlineMs. */
  SB_INGEST_TIMEOUT: 503,
  /** Anything not foreseen. The event was not acknowledged; 8x8 will retry. */
  SB_INGEST_INTERNAL: 500,
  /** No such route. */
  SB_INGEST_NOT_FOUND: 404,
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERROR_STATUS;

/** The JSON body of every error response. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
