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

type Identities = { [K in WarehouseConfig['type']]: (config: Extract<WarehouseConfig, { type: K }>) => string };

const IDENTITIES: Identities = {
  duckdb: (config) => `duckdb ${config.path}`,
  postgres: (config) => postgresIdentity(config.url, config.schemaPrefix),
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
 * Which warehouse and raw schema `config` names, as one line without secrets: what the
 * spool is bound to (a record lands in the warehouse it was accepted for), and what
 * messages show. Two configs that name the same raw tables give the same line.
 * @example warehouseIdentity({ type: 'postgres', url: 'postgres://sb:pw@db.internal/switchboard' }, 'raw') // 'postgres db.internal:5432/switchboard (raw schema raw)'
 * @example warehouseIdentity({ type: 'duckdb', path: '/srv/sb/data/switchboard.duckdb' }, 'raw') // 'duckdb /srv/sb/data/switchboard.duckdb (raw schema raw)'
 */
export function warehouseIdentity(config: WarehouseConfig, rawSchema: string): string {
  const identity = IDENTITIES[config.type] as (config: WarehouseConfig) => string;
  return `${identity(config)} (raw schema ${rawSchema})`;
}

/**
 * Host, port and database of a Postgres URL, as libpq reads them (a `host` parameter for a
 * socket directory, the user's name for a missing database); never the user or password.
 */
function postgresIdentity(url: string, schemaPrefix: string | undefined): string {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username);
  const prefix = schemaPrefix === undefined || schemaPrefix === '' ? '' : ` (schema prefix ${schemaPrefix})`;
  return `postgres ${host}:${parsed.port || '5432'}/${database}${prefix}`;
}

/**
 * A dialect without a connection, to compile SQL (plans, `--dry-run`, tests).
 * @example dialectFor('snowflake').upsert(spec)
 */
export function dialectFor(name: DialectName, options: DialectOptions = {}): SqlDialect {
  return DIALECTS[name](options);
}
