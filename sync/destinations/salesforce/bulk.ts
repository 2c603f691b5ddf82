/**
 * Bulk API 2.0 ingest (reference §1.5) for big batches: create the job, upload one CSV,
 * close it, poll until it is done, then read successfulResults and failedResults and map
 * each row back to its record (by external ID, or by Id for updates and deletes).
 *
 * The CSV is written here rather than by jsforce, so its columns are exactly the mapped
 * fields: jsforce adds an `Id` column to upserts of records given as objects. A null is
 * `#N/A` (the Bulk API's way to blank a field); a field a record does not map is left empty,
 * which leaves it unchanged.
 *
 * Polling is our own loop over `job.check()` rather than jsforce's poll(), whose 30 s
 * default timeout is too short for big jobs and which cannot be aborted.
 *
 * Size: an upload may be 150 MB, measured after Salesforce base64-encodes it, so the raw CSV
 * of one job stays at 100 MB or less (Bulk API 2.0 Limits and Allocations,
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_limits.htm).
 * A bigger batch is split into several jobs, one after another (`maxCsvBytes`).
 *
 * A job that ends `Failed` may have committed rows first: Salesforce runs a job in internal
 * batches of 10,000 and fails it when a batch runs out of retries or the daily record limit
 * is reached, leaving the remaining rows unprocessed ("Understanding Bulk API 2.0 Ingest",
 * …api_asynch.meta/api_bulk_v2/datafiles_understanding_bulk2_ingest.htm: "use the Failed Record
 * Results and Get Job Unprocessed Record Results resources"). So on `Failed` the three result
 * files are read: successful rows are sent, failed rows rejected (or retried) as usual, and
 * unprocessed rows come back as `retry` for the engine's next attempt. Only a job that failed
 * before processing anything because of its CSV (`InvalidBatch`, e.g. an unknown field) stops
 * the run for good. A failure for the daily record limit defers the rest to the next run.
 *
 * Results are read as raw text and parsed here with `,` as the only delimiter: jsforce's
 * own parse accepts any of `, ; | ^ \` TAB` as delimiters, so an unquoted value holding a `;`
 * (a Description like "Outcome: answered; from …") shifts the columns, the parse fails and
 * jsforce hands back the raw text instead of rows.
 */
import { parse } from 'csv-parse/sync';
import { abortableSleep as sleep } from '../../../core/abortable-sleep.js';
import { stringify } from 'csv-stringify/sync';
import type { Logger } from 'pino';
import { DeferRunError, PermanentDestinationError, type ChangeRecord, type RecordOutcome } from '../../destination.js';
import type { DmlTarget } from './collections.js';
import { SalesforceTransientError } from './errors.js';
import { outcomeOf, parseBulkError, type DmlOperation } from './results.js';

export interface BulkPolling {
  /** Between status checks; default 2 s. */
  intervalMs: number;
  /** Give up waiting (the job keeps running in Salesforce) after this long; default 10 min. */
  timeoutMs: number;
}

/** The raw CSV one job may upload: 100 MB, which base64-encoded stays under Salesforce's 150 MB. */
export const MAX_CSV_BYTES = 100 * 1024 * 1024;

type Cell = string | number | boolean | null | undefined;

function csvCell(value: Cell): string {
  if (value === undefined) return '';
  if (value === null) return '#N/A';
  return String(value);
}

/** The CSV of a job: header, then one row per record. */
export function bulkCsv(op: DmlOperation, records: readonly ChangeRecord[], target: Pick<DmlTarget, 'externalIdField' | 'ids'>): string {
  return bulkJobs(op, records, target, Number.POSITIVE_INFINITY)[0]?.csv ?? '';
}

/**
 * The jobs for `records`: each one's CSV (header included) at most `maxBytes` bytes, except a
 * single row bigger than that, which goes alone (Salesforce refuses it, and says why).
 */
