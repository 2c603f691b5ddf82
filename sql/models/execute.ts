/**
 * Runs materialization plans. Small on purpose: planning decides, this only executes.
 */
import type { Warehouse } from '../warehouse.js';
import type { Statement } from './materialize.js';

/** True when a table or view `schema.name` exists (information_schema: DuckDB, Postgres, Snowflake). */
export async function relationExists(warehouse: Warehouse, schema: string, name: string): Promise<boolean> {
  const d = warehouse.dialect;
  const rows = await warehouse.all(
    `SELECT 1 AS found FROM information_schema.tables WHERE table_schema = ${d.param(1)} AND table_name = ${d.param(2)}`,
    [`${d.schemaPrefix}${schema}`, name],
  );
  return rows.length > 0;
}

/** Executes `plan` in one transaction: a model is either rebuilt completely or left as it was. */
export async function executePlan(warehouse: Warehouse, plan: readonly Statement[]): Promise<void> {
  await warehouse.transaction(async (tx) => {
    for (const statement of plan) await tx.run(statement.sql);
  });
}
