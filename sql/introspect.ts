/**
 * The introspector: what a warehouse holds (schemas, tables and views, columns), read from
 * its catalog with the SQL its dialect writes ({@link SqlDialect.catalogSql}). Functions over
 * a {@link Queryable} and a dialect, so they work inside a transaction too, and on any
 * warehouse whose dialect knows where its catalog is. `Warehouse.introspector` binds them.
 *
 * Schema names go in and come out unprefixed (`raw`, never `ci_7f3a_raw`): the dialect's
 * schema prefix is the warehouse layer's business only.
 */
import type { SqlDialect } from './dialect.js';
import type { ColumnInfo, Introspector, Queryable, RelationInfo } from './warehouse.js';

export type { ColumnInfo, Introspector, RelationInfo } from './warehouse.js';

/** Schemas the engine makes for itself, never Switchboard's. */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'pg_toast', 'INFORMATION_SCHEMA']);

/**
 * The schemas that carry the dialect's prefix, unprefixed and sorted (system schemas left out).
 * @example await listSchemas(wh, wh.dialect) → ['analytics', 'raw', 'switchboard_sync']
 */
export async function listSchemas(q: Queryable, d: SqlDialect): Promise<string[]> {
  const { sql, params } = d.catalogSql({ kind: 'schemas' });
  const rows = await q.all<{ schema_name: string }>(sql, params);
  const names = new Set<string>();
  for (const { schema_name: stored } of rows) {
    if (SYSTEM_SCHEMAS.has(stored) || stored.startsWith('pg_temp_') || stored.startsWith('pg_toast_temp_')) continue;
    if (stored.startsWith(d.schemaPrefix)) names.add(stored.slice(d.schemaPrefix.length));
  }
  return [...names].sort();
}

/**
 * The tables and views in `schemas` (unprefixed), sorted by schema then name; with `name`,
 * only the relations called so (at most one per schema).
 * @example await listRelations(wh, wh.dialect, ['raw']) → [{ schema: 'raw', name: 'voice_events', kind: 'table' }, …]
 */
export async function listRelations(q: Queryable, d: SqlDialect, schemas: readonly string[], name?: string): Promise<RelationInfo[]> {
  if (schemas.length === 0) return [];
  const { sql, params } = d.catalogSql({ kind: 'relations', schemas: schemas.map((s) => d.schemaPrefix + s), name });
  const rows = await q.all<{ table_schema: string; table_name: string; table_type: string }>(sql, params);
  return rows
    .map((row) => ({
      schema: row.table_schema.slice(d.schemaPrefix.length),
      name: row.table_name,
      // BASE TABLE, VIEW, MATERIALIZED VIEW, FOREIGN, EXTERNAL, LOCAL TEMPORARY…: a view or not.
      kind: /view/i.test(String(row.table_type)) ? ('view' as const) : ('table' as const),
    }))
    .sort((a, b) => compare(a.schema, b.schema) || compare(a.name, b.name));
}

/**
 * The columns of `schema.table` in table order; `[]` when there is no such table or view.
 * @example await listColumns(wh, wh.dialect, 'raw', 'voice_events') → [{ name: 'dedupe_key', dataType: 'VARCHAR', nullable: false, ordinal: 1 }, …]
 */
export async function listColumns(q: Queryable, d: SqlDialect, schema: string, table: string): Promise<ColumnInfo[]> {
  const { sql, params } = d.catalogSql({ kind: 'columns', schema: d.schemaPrefix + schema, table });
  const rows = await q.all<{ column_name: string; data_type: string; is_nullable: string; ordinal_position: number }>(sql, params);
  return rows
    .map((row) => ({ name: row.column_name, dataType: String(row.data_type), nullable: String(row.is_nullable).toUpperCase() === 'YES', ordinal: Number(row.ordinal_position) }))
    .sort((a, b) => a.ordinal - b.ordinal);
}

/**
 * Whether `schema.name` is a table, a view, or absent.
 * @example await relationKindOf(tx, wh.dialect, 'analytics', 'calls') → 'table'
 */
export async function relationKindOf(q: Queryable, d: SqlDialect, schema: string, name: string): Promise<'table' | 'view' | null> {
  return (await listRelations(q, d, [schema], name))[0]?.kind ?? null;
}

/**
 * The introspector of a warehouse: the functions above bound to it. The dialect is read at
 * each call, so it may be bound while the warehouse is still being constructed.
 * @example readonly introspector = introspectorOf(this, () => this.dialect)
 */
export function introspectorOf(q: Queryable, dialect: () => SqlDialect): Introspector {
  return {
    schemas: () => listSchemas(q, dialect()),
    relations: (schemas) => listRelations(q, dialect(), schemas),
    columns: (schema, table) => listColumns(q, dialect(), schema, table),
  };
}

/** Code-point order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
