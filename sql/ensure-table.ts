/**
 * Creates a schema, table or view Switchboard owns when it is missing (columns a later version
 * adds come from numbered migrations, sql/migrations/; a view is redefined when its columns
 * differ).
 *
 * Two processes (or a drainer and a model build in one) may create the same table at once.
 * `IF NOT EXISTS` does not make that safe on Postgres: the loser of the race fails on the
 * catalog's unique index (`pg_type_typname_nsp_index`, or `duplicate schema`). So a failed
 * create is tried once more, when the winner's table is there to be found.
 */
import type { SqlDialect, TableSpec } from './dialect.js';
import { listColumns } from './introspect.js';
import type { Queryable } from './warehouse.js';

/** A view Switchboard owns, e.g. `raw.messaging_events_json` (ingest/raw-tables.ts). */
export interface ViewSpec {
  schema: string;
  name: string;
  /** The column names `select` gives, in order, e.g. `['dedupe_key', 'body']`. */
  columns: readonly string[];
  /** The view's SELECT, e.g. `SELECT "dedupe_key", CAST("body" AS JSON) AS body FROM "raw"."t"`. */
  select: string;
}

/** @example await ensureSchema(wh, wh.dialect, 'raw') */
export async function ensureSchema(q: Queryable, dialect: SqlDialect, schema: string): Promise<void> {
  await once(() => q.run(dialect.createSchema(schema)));
}

/**
 * Creates the table when it is missing, and nothing else: a table that exists keeps its
 * columns (numbered migrations change them, sql/migrations/). For tables created by name,
 * such as a raw event table per family, and for a migration's own CREATE.
 * @example await ensureCreated(wh, wh.dialect, rawEventTable('raw', 'voice_events'))
 */
export async function ensureCreated(q: Queryable, dialect: SqlDialect, table: TableSpec): Promise<void> {
  await once(() => q.run(dialect.createTable(table)));
}

/**
 * Creates a view Switchboard owns, or redefines it when its columns are not those of the
 * spec (a view made by an older version). A view that is already up to date is left alone,
 * so a start takes no lock on it. The same rule as for tables keeps the redefinition safe:
 * a later version only appends columns, which `CREATE OR REPLACE VIEW` allows everywhere
 * (Postgres refuses only to drop, rename or retype a column), so views that users built on
 * it keep working.
 * @example await ensureView(wh, wh.dialect, rawEventJsonView(wh.dialect, 'raw', 'voice_events'))
 */
export async function ensureView(q: Queryable, dialect: SqlDialect, view: ViewSpec): Promise<void> {
  const columns = await listColumns(q, dialect, view.schema, view.name);
  if (columns.map((c) => c.name).join(',') === view.columns.join(',')) return;
  await once(() => q.run(`CREATE OR REPLACE VIEW ${dialect.tableName(view.schema, view.name)} AS ${view.select}`));
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
