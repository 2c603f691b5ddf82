/**
 * Errors of the Contact Center Historical Analytics pull (`cc-interactions`). Codes are
 * stable and listed in docs/errors.md under "Pulls: Contact Center Historical Analytics".
 * A `transient` error is worth retrying (after `retryAfterMs` when 8x8 said how long);
 * anything else stops the pull until an operator fixes the cause.
 */
import { SwitchboardError } from '../../../core/errors.js';

export type CcAnalyticsErrorCode =
  /** The token request was refused (wrong key/secret), or a data call was refused even with a fresh token. */
  | 'SB_PULL_CC_AUTH'
  /** 429, 5xx, a timeout or a network error: retry later. */
  | 'SB_PULL_CC_UNAVAILABLE'
  /** Any other 4xx, or a request the client refuses to send because the docs refuse it (a page size over 1000, a title outside the documented characters, a timezone that is not an IANA zone). */
  | 'SB_PULL_CC_REQUEST'
  /** A 2xx whose body is not the documented token / `{id, status}` / row-array shape. */
  | 'SB_PULL_CC_RESPONSE'
  /** 8x8 answered the report creation with `status: "FAILED"`. */
  | 'SB_PULL_CC_REPORT_FAILED'
  /** Reading a report answered 404: 8x8 no longer keeps it (the pull creates a new one once). */
  | 'SB_PULL_CC_REPORT_GONE'
  /** A row without the `interactionId` its dedupe key needs, or without an `items` array. */
  | 'SB_PULL_CC_RECORD_INVALID';

export class CcAnalyticsError extends SwitchboardError {
  declare readonly code: CcAnalyticsErrorCode;
  /** True when retrying the same request later may succeed. */
  readonly transient: boolean;
  /** How long 8x8 asked us to wait (from Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status 8x8 answered, when there was an answer. */
  readonly status: number | undefined;

  constructor(
    code: CcAnalyticsErrorCode,
    message: string,
    options: { cause?: unknown; configKey?: string; retryAfterMs?: number; status?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'CcAnalyticsError';
    this.transient = code === 'SB_PULL_CC_UNAVAILABLE';
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}
