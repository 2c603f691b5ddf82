/**
 * The Salesforce destination: one record per changed row (a Task per call), written by an
 * external-ID field so that sending the same change twice is harmless.
 *
 * Batches: the engine asks batchSizeFor(total). A run with at most `bulkThreshold` changes
 * gets batches of 1,000 (five sObject Collections calls of 200), so the engine checkpoints
 * one batch while the next is sent; a bigger run gets batches of up to `batchSize` (10,000 by
 * default, always more than `bulkThreshold`), and per operation (plan.ts) more than
 * `bulkThreshold` records go through one Bulk API 2.0 job. A small diff costs one call per
 * 200 records; a big one a handful of calls in all. With `requestsPerSecond` set, the
 * session paces every call to that allowance.
 *
 * Create-only fields (create-only.ts): a Task is created with `TaskSubtype = 'Call'`, which
 * Salesforce never lets a call change. Records that may create send it; updates leave it out;
 * an upsert that meets an existing Task (a resend after a crash) is refused for it and sent
 * again at once without it.
 *
 * Bulk uploads stay at `bulkMaxCsvBytes` (100 MB) of CSV per job (bulk.ts).
 *
 * Failures: a whole-call failure before any record got an outcome is thrown (Transient or
 * Permanent, see errors.ts); once some calls of the batch went through, their outcomes are
 * kept and the rest come back as `retry` with Salesforce's code and Retry-After, so a rate
 * limit halfway through a batch does not resend what was confirmed.
 */
import type { Logger } from 'pino';
import {
  DeferRunError,
  PermanentDestinationError,
  TransientDestinationError,
  type ChangeRecord,
  type Destination,
  type RecordOutcome,
  type SendContext,
} from '../../destination.js';
import type { Warehouse } from '../../../sql/warehouse.js';
import { sendBulk, type BulkPolling } from './bulk.js';
import { sendCollections, type DmlTarget } from './collections.js';
import { forSend, refusedCreateOnly } from './create-only.js';
import { SalesforceTransientError } from './errors.js';
import { API_NAME, findIds } from './lookup.js';
import { PEOPLE_TABLE, pullSalesforcePeople } from './people.js';
import { planBatch, type SalesforceSendContext } from './plan.js';
import type { DmlOperation } from './results.js';
import type { SalesforceSession } from './session.js';

export interface SalesforceDestinationOptions {
  logger?: Logger;
  /** Pull Contacts and Leads before each sync (beforeSync); default true. */
  fetchPeople?: boolean;
  /**
   * Skip the pull when this destination filled the table less than this long ago and it
   * still has rows; default 15 minutes. Each pull costs one API call per 2,000 people, and
   * syncs run every 5 minutes by default.
   */
  peopleMaxAgeMs?: number;
  /** The schema of the `salesforce_people` model when the engine does not say (models.schema); default `analytics`. */
  peopleSchema?: string;
  /** For national numbers in Salesforce when the engine does not say (models.defaultRegion). */
  defaultRegion?: string;
  /** Records per send(); default 5 × bulkThreshold, at least 10,000 and at most 100,000. */
  batchSize?: number;
  bulkPolling?: Partial<BulkPolling>;
  /** Raw CSV per Bulk API 2.0 job at most; default 100 MB (Salesforce takes 150 MB base64-encoded). */
  bulkMaxCsvBytes?: number;
}

/** What the engine passes to beforeSync; `modelsSchema` and `defaultRegion` when it knows them. */
export interface SalesforceBeforeSyncContext {
  warehouse: Warehouse;
  rawSchema: string;
  signal: AbortSignal;
  modelsSchema?: string;
  defaultRegion?: string;
}

/** The order operations run in a batch: deletes first, so a key that moved frees its external ID. */
const ORDER: readonly DmlOperation[] = ['delete', 'upsert', 'insert', 'update'];

export class SalesforceDestination implements Destination {
  readonly type = 'salesforce';
  readonly batchSize: number;
  private readonly polling: BulkPolling;
  private lastPull = 0;

  constructor(
    readonly session: SalesforceSession,
    private readonly options: SalesforceDestinationOptions = {},
  ) {
    const threshold = session.settings.bulkThreshold;
    this.batchSize = options.batchSize ?? Math.min(100_000, Math.max(10_000, threshold * 5));
    this.polling = { intervalMs: 2000, timeoutMs: 10 * 60_000, ...options.bulkPolling };
  }

  /**
   * Up to bulkThreshold changes go through sObject Collections: batches of 1,000 (five calls),
   * so the engine checkpoints one batch while the next is being sent. Above it, one batch
   * per Bulk API 2.0 job.
   */
  batchSizeFor(total: number): number {
    return total > this.session.settings.bulkThreshold ? this.batchSize : Math.min(this.batchSize, 1_000);
  }

