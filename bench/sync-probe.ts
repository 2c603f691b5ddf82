/**
 * Where a sync run's time goes, measured from outside the engine: the warehouse, the
 * destination and the backoff sleep are wrapped, and every call's time is added to its
 * bucket. The engine runs unchanged (it only sees a Warehouse, a Destination and the
 * `sleep` seam of SyncRunOptions).
 *
 * - `checkpoint`: warehouse transactions (the engine writes one per batch attempt, and one
 *   for the run record);
 * - `warehouse`: other statements (the diff, counts, page reads, dropping the pending table);
 * - `send`: Destination.send, i.e. the API calls (and the fake server's work, which runs in
 *   this process);
 * - `backoff`: sleeping before a retry.
 */
import type { ChangeRecord, Destination, RecordOutcome, SendContext } from '../sync/destination.js';
import { abortableSleep } from '../core/abortable-sleep.js';
import type { Queryable, QueryOptions, SqlParam, SqlRow, Warehouse } from '../sql/warehouse.js';

export interface Buckets {
  checkpoint: { seconds: number; count: number };
  /** Statements inside the checkpoints, by kind (`INSERT INTO switchboard_sync.outcomes`): time, statements, parameters. */
  statements: Map<string, { seconds: number; count: number; params: number }>;
  warehouse: { seconds: number; count: number };
  send: { seconds: number; count: number };
  backoff: { seconds: number; count: number; asked: number[] };
}

export function emptyBuckets(): Buckets {
  return { checkpoint: { seconds: 0, count: 0 }, statements: new Map(), warehouse: { seconds: 0, count: 0 }, send: { seconds: 0, count: 0 }, backoff: { seconds: 0, count: 0, asked: [] } };
}

async function timed<T>(bucket: { seconds: number; count: number }, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    bucket.seconds += (performance.now() - started) / 1000;
    bucket.count += 1;
  }
}

/**
 * `wh`, with its time added to `buckets` (transactions to `checkpoint`, the rest to
 * `warehouse`); `onRun` hears each run() statement's time, e.g. to pick out the diff.
 */
export function probeWarehouse(wh: Warehouse, buckets: Buckets, onRun?: (sql: string, seconds: number) => void): Warehouse {
  return {
    dialect: wh.dialect,
    run: async (sql: string, params?: readonly SqlParam[]) => {
      const before = buckets.warehouse.seconds;
      await timed(buckets.warehouse, () => wh.run(sql, params));
      onRun?.(sql, buckets.warehouse.seconds - before);
    },
    all: <T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[], options?: QueryOptions) => timed(buckets.warehouse, () => wh.all<T>(sql, params, options)),
    stream: (sql, params, options) => wh.stream(sql, params, options),
    introspector: wh.introspector,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => timed(buckets.checkpoint, () => wh.transaction((tx) => fn(probeStatements(tx, buckets)))),
    writeRows: (table, rows, options) => timed(buckets.checkpoint, () => wh.transaction((tx) => probeStatements(tx, buckets).writeRows(table, rows, options))),
    readOnlyQuery: (sql, options) => wh.readOnlyQuery(sql, options),
    ping: () => wh.ping(),
    close: () => wh.close(),
  };
}

/** `tx`, with each statement's time added to `buckets.statements` under its kind. */
function probeStatements(tx: Queryable, buckets: Buckets): Queryable {
  const add = async <T>(sql: string, params: readonly SqlParam[] | undefined, fn: () => Promise<T>): Promise<T> => {
    const kind = /^\s*(INSERT INTO|DELETE FROM|UPDATE)\s+(\S+)/i.exec(sql)?.slice(1, 3).join(' ') ?? sql.slice(0, 40);
    const entry = buckets.statements.get(kind) ?? { seconds: 0, count: 0, params: 0 };
    buckets.statements.set(kind, entry);
    entry.params += params?.length ?? 0;
    return timed(entry, fn);
  };
  return {
    run: (sql, params) => add(sql, params, () => tx.run(sql, params)),
    all: (sql, params) => add(sql, params, () => tx.all(sql, params)),
    // Counted as the INSERT it is, under the table's name, with one "parameter" per row.
    writeRows: (table, rows, options) => add(`INSERT INTO ${table.schema}.${table.name}`, rows.map(() => null), () => tx.writeRows(table, rows, options)),
  };
}

/** `destination`, with its send() time added to `buckets.send`. */
export function probeDestination(destination: Destination, buckets: Buckets): Destination {
  return {
    type: destination.type,
    batchSize: destination.batchSize,
    ...(destination.batchSizeFor === undefined ? {} : { batchSizeFor: (total: number) => (destination.batchSizeFor as (t: number) => number).call(destination, total) }),
    send: (records: readonly ChangeRecord[], context: SendContext): Promise<RecordOutcome[]> => timed(buckets.send, () => destination.send(records, context)),
  };
}

/** A sleep for SyncRunOptions.sleep that counts what it slept. */
export function probeSleep(buckets: Buckets): (ms: number, signal?: AbortSignal) => Promise<void> {
  return (ms, signal) => {
    buckets.backoff.asked.push(ms);
    return timed(
      buckets.backoff,
      () => abortableSleep(ms, signal),
    );
  };
}
