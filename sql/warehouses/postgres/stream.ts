/**
 * Postgres' Warehouse.stream() and query cancel.
 *
 * A stream takes a pooled client of its own and reads through a plain cursor:
 * `BEGIN`, `DECLARE … NO SCROLL CURSOR FOR <sql>`, then `FETCH FORWARD n` until a
 * short batch, then `COMMIT` (https://www.postgresql.org/docs/current/sql-declare.html,
 * …/sql-fetch.html). The server keeps the result; the process holds one batch. Breaking out
 * of the loop rolls back (which closes the cursor) and gives the client back to the pool; a
 * stream abandoned without that keeps its client until the warehouse closes.
 *
 * Cancel: `SELECT pg_cancel_backend(pid)` from a connection of its own, outside the pool, so
 * that it never waits for a pooled client, least of all the one it cancels
 * (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL).
 * A client whose query was cancelled is destroyed rather than pooled again: a cancel still
 * in flight must not hit the next query that client would run.
 */
import pg from 'pg';
import type { SqlParam, SqlRow, StreamOptions } from '../../warehouse.js';
import { cancellable, queryCancelled } from '../cancel.js';
import { streamBatchRows } from '../values.js';
import { pgParams } from './params.js';

/** What a stream needs from its warehouse. */
export interface StreamHost {
  /** Throws SB_SQL_CLOSED once the warehouse is closed. */
  assertOpen(): void;
  pool: pg.Pool;
  /** Cancels what the backend with this pid runs (see {@link cancelBackend}). */
  cancel(pid: number): Promise<void>;
  /** Tracks an open stream so that close() can end it; returns the untrack. */
  track(end: () => void): () => void;
}

/** Rows of `sql` in batches of `options.batchRows` (default 1000); see the module comment. */
export async function* streamPostgres(host: StreamHost, sql: string, params: readonly SqlParam[], options: StreamOptions): AsyncGenerator<SqlRow[]> {
  const batchRows = streamBatchRows(options.batchRows);
  const { signal } = options;
  host.assertOpen();
  if (signal?.aborted) throw queryCancelled(signal.reason);
  const client = await host.pool.connect();
  let released = false;
  const release = (destroy: boolean): void => {
    if (released) return;
    released = true;
    client.release(destroy);
  };
  // close() ends an abandoned stream by destroying its client (its transaction rolls back).
  const untrack = host.track(() => release(true));
  const pid = backendPid(client);
  const query = (text: string, values?: unknown[]): Promise<pg.QueryResult> =>
    cancellable(signal, () => client.query(text, values), () => host.cancel(pid));
  let finished = false;
  let broken = false;
  try {
    await query('BEGIN');
    await query(`DECLARE switchboard_stream NO SCROLL CURSOR FOR ${sql}`, pgParams(params));
    for (;;) {
      const { rows } = await query(`FETCH FORWARD ${batchRows} FROM switchboard_stream`);
      if (rows.length > 0) {
        yield rows as SqlRow[];
        if (signal?.aborted) throw queryCancelled(signal.reason);
      }
      if (rows.length < batchRows) break;
    }
    await query('COMMIT');
    finished = true;
  } finally {
    untrack();
    if (!released && !finished) {
      // Broken out of, failed or cancelled: ROLLBACK ends the transaction and its cursor.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
    release(broken || signal?.aborted === true);
  }
}

/** The pid of the backend serving `client` (from its BackendKeyData message). */
export function backendPid(client: pg.PoolClient): number {
  return (client as unknown as { processID: number }).processID;
}

/**
 * Sends `pg_cancel_backend(pid)` on a short-lived connection of its own (never a pooled one,
 * which might be the very client being cancelled, or all busy).
 */
export async function cancelBackend(connection: pg.ClientConfig, pid: number): Promise<void> {
  const client = new pg.Client(connection);
  client.on('error', () => undefined); // a dropped connection: the caller's timer sends again
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end().catch(() => undefined);
  }
}
