/**
 * DuckDB's Warehouse.stream(): the node API's streaming result (`connection.stream` and
 * `fetchChunk`, 2,048 rows a chunk) read chunk by chunk into batches.
 *
 * Each stream runs on a connection of its own, opened for it and closed when the stream
 * ends, is broken out of, or the warehouse closes. On the warehouse's one shared connection
 * it would have to hold the SerialLock for as long as the caller iterates (landing and
 * every other statement would wait, and a stream abandoned without `return()` would hold
 * the lock forever); and any other statement on a connection silently ends the streaming
 * result open there (the next fetchChunk returns no rows). Its own connection sees data
 * committed before it started (https://duckdb.org/docs/stable/connect/concurrency).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SqlParam, SqlRow, StreamOptions } from '../../warehouse.js';
import { cancellable, queryCancelled } from '../cancel.js';
import { streamBatchRows } from '../values.js';
import { duckDbBinding, sqlRowFromDuckDb } from './values.js';

/** What a stream needs from its warehouse. */
export interface StreamHost {
  /** Throws SB_SQL_CLOSED once the warehouse is closed. */
  assertOpen(): void;
  /** A new connection on the warehouse's instance, in UTC. */
  connect(): Promise<DuckDBConnection>;
  /** Tracks an open stream's connection so that close() can close it; returns the untrack. */
  track(connection: DuckDBConnection): () => void;
}

/** Rows of `sql` in batches of `options.batchRows` (default 1000); see Warehouse.stream. */
export async function* streamDuckDb(host: StreamHost, sql: string, params: readonly SqlParam[], options: StreamOptions): AsyncGenerator<SqlRow[]> {
  const batchRows = streamBatchRows(options.batchRows);
  const { signal } = options;
  host.assertOpen();
  const connection = await host.connect();
  const untrack = host.track(connection);
  const interrupt = (): void => connection.interrupt();
  try {
    const binding = params.length === 0 ? undefined : duckDbBinding(params);
    const result = await cancellable(signal, () => connection.stream(sql, binding?.values, binding?.types), interrupt);
    const names = result.columnNames();
    const typeIds = names.map((_, index) => result.columnTypeId(index));
    let batch: SqlRow[] = [];
    for (;;) {
      const chunk = await cancellable(signal, () => result.fetchChunk(), interrupt);
      if (chunk === null || chunk.rowCount === 0) break;
      for (const row of chunk.getRows()) {
        batch.push(sqlRowFromDuckDb(names, typeIds, row));
        if (batch.length === batchRows) {
          yield batch;
          batch = [];
          if (signal?.aborted) throw queryCancelled(signal.reason);
        }
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    untrack();
    // Closing also discards a result not read to its end.
    connection.closeSync();
  }
}
