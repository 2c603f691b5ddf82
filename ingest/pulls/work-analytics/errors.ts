/**
 * Errors of the Work Analytics pull. Codes are stable and listed in docs/errors.md under
 * "Pulls: Work Analytics". A `transient` error is worth retrying (after `retryAfterMs` when
 * 8x8 said how long); anything else stops the pull until an operator fixes the cause.
 */
import { SwitchboardError } from '../../../core/errors.js';

export type WorkAnalyticsErrorCode =
  /** The token request or a data call was refused even with a fresh token (wrong key, user or password, or no Analytics access). */
  | 'SB_PULL_WORK_AUTH'
  /** 429, 5xx, a timeout or a network error: retry later. */
  | 'SB_PULL_WORK_UNAVAILABLE'
  /** Any other 4xx: the request itself is wrong (a bad time zone, pageSize over 7000…). */
  | 'SB_PULL_WORK_REQUEST'
  /** A 2xx whose body is not the documented `{meta:{scrollId}, data:[…]}` or token shape. */
  | 'SB_PULL_WORK_RESPONSE'
  /** The time zone asked for is not an IANA zone luxon knows. */
  | 'SB_PULL_WORK_TIME_ZONE'
  /** A record without the id its dedupe key needs (`callId`, and `legId` for legs). */
  | 'SB_PULL_WORK_RECORD_INVALID';

export class WorkAnalyticsError extends SwitchboardError {
  declare readonly code: WorkAnalyticsErrorCode;
  /** True when retrying the same request later may succeed. */
  readonly transient: boolean;
  /** How long 8x8 asked us to wait (from Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status 8x8 answered, when there was an answer. */
  readonly status: number | undefined;

  constructor(
    code: WorkAnalyticsErrorCode,
    message: string,
    options: { cause?: unknown; configKey?: string; retryAfterMs?: number; status?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'WorkAnalyticsError';
    this.transient = code === 'SB_PULL_WORK_UNAVAILABLE';
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}
