/**
 * A BigQuery warehouse through `@google-cloud/bigquery` v8 (v9 needs Node 22).
 *
 * Every statement is a query job (jobs.insert) with a job id chosen here, so a request retried
 * after a lost answer finds its job (409 `duplicate`) instead of running the statement twice:
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert and
 * https://cloud.google.com/bigquery/docs/error-messages (`duplicate`). Rate limits and 5xx are
 * retried with exponential back-off; `maximumBytesBilled` guards every query's cost; every job
 * carries the label `switchboard`, so the jobs it ran are easy to find in the console.
 *
 * Transactions are BigQuery's multi-statement transactions inside a session: BEGIN TRANSACTION
 * in a job that creates the session, each statement a job in it, then COMMIT TRANSACTION:
 * https://cloud.google.com/bigquery/docs/transactions and
 * https://cloud.google.com/bigquery/docs/sessions-intro. Only DML runs inside one; DDL is
 * refused before it is sent (sql/warehouses/transaction-handle.ts), as BigQuery would refuse it.
 */
import { randomUUID } from 'node:crypto';
import { BigQuery, type Job } from '@google-cloud/bigquery';
import { abortableSleep } from '../../../core/abortable-sleep.js';
import type { TableSpec } from '../../dialect.js';
import { SqlError } from '../../errors.js';
import { leadingKeyword, notReadOnly, READ_KEYWORDS } from '../../read-only-refusal.js';
import { introspectorOf } from '../../introspect.js';
import { writeRowsAsSql } from '../../write-rows.js';
import type { DryRunEstimate, Introspector, Queryable, QueryOptions, ReadOnlyQueryOptions, ReadOnlyResult, SqlParam, SqlRow, StreamOptions, Warehouse, WriteRow, WriteRowsOptions } from '../../warehouse.js';
import { queryCancelled } from '../cancel.js';
import { SerialLock } from '../serial-lock.js';
import { transactionHandle } from '../transaction-handle.js';
import type { BigQueryOptions } from './config.js';
import { BigQueryDialect } from './dialect.js';
import { explain, isTransient, reasonOf } from './errors.js';
import { bindParams, rowsFromRest, type RestRow, type SchemaField } from './values.js';

/** How to open BigQuery (sql/warehouses/bigquery/config.ts), plus retry tuning for tests. */
export interface BigQueryOpenOptions extends BigQueryOptions {
  /** Attempts for a transient failure (rate limit, 5xx) before giving up. Default 6. */
  maxAttempts?: number | undefined;
  /** First back-off in ms, doubled per attempt up to 32 s. Default 1000. */
  backoffMs?: number | undefined;
}

/** Per-job settings beyond the statement itself. */
interface JobSettings {
  sessionId?: string;
  createSession?: boolean;
  dryRun?: boolean;
  /** At most this many rows are read back (readOnlyQuery); default: all. */
  maxRows?: number;
  signal?: AbortSignal | undefined;
}

interface JobResult {
  job: Job;
  rows: SqlRow[];
  columns: string[];
  truncated: boolean;
  sessionId?: string;
  totalBytesProcessed?: number;
}

/**
 * Opens a BigQuery warehouse and checks that it answers (`SELECT 1`).
 * @example const wh = await openBigQuery({ projectId: 'acme', location: 'US', datasetPrefix: 'sb_', maximumBytesBilled: 10 * 2 ** 30, jobTimeoutMs: 600_000 })
 */
export async function openBigQuery(options: BigQueryOpenOptions): Promise<Warehouse> {
  const client = new BigQuery({
    projectId: options.projectId,
    location: options.location,
    ...(options.keyFile === undefined ? {} : { keyFilename: options.keyFile }),
    ...(options.apiEndpoint === undefined ? {} : { apiEndpoint: options.apiEndpoint }),
    // Retries are ours (with the same job id), so the library's own would only double them.
    autoRetry: false,
  });
  const warehouse = new BigQueryWarehouse(client, options);
  try {
    await warehouse.ping();
  } catch (cause) {
    throw new SqlError(
      'SB_SQL_UNAVAILABLE',
      `Cannot reach BigQuery project ${options.projectId} (${options.location}): ${(cause as Error).message}`,
      { configKey: 'warehouse.projectId', cause },
    );
  }
  return warehouse;
}

class BigQueryWarehouse implements Warehouse {
  readonly dialect: BigQueryDialect;
  /** Datasets, tables and columns, from the dataset-qualified INFORMATION_SCHEMA views. */
  readonly introspector: Introspector = introspectorOf(this, () => this.dialect);
  /** Transactions one at a time: concurrent ones on the same tables would abort each other at commit. */
  private readonly lock = new SerialLock(false);
  private closed = false;

  constructor(
    private readonly client: BigQuery,
    private readonly options: BigQueryOpenOptions,
  ) {
    this.dialect = new BigQueryDialect({ schemaPrefix: options.datasetPrefix, location: options.location });
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<void> {
    await this.query(sql, params, {});
  }

  async all<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
    return (await this.query(sql, params, { signal: options.signal })).rows as T[];
  }

