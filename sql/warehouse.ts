/**
 * The warehouse interface: the one small surface through which every part of Switchboard
 * talks to a warehouse. One folder per warehouse under `sql/warehouses/<name>/` implements
 * it (Kysely-style); nothing outside those folders imports a driver.
 *
 * Differences between warehouses live in the {@link SqlDialect} (SQL text, type names,
 * capability flags). Callers build SQL through the dialect and never branch on a
 * warehouse's name.
 */
import type { MergeRule, SqlDialect, TableSpec } from './dialect.js';

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
  /**
   * Writes rows into a table Switchboard owns, the engine's fast way (sql/write-rows.ts):
   * upserted on the table's key by `onMatch` rules (default), or appended. Any number of
   * rows; the warehouse cuts them into statements. Inside a transaction, part of it.
   * @example await tx.writeRows(checkpointTable('raw'), [{ spool_id: 's1', segment: 3, segment_offset: 4096, updated_at: new Date() }], { onMatch: { segment: 'replace', segment_offset: 'replace', updated_at: 'replace' } })
   */
  writeRows(table: TableSpec, rows: readonly WriteRow[], options?: WriteRowsOptions): Promise<void>;
}

/** An open warehouse connection (or pool). */
export interface Warehouse extends Queryable {
  /** The SQL dialect: quoting, parameters, type names, capability flags, DDL and upserts. */
  readonly dialect: SqlDialect;
  /**
   * As {@link Queryable.all}; with `options.signal`, aborting it cancels the query on the
   * server and the call rejects with SB_SQL_QUERY_CANCELLED (the warehouse stays usable).
   * @example await wh.all('SELECT count(*) AS n FROM raw.voice_events', [], { signal: AbortSignal.timeout(5_000) })
   */
  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<T[]>;
  /**
   * Runs one SELECT and yields its rows in batches of `batchRows`, normalised exactly as
   * {@link Queryable.all} normalises them, without holding the whole result in memory.
   * Breaking out of the loop (or an error) releases the connection and its cursor; a stream
   * abandoned without being finished or broken out of holds its connection until close().
   * Each stream runs on a connection of its own (DuckDB: a new one; Postgres: a pooled
   * client, in a transaction, through `DECLARE … CURSOR`), so it sees committed data as of
   * its start and never blocks run(), all() or transaction(). Aborting `signal` cancels
   * the query on the server: the loop throws SB_SQL_QUERY_CANCELLED.
   * @example for await (const rows of wh.stream('SELECT * FROM analytics.calls', [], { batchRows: 5_000 })) await send(rows)
   */
  stream(sql: string, params?: readonly SqlParam[], options?: StreamOptions): AsyncIterable<SqlRow[]>;
  /**
   * What the warehouse holds, read from its catalog (sql/introspect.ts): schemas (unprefixed,
   * only those with the dialect's schema prefix), tables and views, columns.
   * @example await wh.introspector.columns('raw', 'voice_events')
   */
  readonly introspector: Introspector;
  /**
   * Runs `fn` in one transaction: everything it ran commits together when it resolves, and
   * nothing does when it throws (the error is rethrown). Durable once it resolves.
   * Calls are serialised: two transactions never interleave on one Warehouse.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs one analyst's query that cannot change anything, by construction rather than by a
   * rollback: exactly one SELECT-like statement, no file, network or extension access, no
   * setting that outlives it, at most `maxRows` rows read, stopped after `timeoutMs`.
   * Refusals raise SB_SQL_NOT_READ_ONLY, SB_SQL_QUERY_TIMEOUT or SB_SQL_READER_UNAVAILABLE;
   * the engine's own errors (syntax, unknown table, permission) pass through unchanged.
   * Each warehouse folder says how it sandboxes the query (docs/security.md).
   * @example await wh.readOnlyQuery('SELECT count(*) AS n FROM raw.voice_events', { maxRows: 100, timeoutMs: 30_000, schemas: ['raw'] })
   */
  readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<ReadOnlyResult>;
  /**
   * Checks one statement against the warehouse without running it: the warehouse parses it
   * and binds its names (tables, columns, functions) against its catalog, and says what it
   * would cost where it can tell. Nothing is read, written or billed. A statement the
   * warehouse refuses rejects with the engine's own error (syntax, unknown table or column,
   * permission), as {@link Queryable.run} would.
   *
   * Optional: a warehouse that cannot check a statement without running it leaves it out,
   * and callers say so (SB_SQL_DRY_RUN_UNSUPPORTED, sql/errors.ts › dryRunUnsupported).
   * BigQuery runs a dry-run job and gives the bytes it would scan; DuckDB prepares the
   * statement and Postgres EXPLAINs it (one statement, never executed), and neither
   * estimates bytes.
   * @example const { bytesProcessed, bytesLimit } = await wh.dryRun!('SELECT call_id FROM `sb_analytics`.`calls`') // { bytesProcessed: 1288490188, statementType: 'SELECT', bytesLimit: { bytes: 10737418240, configKey: 'warehouse.maximumBytesBilled' } }
   */
  dryRun?(sql: string, params?: readonly SqlParam[]): Promise<DryRunEstimate>;
  /** Resolves when the warehouse answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Flushes and closes. The instance is unusable afterwards. Safe to call twice. */
  close(): Promise<void>;
}

