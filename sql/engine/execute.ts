/**
 * Runs materialization plans. Small on purpose: planning decides, this only executes.
 */
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
 * Executes `plan` in one transaction: a model is either rebuilt completely or left as it
 * was. Returns the count of the last statement with a `rowsQuery`, or null.
 */
export async function executePlan(warehouse: Warehouse, plan: readonly Statement[]): Promise<number | null> {
  return warehouse.transaction(async (tx) => {
    let rows: number | null = null;
    for (const statement of plan) {
      await tx.run(statement.sql);
      if (statement.rowsQuery !== undefined) rows = Number((await tx.all<{ n: number }>(statement.rowsQuery))[0]?.n ?? 0);
    }
    return rows;
  });
}
