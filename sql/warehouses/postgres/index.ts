/** The Postgres warehouse folder: its dialect and how to open it. */
export { PostgresDialect } from './dialect.js';
export { openPostgres, type PostgresOptions } from './open.js';