/** What {@link Warehouse.dryRun} learned of a statement without running it. */
export interface DryRunEstimate {
  /**
   * Bytes the warehouse estimates the statement would read (BigQuery's
   * `totalBytesProcessed`, what on-demand pricing bills by), e.g. 1288490188; `null` when
   * the warehouse gives no such estimate (DuckDB, Postgres).
   */
  bytesProcessed: number | null;
  /** The kind of statement, in the warehouse's words, e.g. `SELECT`, `MERGE`; absent when it does not say. */
  statementType?: string;
  /**
   * The most one statement may bill, when the warehouse caps every statement, and the config
   * key that sets it: a statement estimated above it fails unbilled when it runs, e.g.
   * `{ bytes: 10737418240, configKey: 'warehouse.maximumBytesBilled' }`. Absent: no cap.
   */
  bytesLimit?: { bytes: number; configKey: string };
}

/** Options of {@link Warehouse.all}. */
export interface QueryOptions {
  /** Cancels the query when aborted; the call then rejects with SB_SQL_QUERY_CANCELLED. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Warehouse.stream}. */
export interface StreamOptions extends QueryOptions {
  /** Rows per yielded batch (the last may hold fewer), e.g. 5000. Default: 1000. */
  batchRows?: number | undefined;
}

/** A table or view, as {@link Introspector.relations} lists it. */
export interface RelationInfo {
  /** Unprefixed, e.g. `raw` (not `ci_7f3a_raw`). */
  schema: string;
  name: string;
  /** Anything that is not a view (base tables, foreign and external tables) is a `table`. */
  kind: 'table' | 'view';
}

/** A column, as {@link Introspector.columns} lists it. */
export interface ColumnInfo {
  name: string;
  /** The warehouse's own name for the type, e.g. `BIGINT` (DuckDB) or `bigint` (Postgres). */
  dataType: string;
  nullable: boolean;
  /** Position in the table, 1-based. */
  ordinal: number;
}

/** A warehouse's catalog, read through {@link Warehouse.introspector}. */
export interface Introspector {
  /** The schemas with the dialect's prefix, unprefixed and sorted, e.g. `['analytics', 'raw']`. */
  schemas(): Promise<string[]>;
  /** The tables and views in `schemas` (unprefixed), sorted by schema then name. */
  relations(schemas: readonly string[]): Promise<RelationInfo[]>;
  /** The columns of `schema.table` in table order; `[]` when there is no such relation. */
  columns(schema: string, table: string): Promise<ColumnInfo[]>;
}

/** Limits for {@link Warehouse.readOnlyQuery}. */
export interface ReadOnlyQueryOptions {
  /** At most this many rows are read (one more is fetched to tell `truncated`), e.g. 10000. */
  maxRows: number;
  /** The query is cancelled after this many milliseconds (SB_SQL_QUERY_TIMEOUT), e.g. 30000. */
  timeoutMs: number;
  /**
   * The schemas the query may read, unprefixed, e.g. `['raw', 'analytics']`. Postgres grants
   * its reader role USAGE and SELECT on them; DuckDB reads everything in its one file.
   */
  schemas: readonly string[];
}

/** What {@link Warehouse.readOnlyQuery} returns. */
export interface ReadOnlyResult {
  /** Column names as the query spelled them, also when there are no rows. */
  columns: string[];
  rows: SqlRow[];
  /** True when more rows existed than `maxRows` (only `maxRows` are returned). */
  truncated: boolean;
}

/** What a warehouse folder exports: how to open one from its validated options. */
export type WarehouseFactory<Options> = (options: Options) => Promise<Warehouse>;

/**
 * One row keyed by column name. Timestamps as `Date` (or ISO-8601 text), a `json` column as
 * the value itself (object, array, string, number…; `null` is SQL NULL), never its text.
 * A column the row leaves out is NULL.
 * @example { dedupe_key: 'sms:abc', received_at: new Date(), body: { umid: 'abc' }, delivery_count: 1 }
 */
export type WriteRow = Readonly<Record<string, SqlParam | object | undefined>>;

/** How {@link Queryable.writeRows} treats a row whose key is there already. */
export interface WriteRowsOptions {
  /**
   * `upsert` (the default): rows meet existing rows on `key` and combine by `onMatch`.
   * `append`: every row is inserted; no key is consulted (for tables without one).
   */
  mode?: 'upsert' | 'append';
  /** Rules for columns on a key match; a column without a rule keeps the existing value. Default: `{}` (insert if absent). */
  onMatch?: Readonly<Record<string, MergeRule>>;
  /** The conflict key; defaults to the table's primary key. */
  key?: readonly string[];
}
