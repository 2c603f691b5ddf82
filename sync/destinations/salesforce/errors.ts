/**
 * Errors of the Salesforce destination, and how a failed jsforce call becomes the engine's
 * TransientDestinationError (worth retrying) or PermanentDestinationError (fix the config).
 * Codes are listed in docs/errors.md › Sync › Salesforce.
 *
 * What Salesforce answers (../shared/reference/clients-and-apis.md §1.6): REST errors are a
 * JSON array of `{ message, errorCode }`, which jsforce throws as an HttpApiError named after
 * the errorCode; OAuth errors are `{ error, error_description }`, thrown as an Error named
 * after `error`.
 */
import { SwitchboardError } from '../../../core/errors.js';
import { retryAfterMs } from '../../../core/retry-after.js';
import { DeferRunError, PermanentDestinationError, TransientDestinationError } from '../../destination.js';

export type SalesforceErrorCode =
  /** SWITCHBOARD_SALESFORCE_CLIENT_SECRET (or _PASSWORD for password auth) is not set. */
  | 'SB_SYNC_SALESFORCE_SECRET_MISSING'
  /** destinations.salesforce lacks a setting its auth needs (clientId, username). */
  | 'SB_SYNC_SALESFORCE_CONFIG'
  /** The token endpoint refused the credentials, or the new session was refused at once. */
  | 'SB_SYNC_SALESFORCE_AUTH_FAILED'
  /** Salesforce refused a whole call for a reason retrying cannot fix (unknown field or object, permissions). */
  | 'SB_SYNC_SALESFORCE_REQUEST_REFUSED'
  /** A Bulk API 2.0 job ended Failed (e.g. a CSV column that is not a field). */
  | 'SB_SYNC_SALESFORCE_BULK_JOB_FAILED'
  /** The org's rolling 24-hour API allocation is used up (403 REQUEST_LIMIT_EXCEEDED): the run stops until the next one. */
  | 'SB_SYNC_SALESFORCE_DAILY_LIMIT';

/** Raised while building the destination (before any call): a missing secret or setting. */
export class SalesforceError extends SwitchboardError {
  declare readonly code: SalesforceErrorCode;

  constructor(code: SalesforceErrorCode, message: string, options: { configKey?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'SalesforceError';
  }
}

/** A transient failure that keeps Salesforce's errorCode, e.g. REQUEST_LIMIT_EXCEEDED. */
export class SalesforceTransientError extends TransientDestinationError {
  constructor(
    readonly code: string,
    message: string,
    retryAfterMs?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, retryAfterMs, options);
  }
}

/** The status and headers of the last failed HTTP response, which jsforce's errors do not carry. */
export interface FailedResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
}

/**
 * Whole-call errorCodes that clear on their own
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 */
const TRANSIENT_CODES = new Set([
  'REQUEST_LIMIT_EXCEEDED',
  'SERVER_UNAVAILABLE',
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'TXN_SECURITY_METERING_ERROR',
  'JobPollingTimeout',
]);

/**
 * `Sforce-Limit-Info: api-usage=18/15000` (reference §1.6) as numbers; undefined when absent.
 * @example apiUsage({ 'sforce-limit-info': 'api-usage=15000/15000' }) → { used: 15000, max: 15000 }
 */
export function apiUsage(headers: Readonly<Record<string, string>> | undefined): { used: number; max: number } | undefined {
  const match = /api-usage=(\d+)\/(\d+)/.exec(headers?.['sforce-limit-info'] ?? '');
  return match === null ? undefined : { used: Number(match[1]), max: Number(match[2]) };
}

/**
 * REQUEST_LIMIT_EXCEEDED is HTTP 403 without Retry-After for two limits (API Request Limits and
 * Allocations, https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html):
 * the rolling 24-hour total allocation, which frees only as calls age out of the window, and
 * the cap on concurrent long-running (≥ 20 s) requests, which frees in seconds. The docs give
 * no field that tells them apart; the message names the limit (`TotalRequests Limit
 * exceeded.` vs `ConcurrentPerOrgLongTxn Limit exceeded.`, reference §1.6 [? wording]) and the
 * answer's Sforce-Limit-Info shows the allocation used up. Either one means the daily limit.
 */