export function bulkJobs(op: DmlOperation, records: readonly ChangeRecord[], target: Pick<DmlTarget, 'externalIdField' | 'ids'>, maxBytes: number): Array<{ records: ChangeRecord[]; csv: string }> {
  const fieldNames = [...new Set(records.flatMap((r) => Object.keys(r.fields)))].filter((f) => f !== target.externalIdField && f !== 'Id');
  const first = op === 'update' || op === 'delete' ? 'Id' : target.externalIdField;
  const columns = op === 'delete' ? ['Id'] : [first, ...fieldNames];
  const header = stringify([columns], { record_delimiter: 'unix' });
  const jobs: Array<{ records: ChangeRecord[]; csv: string }> = [];
  let current: { records: ChangeRecord[]; lines: string[]; bytes: number } | null = null;
  for (const r of records) {
    const line = stringify(
      [[first === 'Id' ? (target.ids.get(r.key) as string) : r.key, ...(op === 'delete' ? [] : fieldNames.map((f) => csvCell(r.fields[f])))]],
      { record_delimiter: 'unix' },
    );
    const bytes = Buffer.byteLength(line, 'utf8');
    if (current !== null && current.bytes + bytes > maxBytes) {
      jobs.push({ records: current.records, csv: header + current.lines.join('') });
      current = null;
    }
    current ??= { records: [], lines: [], bytes: Buffer.byteLength(header, 'utf8') };
    current.records.push(r);
    current.lines.push(line);
    current.bytes += bytes;
  }
  if (current !== null) jobs.push({ records: current.records, csv: header + current.lines.join('') });
  return jobs;
}

/**
 * Bulk API 2.0 jobs for `records`, each CSV at most `maxCsvBytes` (default 100 MB), one after
 * another; outcomes go into `done`.
 */
export async function sendBulk(
  target: DmlTarget,
  op: DmlOperation,
  records: readonly ChangeRecord[],
  done: Map<string, RecordOutcome>,
  polling: BulkPolling,
  logger?: Logger,
  maxCsvBytes = MAX_CSV_BYTES,
): Promise<void> {
  for (const job of bulkJobs(op, records, target, maxCsvBytes)) await sendJob(target, op, job.records, job.csv, done, polling, logger);
}

