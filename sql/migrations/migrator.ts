/**
 * The migrator: brings a warehouse's control tables to the version this binary knows, by
 * applying the numbered migrations (migration.ts) it has not applied yet, in order, each
 * once, one migrator at a time.
 *
 * - **Version table** `<rawSchema>._schema_migrations`: one row per applied migration (id,
 *   description, when, and the Switchboard version that applied it). A migration is
 *   recorded only after its `up` resolved, so one that threw (or whose process was killed)
 *   runs again, from its start, at the next start-up; hence `up` must be idempotent.
 * - **One at a time**: the lock row (lock.ts) is taken before anything runs, renewed while
 *   migrations run, and released at the end. A start with nothing pending reads the version
 *   table only, and takes no lock.
 * - **Newer databases are refused**: an applied id this binary does not know means a newer
 *   Switchboard migrated the warehouse, and running older code on it could lose data
 *   (SB_MIGRATE_NEWER).
 *
 * No transaction is opened: DDL is not transactional on BigQuery and Snowflake, and the same
 * path everywhere means the rerun-after-a-crash path is the one every warehouse takes.
 */
import { abortableSleep } from '../../core/abortable-sleep.js';
import type { SqlDialect, TableSpec } from '../dialect.js';
import { ensureCreated, ensureSchema } from '../ensure-table.js';
import type { Queryable } from '../warehouse.js';
import { MigrateError } from './errors.js';
import { MigrationLock, migrationLockTable, migratorName, type LockHolder } from './lock.js';
import type { Migration, MigrationContext } from './migration.js';

export type { Migration, MigrationContext } from './migration.js';

/** `<rawSchema>._schema_migrations`: what {@link migrate} has applied. */
export function migrationsTable(rawSchema: string): TableSpec {
  return {
    schema: rawSchema,
    name: '_schema_migrations',
    columns: [
      /** e.g. `ingest/0002_raw_event_columns_0_2` */
      { name: 'id', type: 'text', nullable: false },
      { name: 'description', type: 'text', nullable: false },
      { name: 'applied_at', type: 'timestamp', nullable: false },
      /** The Switchboard version that applied it, e.g. `0.2.0`. */
      { name: 'switchboard_version', type: 'text', nullable: false },
    ],
    primaryKey: ['id'],
  };
}

export interface MigrateOptions {
  /** This binary's version, recorded with each migration and named in SB_MIGRATE_NEWER, e.g. `0.2.0`. */
  version: string;
  /** Told of each migration as it is applied (`applied migration ingest/0002_…`). */
  onApplied?: (migration: Migration, ms: number) => void;
  /** Told when another migrator holds the lock and this one waits for it. */
  onWaiting?: (holder: LockHolder | null) => void;
  /** How long the lock lasts without renewal (default 60 s); a killed migrator blocks others this long. */
  lockTtlMs?: number;
  /** How long to wait for another migrator's lock before SB_MIGRATE_LOCKED (default 15 min). */
  waitMs?: number;
  /** How often to look at a held lock again (default 1 s). */
  pollMs?: number;
  /** This attempt's name in the lock row (default `<host>:<pid>:<random>`). */
  holder?: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** The ids it applied, in order; empty when the warehouse was up to date. */
  applied: string[];
  /** Every migration the warehouse now has, known ones in list order. */
  current: string[];
}

/**
 * Applies the migrations of `migrations` (in list order) that the warehouse has not had yet.
 * Throws SB_MIGRATE_NEWER, SB_MIGRATE_FAILED (naming the migration) or SB_MIGRATE_LOCKED.
 * @example await migrate(wh, allMigrations, { rawSchema: 'raw', modelsSchema: 'analytics' }, { version: '0.2.0' })
 */
