/**
 * The drainer moves accepted events from the spool into the warehouse's raw tables.
 *
 * Exactly-once: each batch's rows and the new spool checkpoint commit in one warehouse
 * transaction, and the checkpoint is read back from the warehouse on start. A crash before
 * the commit re-drains the batch; a crash after it resumes past it. Spool segments are
 * deleted only once the checkpoint covering them is committed.
 *
 * No single record can block the others. Rejections land in a transaction of their own
 * (their text is made storable first), never beside verified events. When the warehouse
 * refuses a batch while it still answers, the batch is landed in halves until the record at
 * fault stands alone; that record goes to the quarantine (ingest/quarantine.ts) and the
 * checkpoint moves past it. When the warehouse does not answer, nothing is split: the
 * batch waits in the spool and is retried with back-off.
 *
 * Conflicts are kept, not hidden: a body that arrives under a dedupe key already landed with
 * a *different* body lands as its own row (`conflict_of` names the key), is logged as an
 * error and counted. Retries (the same bytes again) merge as before.
 */
import type { Logger } from 'pino';
import { abortableSleep } from '../core/abortable-sleep.js';
import type { Warehouse, Queryable } from '../sql/warehouse.js';
import type { TableSpec } from '../sql/dialect.js';
import { comparePositions, type Spool, type SpoolPosition } from './spool/spool.js';
import type { SpoolEntry } from './spool/position.js';
import { decodeRecord, type RawEventRecord, type RejectionRecord } from './records.js';
import { checkpointTable, ensureRawEventTable, rawEventTable, rejectionsTable } from './raw-tables.js';
import { YIELD_EVERY, yieldToEventLoop } from './raw-columns.js';
import { landEvents, rejectionRow, type Conflict } from './raw-rows.js';
import type { Quarantine } from './quarantine.js';
import type { DrainObserver } from './landing-observer.js';
import { errorLogFields } from '../core/errors.js';

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
  /** Where records the warehouse refuses on their own are kept. */
  quarantine: Quarantine;
  /**
   * A backlog that has not moved for this long makes the drainer *stalled*: /readyz turns
   * not ready, switchboard_drain_stalled is 1, and an error is logged (drain.stallAfterSeconds).
   */
  stallAfterMs: number;
  logger: Logger;
  /** Told of every batch landed or refused, and of each record quarantined (server/signals); absent when signals are off. */
  observer?: DrainObserver | undefined;
}

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
  readonly stats = { events: 0, rejections: 0, batches: 0, failures: 0, quarantined: 0, conflicts: 0 };
  /** When the drainer last landed something, or last found the spool caught up. */
  private lastProgressAt = Date.now();
  private stallTimer: NodeJS.Timeout | null = null;
  private stallLogged = false;

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

  /** How long a non-empty backlog has gone without progress (0 when caught up). */
  stalledForMs(now = Date.now()): number {
    return this.backlogBytes() > 0 ? Math.max(0, now - this.lastProgressAt) : 0;
  }

  /** True once {@link stalledForMs} passes `stallAfterMs`. */
  isStalled(now = Date.now()): boolean {
    return this.stalledForMs(now) >= this.options.stallAfterMs;
  }

  /**
   * Creates the raw event tables if needed (by name), and reads the checkpoint. The raw schema
   * and the control tables come from the numbered migrations (ingest/migrations.ts), which
   * the server applies when it opens the warehouse. Idempotent.
   */
  async prepare(): Promise<void> {
    if (this.position !== null) return;
    const { warehouse: wh, spool } = this.options;
    const d = wh.dialect;
    for (const name of this.tables.keys()) await ensureRawEventTable(wh, d, this.options.rawSchema, name);
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
    this.stallTimer ??= setInterval(() => this.watchStall(), Math.max(50, Math.min(5000, this.options.stallAfterMs / 2)));
    this.stallTimer.unref();
  }

  /** Finishes the batch in flight and stops. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.stallTimer !== null) clearInterval(this.stallTimer);
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
    const { spool } = this.options;
    const entries = await spool.read(this.position as SpoolPosition, { maxRecords: this.options.batchSize, maxBytes: 32 * 1024 * 1024 });
    const last = entries.at(-1);
    if (last === undefined) {
      this.progressed();
      return 0;
    }
    await this.landEntries(entries);
    this.stats.batches += 1;
    await spool.release(last.next);
    this.position = this.behindReleased(last.next);
    return entries.length;
  }

  /**
   * Lands `entries` and moves the checkpoint past them. When the warehouse refuses them but
   * still answers, lands each half on its own, down to the single record at fault, which is
   * quarantined. Throws (and splits nothing) when the warehouse does not answer.
   */
  private async landEntries(entries: readonly SpoolEntry[]): Promise<void> {
    try {
      await this.commit(entries);
      return;
    } catch (error) {
      if (!(await this.warehouseAnswers())) throw error;
      if (entries.length > 1) {
        const middle = Math.ceil(entries.length / 2);
        this.options.logger.warn(
          { err: error, records: entries.length },
          'the warehouse refused a batch but answers; landing it in halves to find the record at fault',
        );
        await this.landEntries(entries.slice(0, middle));
        await this.landEntries(entries.slice(middle));
        return;
      }
      // One record: give a passing cause (a deadlock with a pull, say) one more chance first.
      try {
        await this.commit(entries);
      } catch (again) {
        if (!(await this.warehouseAnswers())) throw again;
        await this.quarantineOne(entries[0] as SpoolEntry, again);
      }
    }
  }

  /** Lands the records of `entries` (rejections first, on their own) and the checkpoint after them. */
  private async commit(entries: readonly SpoolEntry[]): Promise<void> {
    const { warehouse } = this.options;
    const d = warehouse.dialect;
    const last = entries.at(-1) as SpoolEntry;
    const events = new Map<string, RawEventRecord[]>();
    const rejections: RejectionRecord[] = [];
    const { observer } = this.options;
    const observed: RawEventRecord[] | null = observer === undefined ? null : [];
    for (const [i, entry] of entries.entries()) {
      // Decoding a whole batch in one go stalls the event loop for several ms; let requests in.
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      const record = decodeRecord(entry.payload);
      if (record.k === 'rejection') rejections.push(record);
      else {
        let list = events.get(record.table);
        if (list === undefined) events.set(record.table, (list = []));
        list.push(record);
        observed?.push(record);
      }
    }
    const landedAt = new Date();
    let conflicts: Conflict[] = [];
    try {
      if (rejections.length > 0) {
        // Their own transaction: a rejection is what an attacker wrote, and must never be able
        // to take verified events down with it. Idempotent (first writer wins), so a re-drain
        // after a crash between the two transactions changes nothing.
        const rows = rejections.map((r) => rejectionRow(r, landedAt));
        await warehouse.writeRows(this.rejections, rows);
      }
      await warehouse.transaction(async (tx) => {
        conflicts = [];
        for (const [tableName, records] of events) {
          const table = this.tables.get(tableName) ?? rawEventTable(this.options.rawSchema, tableName);
          conflicts.push(...(await landEvents(tx, warehouse.dialect, table, records, landedAt)));
        }
        await this.writeCheckpoint(tx, last.next, landedAt);
      });
    } catch (error) {
      if (observed !== null && observed.length > 0) observer?.drainFailed(observed);
      throw error;
    }
    this.position = last.next; // committed: never re-read, even if what follows fails
    this.progressed();
    this.stats.events += entries.length - rejections.length;
    this.stats.rejections += rejections.length;
    if (observed !== null && observed.length > 0) observer?.landed(observed, landedAt.getTime());
    for (const conflict of conflicts) {
      this.stats.conflicts += conflict.arrivals;
      this.options.logger.error(
        conflict,
        'an event arrived again under a dedupe key already landed, with a different body; both versions are kept (the new one as conflict_of), and models keep the first. Check where it came from before trusting either.',
      );
    }
  }

  private async writeCheckpoint(tx: Queryable, next: SpoolPosition, at: Date): Promise<void> {
    const checkpoint = { spool_id: this.options.spool.id, segment: next.segment, segment_offset: next.offset, updated_at: at };
    await tx.writeRows(this.checkpoints, [checkpoint], { onMatch: { segment: 'replace', segment_offset: 'replace', updated_at: 'replace' } });
  }

  /** Keeps a record the warehouse refused on its own, and moves the checkpoint past it. */
  private async quarantineOne(entry: SpoolEntry, error: unknown): Promise<void> {
    const { warehouse, quarantine, logger } = this.options;
    const row = await quarantine.keep(entry, error);
    await warehouse.transaction(async (tx) => {
      await quarantine.writeRow(tx, warehouse.dialect, row);
      await this.writeCheckpoint(tx, entry.next, new Date());
    });
    this.position = entry.next;
    this.progressed();
    this.stats.quarantined += 1;
    this.options.observer?.quarantined(String(row.family));
    logger.error(
      { err: error, quarantineId: row.quarantine_id, family: row.family, table: row.target_table, recordKey: row.record_key, file: row.file },
      'the warehouse refused one record on its own; it is quarantined and everything else lands. See `switchboard replay --list`, and replay it by its id once the cause is fixed.',
    );
  }

  /** True when the warehouse answers a trivial query: a refusal was then about the data. */
  private async warehouseAnswers(): Promise<boolean> {
    try {
      await this.options.warehouse.ping();
      return true;
    } catch {
      return false;
    }
  }

  private progressed(): void {
    this.lastProgressAt = Date.now();
    if (this.stallLogged) {
      this.stallLogged = false;
      this.options.logger.info('the drainer is making progress again');
    }
  }

  private watchStall(): void {
    if (this.stallLogged || !this.isStalled()) return;
    this.stallLogged = true;
    this.options.logger.error(
      {
        stalledForSeconds: Math.round(this.stalledForMs() / 1000),
        backlogBytes: this.backlogBytes(),
        lastError: this.lastError?.message,
        configKey: 'drain.stallAfterSeconds',
      },
      'the drainer has made no progress on a waiting backlog: nothing is reaching the warehouse (see the errors above); /readyz reports not ready until it moves again',
    );
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
        if (drained === 0) {
          await spool.waitForData(this.abort.signal, this.position ?? undefined);
          this.progressed(); // caught up until now: the clock for a stall starts when data arrives
        }
        // A short batch means the spool is nearly caught up: let events gather for lingerMs so
        // the next transaction is larger. Each transaction has a fixed cost (prepare, commit,
        // WAL sync) that dominates when batches hold a handful of events.
        if (drained < this.options.batchSize) await abortableSleep(this.options.lingerMs, this.abort.signal).catch(() => undefined); // an abort only ends the wait
      } catch (error) {
        if (this.abort.signal.aborted) break; // stopping: the batch in flight was not committed, and that is fine
        this.stats.failures += 1;
        this.lastError = error as Error;
        logger.error(
          { ...errorLogFields(error), retryInMs: backoff, backlogBytes: this.backlogBytes() },
          'could not write to the warehouse; accepted events stay in the spool and will be retried',
        );
        await abortableSleep(backoff, this.abort.signal).catch(() => undefined);
        backoff = Math.min(backoff * 2, maxBackoffMs);
      }
    }
  }
}