/** One Bulk API 2.0 job. */
async function sendJob(
  target: DmlTarget,
  op: DmlOperation,
  records: readonly ChangeRecord[],
  csv: string,
  done: Map<string, RecordOutcome>,
  polling: BulkPolling,
  logger?: Logger,
): Promise<void> {
  const { session, object, externalIdField, ids, signal } = target;
  const operation = op === 'insert' ? 'insert' : op;
  const where = (step: string) => `Bulk API 2.0 ${operation} of ${records.length} ${object} (${step})`;
  signal.throwIfAborted();
  const job = await session.call(where('create job'), async (conn) => {
    const created = conn.bulk2.createJob({
      object,
      operation,
      ...(op === 'upsert' ? { externalIdFieldName: externalIdField } : {}),
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    });
    await created.open();
    return created;
  });
  logger?.info({ jobId: job.id, operation, object, records: records.length }, 'Bulk API 2.0 job opened');
  await session.call(where('upload'), () => job.uploadData(csv));
  await session.call(where('close'), () => job.close());

  const started = Date.now();
  let failedCount: number | undefined;
  let jobFailure: string | null = null;
  for (let poll = 0; ; poll++) {
    // A job takes a moment: the first status check after one interval, not at once.
    if (poll === 0) await sleep(polling.intervalMs, signal);
    if (signal.aborted) {
      await job.abort().catch(() => undefined);
      signal.throwIfAborted();
    }
    const info = await session.call(where('status'), () => job.check());
    if (info.state === 'JobComplete') {
      failedCount = typeof info.numberRecordsFailed === 'number' ? info.numberRecordsFailed : undefined;
      break;
    }
    if (info.state === 'Failed') {
      const reason = info.errorMessage ?? 'no reason given';
      const processed = typeof info.numberRecordsProcessed === 'number' ? info.numberRecordsProcessed : 0;
      if (processed === 0 && /^InvalidBatch\b/.test(reason)) {
        // The CSV itself was refused (e.g. a column that is not a field): nothing ran, and resending cannot help.
        throw new PermanentDestinationError(
          'SB_SYNC_SALESFORCE_BULK_JOB_FAILED',
          `${where('status')}: job ${job.id} failed: ${reason}. Check the sync's mapping against the ${object} fields.`,
        );
      }
      // Rows of the internal batches that ran are committed: read what happened to each.
      jobFailure = reason;
      failedCount = typeof info.numberRecordsFailed === 'number' ? info.numberRecordsFailed : undefined;
      break;
    }
    if (info.state === 'Aborted') throw new SalesforceTransientError('BULK_JOB_ABORTED', `${where('status')}: job ${job.id} was aborted in Salesforce.`);
    if (Date.now() - started > polling.timeoutMs) {
      throw new SalesforceTransientError(
        'BULK_JOB_TIMEOUT',
        `${where('status')}: job ${job.id} is still ${info.state} after ${Math.round(polling.timeoutMs / 1000)} s; it keeps running in Salesforce and the batch is sent again later (upserts are idempotent).`,
      );
    }
    await sleep(polling.intervalMs, signal);
  }

  const rows = (text: unknown): Array<Record<string, string>> =>
    typeof text === 'string' && text.trim() !== '' ? (parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Array<Record<string, string>>) : [];
  const successful = rows(await session.call(where('successful results'), () => job.getSuccessfulResults(true)));
  // The job says how many failed: with none, there is no failed-results file to fetch.
  const failed = failedCount === 0 ? [] : rows(await session.call(where('failed results'), () => job.getFailedResults(true)));
  const byExternalId = new Map(records.map((r) => [r.key, r]));
  const byId = new Map(records.filter((r) => ids.has(r.key)).map((r) => [ids.get(r.key) as string, r]));
  // Results come in any order (reference §1.5): find each row's record by the column we sent.
  const recordOf = (row: Record<string, unknown>): ChangeRecord | undefined =>
    op === 'update' || op === 'delete' ? byId.get(String(row.Id ?? row.sf__Id ?? '')) : byExternalId.get(String(row[externalIdField] ?? ''));
  for (const row of successful) {
    const record = recordOf(row);
    if (record !== undefined) done.set(record.key, outcomeOf(record, { id: String(row.sf__Id ?? ''), success: true, errors: [] }, op, externalIdField));
  }
  for (const row of failed) {
    const record = recordOf(row);
    if (record === undefined) continue;
    const id = typeof row.sf__Id === 'string' && row.sf__Id !== '' ? row.sf__Id : null;
    done.set(record.key, outcomeOf(record, { id, success: false, errors: [parseBulkError(String(row.sf__Error ?? ''))] }, op, externalIdField, ids.get(record.key) ?? null));
  }
  if (jobFailure !== null) {
    const unprocessed = rows(await session.call(where('unprocessed records'), () => job.getUnprocessedRecords(true)));
    // The daily record limit does not clear within this run [? Salesforce's wording of it is not documented].
    const deferRun = /limit|quota/i.test(jobFailure);
    const code = deferRun ? 'SB_SYNC_SALESFORCE_DAILY_LIMIT' : 'BULK_JOB_FAILED';
    const reason = `Bulk API 2.0 job ${job.id} failed before this row was processed: ${jobFailure}`;
    for (const row of unprocessed) {
      const record = recordOf(row);
      if (record !== undefined && !done.has(record.key)) done.set(record.key, { key: record.key, status: 'retry', code, reason, ...(deferRun ? { deferRun } : {}) });
    }
    logger?.[deferRun ? 'error' : 'warn'](
      { jobId: job.id, code, successful: successful.length, failed: failed.length, unprocessed: unprocessed.length },
      `Bulk API 2.0 job failed after processing some rows: ${jobFailure}`,
    );
    return;
  }
  // Rows missing from both files get no outcome: the engine retries them.
  logger?.info({ jobId: job.id, successful: successful.length, failed: failed.length }, 'Bulk API 2.0 job complete');
}