  /** The result a page (`maxResults` = batchRows) at a time, as jobs.getQueryResults pages it. */
  async *stream(sql: string, params: readonly SqlParam[] = [], options: StreamOptions = {}): AsyncIterable<SqlRow[]> {
    const batchRows = options.batchRows ?? 1_000;
    if (!Number.isInteger(batchRows) || batchRows < 1) throw new SqlError('SB_SQL_INVALID_PARAM', `batchRows must be a positive integer, got ${batchRows}.`);
    const job = await this.withRetries('job insert', options.signal, () => this.insertJob(`switchboard_${randomUUID()}`, sql, params, {}));
    for await (const page of this.pages(job, batchRows, options.signal)) yield page.rows;
  }

  /**
   * One statement (rows that fit one JSON parameter) runs as it is: a single DML statement is
   * atomic by itself. More run in one multi-statement transaction, which needs a session.
   */
  async writeRows(table: TableSpec, rows: readonly WriteRow[], options?: WriteRowsOptions): Promise<void> {
    const statements: Array<{ sql: string; params: readonly SqlParam[] }> = [];
    await writeRowsAsSql(async (sql, params) => void statements.push({ sql, params }), this.dialect, table, rows, options);
    const [only] = statements;
    if (statements.length === 1 && only !== undefined) return this.run(only.sql, only.params);
    if (statements.length > 1) await this.transaction(async (tx) => {
      for (const { sql, params } of statements) await tx.run(sql, params);
    });
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.lock.run(async () => {
      const begin = await this.query('BEGIN TRANSACTION', [], { createSession: true });
      const sessionId = begin.sessionId;
      if (sessionId === undefined) throw new SqlError('SB_SQL_UNAVAILABLE', 'BigQuery created no session for a transaction (statistics.sessionInfo is missing).');
      const { tx, end } = transactionHandle(
        async (sql, params) => void (await this.query(sql, params, { sessionId })),
        async (sql, params) => (await this.query(sql, params, { sessionId })).rows as never,
        this.dialect,
      );
      try {
        const result = await fn(tx);
        end();
        await this.query('COMMIT TRANSACTION', [], { sessionId });
        return result;
      } catch (error) {
        end();
        await this.query('ROLLBACK TRANSACTION', [], { sessionId }).catch(() => undefined);
        throw error;
      } finally {
        // Ends the session at once rather than after its idle timeout.
        await this.query('CALL BQ.ABORT_SESSION()', [], { sessionId }).catch(() => undefined);
      }
    });
  }

