/**
 * The warehouse registry: the one place that maps a configured warehouse type to its
 * folder. Adding a warehouse means adding its folder and one line in each table below.
 *
 * Drivers are imported lazily (dynamic import), so a DuckDB setup never loads `pg` and a
 * Postgres setup never loads DuckDB's native binary. Dialects import no driver, so they are
 * loaded eagerly for compile-only use (plans, dry runs, tests).
 */
import type { WarehouseSettings } from '../../core/config-schema.js';
import { SwitchboardError } from '../../core/errors.js';
import type { DialectOptions, SqlDialect } from '../dialect.js';
import type { Warehouse } from '../warehouse.js';
import { bigQueryConfigSchema, bigQueryKind, type BigQueryOptions } from './bigquery/config.js';
import { BigQueryDialect } from './bigquery/dialect.js';
import { duckDbConfigSchema, duckDbKind } from './duckdb/config.js';
import type { DuckDbOptions } from './duckdb/open.js';
import { DuckDbDialect } from './duckdb/dialect.js';
import type { WarehouseKind, WarehouseSecret } from './kind.js';
import { postgresConfigSchema, postgresKind } from './postgres/config.js';
import type { PostgresOptions } from './postgres/open.js';
import { PostgresDialect } from './postgres/dialect.js';
import { SnowflakeDialect } from './snowflake/dialect.js';

export type { WarehouseKind, WarehouseSecret } from './kind.js';

/**
 * Which warehouse to open and how; `type` picks the folder.
 * @example { type: 'duckdb', path: './data/switchboard.duckdb' }
 * @example { type: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/postgres', poolSize: 4 }
 * @example { type: 'bigquery', projectId: 'acme-analytics', location: 'EU', datasetPrefix: 'sb_', maximumBytesBilled: 10737418240, jobTimeoutMs: 600000 }
 */
export type WarehouseConfig = ({ type: 'duckdb' } & DuckDbOptions) | ({ type: 'postgres' } & PostgresOptions) | ({ type: 'bigquery' } & BigQueryOptions);

type WarehouseType = WarehouseConfig['type'];
type OptionsOf<K extends WarehouseType> = Omit<Extract<WarehouseConfig, { type: K }>, 'type'>;

/**
 * The `warehouse:` schema of each warehouse, for core/config-schema.ts's configSchemaFor.
 * DuckDB comes first: it is the warehouse of a config without `warehouse.type`.
 */
export const WAREHOUSE_CONFIG_SCHEMAS = [duckDbConfigSchema, postgresConfigSchema, bigQueryConfigSchema] as const;

/** Warehouses with a dialect but no driver: `warehouse.type` refuses them with this reason. */
export const WAREHOUSES_NOT_YET: Readonly<Record<string, string>> = {
  snowflake: 'Snowflake is not supported yet (switchboard compile --target snowflake shows its SQL)',
};

/** Each warehouse's config descriptor (its folder's config.ts). */
const KINDS: { [K in WarehouseType]: WarehouseKind<(typeof WAREHOUSE_CONFIG_SCHEMAS)[number], OptionsOf<K>> } = {
  duckdb: duckDbKind,
  postgres: postgresKind,
  bigquery: bigQueryKind,
};

type Openers = { [K in WarehouseType]: (config: Extract<WarehouseConfig, { type: K }>) => Promise<Warehouse> };

const OPENERS: Openers = {
  duckdb: async (config) => (await import('./duckdb/open.js')).openDuckDb(config),
  postgres: async (config) => (await import('./postgres/open.js')).openPostgres(config),
  bigquery: async (config) => (await import('./bigquery/open.js')).openBigQuery(config),
};

