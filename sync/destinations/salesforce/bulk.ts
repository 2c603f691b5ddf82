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
 * Results are read as raw text and parsed here with `,` as the only delimiter: jsforce's
 * own parse accepts any of `, ; | ^ \` TAB` as delimiters, so an unquoted value holding a `;`
 * (a Description like "Outcome: answered; from …") shifts the columns, the parse fails and
 * jsforce hands back the raw text instead of rows.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Logger } from 'pino';
import { PermanentDestinationError, type ChangeRecord, type RecordOutcome } from '../../destination.js';
import type { DmlTarget } from './collections.js';
import { SalesforceTransientError } from './errors.js';
import { outcomeOf, parseBulkError, type DmlOperation } from './results.js';

export interface BulkPolling {
  /** Between status checks; default 2 s. */
  intervalMs: number;
  /** Give up waiting (the job keeps running in Salesforce) after this long; default 10 min. */
  timeoutMs: number;
}

type Cell = string | number | boolean | null | undefined;

function csvCell(value: Cell): string {
  if (value === undefined) return '';
  if (value === null) return '#N/A';
  return String(value);
}

/** The CSV of a job: header, then one row per record. */
export function bulkCsv(op: DmlOperation, records: readonly ChangeRecord[], target: Pick<DmlTarget, 'externalIdField' | 'ids'>): string {
  const fieldNames = [...new Set(records.flatMap((r) => Object.keys(r.fields)))].filter((f) => f !== target.externalIdField && f !== 'Id');
  const first = op === 'update' || op === 'delete' ? 'Id' : target.externalIdField;
  const columns = op === 'delete' ? ['Id'] : [first, ...fieldNames];
  const rows = records.map((r) => [
    first === 'Id' ? (target.ids.get(r.key) as string) : r.key,
    ...(op === 'delete' ? [] : fieldNames.map((f) => csvCell(r.fields[f]))),
  ]);
  return stringify([columns, ...rows], { record_delimiter: 'unix' });
}

/** One Bulk API 2.0 job for `records`; outcomes go into `done`. */
export async function sendBulk(
  target: DmlTarget,
  op: DmlOperation,
  records: readonly ChangeRecord[],
  done: Map<string, RecordOutcome>,
  polling: BulkPolling,
  logger?: Logger,
): Promise<void> {
  const { session, object, externalIdField, ids, signal } = target;
  const operation = op === 'insert' ? 'insert' : op;
  const where = (step: string) => `Bulk API 2.0 ${operation} of ${records.length} ${object} (${step})`;
  const csv = bulkCsv(op, records, target);
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
      throw new PermanentDestinationError(
        'SB_SYNC_SALESFORCE_BULK_JOB_FAILED',
        `${where('status')}: job ${job.id} failed: ${info.errorMessage ?? 'no reason given'}. Check the sync's mapping against the ${object} fields.`,
      );
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
  // Unprocessed rows (and any row missing from both files) get no outcome: the engine retries them.
  logger?.info({ jobId: job.id, successful: successful.length, failed: failed.length }, 'Bulk API 2.0 job complete');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
