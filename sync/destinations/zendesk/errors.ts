/**
 * What a Zendesk answer means for a sync (../shared/reference/clients-and-apis.md §2.4–2.5,
 * https://developer.zendesk.com/api-reference/introduction/rate-limits/):
 *
 * - 401 (bad email or token) and 403 (the agent may not do this) stop the run: no retry
 *   and no other record can fix them (PermanentDestinationError);
 * - 429 and 5xx (503 included) are transient, with their Retry-After when they give one,
 *   as are timeouts and network errors (TransientDestinationError);
 * - any other 4xx about one ticket is that record's rejection, with Zendesk's own
 *   `{error, description, details}` as its code and reason.
 */
import { SwitchboardError } from '../../../core/errors.js';
import { PermanentDestinationError, TransientDestinationError } from '../../destination.js';

import { ZENDESK_TOKEN_ENV } from './secrets.js';

export { ZENDESK_TOKEN_ENV };

/** Stable codes of the Zendesk destination, listed in docs/errors.md › Zendesk. */
export type ZendeskErrorCode =
  /** createZendeskDestination found no SWITCHBOARD_ZENDESK_API_TOKEN. */
  | 'SB_SYNC_ZENDESK_SECRET_MISSING'
  /** createZendeskDestination got no `destinations.zendesk` settings. */
  | 'SB_SYNC_ZENDESK_NOT_CONFIGURED'
  /** 401: Zendesk refused the email/token pair. */
  | 'SB_SYNC_ZENDESK_AUTH'
  /** 403: the agent may not read, create, update or delete tickets. */
  | 'SB_SYNC_ZENDESK_FORBIDDEN'
  /** A read answered 4xx other than 401/403/429 (a wrong `url`, a path Zendesk does not know). */
  | 'SB_SYNC_ZENDESK_REQUEST'
  /** The sync's mapping names a field that is not a ticket field this destination knows. */
  | 'SB_SYNC_ZENDESK_UNKNOWN_FIELD'
  /** The sync's `object` is not `tickets`. */
  | 'SB_SYNC_ZENDESK_OBJECT'
  /** Outcome `skipped`: a create met a ticket with that external_id that Switchboard did not make. */
  | 'SB_SYNC_ZENDESK_TICKET_EXISTS'
  /** Outcome `skipped`: an update found no ticket (by its id, nor by external_id). */
  | 'SB_SYNC_ZENDESK_TICKET_NOT_FOUND'
  /** Outcome `retry`: a bulk job failed, was killed, expired or did not finish in time. */
  | 'SB_SYNC_ZENDESK_JOB_INCOMPLETE'
  /** Outcome `retry`: the batch stopped on a transient failure after some of it was written. */
  | 'SB_SYNC_ZENDESK_INTERRUPTED'
  /** Outcome `retry`: List Tickets' own rate limit left no room to look this record up; retried after its reset. */
  | 'SB_SYNC_ZENDESK_LOOKUP_DEFERRED'
  /** Outcome `rejected`: Zendesk answered 400 IdempotentRequestError to a single create (key reused with another body). */
  | 'SB_SYNC_ZENDESK_IDEMPOTENCY_KEY_REUSED';

/** Zendesk's error body: `{"error":"RecordInvalid","description":"…","details":{"subject":[{"description":"…"}]}}`. */
export interface ZendeskErrorBody {
  error?: unknown;
  description?: unknown;
  details?: unknown;
}

/** A Zendesk response that was not a success, kept whole: the status, its body, Retry-After. */
export class ZendeskResponseError extends Error {
  constructor(
    readonly status: number,
    /** Parsed JSON when the body was JSON, else its text (429s may be plain text). */
    readonly body: unknown,
    /** Retry-After in milliseconds, when the response had a usable one. */
    readonly retryAfterMs: number | undefined,
    readonly request: string,
    /** The response's headers, e.g. `zendesk-ratelimit-tickets-index` on a 429 from List Tickets. */
    readonly headers?: Headers,
  ) {
    super(`Zendesk answered ${status} to ${request}: ${describeBody(body)}`);
    this.name = 'ZendeskResponseError';
  }

