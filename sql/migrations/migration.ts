/**
 * A numbered migration of the tables Switchboard owns (its *control tables*: rejections,
 * spool checkpoints, pull cursors and runs, sync state, run results, job leases and runs,
 * the audit trail), in the style of graphile-worker: each is applied once, in order, and
 * recorded in a version table (`<rawSchema>._schema_migrations`, migrator.ts).
 *
 * Each component keeps the list for the tables it owns next to them (ingest/migrations.ts,
 * sync/migrations.ts, sql/engine/migrations.ts, server/migrations.ts); the composition root
 * (server/) combines them, so that imports keep running one way.
 *
 * **Every `up` must be idempotent.** DDL is not transactional on BigQuery and Snowflake, so a
 * migration a crash (or a SIGKILL) interrupted halfway is simply run again from its start
 * at the next start-up: write `CREATE … IF NOT EXISTS` and `ADD COLUMN IF NOT EXISTS`
 * (`dialect.createTable`, `dialect.addColumn`), never a bare `CREATE` or `ALTER`.
 * Columns added to a table that has shipped are nullable, so adding one rewrites no row.
 *
 * A released migration is never edited: a later change is a new migration with the next
 * number.
 */
import type { SqlDialect } from '../dialect.js';
import type { Queryable } from '../warehouse.js';

/** Where a migration's tables live: the configured schemas, unprefixed. */
export interface MigrationContext {
  /** `warehouse.rawSchema`, e.g. `raw`: the raw tables, ingest's and the server's control tables, and the version table. */
  rawSchema: string;
  /** `models.schema`, e.g. `analytics`: the models and `sb_run_results`. */
  modelsSchema: string;
}

export interface Migration {
  /**
   * `<component>/<4-digit number>_<what>`, e.g. `ingest/0002_raw_event_columns_0_2`. Numbers
   * count up within a component; the component is what a version check compares by.
   */
  id: string;
  /** One line for the version table and the log, e.g. `raw event tables gain body_sha256, body_json and conflict_of`. */
  description: string;
  /**
   * Runs the migration. Idempotent (see above). Use `dialect` for every statement, and
   * `listColumns` (sql/introspect.ts) for what is there already.
   * @example up: async (q, d, ctx) => { await q.run(d.addColumn(pullRunsTable(ctx.rawSchema), { name: 'notes', type: 'text' })) }
   */
  up(q: Queryable, dialect: SqlDialect, ctx: MigrationContext): Promise<void>;
}
