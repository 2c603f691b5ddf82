/**
 * Bulk API 2.0 ingest jobs for the fake Salesforce (reference §1.5):
 * create (POST jobs/ingest) → upload CSV (PUT …/batches, 201) → close (PATCH
 * `{"state":"UploadComplete"}`) → poll (GET …/{id}) → results (successfulResults,
 * failedResults, unprocessedrecords as CSV).
 *
 * A closed job reports `InProgress` for `pollsBeforeComplete` status requests, then runs
 * its rows through the org in internal batches (allOrNone false within a batch) and
 * reports `JobComplete`, or `Failed` when the CSV names a field the object does not have
 * (`InvalidBatch : Field name not found : X`). Empty cells leave a field unchanged and `#N/A`
 * blanks it, as the Bulk API documents.
 *
 * Sources (docs corpus, Bulk API 2.0 and Bulk API Developer Guide):
 * - Job states and processing: "Understanding Bulk API 2.0 Ingest",
 *   https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/datafiles_understanding_bulk2_ingest.htm
 *   and "How Requests Are Processed" (…api_bulk_v2.meta/api_bulk_v2/how_requests_are_processed.htm):
 *   Salesforce splits the data into internal batches of 10,000 records, up to a daily maximum
 *   of 150,000,000 records; "If the limit is exceeded while processing your job data, the
 *   remaining data isn't processed. The ingest job is marked as having failed." A batch that
 *   cannot be processed in time is retried (10 or 20 times, by version); after that "the
 *   entire ingest job is moved to the Failed state and remaining job data isn't processed".
 *   Batches processed before that stay committed. `failNext()` scripts that case.
 * - Results: Get Job Successful / Failed / Unprocessed Record Results
 *   (…api_asynch.meta/api_asynch/get_job_successful_results.htm, get_job_failed_results.htm,
 *   get_job_unprocessed_results.htm): CSV, `sf__Id,sf__Created,…` / `sf__Id,sf__Error,…` /
 *   the original columns; order not guaranteed. Unprocessed records exist "for failed or
 *   aborted jobs"; the guide says to read failed and unprocessed results after a failure.
 *   Whether successfulResults answers for a Failed job the docs leave open [?]; the fake
 *   answers it, since the rows of the batches that ran are committed.
 * - The job's `errorMessage` on Failed is documented as a field; its wording for the daily
 *   record limit and for exhausted retries is not [?]: the fake's texts are its own.
 * - Limits and Allocations (…api_bulk_v2.meta/api_bulk_v2/bulk_api_2_limits.htm): maximum
 *   file size 150 MB; newer versions of the page add that data is base64-encoded on upload,
 *   so a CSV should be 100 MB or less. The fake measures an upload base64-encoded against
 *   `maxUploadBytes`. What Salesforce answers to an upload over the limit the docs leave open
 *   [?]: the fake answers 400 `[{"errorCode":"INVALIDJOB",…}]`, a whole-call refusal.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { RequestError, type FakeOrg, type FieldValue, type SaveResult, type SObjectType } from './org.js';

const OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;
type Operation = (typeof OPERATIONS)[number];
type State = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface IngestJob {
  id: string;
  object: SObjectType;
  operation: Operation;
  externalIdFieldName?: string;
  state: State;
  apiVersion: number;
  createdDate: string;
  csv: string[];
  pollsLeft: number;
  errorMessage?: string;
  header: string[];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
}

export interface BulkOptions {
  /** Status requests that still answer InProgress after the upload is complete. */
  pollsBeforeComplete: number;
  /** Records processed per rolling 24 hours (Salesforce: 150,000,000). */
  dailyRecords: number;
  /** Records per internal batch (Salesforce: 10,000). */
  internalBatchSize: number;
  /** Largest upload, base64-encoded (Salesforce: 150 MB). */
  maxUploadBytes: number;
  now: () => number;
}

export class BulkIngest {
  readonly jobs = new Map<string, IngestJob>();
  private readonly pollsBeforeComplete: number;
  /** (time, records) of the internal batches that ran, for the daily record limit. */
  private readonly processed: Array<{ at: number; records: number }> = [];
  private readonly scripted: Array<{ afterRecords: number; errorMessage?: string }> = [];

  constructor(
    private readonly org: FakeOrg,
    private readonly options: BulkOptions,
  ) {
    this.pollsBeforeComplete = options.pollsBeforeComplete;
  }