  async send(records: readonly ChangeRecord[], context: SendContext): Promise<RecordOutcome[]> {
    const { externalIdField, bulkThreshold } = this.session.settings;
    const object = context.object;
    if (!API_NAME.test(object)) {
      throw new PermanentDestinationError('SB_SYNC_SALESFORCE_REQUEST_REFUSED', `sync ${context.sync}: "${object}" is not a Salesforce object name (e.g. Task).`);
    }
    const plan = planBatch(records, (context as SalesforceSendContext).mode);
    const done = new Map<string, RecordOutcome>();
    for (const record of plan.skip) {
      done.set(record.key, { key: record.key, status: 'skipped', code: 'CREATE_ONLY', reason: 'a create-only sync does not update records' });
    }
    try {
      // Updates and deletes need the record Id: the one Salesforce gave last time, else found by external ID.
      const ids = new Map<string, string>();
      for (const record of records) if (record.externalRef !== null) ids.set(record.key, record.externalRef);
      const unknown = [...plan.update, ...plan.delete].filter((r) => !ids.has(r.key)).map((r) => r.key);
      if (unknown.length > 0) {
        for (const [key, id] of await findIds(this.session, object, externalIdField, unknown, context.signal)) ids.set(key, id);
      }
      for (const record of plan.update) {
        if (!ids.has(record.key)) done.set(record.key, { key: record.key, status: 'skipped', code: 'NOT_FOUND', reason: `no ${object} has ${externalIdField} = ${record.key}; an update-only sync does not create it` });
      }
      for (const record of plan.delete) {
        if (!ids.has(record.key)) done.set(record.key, { key: record.key, status: 'sent', externalRef: null });
      }
      const target: DmlTarget = { session: this.session, object, externalIdField, ids, signal: context.signal };
      const dml = async (op: DmlOperation, group: ChangeRecord[]): Promise<void> => {
        if (group.length > bulkThreshold) await sendBulk(target, op, group, done, this.polling, this.options.logger, this.options.bulkMaxCsvBytes);
        else await sendCollections(target, op, group, done);
      };
      for (const op of ORDER) {
        const pending = plan[op].filter((r) => !done.has(r.key));
        if (pending.length === 0) continue;
        // Creates carry the create-only defaults; a record that can only be updated leaves them out.
        const mayCreate = (r: ChangeRecord) => op === 'insert' || (op === 'upsert' && r.action === 'create');
        await dml(op, op === 'delete' ? pending : pending.map((r) => forSend(r, object, mayCreate(r) ? 'create' : 'update')));
        // An upsert that met an existing record was refused for a create-only field: send it again without.
        const again = op === 'upsert' ? pending.filter((r) => mayCreate(r) && refusedCreateOnly(done.get(r.key), object)) : [];
        for (const r of again) done.delete(r.key);
        if (again.length > 0) await dml(op, again.map((r) => forSend(r, object, 'update')));
      }
    } catch (error) {
      if (context.signal.aborted || !(error instanceof TransientDestinationError) || done.size === 0) throw error;
      // Part of the batch went through: keep it, and let the engine retry the rest.
      const code = error instanceof SalesforceTransientError || error instanceof DeferRunError ? error.code : 'TRANSIENT';
      const defer = error instanceof DeferRunError ? { deferRun: true } : {};
      this.options.logger?.warn({ sync: context.sync, confirmed: done.size, retrying: records.length - done.size, code }, `Salesforce: ${error.message}`);
      return records.map(
        (r) => done.get(r.key) ?? { key: r.key, status: 'retry', code, reason: error.message, ...defer, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) },
      );
    }
    return records.map((r) => done.get(r.key) ?? { key: r.key, status: 'retry', code: 'NO_RESULT', reason: 'Salesforce returned no result for this record' });
  }

  /**
   * Pulls Contacts and Leads into `<models schema>.salesforce_people` for the WhoId match,
   * unless that was done less than `peopleMaxAgeMs` ago (each pull costs one API call per
   * 2,000 people).
   */
  async beforeSync(context: SalesforceBeforeSyncContext): Promise<void> {
    if (this.options.fetchPeople === false) return;
    const schema = context.modelsSchema ?? this.options.peopleSchema ?? 'analytics';
    const maxAge = this.options.peopleMaxAgeMs ?? 15 * 60_000;
    if (Date.now() - this.lastPull < maxAge && (await this.peopleRows(context.warehouse, schema)) > 0) return;
    const region = context.defaultRegion ?? this.options.defaultRegion;
    const counts = await pullSalesforcePeople(this.session, context.warehouse, schema, { defaultRegion: region, signal: context.signal });
    this.lastPull = Date.now();
    this.options.logger?.info({ ...counts, table: `${schema}.${PEOPLE_TABLE}` }, 'pulled Salesforce Contacts and Leads for WhoId matching');
  }

  /** Nothing to release: jsforce opens a connection per request. */
  async close(): Promise<void> {}

  /** Rows in the people table; 0 when it does not exist (e.g. after a full refresh). */
  private async peopleRows(warehouse: Warehouse, schema: string): Promise<number> {
    try {
      const [row] = await warehouse.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${warehouse.dialect.tableName(schema, PEOPLE_TABLE)}`);
      return Number(row?.n ?? 0);
    } catch {
      return 0;
    }
  }
}
