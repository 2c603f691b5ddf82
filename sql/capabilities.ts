/**
 * What a SQL dialect can do, as flags planners branch on (sql/dialect-base.ts), and the
 * conservative defaults a dialect starts from.
 */

/**
 * Optional features. Planners branch on these, never on a dialect's name. A dialect declares
 * only the features it has ({@link DialectBase.declaredCapabilities}); everything else takes
 * the conservative default in {@link CONSERVATIVE_CAPABILITIES}, so a new warehouse starts
 * from "can do the least" and opts in, as Kysely's `DialectAdapterBase` does.
 */
export interface DialectCapabilities {
  /** `INSERT … ON CONFLICT (key) DO UPDATE` (DuckDB, Postgres). */
  supportsOnConflict: boolean;
  /** `MERGE INTO … USING …` (DuckDB ≥ 1.4, Postgres ≥ 15, BigQuery, Snowflake). */
  supportsMerge: boolean;
  /** `QUALIFY` on window functions (DuckDB, BigQuery, Snowflake; not Postgres). */
  supportsQualify: boolean;
  /**
   * Multi-statement transactions over DML (INSERT, UPDATE, DELETE, MERGE) that roll back on
   * error. Without them, {@link DialectBase.replaceTable} and the incremental plans must make
   * each change one atomic statement.
   */
  supportsTransactions: boolean;
  /**
   * CREATE, DROP, ALTER and RENAME inside a transaction, rolled back with it (DuckDB,
   * Postgres). False on BigQuery, which refuses DDL on permanent tables inside a transaction
   * (https://cloud.google.com/bigquery/docs/transactions#statements_supported_in_transactions),
   * and on Snowflake, where any DDL commits the open transaction
   * (https://docs.snowflake.com/en/sql-reference/transactions#ddl).
   */
  supportsTransactionalDdl: boolean;
  /** Whether PRIMARY KEY is enforced (false on BigQuery and Snowflake: dedupe before writing). */
  enforcesPrimaryKeys: boolean;
  /** Most bind parameters one statement may carry (Postgres: 65,535). */
  maxParams: number;
  /**
   * Rows can arrive as ONE parameter holding a JSON array ({@link SqlDialect.upsertJson}):
   * the warehouse parses the batch natively instead of binding rows × columns parameters
   * one by one (3–4× faster on DuckDB for 1,000 raw events).
   */
  supportsJsonRows: boolean;
  /**
   * Most characters of JSON rows in one statement's parameter (sql/write-rows.ts cuts larger
   * batches). BigQuery takes at most 10 MB per query request, parameters included:
   * https://cloud.google.com/bigquery/quotas#query_jobs ("Maximum request size").
   */
  maxJsonRowsBytes: number;
}

/**
 * What a dialect gets for every capability it does not declare: the least a warehouse can do.
 * `maxParams` is ZetaSQL's and Snowflake's comfortable size, far below Postgres' 65,535.
 */
export const CONSERVATIVE_CAPABILITIES: Readonly<DialectCapabilities> = Object.freeze({
  supportsOnConflict: false,
  supportsMerge: false,
  supportsQualify: false,
  supportsTransactions: false,
  supportsTransactionalDdl: false,
  enforcesPrimaryKeys: false,
  maxParams: 1_000,
  supportsJsonRows: false,
  maxJsonRowsBytes: 8_000_000,
});