  /** The next job that runs fails after `afterRecords` records, as after exhausted internal retries. */
  failNext(failure: { afterRecords: number; errorMessage?: string }): void {
    this.scripted.push({ ...failure });
  }

  /** POST /jobs/ingest */
  create(body: Record<string, unknown>, apiVersion: number): Record<string, unknown> {
    const object = String(body.object ?? '');
    const operation = String(body.operation ?? '') as Operation;
    if (!this.org.isType(object)) throw new RequestError('INVALIDJOB', `Unable to find object: ${object}`);
    if (!OPERATIONS.includes(operation)) throw new RequestError('INVALIDJOB', `Invalid operation: ${operation}`);
    if ((body.contentType ?? 'CSV') !== 'CSV') throw new RequestError('INVALIDJOB', 'Only CSV is supported');
    if ((body.columnDelimiter ?? 'COMMA') !== 'COMMA') throw new RequestError('INVALIDJOB', 'The fake reads COMMA-delimited CSV only');
    let externalIdFieldName: string | undefined;
    if (operation === 'upsert') {
      const named = String(body.externalIdFieldName ?? '');
      externalIdFieldName = this.org.field(object, named);
      if (externalIdFieldName === undefined || !this.org.externalIdFields.includes(externalIdFieldName)) {
        throw new RequestError('INVALIDJOB', `External ID was blank for ${object}. An External ID must be specified for upsert.`);
      }
    }
    const now = new Date().toISOString();
    const job: IngestJob = {
      id: `750${randomUUID().replaceAll('-', '').slice(0, 12)}AAA`,
      object,
      operation,
      ...(externalIdFieldName === undefined ? {} : { externalIdFieldName }),
      state: 'Open',
      apiVersion,
      createdDate: now,
      csv: [],
      pollsLeft: this.pollsBeforeComplete,
      header: [],
      successful: [],
      failed: [],
      unprocessed: [],
    };
    this.jobs.set(job.id, job);
    return this.info(job);
  }

  /** PUT /jobs/ingest/{id}/batches */
  upload(id: string, csv: string): void {
    const job = this.job(id);
    if (job.state !== 'Open') throw new RequestError('INVALIDJOB', `Job ${id} is not open for uploads (state ${job.state})`);
    const encoded = Math.ceil(Buffer.byteLength(csv, 'utf8') / 3) * 4;
    if (encoded > this.options.maxUploadBytes) {
      throw new RequestError('INVALIDJOB', `The upload is ${encoded} bytes base64-encoded; the maximum file size is ${this.options.maxUploadBytes} bytes [fake: wording not documented]`);
    }
    job.csv.push(csv);
  }

  /** PATCH /jobs/ingest/{id} */
  setState(id: string, state: string): Record<string, unknown> {
    const job = this.job(id);
    if (state === 'UploadComplete') {
      if (job.state !== 'Open') throw new RequestError('INVALIDJOB', `Job ${id} is ${job.state}, not Open`);
      job.state = 'UploadComplete';
    } else if (state === 'Aborted') {
      if (['JobComplete', 'Failed'].includes(job.state)) throw new RequestError('INVALIDJOB', `Job ${id} is already ${job.state}`);
      job.state = 'Aborted';
      // Nothing of an aborted job ran: every uploaded row is unprocessed.
      const rows = this.rows(job);
      job.header = rows[0] ?? [];
      job.unprocessed = rows.slice(1);
    } else {
      throw new RequestError('INVALIDJOB', `Invalid state: ${state}`);
    }
    return this.info(job);
  }

  /** GET /jobs/ingest/{id}: advances a closed job. */
  status(id: string): Record<string, unknown> {
    const job = this.job(id);
    if (job.state === 'UploadComplete' || job.state === 'InProgress') {
      if (job.pollsLeft > 0) {
        job.pollsLeft -= 1;
        job.state = 'InProgress';
      } else {
        this.process(job);
      }
    }
    return this.info(job);
  }

  /** GET …/successfulResults | failedResults | unprocessedrecords, as CSV. */
  results(id: string, kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): string {
    const job = this.job(id);
    if (kind === 'unprocessedrecords') return stringify([job.header, ...job.unprocessed]);
    // Failed jobs keep the results of the batches that ran (see the header comment).
    if (job.state !== 'JobComplete' && job.state !== 'Failed') throw new RequestError('INVALIDJOB', `Job ${id} is ${job.state}; results are available once it is JobComplete`);
    if (kind === 'successfulResults') return stringify([['sf__Id', 'sf__Created', ...job.header], ...job.successful]);
    return stringify([['sf__Id', 'sf__Error', ...job.header], ...job.failed]);
  }