/** Every dialect Switchboard can write SQL for, including those without a driver yet. */
export const DIALECT_NAMES = ['duckdb', 'postgres', 'bigquery', 'snowflake'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

const DIALECTS: Readonly<Record<DialectName, (options: DialectOptions) => SqlDialect>> = {
  duckdb: (options) => new DuckDbDialect(options),
  postgres: (options) => new PostgresDialect(options),
  bigquery: (options) => new BigQueryDialect(options),
  snowflake: (options) => new SnowflakeDialect(options),
};

/** True when `name` is a dialect Switchboard compiles for: `isDialectName('bigquery') // true`. */
export function isDialectName(name: string): name is DialectName {
  return (DIALECT_NAMES as readonly string[]).includes(name);
}

/** The descriptor of validated settings' warehouse. */
function kindOf(settings: WarehouseSettings): WarehouseKind<never, unknown> & { type: WarehouseType } {
  const kind = (KINDS as unknown as Record<string, WarehouseKind<never, unknown> | undefined>)[settings.type];
  if (kind === undefined) {
    // Only settings that bypassed the config schema get here.
    throw new SwitchboardError('SB_CONFIG_INVALID', `warehouse.type "${settings.type}" is not a warehouse this release supports: use ${Object.keys(KINDS).join(', ')}.`, {
      configKey: 'warehouse.type',
    });
  }
  return kind as WarehouseKind<never, unknown> & { type: WarehouseType };
}

/**
 * How to open the warehouse that validated settings name; relative paths resolve against `cwd`.
 * @example warehouseConfigOf(config.file.warehouse, process.cwd()) // { type: 'duckdb', path: '/srv/sb/data/switchboard.duckdb', … }
 */
export function warehouseConfigOf(settings: WarehouseSettings, cwd: string): WarehouseConfig {
  const kind = kindOf(settings);
  return { ...(kind.toOptions(settings as never, cwd) as object), type: kind.type } as WarehouseConfig;
}

/**
 * The warehouse for the start-up line and logs, without secrets.
 * @example describeWarehouse({ type: 'bigquery', projectId: 'acme-analytics', location: 'EU', … }) // 'BigQuery acme-analytics (EU)'
 */
export function describeWarehouse(settings: WarehouseSettings): string {
  return kindOf(settings).describe(settings as never);
}

/**
 * The environment variables the configured warehouse reads; `optional` ones are not required at start-up.
 * @example warehouseSecrets({ type: 'postgres', url, rawSchema: 'raw' }) // [{ env: 'PGPASSWORD', optional: true, … }]
 */
export function warehouseSecrets(settings: WarehouseSettings): readonly WarehouseSecret[] {
  return kindOf(settings).secrets(settings as never);
}

/**
 * Opens the configured warehouse, loading only its driver.
 * @example const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' })
 */
export function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  const open = OPENERS[config.type] as (config: WarehouseConfig) => Promise<Warehouse>;
  return open(config);
}

/**
 * Which warehouse and raw schema `config` names, as one line without secrets: what the
 * spool is bound to (a record lands in the warehouse it was accepted for), and what
 * messages show. Two configs that name the same raw tables give the same line.
 * @example warehouseIdentity({ type: 'postgres', url: 'postgres://sb:pw@db.internal/switchboard' }, 'raw') // 'postgres db.internal:5432/switchboard (raw schema raw)'
 * @example warehouseIdentity({ type: 'duckdb', path: '/srv/sb/data/switchboard.duckdb' }, 'raw') // 'duckdb /srv/sb/data/switchboard.duckdb (raw schema raw)'
 */
export function warehouseIdentity(config: WarehouseConfig, rawSchema: string): string {
  const identity = KINDS[config.type].identity as (options: WarehouseConfig) => string;
  return `${identity(config)} (raw schema ${rawSchema})`;
}

/**
 * A dialect without a connection, to compile SQL (plans, `--dry-run`, tests).
 * @example dialectFor('snowflake').upsert(spec)
 */
export function dialectFor(name: DialectName, options: DialectOptions = {}): SqlDialect {
  return DIALECTS[name](options);
}
