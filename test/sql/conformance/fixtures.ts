/**
 * Shared pieces of the warehouse conformance suite: how each test gets a warehouse and
 * builds its own table. Every test uses its own table name, because on Postgres the tests
 * of one run share a schema (one schema prefix per run).
 */
import type { ColumnSpec, LogicalType, TableSpec } from '../../../sql/dialect.js';
import type { Warehouse } from '../../../sql/warehouse.js';

/** Opens a fresh warehouse; the engine's test file decides what "fresh" means. */
export type OpenWarehouse = () => Promise<Warehouse>;

/** The schema every conformance table lives in (the dialect may prefix it). */
export const SCHEMA = 'conformance';

/**
 * Opens a warehouse, runs `fn`, and always closes it — even when `fn` throws — so a
 * failing test never leaves a file lock or pooled connections behind.
 */
export async function withWarehouse<T>(open: OpenWarehouse, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await open();
  try {
    return await fn(wh);
  } finally {
    await wh.close();
  }
}

/**
 * A table spec from `name: type` pairs; `!` after a type marks NOT NULL.
 * @example table('events', { id: 'text', n: 'bigint!' }, ['id'])
 */
export function table(name: string, columns: Record<string, `${LogicalType}` | `${LogicalType}!`>, primaryKey: string[] = []): TableSpec {
  const specs: ColumnSpec[] = Object.entries(columns).map(([column, type]) => ({
    name: column,
    type: type.replace('!', '') as LogicalType,
    nullable: !type.endsWith('!'),
  }));
  return { schema: SCHEMA, name, columns: specs, primaryKey };
}

/** Creates the schema and `spec`'s table (both idempotent); returns the quoted table name. */
export async function createTable(wh: Warehouse, spec: TableSpec): Promise<string> {
  await wh.run(wh.dialect.createSchema(spec.schema));
  await wh.run(wh.dialect.createTable(spec));
  return wh.dialect.tableName(spec.schema, spec.name);
}

/** `$1, $2, …` (or the dialect's spelling) for `count` parameters starting at `from`. */
export function params(wh: Warehouse, count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => wh.dialect.param(from + i)).join(', ');
}

/** A promise and the function that resolves it, to make two async paths meet. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * `SELECT … AS n`: every `n` from 0 to 10^digits − 1, as a cross join of ten-row derived tables.
 * Written with UNION ALL only, which every warehouse reads (BigQuery has neither
 * `generate_series` nor `VALUES` in FROM).
 */
export function numbers(digits: number): string {
  const digit = `(${Array.from({ length: 10 }, (_, i) => `SELECT ${i} AS x`).join(' UNION ALL ')})`;
  const names = Array.from({ length: digits }, (_, i) => `d${i}`);
  const n = names.map((name, i) => `${name}.x * ${10 ** (digits - 1 - i)}`).join(' + ');
  return `SELECT ${n} AS n FROM ${names.map((name) => `${digit} AS ${name}`).join(' CROSS JOIN ')}`;
}

/** A query that never ends by itself (10^15 rows counted), to cancel or time out. */
export const NEVER_ENDS = `SELECT count(*) AS n FROM (${numbers(5)}) AS a CROSS JOIN (${numbers(5)}) AS b CROSS JOIN (${numbers(5)}) AS c`;
