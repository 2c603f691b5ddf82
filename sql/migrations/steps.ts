/**
 * Building blocks for idempotent migrations, written once so each component's list stays a
 * list of what changed.
 */
import type { SqlDialect, TableSpec } from '../dialect.js';
import type { Queryable } from '../warehouse.js';
import { ensureCreated, ensureSchema } from '../ensure-table.js';
import { listColumns } from '../introspect.js';

/**
 * `table` without the columns a later migration adds: how a table's first migration creates
 * it from the spec its code writes today, and stays the same when a later version adds a
 * column (to the spec and in a migration of its own).
 * @example withoutColumns(rejectionsTable('raw'), ['body_sha256', 'occurrences'])
 */
export function withoutColumns(table: TableSpec, names: readonly string[]): TableSpec {
  const missing = names.filter((name) => !table.columns.some((c) => c.name === name));
  if (missing.length > 0) throw new Error(`${table.schema}.${table.name} has no column ${missing.join(', ')}`);
  return { ...table, columns: table.columns.filter((c) => !names.includes(c.name)) };
}

/**
 * Adds the columns `names` of `table`'s spec that the table lacks (each must be nullable, so
 * no row is rewritten). A table that does not exist is left alone: whoever creates it later
 * creates it whole. A table that has them all takes no ALTER, so no lock.
 * @returns the columns it added
 * @example await addColumns(q, d, rejectionsTable('raw'), ['body_sha256', 'occurrences'])
 */
export async function addColumns(q: Queryable, d: SqlDialect, table: TableSpec, names: readonly string[]): Promise<string[]> {
  const present = (await listColumns(q, d, table.schema, table.name)).map((c) => c.name);
  if (present.length === 0) return [];
  const added: string[] = [];
  for (const name of names) {
    const column = table.columns.find((c) => c.name === name);
    if (column === undefined) throw new Error(`${table.schema}.${table.name} has no column ${name}`);
    if (column.nullable === false || table.primaryKey.includes(name)) throw new Error(`${table.schema}.${table.name}.${name}: a column added later must be nullable`);
    if (present.includes(name)) continue;
    await q.run(d.addColumn(table, column));
    added.push(name);
  }
  return added;
}

/**
 * Creates `schema` and each table that is missing (`IF NOT EXISTS`), in order. A create that
 * loses a race with another creator is tried once more (sql/ensure-table.ts): the migration
 * lock is per raw schema, and two installations on one Postgres database with their own
 * raw schemas share `switchboard_sync`.
 */
export async function createTables(q: Queryable, d: SqlDialect, schema: string, tables: readonly TableSpec[]): Promise<void> {
  await ensureSchema(q, d, schema);
  for (const table of tables) await ensureCreated(q, d, table);
}
