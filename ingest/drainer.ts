/**
 * The drainer moves accepted events from the spool into the warehouse's raw tables.
 *
 * Exactly-once: each batch's rows and the new spool checkpoint commit in one warehouse
 * transaction, and the checkpoint is read back from the warehouse on start. A crash before
 * the commit re-drains the batch; a crash after it resumes past it. Spool segments are
 * deleted only once the checkpoint covering them is committed.
 */
import type { Logger } from 'pino';
import type { Warehouse } from '../sql/warehouse.js';
import type { TableSpec } from '../sql/dialect.js';
import { comparePositions, type Spool, type SpoolPosition } from './spool/spool.js';
import { decodeRecord, type RawEventRecord, type RejectionRecord } from './records.js';
import { checkpointTable, rawEventTable, rejectionsTable } from './raw-tables.js';
import { RAW_EVENT_RULES, upsertRows, YIELD_EVERY, yieldToEventLoop } from './upsert-rows.js';

export interface DrainerOptions {
  spool: Spool;
  warehouse: Warehouse;
  rawSchema: string;
  /** Raw event tables, one per enabled family (e.g. `meetings_events`). */
  eventTables: readonly string[];
  /** Most spool records per warehouse transaction. */
  batchSize: number;
  /** How long to let events gather when the spool is nearly caught up (ms). */
  lingerMs: number;
  maxBackoffMs: number;
  logger: Logger;
}

/** A row to upsert, keyed by column name. */

export class Drainer {
  /** How far the warehouse has landed; null until the checkpoint is read. */
  private position: SpoolPosition | null = null;
  private readonly tables = new Map<string, TableSpec>();
  private readonly rejections: TableSpec;
  private readonly checkpoints: TableSpec;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  /** The last warehouse error, cleared by the next successful batch. */
  lastError: Error | null = null;
  /** Counters for GET /status (operator API) and metrics. */
  readonly stats = { events: 0, rejections: 0, batches: 0, failures: 0 };

  constructor(private readonly options: DrainerOptions) {
    for (const name of options.eventTables) this.tables.set(name, rawEventTable(options.rawSchema, name));
    this.rejections = rejectionsTable(options.rawSchema);
    this.checkpoints = checkpointTable(options.rawSchema);
  }

  /** Bytes accepted but not yet in the warehouse. */
  backlogBytes(): number {
    const { spool } = this.options;
    return spool.bytesAfter(this.position ?? spool.start());
  }

  /** Creates the raw schema and tables if needed, and reads the checkpoint. Idempotent. */
  async prepare(): Promise<void> {
    if (this.position !== null) return;
    const { warehouse: wh, spool } = this.options;
    const d = wh.dialect;
    await wh.run(d.createSchema(this.options.rawSchema));
    for (const table of [...this.tables.values(), this.rejections, this.checkpoints]) await wh.run(d.createTable(table));
    const rows = await wh.all<{ segment: number; segment_offset: number }>(
      `SELECT segment, segment_offset FROM ${d.tableName(this.checkpoints.schema, this.checkpoints.name)} WHERE spool_id = ${d.param(1)}`,
      [spool.id],
    );
    const row = rows[0];
    this.position = row === undefined ? spool.start() : this.behindReleased({ segment: Number(row.segment), offset: Number(row.segment_offset) });
  }

  /** Starts draining in the background until stop(). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Finishes the batch in flight and stops. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** Drains until the spool is caught up (tests and one-shot commands). */
  async drainAll(): Promise<void> {
    while ((await this.drainOnce()) > 0);
  }

