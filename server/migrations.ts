/**
 * Every numbered migration of Switchboard's control tables, and how a process applies them
 * when it opens the warehouse (`serve`, and the commands that run without a server:
 * `build`, `test`, `sync`, `pull`). Each component keeps its own list beside its tables;
 * this composition root only puts them in order. The migrator is sql/migrations/migrator.ts.
 *
 * server's own tables, in `<rawSchema>`: `_job_runs` and `_job_leases` (jobs/), `_admin_audit`,
 * `_alerts` (alerts/state.ts); in `<modelsSchema>`: the signals' `sb_signal_throughput`,
 * `sb_signal_latency` and `sb_signal_backlog` (signals/tables.ts).
 */
import type { Logger } from 'pino';
import type { ConfigFile } from '../core/config-schema.js';
import { switchboardVersion } from '../core/version.js';
import { ingestMigrations } from '../ingest/migrations.js';
import { engineMigrations } from '../sql/engine/migrations.js';
import type { Migration, MigrationContext } from '../sql/migrations/migration.js';
import { migrate, type MigrateOptions, type MigrateResult } from '../sql/migrations/migrator.js';
import { createTables } from '../sql/migrations/steps.js';
import type { Warehouse } from '../sql/warehouse.js';
import { syncMigrations } from '../sync/migrations.js';
import { auditTable } from './admin-audit.js';
import { jobRunsTable } from './jobs/history.js';
import { jobLeasesTable } from './jobs/leases.js';
import { alertsTable } from './alerts/state.js';
import { signalTables } from './signals/tables.js';

export const serverMigrations: readonly Migration[] = [
  {
    id: 'server/0001_jobs_and_audit',
    description: '_job_runs, _job_leases and _admin_audit as first shipped',
    up: async (q, d, { rawSchema }) => {
      await createTables(q, d, rawSchema, [jobRunsTable(rawSchema), jobLeasesTable(rawSchema), auditTable(rawSchema)]);
    },
  },
  {
    id: 'server/0002_signals',
    description: 'sb_signal_throughput, sb_signal_latency and sb_signal_backlog in the models schema: signals per minute',
    up: async (q, d, { modelsSchema }) => {
      await createTables(q, d, modelsSchema, signalTables(modelsSchema));
    },
  },
  {
    id: 'server/0003_alerts',
    description: '_alerts: the state of every alert (alerts.rules), one row per rule and pipeline',
    up: async (q, d, { rawSchema }) => {
      await createTables(q, d, rawSchema, [alertsTable(rawSchema)]);
    },
  },
];

/** Every migration, in the order they apply: component by component, each in its numbered order. */
export const SWITCHBOARD_MIGRATIONS: readonly Migration[] = [...ingestMigrations, ...syncMigrations, ...engineMigrations, ...serverMigrations];

/** Where the configured warehouse keeps what the migrations touch. */
export function migrationContextOf(file: ConfigFile): MigrationContext {
  return { rawSchema: file.warehouse.rawSchema, modelsSchema: file.models.schema };
}

/**
 * Brings the warehouse's control tables up to this version, logging each migration it
 * applies. Refuses a warehouse a newer Switchboard migrated (SB_MIGRATE_NEWER); a migration
 * that fails is SB_MIGRATE_FAILED and runs again at the next start.
 * @example await migrateWarehouse(wh, { rawSchema: 'raw', modelsSchema: 'analytics' }, logger)
 */
export async function migrateWarehouse(
  warehouse: Warehouse,
  ctx: MigrationContext,
  logger: Pick<Logger, 'info' | 'warn'>,
  options: Partial<MigrateOptions> & { migrations?: readonly Migration[] } = {},
): Promise<MigrateResult> {
  const { migrations = SWITCHBOARD_MIGRATIONS, ...rest } = options;
  return migrate(warehouse, migrations, ctx, {
    version: switchboardVersion(),
    onApplied: (migration, ms) => logger.info({ migration: migration.id, ms }, `applied migration ${migration.id}: ${migration.description}`),
    onWaiting: (holder) =>
      logger.warn({ holder: holder?.holder ?? null }, `waiting for another process to finish migrating the warehouse${holder === null ? '' : ` (${holder.holder})`}`),
    ...rest,
  });
}
