/**
 * DuckDB's SQL. It speaks Postgres' dialect closely enough that the base class's defaults
 * (double-quoted identifiers, `$n` parameters, ON CONFLICT) are already right; only the
 * type names are its own.
 */
import { SqlDialect, type DialectCapabilities, type LogicalType } from '../../dialect.js';

const TYPES: Readonly<Record<LogicalType, string>> = {
  text: 'VARCHAR',
  // JSON is a VARCHAR alias (json extension, statically linked): the text is kept byte for byte.
  json: 'JSON',
  timestamp: 'TIMESTAMPTZ',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

export class DuckDbDialect extends SqlDialect {
  readonly name = 'duckdb';
  readonly capabilities: DialectCapabilities = {
    supportsOnConflict: true,
    // MERGE INTO arrived in 1.4.0: https://duckdb.org/docs/stable/sql/statements/merge_into
    supportsMerge: true,
    supportsQualify: true,
    supportsTransactions: true,
    enforcesPrimaryKeys: true,
    // DuckDB documents no limit; Postgres' keeps batches portable and prepare time modest.
    maxParams: 65_535,
  };

  typeName(type: LogicalType): string {
    return TYPES[type];
  }
}
