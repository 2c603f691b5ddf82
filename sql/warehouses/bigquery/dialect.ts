/**
 * BigQuery's GoogleSQL. Differs from the default in quoting (backticks), parameters (named
 * `@p1`, `@p2`, …), types, JSON literals (PARSE_JSON) and upserts (MERGE only; primary keys
 * are informational and must be declared NOT ENFORCED).
 * SQL reference: https://cloud.google.com/bigquery/docs/reference/standard-sql/dml-syntax#merge_statement
 */
import { jsonPath, SqlDialect, type ColumnSpec, type DialectCapabilities, type DialectOptions, type LogicalType, type PlannedStatement, type TableLayout, type TableSpec } from '../../dialect.js';

/** BigQuery's dialect options. */
export interface BigQueryDialectOptions extends DialectOptions {
  /**
   * The datasets' location, e.g. `EU` or `europe-west3`: the list of datasets (SCHEMATA)
   * is read in that region. Default: unset, which BigQuery reads as the US multi-region.
   */
  location?: string | undefined;
}

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
  /** See {@link BigQueryDialectOptions.location}. */
  readonly location: string | undefined;

  constructor(options: BigQueryDialectOptions = {}) {
    super(options);
    this.location = options.location;
  }

  protected readonly declaredCapabilities: Partial<DialectCapabilities> = {
    supportsMerge: true,
    // Write `WHERE TRUE QUALIFY …`: ZetaSQL-based tools reject a bare QUALIFY.
    supportsQualify: true,
    // Multi-statement transactions over DML only; DDL on permanent tables is refused inside
    // one, so supportsTransactionalDdl keeps its default, false:
    // https://cloud.google.com/bigquery/docs/transactions#statements_supported_in_transactions
    supportsTransactions: true,
    // "Maximum number of query parameters: 10,000" (https://cloud.google.com/bigquery/quotas#query_jobs).
    maxParams: 10_000,
    // Rows arrive as one JSON text parameter, unnested by JSON_QUERY_ARRAY (jsonRowsSource).
    supportsJsonRows: true,
  };

  typeName(type: LogicalType): string {
    return TYPES[type];
  }

  override regexMatches(expr: string, pattern: string): string {
    return `REGEXP_CONTAINS(${expr}, ${this.stringLiteral(`^(?:${pattern})$`)})`;
  }

  protected override tryCast(expr: string, type: LogicalType): string {
    return `SAFE_CAST(${expr} AS ${this.typeName(type)})`;
  }

  /** BigQuery takes at most 6 fraction digits and wants a colon in the offset: normalise first. */
  override isoToTimestamp(expr: string): string {
    const sixDigits = `REGEXP_REPLACE(${expr}, r'([.][0-9]{6})[0-9]+', r'\\1')`;
    return `SAFE_CAST(REGEXP_REPLACE(${sixDigits}, r'([-+][0-9]{2})([0-9]{2})$', r'\\1:\\2') AS TIMESTAMP)`;
  }

  override epochSecondsToTimestamp(seconds: string): string {
    return `TIMESTAMP_MICROS(CAST(ROUND((${seconds}) * 1e6) AS INT64))`;
  }

  protected override get localDateTimeType(): string {
    return 'DATETIME';
  }

  protected override addSecondsLocal(local: string, seconds: number): string {
    return `DATETIME_ADD(${local}, INTERVAL ${seconds} SECOND)`;
  }

  override localToTimestamp(expr: string, zone: string): string {
    return `TIMESTAMP(${expr}, ${this.stringLiteral(zone)})`;
  }

  override timestampToLocal(expr: string, zone: string): string {
    return `DATETIME(${expr}, ${this.stringLiteral(zone)})`;
  }

  override addSeconds(ts: string, seconds: number): string {
    return `TIMESTAMP_ADD(${ts}, INTERVAL ${seconds} SECOND)`;
  }

  override addMilliseconds(ts: string, ms: string): string {
    return `TIMESTAMP_ADD(${ts}, INTERVAL CAST(${ms} AS INT64) MILLISECOND)`;
  }

  override secondsBetween(from: string, to: string): string {
    return `(TIMESTAMP_DIFF(${to}, ${from}, MICROSECOND) / 1e6)`;
  }

  override jsonText(expr: string, path: readonly string[]): string {
    return `JSON_VALUE(${expr}, ${this.stringLiteral(jsonPath(path))})`;
  }

  override jsonEntries(expr: string, path: readonly string[], alias: string): string {
    const object = `JSON_QUERY(SAFE.PARSE_JSON(${expr}), ${this.stringLiteral(jsonPath(path))})`;
    return (
      `CROSS JOIN UNNEST(ARRAY(SELECT AS STRUCT k AS entry_key, TO_JSON_STRING(${object}[k]) AS entry_value ` +
      `FROM UNNEST(JSON_KEYS(${object}, 1)) AS k)) AS ${this.quoteIdent(alias)}`
    );
  }

  override sha256Hex(expr: string): string {
    return `TO_HEX(SHA256(${expr}))`;
  }

  override splitPart(expr: string, delimiter: string, index: number): string {
    return `SPLIT(${expr}, ${this.stringLiteral(delimiter)})[SAFE_ORDINAL(${index})]`;
  }

  /**
   * BigQuery has no VALUES in FROM: an array of typed structs, unnested. Each struct names
   * its field types, so a NULL needs no cast and one-column rows are structs too.
   * https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#constructing_a_struct
   */
  override textRows(rows: ReadonlyArray<ReadonlyArray<string | null>>, alias: string): string {
    const struct = `STRUCT<${Array.from({ length: rows[0]?.length ?? 0 }, (_, i) => `c${i} STRING`).join(', ')}>`;
    const values = rows.map((row) => `  ${struct}(${row.map((v) => (v === null ? 'NULL' : this.stringLiteral(v))).join(', ')})`);
    return `UNNEST([\n${values.join(',\n')}\n]) AS ${alias}`;
  }

  /**
   * Backslashes start escapes in GoogleSQL literals and a doubled quote is not one (`'it''s'`
   * is two adjacent literals, a syntax error), so both are escaped with a backslash, and
   * line breaks too, which a quoted literal may not hold:
   * https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#string_and_bytes_literals
   */
  override stringLiteral(value: string): string {
    const escaped = value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n').replaceAll('\r', '\\r');
    return `'${escaped}'`;
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

  /**
   * One atomic statement: `CREATE OR REPLACE TABLE … AS` swaps the new table in whole, and
   * BigQuery cannot roll back the default's DROP + RENAME (no DDL in transactions).
   * https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#create_table_statement
   * With a layout, `PARTITION BY` and `CLUSTER BY` come before `AS` (same page). BigQuery
   * refuses to replace a table with one partitioned differently ("Cannot replace a table
   * with a different partitioning spec"); a model's layout changes only with its config.
   */
  override replaceTable(schema: string, name: string, select: string, layout?: TableLayout): PlannedStatement[] {
    const target = this.tableName(schema, name);
    return [{ description: `replace ${schema}.${name}`, sql: `CREATE OR REPLACE TABLE ${target}${this.layoutClauses(layout)} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${target}`, ddl: true }];
  }

  /**
   * With an alias for the target: GoogleSQL's DELETE names columns by alias, not by the
   * dataset-qualified table (`DELETE [FROM] target_name [[AS] alias] WHERE condition`):
   * https://cloud.google.com/bigquery/docs/reference/standard-sql/dml-syntax#delete_statement
   */
  override deleteStaged(target: string, staged: string, key: readonly string[], windowColumn?: string): string {
    const matches = key.map((k) => `t.${this.quoteIdent(k)} = s.${this.quoteIdent(k)}`).join(' AND ');
    const window = windowColumn === undefined ? '' : `t.${this.quoteIdent(windowColumn)} >= (SELECT MIN(${this.quoteIdent(windowColumn)}) FROM ${staged}) AND `;
    return `DELETE FROM ${target} AS t WHERE ${window}EXISTS (SELECT 1 FROM ${staged} AS s WHERE ${matches})`;
  }

  /**
   * Adds the table's partitioning (by the UTC day of `partitionBy`) and clustering, so a
   * query or MERGE that filters on them scans only what it needs: BigQuery bills by bytes
   * scanned. https://cloud.google.com/bigquery/docs/reference/standard-sql/data-definition-language#partition_expression
   * and #clustering_column_list (at most four clustering columns).
   */
  override createTable(table: TableSpec): string {
    return `${super.createTable(table)}${this.layoutClauses(table)}`;
  }

  private layoutClauses(layout: TableLayout | undefined): string {
    const partition = layout?.partitionBy === undefined ? '' : `\nPARTITION BY DATE(${this.quoteIdent(layout.partitionBy)})`;
    const cluster = layout?.clusterBy === undefined || layout.clusterBy.length === 0 ? '' : `\nCLUSTER BY ${layout.clusterBy.slice(0, 4).map((c) => this.quoteIdent(c)).join(', ')}`;
    return `${partition}${cluster}`;
  }

  /**
   * Rows from one STRING parameter holding a JSON array: `JSON_QUERY_ARRAY` splits it into
   * one JSON text per row, read column by column with `JSON_VALUE` (scalars; SQL NULL for a
   * JSON null or a missing key) or `JSON_QUERY` (a json column, whose JSON null becomes SQL
   * NULL). https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#json_query_array
   * and #json_value. Timestamps arrive as ISO-8601 text with `Z`, which TIMESTAMP() reads.
   */
  protected override jsonRowsSource(columns: readonly ColumnSpec[], index: number): string {
    const row = '_sb_row';
    const read = (c: ColumnSpec): string => {
      const path = this.stringLiteral(jsonPath([c.name]));
      if (c.type === 'json') {
        const value = `PARSE_JSON(JSON_QUERY(${row}, ${path}), wide_number_mode => 'round')`;
        return `IF(JSON_QUERY(${row}, ${path}) = 'null', NULL, ${value})`;
      }
      const text = `JSON_VALUE(${row}, ${path})`;
      if (c.type === 'text') return text;
      if (c.type === 'timestamp') return `TIMESTAMP(${text})`;
      return `CAST(${text} AS ${this.typeName(c.type)})`;
    };
    return `SELECT ${columns.map((c) => `${read(c)} AS ${this.quoteIdent(c.name)}`).join(', ')} FROM UNNEST(JSON_QUERY_ARRAY(${this.param(index)})) AS ${row}`;
  }

  /**
   * INFORMATION_SCHEMA views must be qualified by a dataset or a region. A dataset's tables
   * and columns: `` `<dataset>`.INFORMATION_SCHEMA.TABLES `` / `.COLUMNS`, which list that
   * dataset only (so the introspector asks one SELECT per dataset, joined by UNION ALL).
   * The datasets: `` `region-<location>`.INFORMATION_SCHEMA.SCHEMATA ``; without a region
   * qualifier BigQuery reads the US region.
   * https://cloud.google.com/bigquery/docs/information-schema-intro (syntax, qualifiers)
   * https://cloud.google.com/bigquery/docs/information-schema-tables
   * https://cloud.google.com/bigquery/docs/information-schema-columns
   * https://cloud.google.com/bigquery/docs/information-schema-datasets-schemata
   */
  override informationSchema(schema?: string): string {
    if (schema !== undefined) return `${this.quoteIdent(schema)}.INFORMATION_SCHEMA`;
    return this.location === undefined ? 'INFORMATION_SCHEMA' : `${this.quoteIdent(`region-${this.location.toLowerCase()}`)}.INFORMATION_SCHEMA`;
  }

  /** The qualified views above are already scoped to one dataset, or to the project's region. */
  override catalogScope(): string | null {
    return null;
  }
}
