/**
 * The part of every SQL dialect that writes tables, upserts and merges. A dialect turns
 * warehouse-neutral plans (a table spec, an upsert spec) into SQL text for one warehouse.
 * The base class holds the ANSI-ish default; a warehouse's dialect overrides only the
 * methods where its SQL differs (as Kysely's compilers do), and optional features are
 * declared {@link DialectCapabilities} flags that planners branch on. Never
 * `switch (dialect.name)`. Import from sql/dialect.ts, which adds the model macros.
 */
import { SqlError } from './errors.js';
import { planUpsert, type UpsertPlan } from './upsert-plan.js';
import { CONSERVATIVE_CAPABILITIES, type DialectCapabilities } from './capabilities.js';
import type { ColumnSpec, LogicalType, MergeRule, PlannedStatement, TableLayout, TableSpec, UpsertSpec } from './table-spec.js';
import { informationSchemaSql, type CatalogQuery, type CatalogRequest } from './catalog-sql.js';
import { mergeStagedSql } from './merge-sql.js';

export type { ColumnSpec, LogicalType, MergeRule, PlannedStatement, TableLayout, TableSpec, UpsertSpec } from './table-spec.js';
export { CONSERVATIVE_CAPABILITIES, type DialectCapabilities } from './capabilities.js';

/** Options every dialect accepts. */
export interface DialectOptions {
  /**
   * Prepended to every schema name the dialect writes, e.g. `ci_7f3a_` turns `raw` into
   * `ci_7f3a_raw`. Lets parallel test runs or developers share one database. Default: none.
   */
  schemaPrefix?: string;
}

/**
 * The SQL every dialect writes for tables and upserts. {@link SqlDialect} adds the model
 * macros; warehouses extend that.
 */
export abstract class DialectBase {
  /** Short name used in config and messages only, e.g. `duckdb`. */
  abstract readonly name: string;
  /** The capabilities this dialect has beyond {@link CONSERVATIVE_CAPABILITIES}. */
  protected abstract readonly declaredCapabilities: Partial<DialectCapabilities>;
  #capabilities: Readonly<DialectCapabilities> | undefined;

