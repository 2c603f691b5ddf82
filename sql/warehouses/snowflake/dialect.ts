/**
 * Snowflake's SQL. Differs from the default in parameters (positional `:1`, `:2`, …), types,
 * JSON (VARIANT, built with PARSE_JSON) and upserts (MERGE only; primary keys are
 * informational). Identifiers stay double-quoted, so they are case-sensitive: `"raw"` is not
 * `RAW`, and every Switchboard statement must go through quoteIdent to find its tables.
 * SQL reference: https://docs.snowflake.com/en/sql-reference/sql/merge
 */
import { SqlDialect, type DialectCapabilities, type LogicalType, type PlannedStatement } from '../../dialect.js';

const TYPES: Readonly<Record<LogicalType, string>> = {
  text: 'VARCHAR',
  json: 'VARIANT',
  timestamp: 'TIMESTAMP_TZ',
  bigint: 'NUMBER(38,0)',
  integer: 'NUMBER(38,0)', // INTEGER is an alias of NUMBER(38,0) anyway.
  double: 'FLOAT',
  boolean: 'BOOLEAN',
};

export class SnowflakeDialect extends SqlDialect {
  readonly name = 'snowflake';
  protected readonly declaredCapabilities: Partial<DialectCapabilities> = {
    supportsMerge: true,
    supportsQualify: true,
    // DML only: any DDL commits the open transaction (https://docs.snowflake.com/en/sql-reference/transactions#ddl),
    // so supportsTransactionalDdl keeps its default, false. Primary keys are not enforced (the default).
    supportsTransactions: true,
    // No documented bind limit; the SDK moves binds to a stage past 100,000 values, and
    // statement text is capped at 1 MB. 10,000 keeps each MERGE well inside both.
    maxParams: 10_000,
  };

  typeName(type: LogicalType): string {
    return TYPES[type];
  }

  /** Snowflake reads backslash escapes inside '…' too, so backslashes are doubled as well. */
  override stringLiteral(value: string): string {
    return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  }

  /** REGEXP_LIKE matches the whole text already. */
  override regexMatches(expr: string, pattern: string): string {
    return `REGEXP_LIKE(${expr}, ${this.stringLiteral(pattern)})`;
  }

  protected override tryCast(expr: string, type: LogicalType): string {
    return `TRY_CAST(${expr} AS ${this.typeName(type)})`;
  }

  override isoToTimestamp(expr: string): string {
    return `CONVERT_TIMEZONE('UTC', TRY_TO_TIMESTAMP_TZ(${expr}))`;
  }

  override epochSecondsToTimestamp(seconds: string): string {
    return `CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_TZ(CAST(ROUND((${seconds}) * 1e6) AS NUMBER(38,0)), 6))`;
  }

  protected override get localDateTimeType(): string {
    return 'TIMESTAMP_NTZ';
  }

  override localToTimestamp(expr: string, zone: string): string {
    return `CAST(CONVERT_TIMEZONE(${this.stringLiteral(zone)}, 'UTC', ${expr}) AS TIMESTAMP_TZ)`;
  }

  override timestampToLocal(expr: string, zone: string): string {
    return `CAST(CONVERT_TIMEZONE(${this.stringLiteral(zone)}, ${expr}) AS TIMESTAMP_NTZ)`;
  }

  override addSeconds(ts: string, seconds: number): string {
    return `DATEADD(second, ${seconds}, ${ts})`;
  }

  override addMilliseconds(ts: string, ms: string): string {
    return `DATEADD(millisecond, CAST(${ms} AS BIGINT), ${ts})`;
  }

  override secondsBetween(from: string, to: string): string {
    return `(DATEDIFF(microsecond, ${from}, ${to}) / 1e6)`;
  }

  /** A lateral FLATTEN; Snowflake documents LATERAL after a comma, so this starts with one. */
  override jsonEntries(expr: string, path: readonly string[], alias: string): string {
    const variantPath = path.map((key) => `[${JSON.stringify(key)}]`).join('');
    const value = `GET_PATH(TRY_PARSE_JSON(${expr}), ${this.stringLiteral(variantPath)})`;
    return (
      `, LATERAL (SELECT f.key AS entry_key, TO_JSON(f.value) AS entry_value ` +
      `FROM TABLE(FLATTEN(INPUT => CASE WHEN IS_OBJECT(${value}) THEN ${value} END)) AS f) AS ${this.quoteIdent(alias)}`
    );
  }

  override sha256Hex(expr: string): string {
    return `SHA2(${expr}, 256)`;
  }

  /** Positional binds (`:3`) reference the binds array by number, so reuse is possible. */
  override param(index: number): string {
    return `:${index}`;
  }

  /**
   * VARIANT from a string needs PARSE_JSON(:1) — a CAST would store a JSON *string*. Such
   * function calls are rejected in INSERT … VALUES, which is why upserts use a SELECT source.
   */
  override typedParam(index: number, type: LogicalType): string {
    return type === 'json' ? `PARSE_JSON(${this.param(index)})` : super.typedParam(index, type);
  }

  /** `GET_PATH` on a parsed VARIANT, cast to text (strings come back unquoted). */
  override jsonText(expr: string, path: readonly string[]): string {
    const variantPath = path.map((key) => `[${JSON.stringify(key)}]`).join('');
    return `CAST(GET_PATH(PARSE_JSON(${expr}), ${this.stringLiteral(variantPath)}) AS VARCHAR)`;
  }

  /** Snowflake resolves an unqualified new name against the session's schema, so qualify it. */
  override renameTable(schema: string, from: string, to: string): string {
    return `ALTER TABLE ${this.tableName(schema, from)} RENAME TO ${this.tableName(schema, to)}`;
  }

  /**
   * One atomic statement, since any DDL commits Snowflake's open transaction:
   * https://docs.snowflake.com/en/sql-reference/sql/create-table (CREATE OR REPLACE is atomic:
   * "the old table is deleted and the new table is created in a single transaction").
   */
  override replaceTable(schema: string, name: string, select: string): PlannedStatement[] {
    const target = this.tableName(schema, name);
    return [{ description: `replace ${schema}.${name}`, sql: `CREATE OR REPLACE TABLE ${target} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${target}`, ddl: true }];
  }
}
