/**
 * DuckDB's `warehouse:` block. Every key has a default, so DuckDB is the warehouse of an empty
 * config file: the local try-out.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { schemaName } from '../../../core/config-fields.js';
import type { WarehouseKind } from '../kind.js';
import type { DuckDbOptions } from './open.js';

/** Without `type`, the warehouse is DuckDB: every key has a default. */
export const duckDbConfigSchema = z.strictObject({
  type: z.literal('duckdb').default('duckdb'),
  /** The database file. Relative paths resolve against the working directory. */
  path: z.string().min(1).default('./data/switchboard.duckdb'),
  rawSchema: schemaName.default('raw'),
  /** DuckDB worker threads; default: cores − 1 (at least 1), leaving a core for HTTP. */
  threads: z.number().int().positive().optional(),
  /** DuckDB's memory ceiling (DuckDB's own default is 80 % of RAM). */
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'must be a size like 1GB').default('1GB'),
  /** WAL size that triggers a checkpoint (DuckDB's own default is 16MB). */
  checkpointThreshold: z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)$/i, 'must be a size like 256MB').default('256MB'),
});

export type DuckDbSettings = z.output<typeof duckDbConfigSchema>;

export const duckDbKind: WarehouseKind<typeof duckDbConfigSchema, DuckDbOptions> = {
  type: 'duckdb',
  schema: duckDbConfigSchema,
  // openDuckDb creates the file's directory; `:memory:` is not a path.
  toOptions: (settings, cwd) => ({
    path: settings.path === ':memory:' ? settings.path : resolve(cwd, settings.path),
    threads: settings.threads,
    checkpointThreshold: settings.checkpointThreshold,
    memoryLimit: settings.memoryLimit,
  }),
  describe: (settings) => `DuckDB ${settings.path}`,
  identity: (options) => `duckdb ${options.path}`,
  secrets: () => [],
};
