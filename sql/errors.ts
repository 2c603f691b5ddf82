/**
 * Errors raised on purpose by the warehouse layer. Codes are stable (see core/errors.ts);
 * each message says what went wrong and how to fix it. Driver errors (a syntax error, a
 * constraint violation) are passed through unchanged, so callers see the engine's own text.
 */
import { SwitchboardError } from '../core/errors.js';

/** Every code the warehouse layer raises itself. */
export type SqlErrorCode =
  /** A table spec that cannot be turned into DDL (a primary-key column that is not a column, …). */
  | 'SB_SQL_INVALID_TABLE'
  /** An upsert plan that cannot be turned into SQL (unknown column, missing key, …). */
  | 'SB_SQL_INVALID_UPSERT'
  /** A statement would carry more bind parameters than the warehouse allows. */
  | 'SB_SQL_TOO_MANY_PARAMS'
  /** A parameter value the driver cannot bind (e.g. an invalid Date). */
  | 'SB_SQL_INVALID_PARAM'
  /** The warehouse was used after close(). */
  | 'SB_SQL_CLOSED'
  /** The `tx` handed to transaction() was used after the transaction had ended. */
  | 'SB_SQL_TRANSACTION_FINISHED'
  /** The Warehouse itself (not `tx`) was called from inside its own transaction(). */
  | 'SB_SQL_REENTRANT_CALL'
  /** The warehouse could not be reached or opened. */
  | 'SB_SQL_UNAVAILABLE'
  /** Postgres answers, but the database warehouse.url names does not exist. */
  | 'SB_SQL_DATABASE_MISSING'
  /** readOnlyQuery() was given something other than exactly one SELECT-like statement. */
  | 'SB_SQL_NOT_READ_ONLY'
  /** readOnlyQuery() ran past its timeoutMs and was cancelled. */
  | 'SB_SQL_QUERY_TIMEOUT'
  /** all() or stream() was cancelled through its AbortSignal (the query was stopped on the server). */
  | 'SB_SQL_QUERY_CANCELLED'
  /** readOnlyQuery() has no safe session to run in (Postgres: the reader role cannot be set up). */
  | 'SB_SQL_READER_UNAVAILABLE'
  /** A plan asks for statements to commit together that the warehouse cannot commit together. */
  | 'SB_SQL_NOT_ATOMIC'
  /** A dry run was asked of a warehouse whose driver cannot check a statement without running it. */
  | 'SB_SQL_DRY_RUN_UNSUPPORTED';

export class SqlError extends SwitchboardError {
  declare readonly code: SqlErrorCode;

  constructor(code: SqlErrorCode, message: string, options: { configKey?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'SqlError';
  }
}

/**
 * The configured warehouse has no `Warehouse.dryRun` (sql/warehouse.ts): said the same way by every caller.
 * @example if (wh.dryRun === undefined) throw dryRunUnsupported()
 */
export function dryRunUnsupported(): SqlError {
  return new SqlError(
    'SB_SQL_DRY_RUN_UNSUPPORTED',
    'The configured warehouse (warehouse.type) cannot check a query without running it: its driver has no dry run. ' +
      'Run compile without --dry-run to see the SQL, and build on a scratch schema (models.schema) to try it.',
    { configKey: 'warehouse.type' },
  );
}