  /** Zendesk's `error` code, e.g. `RecordInvalid`; `HTTP_<status>` when the body has none. */
  get code(): string {
    return errorCode(this.body) ?? `HTTP_${this.status}`;
  }

  /** Zendesk's description and details as one line. */
  get reason(): string {
    return describeBody(this.body);
  }
}

/** Zendesk's own code in an error body or job result, e.g. `RecordInvalid`. */
export function errorCode(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const error = (body as ZendeskErrorBody).error;
  if (typeof error === 'string' && error !== '') return error;
  // Some endpoints nest it: {"error":{"title":"…","message":"…"}}.
  if (error !== null && typeof error === 'object' && typeof (error as { title?: unknown }).title === 'string') return (error as { title: string }).title;
  return undefined;
}

/**
 * One readable line from an error body or a failed job result:
 * `Record validation errors (subject: cannot be blank; base: Status: closed prevents ticket update)`.
 */
export function describeBody(body: unknown): string {
  if (body === null || body === undefined) return 'no body';
  if (typeof body === 'string') return body.trim().slice(0, 500) || 'empty body';
  if (typeof body !== 'object') return String(body);
  const { error, description, details } = body as ZendeskErrorBody;
  const head =
    typeof description === 'string' && description !== ''
      ? description
      : typeof error === 'string'
        ? error
        : error !== null && typeof error === 'object'
          ? String((error as { message?: unknown }).message ?? (error as { title?: unknown }).title ?? JSON.stringify(error))
          : JSON.stringify(body).slice(0, 500);
  const more = describeDetails(details);
  return more === '' ? head : `${head} (${more})`;
}

/** `details` is an object of field → [{description, error}] in error bodies, a string in job results. */
function describeDetails(details: unknown): string {
  if (details === undefined || details === null) return '';
  if (typeof details === 'string') return details;
  if (typeof details !== 'object') return String(details);
  const parts: string[] = [];
  for (const [field, problems] of Object.entries(details as Record<string, unknown>)) {
    for (const problem of Array.isArray(problems) ? problems : [problems]) {
      const text =
        problem !== null && typeof problem === 'object'
          ? String((problem as { description?: unknown }).description ?? (problem as { error?: unknown }).error ?? JSON.stringify(problem))
          : String(problem);
      parts.push(field === 'base' ? text : `${field}: ${text}`);
    }
  }
  return parts.join('; ');
}

/**
 * Throws what a response means for the whole call when it is not about one record:
 * 401/403 stop the run, 429 and 5xx are retried. Returns for anything else.
 */
export function throwIfWholeCallFailed(error: ZendeskResponseError): void {
  if (error.status === 401) {
    throw new PermanentDestinationError(
      'SB_SYNC_ZENDESK_AUTH',
      `Zendesk refused the credentials (401: ${error.reason}). Check destinations.zendesk.email and ${ZENDESK_TOKEN_ENV} ` +
        `(an API token of that agent, Admin Center › Apps and integrations › Zendesk API), and that token access is enabled.`,
      { cause: error },
    );
  }
  if (error.status === 403) {
    throw new PermanentDestinationError(
      'SB_SYNC_ZENDESK_FORBIDDEN',
      `Zendesk forbade ${error.request} (403: ${error.reason}). The agent of destinations.zendesk.email must be able to ` +
        `create, edit and delete tickets.`,
      { cause: error },
    );
  }
  if (error.status === 429) {
    throw new TransientDestinationError(`Zendesk rate limit (429 to ${error.request}): ${error.reason}`, error.retryAfterMs, { cause: error });
  }
  if (error.status >= 500) {
    throw new TransientDestinationError(`Zendesk answered ${error.status} to ${error.request}: ${error.reason}`, error.retryAfterMs, { cause: error });
  }
}

/** For createZendeskDestination: config problems found before any call. */
export class ZendeskConfigError extends SwitchboardError {
  constructor(code: Extract<ZendeskErrorCode, 'SB_SYNC_ZENDESK_SECRET_MISSING' | 'SB_SYNC_ZENDESK_NOT_CONFIGURED'>, message: string) {
    super(code, message, { configKey: 'destinations.zendesk' });
    this.name = 'ZendeskConfigError';
  }
}
