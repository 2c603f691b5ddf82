/**
 * Runs materialization plans. Small on purpose: planning decides, this only executes.
 */
import { SqlError } from '../errors.js';
import type { SqlDialect } from '../dialect.js';
import { listRelations, relationKindOf } from '../introspect.js';
import type { Queryable, Warehouse } from '../warehouse.js';
import type { Statement } from './materialize.js';

/**
 * True when a table or view `schema.name` exists. `dialect` defaults to the warehouse's:
 * pass it when `warehouse` is a transaction's `tx` (sql/introspect.ts reads the catalog).
 */
export async function relationExists(warehouse: Queryable, schema: string, name: string, dialect: SqlDialect = dialectOf(warehouse)): Promise<boolean> {
  return (await relationKind(warehouse, schema, name, dialect)) !== null;
}

/** Whether `schema.name` is a table, a view, or absent. */
export async function relationKind(warehouse: Queryable, schema: string, name: string, dialect: SqlDialect = dialectOf(warehouse)): Promise<'table' | 'view' | null> {
  return relationKindOf(warehouse, dialect, schema, name);
}

/** Every table and view in `schemas`, as `schema.name` → kind (one query for a whole build). */
export async function relationKinds(warehouse: Queryable, schemas: readonly string[], dialect: SqlDialect = dialectOf(warehouse)): Promise<Map<string, 'table' | 'view'>> {
  const found = new Map<string, 'table' | 'view'>();
  for (const relation of await listRelations(warehouse, dialect, schemas)) found.set(`${relation.schema}.${relation.name}`, relation.kind);
  return found;
}

function dialectOf(warehouse: Queryable): SqlDialect {
  return (warehouse as Warehouse).dialect;
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

/**
 * Runs `plan` statement by statement on `q` (a transaction's `tx`, or a warehouse), with no
 * transaction of its own: for a caller that already holds one. Returns the count of the last
 * statement with a `rowsQuery`, or null.
 */
export async function runStatements(q: Queryable, plan: readonly Statement[]): Promise<number | null> {
  let rows: number | null = null;
  for (const statement of plan) {
    await q.run(statement.sql);
    if (statement.rowsQuery !== undefined) rows = Number((await q.all<{ n: number }>(statement.rowsQuery))[0]?.n ?? 0);
  }
  return rows;
}
