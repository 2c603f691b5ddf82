/**
 * The warehouse interface: the one small surface through which every part of Switchboard
 * talks to a warehouse. One folder per warehouse under `sql/warehouses/<name>/` implements
 * it (Kysely-style); nothing outside those folders imports a driver.
 *
 * Differences between warehouses live in the {@link SqlDialect} (SQL text, type names,
 * capability flags). Callers build SQL through the dialect and never branch on a
 * warehouse's name.
 */
import type { SqlDialect } from './dialect.js';

/** A value bound to a statement parameter. `Date` binds as a UTC timestamp. */
export type SqlParam = string | number | bigint | boolean | null | Date;

/**
 * A value read back from a warehouse, normalised so that every warehouse returns the same
 * thing for the same data (the conformance suite checks this):
 * - text and JSON columns: `string` (JSON is returned as its text, never parsed);
 * - integers: `number` when safe, else `string` (decimal digits);
 * - floating point: `number`; booleans: `boolean`; SQL NULL: `null`;
 * - timestamps: ISO-8601 UTC strings with millisecond precision, e.g. `2025-03-04T09:15:27.412Z`.
 */
export type SqlValue = string | number | boolean | null;

/** One row as returned by {@link Queryable.all}; column names as the query spelled them. */
export type SqlRow = Record<string, SqlValue>;

/** Something that runs SQL: a warehouse, or a transaction inside one. */
export interface Queryable {
  /**
   * Runs one statement and discards any result.
   * Parameters are written with `dialect.param(n)` (1-based), e.g. `$1` on DuckDB and Postgres.
   * @example await wh.run(`INSERT INTO t (a) VALUES (${wh.dialect.param(1)})`, ['x'])
   */
  run(sql: string, params?: readonly SqlParam[]): Promise<void>;
  /**
   * Runs one query and returns every row, normalised as described for {@link SqlValue}.
   * @example const rows = await wh.all<{ n: number }>('SELECT count(*) AS n FROM t')
   */
  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
}

/** An open warehouse connection (or pool). */
export interface Warehouse extends Queryable {
  /** The SQL dialect: quoting, parameters, type names, capability flags, DDL and upserts. */
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in one transaction: everything it ran commits together when it resolves, and
   * nothing does when it throws (the error is rethrown). Durable once it resolves.
   * Calls are serialised: two transactions never interleave on one Warehouse.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the warehouse answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Flushes and closes. The instance is unusable afterwards. Safe to call twice. */
  close(): Promise<void>;
}

/** What a warehouse folder exports: how to open one from its validated options. */
export type WarehouseFactory<Options> = (options: Options) => Promise<Warehouse>;
