/**
 * Brings a table Switchboard owns up to its spec: creates it when missing, and adds the
 * nullable columns a later version introduced. The rule that keeps this safe: a column
 * added after a table first shipped is always nullable, so adding it never touches a row.
 * Existing columns are read first, so an up-to-date table takes no ALTER (and no lock).
 */
import type { SqlDialect, TableSpec } from './dialect.js';
import type { Queryable } from './warehouse.js';

/** @example await ensureTable(wh, wh.dialect, rejectionsTable('raw')) */
export async function ensureTable(q: Queryable, dialect: SqlDialect, table: TableSpec): Promise<void> {
  await q.run(dialect.createTable(table));
  const rows = await q.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = ${dialect.param(1)} AND table_name = ${dialect.param(2)}`,
    [dialect.schemaPrefix + table.schema, table.name],
  );
  const present = new Set(rows.map((r) => r.column_name));
  for (const column of table.columns) {
    if (present.has(column.name) || column.nullable === false || table.primaryKey.includes(column.name)) continue;
    await q.run(dialect.addColumn(table, column));
  }
}
