/**
 * What a warehouse folder tells the rest of Switchboard about its `warehouse:` block: the
 * schema that validates it, how it becomes the folder's open options, and how it is shown.
 * Each folder exports one from its `config.ts` (no driver is loaded by it); index.ts lists
 * them. Code outside sql/warehouses/ goes through these, never through `type === 'duckdb'`.
 */
import type { z } from 'zod';
import type { WarehouseSchema } from '../../core/config-schema.js';
import type { SecretNeed } from '../../core/secrets.js';

/**
 * An environment variable a warehouse reads.
 * @example { env: 'PGPASSWORD', configKey: 'warehouse.url', purpose: 'the Postgres password', optional: true }
 */
export interface WarehouseSecret extends SecretNeed {
  /**
   * True when the warehouse works without it (Postgres with trust auth or ~/.pgpass, BigQuery
   * on the metadata server's credentials): start-up then does not ask for it.
   */
  optional: boolean;
}

/**
 * One warehouse, as config sees it.
 * @typeParam S the zod schema of its `warehouse:` block
 * @typeParam O the options its `open*()` takes
 * @example duckDbKind.describe({ type: 'duckdb', path: './data/x.duckdb', … }) // 'DuckDB ./data/x.duckdb'
 */
export interface WarehouseKind<S extends WarehouseSchema, O> {
  /** `warehouse.type`, e.g. `duckdb`. */
  readonly type: string;
  /** Validates the `warehouse:` block: keys, defaults, and messages that name the key to fix. */
  readonly schema: S;
  /**
   * The open options for the validated settings; relative paths resolve against `cwd`.
   * @example duckDbKind.toOptions({ path: './data/x.duckdb', … }, '/srv/sb') // { path: '/srv/sb/data/x.duckdb', … }
   */
  toOptions(settings: z.output<S>, cwd: string): O;
  /**
   * The warehouse for the start-up line and logs, without secrets.
   * @example 'Postgres postgres://sb:***@db.internal/switchboard'
   */
  describe(settings: z.output<S>): string;
  /**
   * Which database the options name, as one secret-free line; two options naming the same
   * raw tables give the same line (the spool is bound to it). The raw schema is added by
   * index.ts's warehouseIdentity.
   * @example 'duckdb /srv/sb/data/switchboard.duckdb'
   */
  identity(options: O): string;
  /** The environment variables it reads (none for DuckDB). */
  secrets(settings: z.output<S>): readonly WarehouseSecret[];
}
