/**
 * BigQuery's error shapes, as the fake answers them.
 *
 * Request errors (BigQuery › Error messages, https://cloud.google.com/bigquery/docs/error-messages):
 * an HTTP status and a body `{ error: { code, message, errors: [ErrorProto], status } }`, where
 * each ErrorProto is `{ reason, message, domain: 'global' }` (ErrorProto,
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/ErrorProto) and `reason` is one of the
 * error table's names. The `status` string is the google.rpc code of the HTTP status (API design
 * guide › Errors, https://cloud.google.com/apis/design/errors#handling_errors) [? which rpc
 * status BigQuery pairs with a 403 quotaExceeded / rateLimitExceeded the docs leave open; the fake
 * says PERMISSION_DENIED, the generic mapping of 403].
 *
 * Job errors: a failed job keeps its error in `status.errorResult` (one ErrorProto) and
 * `status.errors` (all of them), with `status.state: 'DONE'` (JobStatus,
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus).
 */

/** An ErrorProto (https://cloud.google.com/bigquery/docs/reference/rest/v2/ErrorProto). */
export interface ErrorProto {
  reason: string;
  message: string;
  /** Where the error occurred, e.g. `query` or a field name; present only when BigQuery names one. */
  location?: string;
  domain?: string;
}

/**
 * HTTP status per reason, from the error table of
 * https://cloud.google.com/bigquery/docs/error-messages. `backendError` is "500 or 503": the fake
 * uses 503, the one the table's retry advice is about. Reasons not listed answer 400.
 */
export const REASON_STATUS: Readonly<Record<string, number>> = {
  accessDenied: 403,
  backendError: 503,
  badRequest: 400,
  billingNotEnabled: 403,
  billingTierLimitExceeded: 400,
  blocked: 403,
  bytesBilledLimitExceeded: 400,
  duplicate: 409,
  internalError: 500,
  invalid: 400,
  invalidQuery: 400,
  invalidUser: 400,
  jobBackendError: 400,
  jobInternalError: 400,
  notFound: 404,
  notImplemented: 501,
  quotaExceeded: 403,
  rateLimitExceeded: 403,
  resourceInUse: 400,
  resourcesExceeded: 400,
  responseTooLarge: 403,
  stopped: 200,
  tableUnavailable: 400,
  timeout: 400,
};

/** The reason the fake writes for a scripted failure given only a status. */
export const STATUS_REASON: Readonly<Record<number, string>> = {
  400: 'invalid',
  401: 'authError',
  403: 'accessDenied',
  404: 'notFound',
  409: 'duplicate',
  429: 'rateLimitExceeded',
  500: 'internalError',
  502: 'backendError',
  503: 'backendError',
  504: 'backendError',
};

const RPC_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The JSON body of a failed request. */
export function errorBody(status: number, errors: ErrorProto[]): { error: { code: number; message: string; errors: ErrorProto[]; status: string } } {
  return {
    error: {
      code: status,
      message: errors[0]?.message ?? 'Request failed',
      errors: errors.map((e) => ({ ...e, domain: e.domain ?? 'global' })),
      status: RPC_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'UNKNOWN'),
    },
  };
}

/** Thrown by the handlers; the server turns it into `errorBody(status, [proto])`. */
export class BigQueryRequestError extends Error {
  readonly status: number;
  readonly proto: ErrorProto;

  constructor(reason: string, message: string, status = REASON_STATUS[reason] ?? 400, location?: string) {
    super(message);
    this.status = status;
    this.proto = { reason, message, ...(location === undefined ? {} : { location }) };
  }
}

/** `Not found: Dataset p:d` — BigQuery's wording for a missing resource [? exact text: observed, not documented]. */
export const notFound = (what: string): BigQueryRequestError => new BigQueryRequestError('notFound', `Not found: ${what}`);
/** `Already Exists: Table p:d.t` [? exact text: observed, not documented]. */
export const alreadyExists = (what: string): BigQueryRequestError => new BigQueryRequestError('duplicate', `Already Exists: ${what}`);
