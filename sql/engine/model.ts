/**
 * Models, as dbt has them: one `.sql` file per model under `models/`, a SELECT written with
 * Jinja-style templating (nunjucks). `{{ ref('stg_messages') }}` and
 * `{{ source('raw', 'messaging_events') }}` name what it reads, which builds the DAG;
 * `{{ config(materialized='incremental', unique_key='message_id', tags=['messages']) }}`
 * says how it is built.
 */

/**
 * - view, table, incremental: as in dbt.
 * - phone_lookup: the model selects `raw` and `region_hint` columns of phone-ish values;
 *   Switchboard normalises each new pair in TypeScript (libphonenumber) and adds it to a
 *   table `(raw, region_hint, e164, extension, kind)` that other models join. It works the
 *   same on every warehouse because no warehouse has to parse phone numbers.
 * - snapshot: dbt's snapshot, a type-2 history of what the select returns (one row per
 *   version, `dbt_valid_from`/`dbt_valid_to`): only from a layer's `snapshots/` folder
 *   (sql/engine/snapshots.ts), with a {@link SnapshotConfig}.
 * - seed: a CSV file under a layer's `seeds/` folder, built as a table of its rows
 *   (sql/engine/seeds.ts). Only CSV files are seeds: `config(materialized='seed')` in a
 *   `.sql` model is refused.
 */
export type Materialization = 'view' | 'table' | 'incremental' | 'phone_lookup' | 'snapshot' | 'seed';

/**
 * How an incremental build writes its staged rows into the existing table, as dbt's
 * `incremental_strategy` (sql/engine/materialize.ts plans each): `delete+insert` (the
 * default) deletes the rows whose unique key is staged and inserts the staged rows; `merge`
 * updates those rows in place and inserts the new keys, in one MERGE; `append` only inserts.
 */
export type IncrementalStrategy = 'delete+insert' | 'merge' | 'append';

/**
 * What an incremental build does when the model's select no longer has the columns of the
 * existing table (an upgrade or an edit added, removed or reordered some), as dbt's
 * `on_schema_change` (https://docs.getdbt.com/docs/build/incremental-models#what-if-the-columns-of-my-incremental-model-change):
 * - `rebuild` (Switchboard's default): rebuild the table in full, as `--full-refresh` would,
 *   so every row, old ones included, has the new columns filled in by the model;
 * - `fail`: fail the model with SB_MODEL_SCHEMA_CHANGED, which names the columns, and
 *   leave the table as it was until someone runs `build --full-refresh`.
 * dbt's own default, `ignore`, and its `append_new_columns` leave old rows with NULL in the
 * new columns, which a curated table must not, so they are not offered.
 */
export type OnSchemaChange = 'rebuild' | 'fail';

export interface ModelConfig {
  /** How the model is built; dbt's default is `view`. */
  materialized: Materialization;
  /** `config(enabled=false)`: the model is left out of the project (as dbt's `enabled`). */
  enabled: boolean;
  /** incremental: the key rows merge on, e.g. `message_id` or `['call_id', 'leg']`. */
  uniqueKey: readonly string[];
  /** For selection (`tag:messages`). */
  tags: readonly string[];
  /** The schema the model is built in; defaults to the project's target schema. */
  schema: string | undefined;
  /**
   * incremental: a column whose value never changes for a key (a staging model's raw
   * `landed_at`). The merge then deletes only among target rows at or after the earliest
   * staged value, so it reads the recent end of the table instead of all of it.
   */
  mergeWindowColumn: string | undefined;
  /**
   * incremental: a timestamp column that rises whenever a row is written (`last_updated_at`,
   * a staging model's `landed_at`), as dbt snapshots' `updated_at`. In an incremental build
   * the model's data tests then check only the rows this build could have written (those
   * past the watermark), as SQLMesh audits only the intervals it processed; a full refresh
   * and `switchboard test` check every row.
   */
  updatedAt: string | undefined;
  /** incremental: see {@link IncrementalStrategy}; config key `incremental_strategy`. */
  incrementalStrategy: IncrementalStrategy;
  /** incremental: see {@link OnSchemaChange}; config key `on_schema_change`. */
  onSchemaChange: OnSchemaChange;
  /** snapshot: how changes are detected and what a deleted row does; absent for other materializations. */
  snapshot?: SnapshotConfig;
}