  /** Every capability: the declared ones over the conservative defaults. */
  get capabilities(): Readonly<DialectCapabilities> {
    return (this.#capabilities ??= Object.freeze({ ...CONSERVATIVE_CAPABILITIES, ...this.declaredCapabilities }));
  }

  /** See {@link DialectOptions.schemaPrefix}; `''` when unset. */
  readonly schemaPrefix: string;

  constructor(options: DialectOptions = {}) {
    this.schemaPrefix = options.schemaPrefix ?? '';
  }

  /** The warehouse's own name for a logical type, e.g. `timestamp` → `TIMESTAMPTZ`. */
  abstract typeName(type: LogicalType): string;

  /** Quotes an identifier: `dedupe_key` → `"dedupe_key"`. */
  quoteIdent(identifier: string): string {
    return `"${identifier.replaceAll('"', '""')}"`;
  }

  /**
   * The quoted schema name with the dialect's prefix applied: `raw` → `"raw"`, or
   * `"ci_7f3a_raw"` with prefix `ci_7f3a_`. Use it wherever SQL names a schema by itself.
   */
  schemaName(schema: string): string {
    return this.quoteIdent(this.schemaPrefix + schema);
  }

  /** A qualified table name: (`raw`, `messaging_events`) → `"raw"."messaging_events"`. */
  tableName(schema: string, name: string): string {
    return `${this.schemaName(schema)}.${this.quoteIdent(name)}`;
  }

  /** The placeholder for the n-th (1-based) bound parameter, e.g. `$3`. */
  param(index: number): string {
    return `$${index}`;
  }

  /** A parameter cast to a logical type, for contexts where the type cannot be inferred. */
  typedParam(index: number, type: LogicalType): string {
    return `CAST(${this.param(index)} AS ${this.typeName(type)})`;
  }

  /**
   * Where the catalog views (`schemata`, `tables`, `columns`) are: for the tables of
   * `schema` (its stored, prefixed name), or for the list of schemas when `schema` is
   * undefined. Default: the ANSI `information_schema` of the current database (DuckDB,
   * Postgres, Snowflake). Used by {@link catalogSql}.
   * @example informationSchema('raw') → `information_schema`
   */
  informationSchema(_schema?: string): string {
    return 'information_schema';
  }

  /**
   * A condition that keeps catalog rows to the current database, given the view's catalog
   * column (e.g. `table_catalog`), or null when {@link informationSchema} already scopes
   * them. DuckDB needs it: its views also list the attached `system` and `temp` catalogs.
   */
  catalogScope(column: string): string | null {
    return `${column} = current_database()`;
  }

  /**
   * The catalog query for one request of the introspector (sql/introspect.ts); see
   * sql/catalog-sql.ts for the columns every answer has. Override it only when the
   * warehouse has no `information_schema`-like views at all.
   */
  catalogSql(request: CatalogRequest): CatalogQuery {
    return informationSchemaSql(this, request);
  }

  /**
   * The text at `path` inside the JSON text `expr`, or NULL when absent; strings come back
   * unquoted. The default is SQL:2016 `JSON_VALUE` (BigQuery's spelling too).
   * @example jsonText('body', ['payload', 'umid']) → `JSON_VALUE(body, '$."payload"."umid"')`
   */
  jsonText(expr: string, path: readonly string[]): string {
    return `JSON_VALUE(${expr}, ${this.stringLiteral(jsonPath(path))})`;
  }


  /** `DROP TABLE IF EXISTS …` for a qualified name. */
  dropTable(qualifiedName: string): string {
    return `DROP TABLE IF EXISTS ${qualifiedName}`;
  }

  /** `DROP VIEW IF EXISTS …` for a qualified name. */
  dropView(qualifiedName: string): string {
    return `DROP VIEW IF EXISTS ${qualifiedName}`;
  }

  /** Renames a table within its schema. */
  renameTable(schema: string, from: string, to: string): string {
    return `ALTER TABLE ${this.tableName(schema, from)} RENAME TO ${this.quoteIdent(to)}`;
  }

  /**
   * Statements that replace table `schema.name` with the rows of `select` as one change that
   * readers see whole: the old table or the new one, never neither and never half. The
   * default builds `<name>__sb_new` aside, then drops the old table and renames the new one:
   * whole only inside a transaction that rolls DDL back, so its swap is one atomic group of
   * DDL, which {@link PlannedStatement.atomicGroup} refuses to run where
   * `supportsTransactionalDdl` is false. Such warehouses override this with one atomic
   * statement (BigQuery and Snowflake: `CREATE OR REPLACE TABLE … AS`).
   * `layout` is a hint for warehouses that bill by bytes scanned (BigQuery partitions and
   * clusters by it); the others ignore it.
   */
  replaceTable(schema: string, name: string, select: string, _layout?: TableLayout): PlannedStatement[] {
    const label = `${schema}.${name}`;
    const fresh = this.tableName(schema, `${name}__sb_new`);
    return [
      { description: `build ${label} aside`, sql: this.dropTable(fresh), ddl: true },
      { description: `build ${label} aside`, sql: `CREATE TABLE ${fresh} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${fresh}`, ddl: true },
      { description: `swap in ${label}`, sql: this.dropTable(this.tableName(schema, name)), atomicGroup: 'swap', ddl: true },
      { description: `swap in ${label}`, sql: this.renameTable(schema, `${name}__sb_new`, name), atomicGroup: 'swap', ddl: true },
    ];
  }

  /**
   * Deletes the rows of `target` whose `key` appears in `staged` (dbt's delete+insert), only
   * among rows at or after the staged minimum of `windowColumn` when it is given.
   */
  deleteStaged(target: string, staged: string, key: readonly string[], windowColumn?: string): string {
    const matches = key.map((k) => `${target}.${this.quoteIdent(k)} = s.${this.quoteIdent(k)}`).join(' AND ');
    const window = windowColumn === undefined ? '' : `${target}.${this.quoteIdent(windowColumn)} >= (SELECT MIN(${this.quoteIdent(windowColumn)}) FROM ${staged}) AND `;
    return `DELETE FROM ${target} WHERE ${window}EXISTS (SELECT 1 FROM ${staged} AS s WHERE ${matches})`;
  }

  /**
   * Merges the rows of `staged` into `target` on `key` (dbt's merge strategy): a target row
   * whose key is staged gets every other of `columns` from its staged row, and a staged row
   * whose key is not in the target is inserted. `columns` are the target's (every key column
   * among them); with `windowColumn`, only target rows at or after the staged minimum of it
   * can match, as in {@link deleteStaged}. The base's spelling is MERGE's common core, which
   * DuckDB (≥ 1.4), Postgres (≥ 15), BigQuery and Snowflake all accept; only where
   * `capabilities.supportsMerge`.
   * @example mergeStaged('"a"."m"', '"a"."m__sb_stage"', ['id'], ['id', 'v']) →
   *   MERGE INTO "a"."m" AS t USING "a"."m__sb_stage" AS s ON t."id" = s."id"
   *   WHEN MATCHED THEN UPDATE SET "v" = s."v" WHEN NOT MATCHED THEN INSERT ("id", "v") VALUES (s."id", s."v")
   */
  mergeStaged(target: string, staged: string, key: readonly string[], columns: readonly string[], windowColumn?: string): string {
    return mergeStagedSql((name) => this.quoteIdent(name), target, staged, key, columns, windowColumn);
  }

  /**
   * `UPDATE target SET … FROM source WHERE …`: sets columns of the `target` rows that match
   * rows of `source` (a relation with its alias, e.g. `"analytics"."people__sb_changes" AS c`).
   * `build` writes the SET values and the condition, given how a target column is named
   * here: by the qualified table, which DuckDB, Postgres and Snowflake accept (Snowflake's
   * UPDATE takes no alias: https://docs.snowflake.com/en/sql-reference/sql/update).
   * @example updateFrom('"a"."t"', '"a"."c" AS c', (t) => ({ set: { v: 'c."v"' }, where: `${t('k')} = c."k"` }))
   *   → `UPDATE "a"."t" SET "v" = c."v" FROM "a"."c" AS c WHERE "a"."t"."k" = c."k"`
   */
  updateFrom(target: string, source: string, build: (column: (name: string) => string) => { set: Readonly<Record<string, string>>; where: string }): string {
    return this.updateFromAs(target, target, source, build);
  }

  /** {@link updateFrom} with `target` named `as` in `build`'s expressions (its alias, or itself). */
  protected updateFromAs(
    target: string,
    as: string,
    source: string,
    build: (column: (name: string) => string) => { set: Readonly<Record<string, string>>; where: string },
  ): string {
    const { set, where } = build((name) => `${as}.${this.quoteIdent(name)}`);
    const assignments = Object.entries(set).map(([column, value]) => `${this.quoteIdent(column)} = ${value}`);
    const alias = as === target ? '' : ` AS ${as}`;
    return `UPDATE ${target}${alias} SET ${assignments.join(', ')}\nFROM ${source}\nWHERE ${where}`;
  }

  /** Statements that (re)define a view, whatever columns it had before. */
  replaceView(qualifiedName: string, select: string): string[] {
    return [`CREATE OR REPLACE VIEW ${qualifiedName} AS\n${select}`];
  }

  /** A SQL string literal: `it's` → `'it''s'`. */
  stringLiteral(value: string): string {
    return `'${value.replaceAll("'", "''")}'`;
  }

  /** `CREATE SCHEMA IF NOT EXISTS …` */
  createSchema(schema: string): string {
    return `CREATE SCHEMA IF NOT EXISTS ${this.schemaName(schema)}`;
  }

  /** `CREATE TABLE IF NOT EXISTS …` with NOT NULLs and the primary key. */
  createTable(table: TableSpec): string {
    const names = new Set(table.columns.map((column) => column.name));
    for (const key of table.primaryKey) {
      if (!names.has(key)) {
        throw new SqlError(
          'SB_SQL_INVALID_TABLE',
          `table ${table.schema}.${table.name}: primary-key column "${key}" is not one of its columns.`,
        );
      }
    }
    const lines = table.columns.map((column) => {
      const notNull = column.nullable === false || table.primaryKey.includes(column.name);
      return `${this.quoteIdent(column.name)} ${this.typeName(column.type)}${notNull ? ' NOT NULL' : ''}`;
    });
    if (table.primaryKey.length > 0) lines.push(this.primaryKeyClause(table.primaryKey));
    return `CREATE TABLE IF NOT EXISTS ${this.tableName(table.schema, table.name)} (\n  ${lines.join(',\n  ')}\n)`;
  }

  /**
   * `ALTER TABLE … ADD COLUMN IF NOT EXISTS …` (DuckDB, Postgres, BigQuery and Snowflake all
   * spell it so). Only for nullable columns: rows already there get NULL.
   */
  addColumn(table: Pick<TableSpec, 'schema' | 'name'>, column: ColumnSpec): string {
    return `ALTER TABLE ${this.tableName(table.schema, table.name)} ADD COLUMN IF NOT EXISTS ${this.quoteIdent(column.name)} ${this.typeName(column.type)}`;
  }

  /**
   * The table constraint for a primary key: `PRIMARY KEY ("id")`. Where keys are not enforced
   * the constraint says so (`… NOT ENFORCED`): BigQuery requires those words, Snowflake
   * accepts them, and they remind a reader that duplicates must be prevented upstream.
   */
  primaryKeyClause(columns: readonly string[]): string {
    const clause = `PRIMARY KEY (${columns.map((c) => this.quoteIdent(c)).join(', ')})`;
    return this.capabilities.enforcesPrimaryKeys ? clause : `${clause} NOT ENFORCED`;
  }

  /**
   * The new value of `column` under `rule` when a row meets an existing one, given the
   * aliases of the existing (`target`) and incoming (`source`) rows; e.g. `add` on `n` →
   * `COALESCE(t."n" + excluded."n", t."n", excluded."n")`.
   * GREATEST/LEAST ignore NULLs on Postgres and DuckDB but return NULL on BigQuery and
   * Snowflake, so the COALESCE wrapper gives the documented NULL-ignoring result everywhere.
   */
  mergeRuleValue(rule: Exclude<MergeRule, 'keep'>, column: string, target: string, source: string): string {
    const existing = `${target}.${this.quoteIdent(column)}`;
    const incoming = `${source}.${this.quoteIdent(column)}`;
    const fallback = `, ${existing}, ${incoming})`;
    if (rule === 'replace') return incoming;
    if (rule === 'add') return `COALESCE(${existing} + ${incoming}${fallback}`;
    return `COALESCE(${rule.toUpperCase()}(${existing}, ${incoming})${fallback}`;
  }

  /**
   * A multi-row upsert; see {@link UpsertSpec}. Uses ON CONFLICT when the warehouse has it,
   * else MERGE. Throws `SB_SQL_INVALID_UPSERT` / `SB_SQL_TOO_MANY_PARAMS` before any I/O.
   */
  upsert(spec: UpsertSpec): string {
    const plan = planUpsert(spec, this.capabilities.maxParams);
    if (this.capabilities.supportsOnConflict) return this.insertOnConflict(plan);
    if (this.capabilities.supportsMerge) return this.mergeInto(plan);
    throw new SqlError('SB_SQL_INVALID_UPSERT', `the ${this.name} dialect declares neither ON CONFLICT nor MERGE.`);
  }

  /**
   * The same upsert with every row in parameter 1: a JSON array of objects keyed by column
   * name, e.g. `[{"id":"a","n":1,"at":"2025-03-04T09:15:27.412Z","doc":{"x":1}}]`.
   * Timestamps are ISO-8601 strings; a `json` column carries the JSON value itself (not its
   * text). Only where `capabilities.supportsJsonRows`; there is no row-count limit.
   */
  upsertJson(spec: Omit<UpsertSpec, 'rowCount'>): string {
    const plan = planUpsert({ ...spec, rowCount: 1 }, this.capabilities.maxParams);
    const source = this.jsonRowsSource(plan.columns, 1);
    if (this.capabilities.supportsOnConflict) return this.insertOnConflict(plan, source);
    return this.mergeInto(plan, source);
  }

  /**
   * `INSERT INTO t (cols) VALUES (…), (…)`: rows appended, no key consulted. Timestamps are
   * typed, so a Date bound as text still lands as a timestamp on every warehouse.
   */
  insertValues(spec: { table: TableSpec; columns: readonly string[]; rowCount: number }): string {
    const plan = planUpsert({ ...spec, key: spec.columns.slice(0, 1), onMatch: {} }, this.capabilities.maxParams);
    const width = plan.columns.length;
    const rows = Array.from({ length: plan.rowCount }, (_, row) => `(${plan.columns.map((c, col) => this.insertParam(row * width + col + 1, c.type)).join(', ')})`);
    return `INSERT INTO ${this.tableName(plan.table.schema, plan.table.name)} (${plan.columns.map((c) => this.quoteIdent(c.name)).join(', ')})\nVALUES\n  ${rows.join(',\n  ')}`;
  }

  /** The same append with every row in parameter 1 as a JSON array ({@link upsertJson}'s format). */
  insertJson(spec: { table: TableSpec; columns: readonly string[] }): string {
    const plan = planUpsert({ ...spec, rowCount: 1, key: spec.columns.slice(0, 1), onMatch: {} }, this.capabilities.maxParams);
    const names = plan.columns.map((c) => this.quoteIdent(c.name)).join(', ');
    return `INSERT INTO ${this.tableName(plan.table.schema, plan.table.name)} (${names})\nSELECT ${names} FROM (${this.jsonRowsSource(plan.columns, 1)}) AS s`;
  }

  /** A placeholder in an INSERT's VALUES: typed where the column alone does not type it (timestamps, JSON). */
  protected insertParam(index: number, type: LogicalType): string {
    return type === 'timestamp' || type === 'json' ? this.typedParam(index, type) : this.param(index);
  }

  /**
   * A SELECT with one row per element of the JSON array in parameter `index`, one column per
   * `columns` entry, typed. Dialects that declare `supportsJsonRows` override it.
   */
  protected jsonRowsSource(_columns: readonly ColumnSpec[], _index: number): string {
    throw new SqlError('SB_SQL_INVALID_UPSERT', `the ${this.name} dialect does not take rows as JSON; use upsert().`);
  }

  /**
   * `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET …` (or `DO NOTHING` when every
   * supplied column is `keep`). Plain placeholders suffice: the target columns type them.
   * With `source` (a SELECT), rows come from it instead of VALUES.
   */
  protected insertOnConflict(plan: UpsertPlan, source?: string): string {
    const width = plan.columns.length;
    const rows = Array.from({ length: plan.rowCount }, (_, row) => {
      const params = plan.columns.map((_, col) => this.param(row * width + col + 1));
      return `(${params.join(', ')})`;
    });
    const names = plan.columns.map((c) => this.quoteIdent(c.name)).join(', ');
    // `WHERE true` keeps Postgres from reading ON CONFLICT as part of the SELECT.
    const input = source === undefined ? `VALUES\n  ${rows.join(',\n  ')}` : `SELECT ${names} FROM (${source}) AS s WHERE true`;
    const conflict = `ON CONFLICT (${plan.key.map((k) => this.quoteIdent(k)).join(', ')})`;
    const action =
      plan.updates.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET\n  ${plan.updates
            .map((u) => `${this.quoteIdent(u.column.name)} = ${this.mergeRuleValue(u.rule, u.column.name, 't', 'excluded')}`)
            .join(',\n  ')}`;
    return (
      `INSERT INTO ${this.tableName(plan.table.schema, plan.table.name)} AS t ` +
      `(${names})\n${input}\n${conflict} ${action}`
    );
  }

  /**
   * `MERGE INTO t USING (SELECT … UNION ALL SELECT …) AS s ON key WHEN MATCHED … WHEN NOT
   * MATCHED …`. The source is a SELECT of typed parameters rather than VALUES because
   * Snowflake rejects function calls such as PARSE_JSON inside VALUES.
   */
  protected mergeInto(plan: UpsertPlan, source?: string): string {
    const width = plan.columns.length;
    const q = (name: string): string => this.quoteIdent(name);
    const selects = Array.from({ length: plan.rowCount }, (_, row) => {
      const values = plan.columns.map((c, col) => {
        const value = this.typedParam(row * width + col + 1, c.type);
        return row === 0 ? `${value} AS ${q(c.name)}` : value;
      });
      return `SELECT ${values.join(', ')}`;
    });
    const input = source ?? selects.join('\n  UNION ALL ');
    const on = plan.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
    const matched =
      plan.updates.length === 0
        ? ''
        : `WHEN MATCHED THEN UPDATE SET\n  ${plan.updates
            .map((u) => `${q(u.column.name)} = ${this.mergeRuleValue(u.rule, u.column.name, 't', 's')}`)
            .join(',\n  ')}\n`;
    return (
      `MERGE INTO ${this.tableName(plan.table.schema, plan.table.name)} AS t\n` +
      `USING (\n  ${input}\n) AS s\nON ${on}\n${matched}` +
      `WHEN NOT MATCHED THEN INSERT (${plan.columns.map((c) => q(c.name)).join(', ')}) ` +
      `VALUES (${plan.columns.map((c) => `s.${q(c.name)}`).join(', ')})`
    );
  }
}

/** A JSONPath with every key quoted, so keys with dots or spaces are safe: `$."a"."b c"`. */
export function jsonPath(path: readonly string[]): string {
  return `$${path.map((key) => `.${JSON.stringify(key)}`).join('')}`;
}
