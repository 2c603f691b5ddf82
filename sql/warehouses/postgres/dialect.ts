/**
 * Postgres' SQL: the base class's defaults are Postgres' own, so only type names and the
 * capability flags live here.
 */
import { nullsLast, SqlDialect, type ColumnSpec, type DialectCapabilities, type LogicalType } from '../../dialect.js';

const TYPES: Readonly<Record<LogicalType, string>> = {
  text: 'text',
  // jsonb rather than json: indexable and faster to query. It re-formats the text
  // (`{"a" :1}` → `{"a": 1}`); keep a `text` column where the exact bytes matter.
  json: 'jsonb',
  timestamp: 'timestamptz',
  bigint: 'bigint',
  integer: 'integer',
  double: 'double precision',
  boolean: 'boolean',
};

export class PostgresDialect extends SqlDialect {
  readonly name = 'postgres';
  protected readonly declaredCapabilities: Partial<DialectCapabilities> = {
    supportsOnConflict: true,
    supportsMerge: true, // MERGE from Postgres 15; MERGE … RETURNING only from 17.
    supportsTransactions: true,
    // https://wiki.postgresql.org/wiki/Transactional_DDL_in_PostgreSQL:_A_Competitive_Analysis
    supportsTransactionalDdl: true,
    enforcesPrimaryKeys: true,
    // The wire protocol counts parameters in an Int16: https://www.postgresql.org/docs/current/protocol-message-formats.html
    maxParams: 65_535,
    supportsJsonRows: true,
    // One parameter per statement; these engines take far more, but a batch is a few MB at most.
    maxJsonRowsBytes: 64_000_000,
  };

  typeName(type: LogicalType): string {
    return TYPES[type];
  }

  /**
   * CASCADE, as dbt-postgres does: views that read the table are dropped with it, and are
   * rebuilt when their models run (select them with `model+`).
   */
  override dropTable(qualifiedName: string): string {
    return `DROP TABLE IF EXISTS ${qualifiedName} CASCADE`;
  }

  /** CREATE OR REPLACE VIEW refuses to drop or reorder columns on Postgres, so drop first. */
  override replaceView(qualifiedName: string, select: string): string[] {
    return [`DROP VIEW IF EXISTS ${qualifiedName} CASCADE`, `CREATE VIEW ${qualifiedName} AS\n${select}`];
  }

  /** `#>>` with a text-array path (JSON_VALUE arrives only in Postgres 17). */
  override jsonText(expr: string, path: readonly string[]): string {
    const keys = path.map((key) => `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',');
    return `(CAST(${expr} AS jsonb) #>> ${this.stringLiteral(`{${keys}}`)})`;
  }

  /** DISTINCT ON is Postgres' own "first row per group", and needs no extra column. */
  override firstRowPer(select: string, partitionBy: string, orderBy: string): string {
    return `SELECT DISTINCT ON (${partitionBy}) * FROM (${select}) AS _sb_q ORDER BY ${partitionBy}, ${nullsLast(orderBy)}`;
  }

  /** `json_to_recordset` turns the array into typed rows server-side (json, not jsonb: no re-parse of each object). */
  protected override jsonRowsSource(columns: readonly ColumnSpec[], index: number): string {
    const record = columns.map((c) => `${this.quoteIdent(c.name)} ${this.typeName(c.type)}`).join(', ');
    return `SELECT * FROM json_to_recordset(${this.param(index)}::json) AS r(${record})`;
  }
}