  /**
   * An analyst's query: BigQuery itself says what kind of statement it is (a dry run's
   * `statementType`), and only a SELECT runs, billed at most `maximumBytesBilled`.
   */
  async readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<ReadOnlyResult> {
    if (!READ_KEYWORDS.has(leadingKeyword(sql))) throw notReadOnly('This');
    const type = (await this.dryRun(sql)).statementType;
    if (type !== undefined && type !== 'SELECT') throw notReadOnly(`A ${type}`);
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const result = await this.query(sql, [], { maxRows: options.maxRows, signal });
      return { columns: result.columns, rows: result.rows, truncated: result.truncated };
    } catch (error) {
      if (signal.aborted) throw new SqlError('SB_SQL_QUERY_TIMEOUT', `The query ran longer than ${options.timeoutMs} ms and was cancelled; narrow it, or raise admin.sqlTimeoutMs.`);
      throw error;
    }
  }

  /**
   * A dry-run job (JobConfiguration.dryRun): BigQuery checks the statement and answers what it
   * would process, running and billing nothing: "a valid query will return a mostly empty
   * response with some processing statistics, while an invalid query will return the same
   * error it would if it wasn't a dry run"
   * (JobConfiguration.dryRun, https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfiguration;
   * "you aren't charged for performing a dry run", https://cloud.google.com/bigquery/docs/running-queries#dry-run). The job carries the label
   * and maximumBytesBilled like every other; the limit comes back as `bytesLimit`, so a caller
   * can tell that the real run would fail with bytesBilledLimitExceeded.
   */
  async dryRun(sql: string, params: readonly SqlParam[] = []): Promise<DryRunEstimate> {
    const dry = await this.query(sql, params, { dryRun: true });
    const type = (dry.job.metadata as { statistics?: { query?: { statementType?: string } } } | undefined)?.statistics?.query?.statementType;
    return {
      bytesProcessed: dry.totalBytesProcessed ?? null,
      ...(type === undefined ? {} : { statementType: type }),
      bytesLimit: { bytes: this.options.maximumBytesBilled, configKey: 'warehouse.maximumBytesBilled' },
    };
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1 AS ok', [], {});
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new SqlError('SB_SQL_CLOSED', 'This BigQuery warehouse was closed.');
  }

  /** Runs one statement as a job, retrying transient failures with the same job id, and reads its rows. */
  private async query(sql: string, params: readonly SqlParam[], settings: JobSettings): Promise<JobResult> {
    this.assertOpen();
    const jobId = `switchboard_${randomUUID()}`;
    const job = await this.withRetries('job insert', settings.signal, () => this.insertJob(jobId, sql, params, settings));
    const onAbort = (): void => void job.cancel().catch(() => undefined);
    settings.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.readResults(job, settings);
    } catch (error) {
      if (settings.signal?.aborted === true) throw queryCancelled(error);
      throw error;
    } finally {
      settings.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async insertJob(jobId: string, sql: string, params: readonly SqlParam[], settings: JobSettings): Promise<Job> {
    const bound = bindParams(params);
    try {
      const [job] = await this.client.createQueryJob({
        query: sql,
        jobId,
        location: this.options.location,
        ...(params.length === 0 ? {} : { params: bound.params, types: bound.types }),
        maximumBytesBilled: String(this.options.maximumBytesBilled),
        jobTimeoutMs: this.options.jobTimeoutMs,
        labels: { switchboard: 'true' },
        ...(settings.dryRun === true ? { dryRun: true } : {}),
        ...(settings.createSession === true ? { createSession: true } : {}),
        ...(settings.sessionId === undefined ? {} : { connectionProperties: [{ key: 'session_id', value: settings.sessionId }] }),
      });
      return job;
    } catch (error) {
      // The first attempt reached BigQuery but its answer was lost: the job exists, so use it.
      if (reasonOf(error) === 'duplicate' || (error as { code?: number }).code === 409) return this.client.job(jobId, { location: this.options.location });
      throw error;
    }
  }

  private async readResults(job: Job, settings: JobSettings): Promise<JobResult> {
    if (settings.dryRun === true) {
      const statistics = (job.metadata as { statistics?: { totalBytesProcessed?: string } }).statistics;
      return { job, rows: [], columns: [], truncated: false, ...bytes(statistics?.totalBytesProcessed) };
    }
    const rows: SqlRow[] = [];
    let columns: string[] = [];
    let total: string | undefined;
    const limit = settings.maxRows === undefined ? Infinity : settings.maxRows + 1;
    for await (const page of this.pages(job, Math.min(limit, 10_000), settings.signal)) {
      columns = page.columns;
      total = page.totalBytesProcessed;
      rows.push(...page.rows);
      if (rows.length >= limit) break;
    }
    const truncated = rows.length > (settings.maxRows ?? Infinity);
    const metadata = job.metadata as { statistics?: { sessionInfo?: { sessionId?: string }; query?: { totalBytesProcessed?: string } } } | undefined;
    const sessionId = metadata?.statistics?.sessionInfo?.sessionId ?? (settings.createSession === true ? await this.sessionOf(job) : undefined);
    return {
      job,
      rows: truncated ? rows.slice(0, settings.maxRows) : rows,
      columns,
      truncated,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...bytes(total),
    };
  }

  /**
   * The job's result page by page: getQueryResults waits up to 10 s per call while the job
   * runs (`jobComplete: false` asks again), then pages by `pageToken`:
   * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults
   */
  private async *pages(job: Job, pageSize: number, signal: AbortSignal | undefined): AsyncGenerator<{ columns: string[]; rows: SqlRow[]; totalBytesProcessed?: string }> {
    let pageToken: string | undefined;
    for (;;) {
      if (signal?.aborted === true) throw queryCancelled(signal.reason);
      const [raw, , answer] = await this.withRetries('query', signal, async () =>
        (await job.getQueryResults({
          autoPaginate: false,
          skipParsing: true,
          timeoutMs: 10_000,
          maxResults: pageSize,
          ...(pageToken === undefined ? {} : { pageToken }),
        } as never)) as unknown as [RestRow[] | undefined, unknown, QueryResponse | undefined],
      );
      const response = answer ?? {};
      if (response.jobComplete === false) continue; // still running: poll again (the call waited up to timeoutMs)
      const fields = response.schema?.fields ?? [];
      yield { columns: fields.map((f) => f.name), rows: rowsFromRest(fields, raw ?? []), ...(response.totalBytesProcessed === undefined ? {} : { totalBytesProcessed: response.totalBytesProcessed }) };
      pageToken = response.pageToken;
      if (pageToken === undefined) return;
    }
  }

  private async sessionOf(job: Job): Promise<string | undefined> {
    const [metadata] = (await job.getMetadata()) as unknown as [{ statistics?: { sessionInfo?: { sessionId?: string } } }];
    return metadata.statistics?.sessionInfo?.sessionId;
  }

  /** `fn`, again after a back-off while it fails transiently (rate limits, 5xx), at most maxAttempts times. */
  private async withRetries<T>(what: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const attempts = this.options.maxAttempts ?? 6;
    const base = this.options.backoffMs ?? 1_000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fn();
      } catch (error) {
        if (attempt >= attempts || !isTransient(error) || signal?.aborted === true) throw explain(error, what);
        await abortableSleep(Math.min(32_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
      }
    }
  }
}

interface QueryResponse {
  jobComplete?: boolean;
  pageToken?: string;
  totalBytesProcessed?: string;
  schema?: { fields?: SchemaField[] };
}

function bytes(value: string | undefined): { totalBytesProcessed?: number } {
  return value === undefined ? {} : { totalBytesProcessed: Number(value) };
}
