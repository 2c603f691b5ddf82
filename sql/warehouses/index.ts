/**
 * The warehouse registry: the one place that maps a configured warehouse type to its
 * folder. Adding a warehouse means adding its folder and one line in each table below.
 *
 * Drivers are imported lazily (dynamic import), so a DuckDB setup never loads `pg` and a
 * Postgres setup never loads DuckDB's native binary. Dialects import no driver, so they are
 * loaded eagerly for compile-only use (plans, dry runs, tests).
 */
import type { DialectOptions, SqlDialect } from '../dialect.js';
import type { Warehouse } from '../warehouse.js';
import { BigQueryDialect } from './bigquery/dialect.js';
import type { DuckDbOptions } from './duckdb/open.js';
import { DuckDbDialect } from './duckdb/dialect.js';
import type { PostgresOptions } from './postgres/open.js';
import { PostgresDialect } from './postgres/dialect.js';
import { SnowflakeDialect } from './snowflake/dialect.js';

/**
 * Which warehouse to open and how; `type` picks the folder.
 * @example { type: 'duckdb', path: './data/switchboard.duckdb' }
 * @example { type: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/postgres', poolSize: 4 }
 */
export type WarehouseConfig = ({ type: 'duckdb' } & DuckDbOptions) | ({ type: 'postgres' } & PostgresOptions);

/** Every dialect Switchboard can write SQL for, including those without a driver yet. */
export type DialectName = 'duckdb' | 'postgres' | 'bigquery' | 'snowflake';

type Openers = { [K in WarehouseConfig['type']]: (config: Extract<WarehouseConfig, { type: K }>) => Promise<Warehouse> };

const OPENERS: Openers = {
  duckdb: async (config) => (await import('./duckdb/open.js')).openDuckDb(config),
  postgres: async (config) => (await import('./postgres/open.js')).openPostgres(config),
};

const DIALECTS: Readonly<Record<DialectName, (options: DialectOptions) => SqlDialect>> = {
  duckdb: (options) => new DuckDbDialect(options),
  postgres: (options) => new PostgresDialect(options),
  bigquery: (options) => new BigQueryDialect(options),
  snowflake: (options) => new SnowflakeDialect(options),
};

/**
 * Opens the configured warehouse, loading only its driver.
 * @example const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' })
 */
export function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  const open = OPENERS[config.type] as (config: WarehouseConfig) => Promise<Warehouse>;
  return open(config);
}

/**
 * A dialect without a connection, to compile SQL (plans, `--dry-run`, tests).
 * @example dialectFor('snowflake').upsert(spec)
 */
export function dialectFor(name: DialectName, options: DialectOptions = {}): SqlDialect {
  return DIALECTS[name](options);
}