  /**
   * Lands one batch. Resolves with the number of spool records it covered (0 = caught up).
   * Calls are serialised, so drainAll() beside the background loop never lands a batch twice.
   */
  drainOnce(): Promise<number> {
    const run = this.chain.then(() => this.landBatch());
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private chain: Promise<void> = Promise.resolve();

  private async landBatch(): Promise<number> {
    await this.prepare();
    const { spool, warehouse } = this.options;
    const entries = await spool.read(this.position as SpoolPosition, { maxRecords: this.options.batchSize, maxBytes: 32 * 1024 * 1024 });
    const last = entries.at(-1);
    if (last === undefined) return 0;
    const events = new Map<string, Map<string, { record: RawEventRecord; count: number; last: number }>>();
    const rejections: RejectionRecord[] = [];
    for (const [i, entry] of entries.entries()) {
      // Decoding a whole batch in one go stalls the event loop for several ms; let requests in.
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      const record = decodeRecord(entry.payload);
      if (record.k === 'rejection') {
        rejections.push(record);
        continue;
      }
      let byKey = events.get(record.table);
      if (byKey === undefined) events.set(record.table, (byKey = new Map()));
      const seen = byKey.get(record.dedupeKey);
      // Collapse retries inside the batch: engines refuse one key twice in one upsert.
      if (seen === undefined) byKey.set(record.dedupeKey, { record, count: 1, last: record.receivedAt });
      else {
        seen.count += 1;
        seen.last = Math.max(seen.last, record.receivedAt);
      }
    }
    const landedAt = new Date();
    await warehouse.transaction(async (tx) => {
      for (const [tableName, byKey] of events) {
        const table = this.tables.get(tableName) ?? rawEventTable(this.options.rawSchema, tableName);
        const rows = [...byKey.values()].map(({ record: r, count, last }) => ({
          dedupe_key: r.dedupeKey,
          family: r.family,
          event_type: r.eventType,
          body: r.body,
          headers: r.headers,
          source_ip: r.ip,
          verified_by: r.verifiedBy,
          first_delivery_id: r.deliveryId,
          first_received_at: new Date(r.receivedAt),
          last_received_at: new Date(last),
          delivery_count: count,
          landed_at: landedAt,
        }));
        await upsertRows(tx, this.options.warehouse.dialect, table, rows, RAW_EVENT_RULES);
      }
      const rejectionRows = rejections.map((r) => ({
        rejection_id: r.rejectionId,
        family: r.family,
        route: r.route,
        received_at: new Date(r.receivedAt),
        source_ip: r.ip,
        status_code: r.statusCode,
        error_code: r.errorCode,
        reason: r.reason,
        verified: r.verified,
        headers: r.headers,
        body: r.body,
        body_bytes: r.bodyBytes,
        body_truncated: r.bodyTruncated,
        landed_at: landedAt,
        replayed_at: null,
        replayed_as: null,
      }));
      await upsertRows(tx, this.options.warehouse.dialect, this.rejections, rejectionRows, {});
      const checkpoint = { spool_id: spool.id, segment: last.next.segment, segment_offset: last.next.offset, updated_at: landedAt };
      await upsertRows(tx, this.options.warehouse.dialect, this.checkpoints, [checkpoint], {
        segment: 'replace',
        segment_offset: 'replace',
        updated_at: 'replace',
      });
    });
    this.position = last.next; // committed: never re-read, even if release() below fails
    this.stats.batches += 1;
    this.stats.events += entries.length - rejections.length;
    this.stats.rejections += rejections.length;
    await spool.release(last.next);
    this.position = this.behindReleased(last.next);
    return entries.length;
  }

  /**
   * A position at the very end of a segment that release() has deleted means "the start of
   * the next one" (the spool cannot read from a deleted file). Segments are only released
   * behind a committed checkpoint, so nothing is skipped.
   */
  private behindReleased(position: SpoolPosition): SpoolPosition {
    const start = this.options.spool.start();
    return comparePositions(position, start) >= 0 ? position : start;
  }

  private async run(): Promise<void> {
    const { logger, spool, maxBackoffMs } = this.options;
    let backoff = 250;
    while (!this.abort.signal.aborted) {
      try {
        const drained = await this.drainOnce();
        if (this.lastError !== null) logger.info('warehouse writes recovered; draining the spool');
        this.lastError = null;
        backoff = 250;
        if (drained === 0) await spool.waitForData(this.abort.signal, this.position ?? undefined);
        // A short batch means the spool is nearly caught up: let events gather for lingerMs so
        // the next transaction is larger. Each transaction has a fixed cost (prepare, commit,
        // WAL sync) that dominates when batches hold a handful of events.
        if (drained < this.options.batchSize) await sleep(this.options.lingerMs, this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) break; // stopping: the batch in flight was not committed, and that is fine
        this.stats.failures += 1;
        this.lastError = error as Error;
        logger.error(
          { err: error, retryInMs: backoff, backlogBytes: this.backlogBytes() },
          'could not write to the warehouse; accepted events stay in the spool and will be retried',
        );
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, maxBackoffMs);
      }
    }
  }
}

/** How many records the drainer handles between yields to the event loop. */
/** JSON.stringify(rows), in slices with yields between, so HTTP requests are not stalled. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
