/**
 * Query jobs: jobs.insert, jobs.get, jobs.cancel, jobs.getQueryResults and jobs.query. The fake
 * never reads the SQL: a test's responder (`respond`) decides each job's rows or error.
 *
 * - jobs.insert `POST jobs` (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert)
 *   answers the Job resource. A job ID the project already has answers 409 `duplicate` and runs
 *   nothing (BigQuery › Running jobs programmatically: "generate the job ID on the client side to
 *   allow reliable retry of the jobs.insert call", https://cloud.google.com/bigquery/docs/running-jobs#generate-jobid;
 *   409 duplicate from the error table). Only query jobs are served (load, copy, extract: 501).
 * - dryRun (JobConfiguration.dryRun): "a valid query will return a mostly empty response with
 *   some processing statistics, while an invalid query will return the same error it would if it
 *   wasn't a dry run": DONE, `statistics.totalBytesProcessed` and
 *   `statistics.query.totalBytesProcessed`, nothing stored [? the docs leave open whether a dry
 *   run's job ID is kept; the fake keeps none, so jobs.get answers 404].
 * - A job that fails keeps `status: { state: 'DONE', errorResult, errors }` (JobStatus). A
 *   responder error with `at: 'insert'` is a request error of jobs.insert instead (HTTP status
 *   and error body; no job is kept [? open]).
 * - `maximumBytesBilled` (JobConfigurationQuery): a result whose totalBytesProcessed exceeds it
 *   fails the job with `bytesBilledLimitExceeded` (error table) [? BigQuery compares bytes
 *   *billed*, rounded up per its pricing rules; the fake compares the bytes processed].
 * - Sessions (https://cloud.google.com/bigquery/docs/sessions-create): `createSession: true`
 *   starts one and the job's `statistics.sessionInfo.sessionId` names it; a job whose
 *   `connectionProperties` carry `session_id` runs in that session and reports it the same way
 *   (https://cloud.google.com/bigquery/docs/sessions-write-queries) [? what a job naming an
 *   unknown or ended session gets is open; the fake records the ID and runs the job].
 * - jobs.getQueryResults `GET queries/{jobId}`
 *   (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults): schema, rows
 *   in `f`/`v` form, `totalRows` as a string, `pageToken` while rows remain (maxResults,
 *   startIndex), `jobComplete`, `totalBytesProcessed`, `numDmlAffectedRows`. For a failed job it
 *   answers the job's error as an HTTP error [? observed behaviour; the reference only says
 *   `errors` holds "the first errors or warnings encountered"].
 * - `pendingPolls: n` on a result keeps the job RUNNING (jobs.get) / `jobComplete: false`
 *   (getQueryResults, jobs.query) for n more polls.
 * - jobs.cancel `POST jobs/{jobId}/cancel` → `{ kind, job }`; a running job ends DONE with
 *   errorResult `stopped` [? exact message open]; a finished job is unchanged
 *   (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/cancel).
 * - jobs.query `POST queries` (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query):
 *   the first page of results with a `jobReference`; a failing query is an HTTP error. A repeated
 *   `requestId` answers the first request's job again without running it, when the two requests
 *   are "actually duplicates" (same query, connectionProperties, queryParameters, useLegacySql),
 *   within 15 minutes, and never for dry runs (QueryRequest.requestId, same page).
 * - A job is looked up in its location: a `location` parameter naming another one answers 404
 *   [? observed behaviour, documented only as "You must specify the location"].
 */
import { randomBytes } from 'node:crypto';
import { alreadyExists, BigQueryRequestError, notFound, REASON_STATUS, type ErrorProto } from './errors.js';
import { pageOf } from './paging.js';
import { decodeParameters, encodeRow, type SchemaField, type TimestampFormat } from './values.js';

/** What a responder sees of one query job. */
export interface QueryJob {
  projectId: string;
  jobId: string;
  location: string;
  query: string;
  /** Query parameters decoded to plain values: by name, or in order for positional `?` ones. */
  params: Record<string, unknown> | unknown[];
  /** The job configuration as sent (for jobs.query: built from the request, as BigQuery records it). */
  configuration: Record<string, unknown>;
  labels: Record<string, string>;
  dryRun: boolean;
  /** The session the job runs in: the one it created, or the one its connectionProperties name. */
  sessionId?: string;
  createSession: boolean;
  /** maximumBytesBilled as sent (a string of digits), when set. */
  maximumBytesBilled?: string;
  via: 'jobs.insert' | 'jobs.query';
  /** Set when jobs.cancel reached the job. */
  cancelRequested: boolean;
}

