/**
 * The catalog queries the introspector (sql/introspect.ts) runs, as the dialect writes them
 * (`DialectBase.catalogSql`). The default reads the ANSI `information_schema` views,
 * which DuckDB, Postgres and Snowflake have; a warehouse whose catalog lives elsewhere
 * overrides `DialectBase.informationSchema` (where the views are) and, if needed,
 * `catalogScope` or `catalogSql` itself.
 *
 * Every query answers with the same lower-case column names, whatever the engine:
 * - `schemas`: `schema_name`;
 * - `relations`: `table_schema`, `table_name`, `table_type` (e.g. `BASE TABLE`, `VIEW`);
 * - `columns`: `column_name`, `data_type`, `is_nullable` (`YES`/`NO`), `ordinal_position`.
 * Schema names in requests and answers are as stored, i.e. prefixed.
 */
import type { LogicalType } from './table-spec.js';

/** The part of a dialect the default catalog queries use (DialectBase has all of it). */
export interface CatalogDialect {
  informationSchema(schema?: string): string;
  catalogScope(column: string): string | null;
  param(index: number): string;
  typeName(type: LogicalType): string;
}

/** What the introspector asks the catalog. */
export type CatalogRequest =
  /** Every schema of the current database. */
  | { kind: 'schemas' }
  /** The tables and views in `schemas` (stored names), or only the one called `name`. */
  | { kind: 'relations'; schemas: readonly string[]; name?: string | undefined }
  /** The columns of `schema.table` (stored schema name). */
  | { kind: 'columns'; schema: string; table: string };

/** A catalog query and its bound values (placeholders written with `dialect.param`). */
export interface CatalogQuery {
  sql: string;
  params: string[];
}

/** The default catalog queries over `information_schema`; see the module comment. */
export function informationSchemaSql(d: CatalogDialect, request: CatalogRequest): CatalogQuery {
  const scoped = (column: string): string => {
    const scope = d.catalogScope(column);
    return scope === null ? '' : ` AND ${scope}`;
  };
  if (request.kind === 'schemas') {
    return { sql: `SELECT schema_name AS schema_name FROM ${d.informationSchema()}.schemata WHERE 1 = 1${scoped('catalog_name')}`, params: [] };
  }
  if (request.kind === 'columns') {
    return {
      sql:
        'SELECT column_name AS column_name, data_type AS data_type, is_nullable AS is_nullable, ' +
        `CAST(ordinal_position AS ${d.typeName('integer')}) AS ordinal_position ` +
        `FROM ${d.informationSchema(request.schema)}.columns ` +
        `WHERE table_schema = ${d.param(1)} AND table_name = ${d.param(2)}${scoped('table_catalog')} ORDER BY ordinal_position`,
      params: [request.schema, request.table],
    };
  }
  const { schemas, name } = request;
  const select = 'SELECT table_schema AS table_schema, table_name AS table_name, table_type AS table_type';
  const byName = (index: number): string => (name === undefined ? '' : ` AND table_name = ${d.param(index)}`);
  // Where every schema's views live in one place (information_schema), one query with IN;
  // where each schema has its own (BigQuery's datasets), one SELECT per schema.
  const locations = new Set(schemas.map((s) => d.informationSchema(s)));
  if (locations.size <= 1) {
    const where = `table_schema IN (${schemas.map((_, i) => d.param(i + 1)).join(', ')})`;
    return {
      sql: `${select} FROM ${d.informationSchema(schemas[0])}.tables WHERE ${where}${byName(schemas.length + 1)}${scoped('table_catalog')}`,
      params: name === undefined ? [...schemas] : [...schemas, name],
    };
  }
  const params: string[] = [];
  const selects = schemas.map((schema) => {
    params.push(schema);
    const own = params.length;
    if (name !== undefined) params.push(name);
    return `${select} FROM ${d.informationSchema(schema)}.tables WHERE table_schema = ${d.param(own)}${byName(own + 1)}${scoped('table_catalog')}`;
  });
  return { sql: selects.join('\nUNION ALL\n'), params };
}
