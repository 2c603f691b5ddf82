/**
 * A warehouse that may not be reachable yet. Every call opens it first if needed, and a
 * failed open is retried on the next call (the caller's own back-off paces it). `serve` uses
 * this when the warehouse is down at start-up: events are still accepted into the spool,
 * and the drainer lands them once the warehouse answers.
 */
import type { Queryable, QueryOptions, SqlParam, SqlRow, StreamOptions, Warehouse } from '../warehouse.js';
import type { SqlDialect } from '../dialect.js';
import { dryRunUnsupported } from '../errors.js';
import { introspectorOf } from '../introspect.js';

export function deferredWarehouse(dialect: SqlDialect, open: () => Promise<Warehouse>): Warehouse {
  let opening: Promise<Warehouse> | null = null;
  let closed = false;
  const get = (): Promise<Warehouse> => {
    opening ??= open().catch((error: unknown) => {
      opening = null; // try again on the next call
      throw error;
    });
    return opening;
  };
  const warehouse: Warehouse = {
    dialect,
    run: async (sql: string, params?: readonly SqlParam[]) => (await get()).run(sql, params),
    all: async <T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[], options?: QueryOptions) => (await get()).all<T>(sql, params, options),
    stream: (sql: string, params?: readonly SqlParam[], options?: StreamOptions) => ({
      async *[Symbol.asyncIterator]() {
        yield* (await get()).stream(sql, params, options);
      },
    }),
    introspector: introspectorOf(
      { run: (sql, params) => warehouse.run(sql, params), all: (sql, params) => warehouse.all(sql, params), writeRows: (t, r, o) => warehouse.writeRows(t, r, o) },
      () => dialect,
    ),
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => (await get()).transaction(fn),
    writeRows: async (table, rows, options) => (await get()).writeRows(table, rows, options),
    readOnlyQuery: async (sql, options) => (await get()).readOnlyQuery(sql, options),
    // Whether the warehouse can dry-run is known once it is open.
    dryRun: async (sql, params) => {
      const opened = await get();
      if (opened.dryRun === undefined) throw dryRunUnsupported();
      return opened.dryRun(sql, params);
    },
    ping: async () => (await get()).ping(),
    close: async () => {
      if (closed) return;
      closed = true;
      const opened = await opening?.catch(() => null);
      await opened?.close();
    },
  };
  return warehouse;
}