/** Rows (or a DML/DDL statement's effect) a responder returns. */
export interface QueryRows {
  schema?: SchemaField[];
  rows?: Array<Record<string, unknown>>;
  totalBytesProcessed?: number | string;
  numDmlAffectedRows?: number | string;
  /**
   * `statistics.query.statementType` as BigQuery reports it, also on a dry run, e.g. `SELECT`,
   * `INSERT`, `MERGE`, `CREATE_TABLE_AS_SELECT`, `SCRIPT`:
   * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatistics2 (statementType).
   * The fake never reads the SQL, so the test says it; absent when not given.
   */
  statementType?: string;
  /** Polls (jobs.get, getQueryResults, jobs.query) that see the job still running; default 0. */
  pendingPolls?: number;
}

/** A failure a responder returns. */
export interface QueryFailure {
  error: { reason: string; message: string; httpStatus?: number; location?: string };
  /** `job` (default): the job fails (status.errorResult); `insert`: jobs.insert / jobs.query itself answers the HTTP error. */
  at?: 'job' | 'insert';
  pendingPolls?: number;
}

export type QueryResult = QueryRows | QueryFailure;
export type Responder = (job: QueryJob) => QueryResult | undefined | void;

interface StoredJob {
  job: QueryJob;
  rows: QueryRows;
  failure?: { status: number; errors: ErrorProto[] };
  pending: number;
  created: number;
  resource: () => Record<string, unknown>;
}

export class FakeJobs {
  /** Every job the responder saw, in order (duplicates refused with 409 are not here). */
  readonly log: QueryJob[] = [];
  private readonly stored = new Map<string, StoredJob>();
  private readonly requestIds = new Map<string, { job: string; at: number }>();
  private responder: Responder = () => ({ numDmlAffectedRows: '0' });

  constructor(
    private readonly defaultLocation: string,
    private readonly now: () => number,
  ) {}

  respond(responder: Responder): void {
    this.responder = responder;
  }

  /** jobs.insert. */
  insert(projectId: string, body: Record<string, unknown>): unknown {
    const reference = (body.jobReference ?? {}) as { jobId?: string; location?: string; projectId?: string };
    const configuration = (body.configuration ?? {}) as Record<string, unknown>;
    const query = configuration.query as Record<string, unknown> | undefined;
    if (query === undefined) throw new BigQueryRequestError('notImplemented', 'The fake BigQuery runs query jobs only (no load, copy or extract jobs).');
    const jobId = reference.jobId ?? `job_${randomBytes(12).toString('base64url')}`;
    const location = reference.location ?? this.defaultLocation;
    if (this.stored.has(`${projectId}:${jobId}`)) throw alreadyExists(`Job ${projectId}:${location}.${jobId}`);
    const job = this.decode(projectId, jobId, location, configuration, query, 'jobs.insert');
    const stored = this.run(job);
    if (job.dryRun) return stored.resource();
    this.stored.set(`${projectId}:${jobId}`, stored);
    return stored.resource();
  }

  /** jobs.get. */
  get(projectId: string, jobId: string, location: string | null): unknown {
    const stored = this.find(projectId, jobId, location);
    if (stored.pending > 0) stored.pending -= 1;
    return stored.resource();
  }

