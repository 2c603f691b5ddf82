/**
 * Errors of the 8x8 Connect log-export pulls (SMS, Chat Apps, Voice). Codes are stable and
 * listed in docs/errors.md under "Pulls: Connect log exports". A `transient` error is worth
 * retrying (after `retryAfterMs` when 8x8 said how long); anything else stops the pull until
 * an operator fixes the cause.
 */
import { SwitchboardError } from '../../../core/errors.js';

export type ConnectExportErrorCode =
  /** 401/403 from the API host: the API key is wrong, revoked, or not allowed on this subaccount. */
  | 'SB_PULL_CONNECT_AUTH'
  /** 429, 5xx, a timeout, a network error or a download cut short: retry later. */
  | 'SB_PULL_CONNECT_UNAVAILABLE'
  /** Any other 4xx: a bad date, an unknown subaccount or job, an expired download link. */
  | 'SB_PULL_CONNECT_REQUEST'
  /** A 2xx whose body is not the documented `{jobId}` / `{status, data, expires}` shape. */
  | 'SB_PULL_CONNECT_RESPONSE'
  /** An export job ended `failed`, `error` or `cancelled` on every attempt. */
  | 'SB_PULL_CONNECT_EXPORT_FAILED'
  /** An export job stayed `queued`/`running` longer than the source's `maxWaitMs` (default 30 min). */
  | 'SB_PULL_CONNECT_EXPORT_TIMEOUT'
  /** A downloaded file is not CSV, or lacks a column the dedupe key needs. */
  | 'SB_PULL_CONNECT_CSV'
  /** A CSV row whose id column (`umid`, `SessionId`) is empty, so it has no dedupe key. */
  | 'SB_PULL_CONNECT_RECORD_INVALID';

export class ConnectExportError extends SwitchboardError {
  declare readonly code: ConnectExportErrorCode;
  /** True when retrying the same request later may succeed. */
  readonly transient: boolean;
  /** How long 8x8 asked us to wait (from Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status 8x8 answered, when there was an answer. */
  readonly status: number | undefined;

  constructor(
    code: ConnectExportErrorCode,
    message: string,
    options: { cause?: unknown; configKey?: string; retryAfterMs?: number; status?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'ConnectExportError';
    this.transient = code === 'SB_PULL_CONNECT_UNAVAILABLE';
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}
