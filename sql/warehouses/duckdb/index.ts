/** The DuckDB warehouse folder: its dialect and how to open it. */
export { DuckDbDialect } from './dialect.js';
export { openDuckDb, type DuckDbOptions } from './open.js';