function isDailyLimit(message: string | undefined, failed: FailedResponse | null): boolean {
  if (/TotalRequests/i.test(message ?? '')) return true;
  const usage = apiUsage(failed?.headers);
  return usage !== undefined && usage.max > 0 && usage.used >= usage.max;
}

/** Errors of the node-fetch transport that jsforce uses: the network, not Salesforce. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** OAuth error names from the token endpoint (RFC 6749 §5.2, plus Salesforce's own). */
const OAUTH_ERRORS = new Set(['invalid_client', 'invalid_grant', 'invalid_client_id', 'unsupported_grant_type', 'invalid_request', 'unauthorized_client', 'inactive_user', 'inactive_org']);

interface JsforceError {
  name?: string;
  message?: string;
  errorCode?: string;
  code?: string;
  data?: unknown;
}

/** True for failures of the connection itself (refused, reset, DNS, timeout). */
export function isNetworkError(error: unknown): boolean {
  const e = error as JsforceError;
  return e?.name === 'FetchError' || (typeof e?.code === 'string' && NETWORK_CODES.has(e.code));
}

/**
 * The engine's view of a failed call.
 * @param failed the last failed HTTP response, for its status and Retry-After.
 * @returns a Transient/PermanentDestinationError, or the error itself when it is not a
 *   Salesforce or network error (a bug should surface as one).
 */
export function classify(error: unknown, failed: FailedResponse | null, where: string): unknown {
  if (error instanceof TransientDestinationError || error instanceof PermanentDestinationError) return error;
  const e = error as JsforceError;
  if (isNetworkError(error)) return new SalesforceTransientError('NETWORK', `${where}: Salesforce could not be reached (${e.code ?? e.message ?? 'network error'}).`, undefined, { cause: error });
  if (typeof e?.name === 'string' && OAUTH_ERRORS.has(e.name)) {
    return new PermanentDestinationError(
      'SB_SYNC_SALESFORCE_AUTH_FAILED',
      `${where}: Salesforce refused the login: ${e.name}: ${e.message ?? ''}. Check destinations.salesforce (loginUrl must be the org's My Domain URL for client_credentials; clientId, username) and SWITCHBOARD_SALESFORCE_CLIENT_SECRET / SWITCHBOARD_SALESFORCE_PASSWORD.`,
      { cause: error },
    );
  }
  const code = firstCode(e);
  if (code === undefined) return error;
  const status = failed?.status ?? Number(/^ERROR_HTTP_(\d{3})$/.exec(code)?.[1] ?? 0);
  const message = `${where}: Salesforce answered ${status > 0 ? `HTTP ${status} ` : ''}${code}: ${e.message ?? ''}`.trim();
  if (code === 'REQUEST_LIMIT_EXCEEDED' && isDailyLimit(e.message, failed)) {
    // Retrying into a rolling 24-hour allocation only burns the calls that free up: stop the run.
    return new DeferRunError(
      'SB_SYNC_SALESFORCE_DAILY_LIMIT',
      `${message}. The org's API requests for the last 24 hours are used up; the rest waits for the next scheduled run. Check Setup › System Overview › API usage, and lower the sync's frequency or ask Salesforce for a bigger allocation.`,
      { cause: error },
    );
  }
  if (TRANSIENT_CODES.has(code) || status === 429 || status >= 500 || /^ERROR_HTTP_(429|5\d\d)$/.test(code)) {
    return new SalesforceTransientError(code, message, retryAfterMs(failed?.headers['retry-after']), { cause: error });
  }
  if (code === 'INVALID_SESSION_ID') {
    return new PermanentDestinationError('SB_SYNC_SALESFORCE_AUTH_FAILED', `${message}. The session was refused even after logging in again; check the connected app's policies.`, { cause: error });
  }
  return new PermanentDestinationError('SB_SYNC_SALESFORCE_REQUEST_REFUSED', `${message}. Check the sync's object and mapping, and the integration user's permissions.`, { cause: error });
}

/** An HttpApiError's errorCode; for MULTIPLE_API_ERRORS the first one in `data`. */
function firstCode(e: JsforceError): string | undefined {
  if (e?.errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data)) {
    const first = e.data[0] as { errorCode?: string } | undefined;
    return first?.errorCode ?? e.errorCode;
  }
  return typeof e?.errorCode === 'string' ? e.errorCode : undefined;
}
