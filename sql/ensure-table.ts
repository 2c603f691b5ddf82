/**
 * Brings a schema or a table Switchboard owns up to its spec: creates it when missing, and
 * adds the nullable columns a later version introduced. The rule that keeps this safe: a
 * column added after a table first shipped is always nullable, so adding it never touches a
 * row. Existing columns are read first, so an up-to-date table takes no ALTER (and no lock).
 *
 * Two processes (or a drainer and a model build in one) may create the same table at once.
 * `IF NOT EXISTS` does not make that safe on Postgres: the loser of the race fails on the
 * catalog's unique index (`pg_type_typname_nsp_index`, or `duplicate schema`). So a failed
 * create is tried once more, when the winner's table is there to be found.
 */
import type { SqlDialect, TableSpec } from './dialect.js';
import type { Queryable } from './warehouse.js';

/** @example await ensureSchema(wh, wh.dialect, 'raw') */
export async function ensureSchema(q: Queryable, dialect: SqlDialect, schema: string): Promise<void> {
  await once(() => q.run(dialect.createSchema(schema)));
}

/** @example await ensureTable(wh, wh.dialect, rejectionsTable('raw')) */
export async function ensureTable(q: Queryable, dialect: SqlDialect, table: TableSpec): Promise<void> {
  await once(() => q.run(dialect.createTable(table)));
  const rows = await q.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = ${dialect.param(1)} AND table_name = ${dialect.param(2)}`,
    [dialect.schemaPrefix + table.schema, table.name],
  );
  const present = new Set(rows.map((r) => r.column_name));
  for (const column of table.columns) {
    if (present.has(column.name) || column.nullable === false || table.primaryKey.includes(column.name)) continue;
    await once(() => q.run(dialect.addColumn(table, column)));
  }
}

/** Runs an idempotent DDL statement, and once more if a concurrent creator won the race. */
async function once(ddl: () => Promise<void>): Promise<void> {
  try {
    await ddl();
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await ddl();
  }
}
