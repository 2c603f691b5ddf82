/**
 * BigQuery's errors, told apart by their `reason`, with what to do about each:
 * https://cloud.google.com/bigquery/docs/error-messages. Transient ones (rate limits, 5xx)
 * are retried with back-off by the driver; the rest are raised as they are, with advice.
 */
/** What the library's ApiError carries (common/build/src/util.js). */
interface ApiErrorLike {
  code?: number;
  message?: string;
  errors?: { reason?: string; message?: string }[];
}

/** The first `reason` of an API error, e.g. `rateLimitExceeded`; '' when there is none. */
export function reasonOf(error: unknown): string {
  const errors = (error as ApiErrorLike | null)?.errors;
  return (Array.isArray(errors) ? errors.find((e) => typeof e?.reason === 'string')?.reason : undefined) ?? '';
}

/**
 * Retried with back-off: "rateLimitExceeded" (403/429), "backendError" and
 * "internalError" (500/503), and any 429, 500, 502, 503 or 504 without a reason. A
 * `quotaExceeded` is not: a daily quota does not come back in seconds.
 */
export function isTransient(error: unknown): boolean {
  const reason = reasonOf(error);
  if (reason === 'rateLimitExceeded' || reason === 'backendError' || reason === 'internalError' || reason === 'jobBackendError' || reason === 'jobInternalError') return true;
  if (reason !== '') return false;
  const code = (error as ApiErrorLike | null)?.code;
  if (typeof code === 'number') return code === 429 || code >= 500;
  // A socket that failed before any answer (ECONNRESET, ETIMEDOUT): the job id makes a retry safe.
  return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EAI_AGAIN|socket hang up/i.test(String((error as Error)?.message ?? error));
}

const ADVICE: Readonly<Record<string, string>> = {
  notFound: 'A dataset or table it names does not exist, or is in another location than warehouse.location. Check warehouse.projectId, warehouse.location and warehouse.datasetPrefix.',
  accessDenied: "The credentials may not do this. Give the service account BigQuery Data Editor on the datasets and BigQuery Job User on the project (warehouse.keyFile, or GOOGLE_APPLICATION_CREDENTIALS).",
  quotaExceeded: 'A BigQuery quota is used up (see the message for which). Wait for it to reset, or raise it in the Google Cloud console; warehouse.maximumBytesBilled also fails queries that would scan more.',
  rateLimitExceeded: 'BigQuery asked to slow down and the retries ran out. Lower the pace (fewer concurrent jobs), then try again.',
  bytesBilledLimitExceeded: 'The query would scan more bytes than warehouse.maximumBytesBilled allows. Narrow it (filter on partition columns), or raise warehouse.maximumBytesBilled.',
  invalidQuery: 'BigQuery refused the SQL; the message says where.',
  duplicate: 'A job with this id exists already.',
};

/**
 * The error as raised to callers: BigQuery's message with its reason and what to do, the
 * original as `cause`, and `reason` kept as a property for code that tells them apart.
 * @example explain(err, 'query') // "BigQuery query failed (notFound): Not found: Table p:raw.x … Check warehouse.projectId, …"
 */
export function explain(error: unknown, what: string): Error {
  const reason = reasonOf(error);
  const message = (error as Error)?.message ?? String(error);
  const advice = ADVICE[reason];
  const text = `BigQuery ${what} failed${reason === '' ? '' : ` (${reason})`}: ${message}${advice === undefined ? '' : ` ${advice}`}`;
  return Object.assign(new Error(text, { cause: error }), { reason });
}