/**
 * A snapshot's settings, as dbt's snapshot configs name them
 * (https://docs.getdbt.com/docs/build/snapshots#detecting-row-changes).
 * @example { strategy: 'check', updatedAt: undefined, checkCols: ['phone_raw', 'phone_e164'], hardDeletes: 'invalidate' }
 */
export interface SnapshotConfig {
  /** `timestamp`: a row changed when its `updatedAt` is later than its current version's; `check`: when a `checkCols` column differs. */
  strategy: 'timestamp' | 'check';
  /** timestamp: the column that rises on every change (required). check: optional; new versions start at it instead of at the snapshot time. */
  updatedAt: string | undefined;
  /** check: the columns compared (NULL-safe), or `all` for every column of the select. `[]` for timestamp. */
  checkCols: readonly string[] | 'all';
  /** `invalidate`: a key the select no longer returns has its current version closed at the snapshot time; `ignore` (default): it stays current. */
  hardDeletes: 'ignore' | 'invalidate';
}

export interface Model {
  /** The file name without `.sql`, unique in the project, e.g. `calls`. */
  name: string;
  /** Path relative to its layer's directory, e.g. `curated/calls.sql`. */
  path: string;
  /** The package it comes from: `switchboard` (bundled) or `project` (a user's `models.paths`). */
  package: string;
  /** Index of its layer in {@link Project.layers}. */
  layer: number;
  /** The path of the model of the same name this one overrides, in an earlier layer (e.g. `switchboard:curated/calls.sql`). */
  overrides?: string;
  /** The template text as written. */
  template: string;
  config: ModelConfig;
  /** Models it reads with ref(), in first-use order. */
  refs: readonly string[];
  /** Sources it reads with source(), as `[source, table]`. */
  sources: ReadonlyArray<readonly [string, string]>;
  /** A seed's columns and rows, read from its CSV file (`template` is then empty). */
  seed?: SeedData;
}

/** The contents of a seed's CSV file, checked against its column types. */
export interface SeedData {
  /** In the file's order, e.g. `[{ name: 'account_id', type: 'text' }, { name: 'seats', type: 'integer' }]`. */
  columns: ReadonlyArray<{ readonly name: string; readonly type: SeedColumnType }>;
  /**
   * One entry per data row, one value per column: canonical text the warehouse casts to the
   * column's type (`'42'`, `'true'`, `'2025-03-04 10:00:00+00:00'`), or null for an empty field.
   */
  rows: ReadonlyArray<ReadonlyArray<string | null>>;
}

/** The types a seed's column can have: the dialects' logical types but `json`. */
export type SeedColumnType = 'text' | 'bigint' | 'integer' | 'double' | 'boolean' | 'timestamp';

/**
 * One folder of a layered project. Besides models (every `.sql` file), a layer may hold
 * `macros/` (Jinja macros every template can call), `seeds/`, `snapshots/` and `tests/`
 * (singular tests): these top-level folders are never read as models.
 */
export interface ProjectLayer {
  /** Absolute path. */
  dir: string;
  /** `switchboard` for the bundled models, `project` for a user's folders. */
  package: string;
}

/** The top-level folders of a layer that do not hold models. */
export const RESERVED_FOLDERS: readonly string[] = ['macros', 'seeds', 'snapshots', 'tests'];

/**
 * All models of a project, by name: the bundled package first, then each user folder
 * (`models.paths`) on top of it. A later layer's model overrides an earlier one of the same
 * name; disabled models are left out.
 */
export interface Project {
  layers: readonly ProjectLayer[];
  models: ReadonlyMap<string, Model>;
  /** Every layer's `macros/*.sql`, in layer order (a later macro of the same name wins). */
  macros: string;
  /** Models left out by `models.disabled` or `config(enabled=false)`, by name. */
  disabled: readonly string[];
  /**
   * Each layer's YAML files (`yaml[i]` for `layers[i]`), parsed once when the project is
   * loaded: seeds, data tests, `enabled` and docs all read them from here.
   */
  yaml: ReadonlyArray<readonly YamlDoc[]>;
}

/** One parsed YAML file of a layer, e.g. `{ path: 'marts/marts.yml', doc: { models: [...] } }` (path relative to the layer). */
export interface YamlDoc {
  path: string;
  doc: unknown;
}