  delete(id: string): void {
    this.job(id);
    this.jobs.delete(id);
  }

  private job(id: string): IngestJob {
    const job = this.jobs.get(id);
    if (job === undefined) throw new RequestError('NOT_FOUND', 'The requested resource does not exist', 404);
    return job;
  }

  /** The uploaded CSV as rows, header first (later uploads repeat the header). */
  private rows(job: IngestJob): string[][] {
    return job.csv.flatMap((text, i) => {
      const parsed = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
      return i === 0 ? parsed : parsed.slice(1);
    });
  }

  private process(job: IngestJob): void {
    const rows = this.rows(job);
    job.header = rows[0] ?? [];
    const fields: string[] = [];
    for (const column of job.header) {
      const field = this.org.field(job.object, column);
      if (field === undefined) {
        job.state = 'Failed';
        job.errorMessage = `InvalidBatch : Field name not found : ${column}`;
        job.unprocessed = rows.slice(1);
        return;
      }
      fields.push(field);
    }
    const data = rows.slice(1);
    const scripted = this.scripted.shift();
    const size = Math.max(1, this.options.internalBatchSize);
    for (let start = 0; start < data.length; start += size) {
      const batch = data.slice(start, start + size);
      let stop: string | null = null;
      if (scripted !== undefined && start + batch.length > scripted.afterRecords) {
        stop = scripted.errorMessage ?? 'InternalServerError : batch retried the maximum number of times [fake wording]';
      } else if (this.usedToday() + batch.length > this.options.dailyRecords) {
        stop = `ExceededQuota : the daily limit of ${this.options.dailyRecords} Bulk API records is exceeded [fake wording]`;
      }
      if (stop !== null) {
        // The batches before this one stay committed; the rest is not processed.
        job.unprocessed = data.slice(start);
        job.state = 'Failed';
        job.errorMessage = stop;
        return;
      }
      this.processed.push({ at: this.options.now(), records: batch.length });
      for (const row of batch) this.runRow(job, fields, row);
    }
    job.state = 'JobComplete';
  }

  /** Records processed in the rolling 24 hours ending now. */
  private usedToday(): number {
    const since = this.options.now() - 24 * 3600_000;
    return this.processed.filter((p) => p.at > since).reduce((n, p) => n + p.records, 0);
  }

  private runRow(job: IngestJob, fields: string[], row: string[]): void {
    const values: Record<string, FieldValue> = {};
    fields.forEach((field, i) => {
      const text = row[i] ?? '';
      if (text !== '') values[field] = this.org.fromText(job.object, field, text);
    });
    const result = this.apply(job, values);
    if (result.success) job.successful.push([result.id ?? '', String(result.created ?? false), ...row]);
    else {
      const error = result.errors[0];
      job.failed.push([result.id ?? '', `${error?.statusCode}:${error?.message}:${error?.fields.join(',') ?? ''} --`, ...row]);
    }
  }

  private apply(job: IngestJob, values: Record<string, FieldValue>): SaveResult {
    const { Id: id, ...rest } = values;
    switch (job.operation) {
      case 'insert':
        return this.org.insert(job.object, rest);
      case 'upsert':
        return this.org.upsert(job.object, job.externalIdFieldName as string, rest);
      case 'update':
        return this.org.update(job.object, String(id ?? ''), rest);
      case 'delete':
      case 'hardDelete':
        return this.org.delete(String(id ?? ''));
    }
  }

  private info(job: IngestJob): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      ...(job.externalIdFieldName === undefined ? {} : { externalIdFieldName: job.externalIdFieldName }),
      createdById: '005000000000001AAA',
      createdDate: job.createdDate,
      systemModstamp: new Date().toISOString(),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: job.apiVersion,
      jobType: 'V2Ingest',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
      numberRecordsProcessed: job.successful.length + job.failed.length,
      numberRecordsFailed: job.failed.length,
      retries: 0,
      totalProcessingTime: 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
      ...(job.errorMessage === undefined ? {} : { errorMessage: job.errorMessage }),
    };
  }
}
