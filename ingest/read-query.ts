/**
 * Read-only ad-hoc queries for `switchboard sql`, run inside the serving process (an
 * embedded DuckDB file can be opened by one process only). The query runs in a transaction
 * that is always rolled back, so a stray write or DDL never persists. It shares the
 * warehouse with the drainer: a long query delays landing (the spool absorbs it), so
 * heavy analysis belongs on a warehouse with its own clients (Postgres: use psql).
 */
import type { SqlRow, Warehouse } from '../sql/warehouse.js';

const ROLLBACK = Symbol('rollback');

export interface ReadResult {
  columns: string[];
  rows: SqlRow[];
  /** True when more rows existed than `maxRows`. */
  truncated: boolean;
}

export async function readQuery(warehouse: Warehouse, query: string, maxRows = 10_000): Promise<ReadResult> {
  let result: ReadResult = { columns: [], rows: [], truncated: false };
  try {
    await warehouse.transaction(async (tx) => {
      const rows = await tx.all(query);
      result = { columns: Object.keys(rows[0] ?? {}), rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return result;
}
