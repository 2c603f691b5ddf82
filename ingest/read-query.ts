/**
 * Ad-hoc queries for `switchboard sql` and the operator API's POST /sql, run inside the
 * serving process when there is one (an embedded DuckDB file can be opened by one process
 * only). The warehouse makes them read-only by construction (Warehouse.readOnlyQuery): one
 * SELECT, no file or network access, no lasting setting, a row cap and a timeout. It shares
 * the warehouse with the drainer: heavy analysis belongs on a copy (Postgres: use psql).
 */
import type { ReadOnlyResult, Warehouse } from '../sql/warehouse.js';

export type ReadResult = ReadOnlyResult;

/** Rows returned when the caller does not say. */
export const DEFAULT_MAX_ROWS = 10_000;
/** How long a query may run before it is cancelled (SB_SQL_QUERY_TIMEOUT). */
export const DEFAULT_QUERY_TIMEOUT_MS = 60_000;

export interface ReadQueryOptions {
  maxRows?: number | undefined;
  timeoutMs?: number | undefined;
  /** The schemas the query may read, e.g. the raw schema and models.schema. */
  schemas: readonly string[];
}

export function readQuery(warehouse: Warehouse, query: string, options: ReadQueryOptions): Promise<ReadResult> {
  return warehouse.readOnlyQuery(query, {
    maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
    timeoutMs: options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    schemas: options.schemas,
  });
}