  /** jobs.cancel. */
  cancel(projectId: string, jobId: string, location: string | null): unknown {
    const stored = this.find(projectId, jobId, location);
    stored.job.cancelRequested = true;
    if (stored.pending > 0) {
      stored.pending = 0;
      stored.failure = { status: REASON_STATUS.stopped ?? 200, errors: [{ reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' }] };
    }
    return { kind: 'bigquery#jobCancelResponse', job: stored.resource() };
  }

  /** jobs.getQueryResults. */
  results(projectId: string, jobId: string, search: URLSearchParams, defaultPageSize: number): unknown {
    const stored = this.find(projectId, jobId, search.get('location'));
    return this.resultsBody(stored, 'bigquery#getQueryResultsResponse', {
      maxResults: search.get('maxResults'),
      pageToken: search.get('pageToken'),
      startIndex: search.get('startIndex'),
      defaultPageSize,
      format: {
        useInt64Timestamp: search.get('formatOptions.useInt64Timestamp') === 'true',
        iso: search.get('formatOptions.timestampOutputFormat') === 'ISO8601_STRING',
      },
    });
  }

  /** jobs.query. */
  query(projectId: string, body: Record<string, unknown>, defaultPageSize: number): unknown {
    const requestId = typeof body.requestId === 'string' && body.dryRun !== true ? body.requestId : undefined;
    const fingerprint = JSON.stringify([projectId, requestId, body.query, body.connectionProperties, body.queryParameters, body.useLegacySql]);
    const repeated = requestId === undefined ? undefined : this.requestIds.get(fingerprint);
    let stored = repeated === undefined || this.now() - repeated.at > 15 * 60_000 ? undefined : this.stored.get(repeated.job);
    if (stored === undefined) {
      const jobId = `job_${randomBytes(12).toString('base64url')}`;
      const location = (body.location as string | undefined) ?? this.defaultLocation;
      const configuration = queryConfiguration(body);
      const job = this.decode(projectId, jobId, location, configuration, configuration.query, 'jobs.query');
      stored = this.run(job);
      if (job.dryRun) return { kind: 'bigquery#queryResponse', jobComplete: true, totalBytesProcessed: String(stored.rows.totalBytesProcessed ?? 0), ...(stored.rows.schema ? { schema: { fields: stored.rows.schema } } : {}) };
      this.stored.set(`${projectId}:${jobId}`, stored);
      if (requestId !== undefined) this.requestIds.set(fingerprint, { job: `${projectId}:${jobId}`, at: this.now() });
    }
    const format = (body.formatOptions ?? {}) as { useInt64Timestamp?: boolean; timestampOutputFormat?: string };
    return this.resultsBody(stored, 'bigquery#queryResponse', {
      maxResults: body.maxResults === undefined ? null : String(body.maxResults),
      defaultPageSize,
      format: { useInt64Timestamp: format.useInt64Timestamp === true, iso: format.timestampOutputFormat === 'ISO8601_STRING' },
    });
  }

  private find(projectId: string, jobId: string, location: string | null): StoredJob {
    const stored = this.stored.get(`${projectId}:${jobId}`);
    if (stored === undefined || (location !== null && location !== '' && location.toLowerCase() !== stored.job.location.toLowerCase())) {
      throw notFound(`Job ${projectId}:${location || this.defaultLocation}.${jobId}`);
    }
    return stored;
  }

  private decode(projectId: string, jobId: string, location: string, configuration: Record<string, unknown>, query: Record<string, unknown>, via: QueryJob['via']): QueryJob {
    const properties = Array.isArray(query.connectionProperties) ? (query.connectionProperties as Array<{ key?: string; value?: string }>) : [];
    const joined = properties.find((p) => p.key === 'session_id')?.value;
    const createSession = query.createSession === true;
    const sessionId = createSession ? `fake-session-${randomBytes(9).toString('base64url')}` : joined;
    const job: QueryJob = {
      projectId,
      jobId,
      location,
      query: String(query.query ?? ''),
      params: decodeParameters(query.queryParameters),
      configuration,
      labels: (configuration.labels ?? {}) as Record<string, string>,
      dryRun: configuration.dryRun === true,
      createSession,
      via,
      cancelRequested: false,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(query.maximumBytesBilled === undefined ? {} : { maximumBytesBilled: String(query.maximumBytesBilled) }),
    };
    this.log.push(job);
    return job;
  }

  /** Asks the responder and builds the stored job; request-level failures throw. */
  private run(job: QueryJob): StoredJob {
    const result = this.responder(job) ?? { numDmlAffectedRows: '0' };
    let failure: StoredJob['failure'];
    let rows: QueryRows = {};
    if ('error' in result) {
      const { reason, message, httpStatus, location } = result.error;
      const status = httpStatus ?? REASON_STATUS[reason] ?? 400;
      if (result.at === 'insert' || job.dryRun) throw new BigQueryRequestError(reason, message, status, location);
      failure = { status, errors: [{ reason, message, ...(location === undefined ? {} : { location }) }] };
    } else {
      rows = result;
      const limit = job.maximumBytesBilled === undefined ? undefined : BigInt(job.maximumBytesBilled);
      const processed = BigInt(result.totalBytesProcessed ?? 0);
      if (!job.dryRun && limit !== undefined && limit > 0n && processed > limit) {
        failure = { status: 400, errors: [{ reason: 'bytesBilledLimitExceeded', message: `Query exceeded limit for bytes billed: ${limit}. ${processed} or higher required.` }] };
      }
    }
    const stored: StoredJob = { job, rows, pending: job.dryRun ? 0 : (result.pendingPolls ?? 0), created: this.now(), resource: () => jobResource(stored) };
    if (failure !== undefined) stored.failure = failure;
    return stored;
  }

  private resultsBody(
    stored: StoredJob,
    kind: string,
    options: { maxResults?: string | null; pageToken?: string | null; startIndex?: string | null; defaultPageSize: number; format: TimestampFormat },
  ): unknown {
    const { job } = stored;
    const jobReference = { projectId: job.projectId, jobId: job.jobId, location: job.location };
    if (stored.pending > 0) {
      stored.pending -= 1;
      return { kind, etag: etagOf(stored), jobReference, jobComplete: false };
    }
    if (stored.failure !== undefined) {
      const [first] = stored.failure.errors;
      throw new BigQueryRequestError(first?.reason ?? 'internalError', first?.message ?? 'Job failed', stored.failure.status === 200 ? 400 : stored.failure.status, first?.location);
    }
    const { schema, rows = [], totalBytesProcessed = 0, numDmlAffectedRows } = stored.rows;
    const page = schema === undefined ? undefined : pageOf(rows, `results:${job.projectId}:${job.jobId}`, options);
    return {
      kind,
      etag: etagOf(stored),
      jobReference,
      jobComplete: true,
      totalRows: String(schema === undefined ? 0 : rows.length),
      totalBytesProcessed: String(totalBytesProcessed),
      cacheHit: false,
      ...(schema === undefined ? {} : { schema: { fields: schema } }),
      ...(page === undefined || page.items.length === 0 ? {} : { rows: page.items.map((row) => encodeRow(schema ?? [], row, options.format)) }),
      ...(page?.next === undefined ? {} : { pageToken: page.next }),
      ...(numDmlAffectedRows === undefined ? {} : { numDmlAffectedRows: String(numDmlAffectedRows) }),
      ...(job.sessionId === undefined ? {} : { sessionInfo: { sessionId: job.sessionId } }),
    };
  }
}

/** The Job resource (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job). */
function jobResource(stored: StoredJob): Record<string, unknown> {
  const { job, rows, failure } = stored;
  const done = stored.pending === 0;
  const bytes = String(rows.totalBytesProcessed ?? 0);
  const status = !done ? { state: 'RUNNING' } : failure === undefined ? { state: 'DONE' } : { state: 'DONE', errorResult: failure.errors[0], errors: failure.errors };
  return {
    kind: 'bigquery#job',
    etag: etagOf(stored),
    id: `${job.projectId}:${job.location}.${job.jobId}`,
    jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
    configuration: { ...job.configuration, jobType: 'QUERY' },
    status,
    user_email: 'switchboard-tests@fake.iam.gserviceaccount.com',
    statistics: {
      creationTime: String(stored.created),
      startTime: String(stored.created),
      ...(done ? { endTime: String(stored.created) } : {}),
      totalBytesProcessed: bytes,
      query: {
        totalBytesProcessed: bytes,
        ...(job.dryRun ? {} : { totalBytesBilled: bytes, cacheHit: false }),
        ...(rows.numDmlAffectedRows === undefined ? {} : { numDmlAffectedRows: String(rows.numDmlAffectedRows) }),
        ...(rows.statementType === undefined ? {} : { statementType: rows.statementType }),
        ...(rows.schema === undefined || job.dryRun ? {} : { schema: { fields: rows.schema } }),
      },
      ...(job.sessionId === undefined ? {} : { sessionInfo: { sessionId: job.sessionId } }),
    },
  };
}

/** The job configuration BigQuery records for a jobs.query request (its QueryRequest fields that are JobConfigurationQuery fields). */
function queryConfiguration(body: Record<string, unknown>): { query: Record<string, unknown>; [key: string]: unknown } {
  const notConfiguration = new Set(['kind', 'timeoutMs', 'maxResults', 'formatOptions', 'requestId', 'location', 'jobCreationMode', 'labels', 'dryRun', 'preserveNulls', 'jobTimeoutMs']);
  const query = Object.fromEntries(Object.entries(body).filter(([k, v]) => !notConfiguration.has(k) && v !== undefined && v !== null));
  return {
    query,
    ...(body.labels === undefined ? {} : { labels: body.labels }),
    ...(body.dryRun === true ? { dryRun: true } : {}),
    ...(body.jobTimeoutMs === undefined ? {} : { jobTimeoutMs: body.jobTimeoutMs }),
  };
}

function etagOf(stored: StoredJob): string {
  return Buffer.from(`${stored.job.jobId}:${stored.pending}:${stored.failure === undefined ? 'ok' : 'failed'}`).toString('base64');
}
