/**
 * BigQuery's GoogleSQL. Differs from the default in quoting (backticks), parameters (named
 * `@p1`, `@p2`, …), types, JSON literals (PARSE_JSON) and upserts (MERGE only; primary keys
 * are informational and must be declared NOT ENFORCED).
 * SQL reference: https://cloud.google.com/bigquery/docs/reference/standard-sql/dml-syntax#merge_statement
 */
import { SqlDialect, type DialectCapabilities, type LogicalType } from '../../dialect.js';

const TYPES: Readonly<Record<LogicalType, string>> = {
  text: 'STRING',
  json: 'JSON',
  timestamp: 'TIMESTAMP',
  bigint: 'INT64',
  integer: 'INT64', // BigQuery has one integer type.
  double: 'FLOAT64',
  boolean: 'BOOL',
};

export class BigQueryDialect extends SqlDialect {
  readonly name = 'bigquery';
  readonly capabilities: DialectCapabilities = {
    supportsOnConflict: false,
    supportsMerge: true,
    // Write `WHERE TRUE QUALIFY …`: ZetaSQL-based tools reject a bare QUALIFY.
    supportsQualify: true,
    supportsTransactions: true, // multi-statement transactions (BEGIN TRANSACTION … COMMIT)
    enforcesPrimaryKeys: false,
    maxParams: 10_000,
    supportsJsonRows: false, // a FLATTEN/UNNEST source is straightforward; not written yet
  };

  typeName(type: LogicalType): string {
    return TYPES[type];
  }

  /** Backticks; a backslash escapes `\` and a backtick inside: `a`b` → `` `a\`b` ``. */
  override quoteIdent(identifier: string): string {
    return `\`${identifier.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
  }

  /** Named parameters (`@p3`); the driver binds `{ p1: …, p2: … }`. */
  override param(index: number): string {
    return `@p${index}`;
  }

  /** JSON cannot be CAST from a string parameter; PARSE_JSON(@p1) parses it. */
  override typedParam(index: number, type: LogicalType): string {
    return type === 'json' ? `PARSE_JSON(${this.param(index)})` : super.typedParam(index, type);
  }
}