export async function migrate(
  warehouse: Queryable & { readonly dialect: SqlDialect },
  migrations: readonly Migration[],
  ctx: MigrationContext,
  options: MigrateOptions,
): Promise<MigrateResult> {
  checkList(migrations);
  const d = warehouse.dialect;
  const now = options.now ?? (() => new Date());
  const versions = migrationsTable(ctx.rawSchema);
  await ensureSchema(warehouse, d, ctx.rawSchema);
  await ensureCreated(warehouse, d, versions);
  await ensureCreated(warehouse, d, migrationLockTable(ctx.rawSchema));

  let pending = await pendingOf(warehouse, d, versions, migrations, options.version);
  if (pending.length === 0) return { applied: [], current: migrations.map((m) => m.id) };

  const ttlMs = options.lockTtlMs ?? 60_000;
  const lock = new MigrationLock(warehouse, d, ctx.rawSchema, { holder: options.holder ?? migratorName(), ttlMs, now });
  await lock.prepare(ctx.rawSchema);
  await acquire(lock, options, now);
  const applied: string[] = [];
  // Renewed between and during migrations: a long ALTER must not let the lock expire.
  const heartbeat = setInterval(() => void lock.renew().catch(() => undefined), Math.max(10, Math.floor(ttlMs / 3)));
  heartbeat.unref();
  try {
    // Another migrator may have applied some (or all) while this one waited.
    pending = await pendingOf(warehouse, d, versions, migrations, options.version);
    for (const migration of pending) {
      if (!(await lock.renew())) {
        throw new MigrateError('SB_MIGRATE_LOCKED', `lost the migration lock before ${migration.id} (this process stalled past its ${ttlMs} ms expiry and another migrator took over). Nothing is lost: start again.`);
      }
      const started = Date.now();
      try {
        await migration.up(warehouse, d, ctx);
      } catch (error) {
        throw new MigrateError(
          'SB_MIGRATE_FAILED',
          `migration ${migration.id} (${migration.description}) failed: ${(error as Error).message}. ` +
            'It is not recorded as applied, and nothing after it ran: fix the cause (often permissions to create or alter tables in the warehouse) and start again; it runs again from its start.',
          { cause: error },
        );
      }
      await warehouse.run(d.upsert({ table: versions, columns: ['id', 'description', 'applied_at', 'switchboard_version'], rowCount: 1, onMatch: {} }), [
        migration.id,
        migration.description,
        now(),
        options.version,
      ]);
      applied.push(migration.id);
      options.onApplied?.(migration, Date.now() - started);
    }
  } finally {
    clearInterval(heartbeat);
    await lock.release().catch(() => undefined); // else it expires after ttlMs
  }
  return { applied, current: migrations.map((m) => m.id) };
}

/** The migrations not applied yet; SB_MIGRATE_NEWER when the warehouse has one this list lacks. */
async function pendingOf(q: Queryable, d: SqlDialect, versions: TableSpec, migrations: readonly Migration[], version: string): Promise<Migration[]> {
  const rows = await q.all<{ id: string; switchboard_version: string }>(`SELECT id, switchboard_version FROM ${d.tableName(versions.schema, versions.name)}`);
  const known = new Set(migrations.map((m) => m.id));
  const unknown = rows.filter((row) => !known.has(row.id));
  if (unknown.length > 0) {
    const by = [...new Set(unknown.map((row) => row.switchboard_version))].join(', ');
    throw new MigrateError(
      'SB_MIGRATE_NEWER',
      `this warehouse was migrated by a newer Switchboard (${by}): it has ${unknown.map((row) => row.id).sort().join(', ')}, which Switchboard ${version} does not know. ` +
        'Upgrade Switchboard to that version or later, or point warehouse.path / warehouse.url (or warehouse.rawSchema) at another warehouse.',
      { configKey: 'warehouse' },
    );
  }
  const applied = new Set(rows.map((row) => row.id));
  return migrations.filter((m) => !applied.has(m.id));
}

async function acquire(lock: MigrationLock, options: MigrateOptions, now: () => Date): Promise<void> {
  const waitMs = options.waitMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 1000;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms));
  const until = now().getTime() + waitMs;
  let told = false;
  for (;;) {
    let result: Awaited<ReturnType<MigrationLock['tryAcquire']>>;
    try {
      result = await lock.tryAcquire();
    } catch {
      // DuckDB answers a concurrent UPDATE of the row with a write conflict: someone else won.
      result = { acquired: false, holder: null };
    }
    if (result.acquired) return;
    if (!told) options.onWaiting?.(result.holder);
    told = true;
    if (now().getTime() >= until) {
      const who = result.holder === null ? 'another process' : `${result.holder.holder} (until ${result.holder.expiresAt.toISOString()})`;
      throw new MigrateError(
        'SB_MIGRATE_LOCKED',
        `another migrator, ${who}, has held the migration lock for longer than ${Math.round(waitMs / 1000)} s. ` +
          'Wait for that process to finish starting, or stop it; a killed one frees the lock when it expires.',
      );
    }
    await sleep(pollMs);
  }
}

/** Ids well-formed (`component/0001_name`), unique, and numbered upwards within each component. */
function checkList(migrations: readonly Migration[]): void {
  const last = new Map<string, number>();
  const seen = new Set<string>();
  for (const { id } of migrations) {
    const match = /^([a-z][a-z0-9_-]*(?:\/[a-z][a-z0-9_-]*)*)\/(\d{4})_[a-z0-9_]+$/.exec(id);
    if (match === null) throw new Error(`migration id ${id} is not <component>/<4 digits>_<name>`);
    const [, component = '', number = ''] = match;
    if (seen.has(id)) throw new Error(`migration ${id} is listed twice`);
    seen.add(id);
    const n = Number(number);
    if (n <= (last.get(component) ?? 0)) throw new Error(`migration ${id} is listed after a higher or equal number of ${component}`);
    last.set(component, n);
  }
}
