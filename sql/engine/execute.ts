/**
 * Runs materialization plans. Small on purpose: planning decides, this only executes.
 */
import { SqlError } from '../errors.js';
import type { Queryable, Warehouse } from '../warehouse.js';
import type { Statement } from './materialize.js';

/** True when a table or view `schema.name` exists (information_schema: DuckDB, Postgres, Snowflake). */
export async function relationExists(warehouse: Queryable, schema: string, name: string): Promise<boolean> {
  return (await relationKind(warehouse, schema, name)) !== null;
}

/** Whether `schema.name` is a table, a view, or absent. */
export async function relationKind(warehouse: Queryable, schema: string, name: string): Promise<'table' | 'view' | null> {
  const d = (warehouse as Warehouse).dialect;
  const rows = await warehouse.all<{ table_type: string }>(
    `SELECT table_type FROM information_schema.tables WHERE table_schema = ${d.param(1)} AND table_name = ${d.param(2)}`,
    [`${d.schemaPrefix}${schema}`, name],
  );
  if (rows.length === 0) return null;
  return /view/i.test(String(rows[0]?.table_type)) ? 'view' : 'table';
}

/** Every table and view in `schemas`, as `schema.name` → kind (one query for a whole build). */
export async function relationKinds(warehouse: Queryable, schemas: readonly string[]): Promise<Map<string, 'table' | 'view'>> {
  const d = (warehouse as Warehouse).dialect;
  const found = new Map<string, 'table' | 'view'>();
  if (schemas.length === 0) return found;
  const rows = await warehouse.all<{ table_schema: string; table_name: string; table_type: string }>(
    `SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN (${schemas.map((_, i) => d.param(i + 1)).join(', ')})`,
    schemas.map((s) => `${d.schemaPrefix}${s}`),
  );
  for (const row of rows) {
    const schema = row.table_schema.slice(d.schemaPrefix.length);
    found.set(`${schema}.${row.table_name}`, /view/i.test(String(row.table_type)) ? 'view' : 'table');
  }
  return found;
}

/**
 * Executes `plan` so that a model is either rebuilt completely or left as it was. Where DDL
 * is transactional (DuckDB, Postgres) the whole plan is one transaction. Elsewhere each
 * statement commits on its own and each run of statements sharing an `atomicGroup` commits
 * as one DML transaction; the dialect plans a table replace as one atomic statement there
 * (BigQuery, Snowflake: `CREATE OR REPLACE TABLE … AS`). Returns the count of the last
 * statement with a `rowsQuery`, or null.
 */
export async function executePlan(warehouse: Warehouse, plan: readonly Statement[]): Promise<number | null> {
  const { capabilities, name } = warehouse.dialect;
  if (capabilities.supportsTransactionalDdl) return warehouse.transaction((tx) => runStatements(tx, plan));
  for (const step of plan) {
    if (step.atomicGroup !== undefined && step.ddl === true) {
      throw new SqlError(
        'SB_SQL_NOT_ATOMIC',
        `the ${name} dialect plans "${step.description}" as DDL that must commit with other statements, but ${name} cannot roll DDL back; ` +
          'its dialect must override replaceTable with one atomic statement (CREATE OR REPLACE TABLE … AS).',
      );
    }
  }
  if (!capabilities.supportsTransactions && plan.some((s) => s.atomicGroup !== undefined)) {
    throw new SqlError('SB_SQL_NOT_ATOMIC', `the ${name} dialect has no transactions, so "${plan.find((s) => s.atomicGroup !== undefined)?.description}" cannot commit together; plan it as one MERGE.`);
  }
  let rows: number | null = null;
  for (let i = 0; i < plan.length; ) {
    const group = plan[i]!.atomicGroup;
    let end = i + 1;
    while (group !== undefined && end < plan.length && plan[end]!.atomicGroup === group) end += 1;
    const slice = plan.slice(i, end);
    const counted = group === undefined ? await runStatements(warehouse, slice) : await warehouse.transaction((tx) => runStatements(tx, slice));
    if (counted !== null) rows = counted;
    i = end;
  }
  return rows;
}

async function runStatements(q: Queryable, plan: readonly Statement[]): Promise<number | null> {
  let rows: number | null = null;
  for (const statement of plan) {
    await q.run(statement.sql);
    if (statement.rowsQuery !== undefined) rows = Number((await q.all<{ n: number }>(statement.rowsQuery))[0]?.n ?? 0);
  }
  return rows;
}
