/**
 * The warehouse-neutral shapes of the tables Switchboard owns and of the upserts it plans:
 * what a dialect (sql/dialect-base.ts) turns into SQL, and what the upsert planner
 * (sql/upsert-plan.ts) reads. Kept apart so that neither imports the other for them.
 */

/** Column types Switchboard uses, mapped to each warehouse's own names by {@link SqlDialect.typeName}. */
export type LogicalType = 'text' | 'json' | 'timestamp' | 'bigint' | 'integer' | 'double' | 'boolean';

/** One column of a table Switchboard owns. */
export interface ColumnSpec {
  /** Lower-case snake_case name, e.g. `dedupe_key`. */
  name: string;
  type: LogicalType;
  /** Defaults to true. Primary-key columns are always NOT NULL. */
  nullable?: boolean;
}

/** A table Switchboard creates and writes, e.g. `raw.messaging_events`. */
/** How a table is laid out where the warehouse bills by bytes scanned; the others ignore it. */
export interface TableLayout {
  /**
   * A timestamp column to partition by day, where the warehouse partitions (BigQuery: `PARTITION
   * BY DATE(col)`, so a query that filters on it scans only its days). Others ignore it.
   */
  partitionBy?: string;
  /** Columns to cluster by, where the warehouse clusters (BigQuery, at most four). Others ignore it. */
  clusterBy?: readonly string[];
}

export interface TableSpec extends TableLayout {
  schema: string;
  name: string;
  columns: readonly ColumnSpec[];
  /** Column names; may be empty for append-only tables. */
  primaryKey: readonly string[];
}

/** One statement of a plan the dialect wrote, e.g. one step of a table replace. */
export interface PlannedStatement {
  /** What it does, for progress lines and --dry-run: e.g. `swap in analytics.calls`. */
  description: string;
  sql: string;
  /** A `SELECT COUNT(*) AS n …` run right after `sql`: the rows the build wrote, for run results. */
  rowsQuery?: string;
  /**
   * Statements with the same group that follow each other must commit together. Where the
   * warehouse has transactional DDL the whole plan is one transaction anyway; elsewhere a
   * group runs in one DML transaction (`supportsTransactions`), and a group holding DDL
   * cannot run at all (SB_SQL_NOT_ATOMIC), which is what keeps a warehouse that forgot to
   * override {@link DialectBase.replaceTable} from swapping a table non-atomically.
   */
  atomicGroup?: string;
  /** True for CREATE, DROP, ALTER or RENAME: DDL, which some warehouses cannot roll back. */
  ddl?: boolean;
}

/**
 * What happens to a column when an upserted row meets an existing row with the same key:
 * - `replace`: take the incoming value;
 * - `keep`: keep the existing value (first writer wins);
 * - `add`: existing + incoming (e.g. a delivery counter), ignoring NULLs like the two below
 *   (NULL + 3 is 3, not NULL, so one missing value never wipes out a counter);
 * - `greatest` / `least`: the larger / smaller of the two, ignoring NULLs.
 */
export type MergeRule = 'replace' | 'keep' | 'add' | 'greatest' | 'least';

/**
 * A multi-row upsert of literal rows bound as parameters.
 *
 * Callers must dedupe keys within one upsert: Postgres, BigQuery and Snowflake reject a key
 * that appears twice in one statement, while DuckDB's ON CONFLICT silently keeps only the
 * first such row (verified on 1.5.6), so the outcome would differ per warehouse.
 */
export interface UpsertSpec {
  table: TableSpec;
  /** The columns each row supplies, in parameter order. Must include every key column. */
  columns: readonly string[];
  /** How many rows; parameters are bound row-major: row 0's columns, then row 1's, … */
  rowCount: number;
  /** The conflict key; defaults to the table's primary key. */
  key?: readonly string[];
  /** Rules for columns on a key match; a supplied column without a rule is `keep`. */
  onMatch: Readonly<Record<string, MergeRule>>;
}
