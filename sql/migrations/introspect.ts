/**
 * What migrations read of the warehouse's catalogue, in one place (an introspector in the
 * warehouse contract will replace it): the columns a table has, through
 * `information_schema`, which DuckDB, Postgres, BigQuery (per dataset) and Snowflake all have.
 */
import type { SqlDialect } from '../dialect.js';
import type { Queryable } from '../warehouse.js';

/**
 * The columns of `<schema>.<name>` in their order; empty when the table does not exist.
 * `schema` is unprefixed, e.g. `raw`.
 * @example await tableColumns(wh, wh.dialect, 'raw', 'rejections') // ['rejection_id', 'family', …]
 */
export async function tableColumns(q: Queryable, dialect: SqlDialect, schema: string, name: string): Promise<string[]> {
  const rows = await q.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = ${dialect.param(1)} AND table_name = ${dialect.param(2)} ORDER BY ordinal_position`,
    [dialect.schemaPrefix + schema, name],
  );
  return rows.map((row) => row.column_name);
}
