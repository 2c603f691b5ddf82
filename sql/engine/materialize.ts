/**
 * Materializations as plans: the statements that build one model, returned as values so
 * tests assert them per warehouse without I/O and `--dry-run` can print them. execute.ts
 * runs them so that a model is rebuilt completely or left as it was, on every warehouse:
 * in one transaction where DDL is transactional, else statement by statement with each
 * atomic group in a DML transaction.
 *
 * - view: `CREATE OR REPLACE VIEW … AS <select>`.
 * - table: the dialect's {@link SqlDialect.replaceTable}: build aside and swap (DuckDB,
 *   Postgres), or one `CREATE OR REPLACE TABLE … AS` (BigQuery, Snowflake).
 * - incremental: the first run builds like a table; later runs stage the incremental
 *   select (DDL, dropped first and last, outside any atomic group), then apply the stage by
 *   the model's `incremental_strategy` (dbt's):
 *   - `delete+insert` (the default): delete the target rows whose unique key is staged and
 *     insert the staged rows, as one atomic group. Portable to all four warehouses, and no
 *     index needed.
 *   - `merge`: one `MERGE` updating every non-key column of the target rows whose key is
 *     staged, in place, and inserting the staged rows whose key is new. One statement is
 *     atomic on its own, so it needs no group (nor, on BigQuery, a transaction). It names the
 *     target's columns ({@link MaterializeOptions.targetColumns}), which the runner reads
 *     from the catalog first, as dbt reads the existing relation's: the plan stays a value.
 *   - `append`: insert the staged rows (one statement, no group); nothing is read or
 *     removed, and no unique key is needed.
 */
import type { PlannedStatement, SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';
import type { Model } from './model.js';

export type Statement = PlannedStatement;

export interface MaterializeOptions {
  dialect: SqlDialect;
  schema: string;
  /** The compiled select (its incremental branch when `targetExists` and incremental). */
  select: string;
  /** Whether the model's relation exists already (decides an incremental model's path). */
  targetExists: boolean;
  /**
   * The existing target's columns in table order, e.g. `['message_id', 'status']`: needed by
   * an incremental `merge` (it updates and inserts them by name), ignored otherwise.
   */
  targetColumns?: readonly string[] | undefined;
}

/** @example planMaterialization(model, { dialect, schema: 'analytics', select, targetExists: false }) */
export function planMaterialization(model: Model, options: MaterializeOptions): Statement[] {
  const { dialect: d, schema, select } = options;
  const target = d.tableName(schema, model.name);
  const label = `${schema}.${model.name}`;
  const steps: Statement[] = [{ description: `schema ${schema}`, sql: d.createSchema(schema), ddl: true }];
  if (model.config.materialized === 'view') {
    return [...steps, ...d.replaceView(target, select).map((sql) => ({ description: `view ${label}`, sql, ddl: true }))];
  }
  if (model.config.materialized === 'incremental' && options.targetExists) {
    return [...steps, ...planIncrementalStage(model, options), ...planIncrementalApply(model, options)];
  }
  // An incremental model is read and replaced by its window column and key: partitioned and
  // clustered by them where that cuts what each build scans (BigQuery).
  const layout = model.config.materialized === 'incremental' ? { partitionBy: model.config.mergeWindowColumn, clusterBy: model.config.uniqueKey } : undefined;
  return [...steps, ...d.replaceTable(schema, model.name, select, layout)];
}

/**
 * The first part of an incremental build of an existing table: the stage table
 * (`<model>__sb_stage`), made from the incremental select. The runner compares its columns
 * with the target's (sql/engine/schema-change.ts) before {@link planIncrementalApply}.
 * @example planIncrementalStage(calls, { dialect, schema: 'analytics', select, targetExists: true })[1].sql → 'CREATE TABLE "analytics"."calls__sb_stage" AS …'
 */
export function planIncrementalStage(model: Model, options: MaterializeOptions): Statement[] {
  const { dialect: d, schema, select } = options;
  const staged = stageOf(model, options);
  const label = `${schema}.${model.name}`;
  return [
    { description: `stage new rows for ${label}`, sql: d.dropTable(staged), ddl: true },
    { description: `stage new rows for ${label}`, sql: `CREATE TABLE ${staged} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${staged}`, ddl: true },
  ];
}

/** The second part: write the stage into the target by the model's strategy, then drop it. */
export function planIncrementalApply(model: Model, options: MaterializeOptions): Statement[] {
  const { dialect: d, schema } = options;
  const staged = stageOf(model, options);
  const label = `${schema}.${model.name}`;
  return [...applyStage(model, d, d.tableName(schema, model.name), staged, label, options.targetColumns), { description: `drop the stage of ${label}`, sql: d.dropTable(staged), ddl: true }];
}

/** The stage table of an incremental build, beside its target: `"analytics"."calls__sb_stage"`. */
export function stageOf(model: Model, { dialect, schema }: Pick<MaterializeOptions, 'dialect' | 'schema'>): string {
  return dialect.tableName(schema, `${model.name}__sb_stage`);
}

/** The statements that write the staged rows into the existing target, by the model's strategy. */
function applyStage(model: Model, d: SqlDialect, target: string, staged: string, label: string, targetColumns: readonly string[] | undefined): Statement[] {
  const { uniqueKey: key, mergeWindowColumn: window, incrementalStrategy: strategy } = model.config;
  const insert = `INSERT INTO ${target} SELECT * FROM ${staged}`;
  // One statement: atomic by itself, so no group (and no transaction on BigQuery).
  if (strategy === 'append') return [{ description: `append staged rows to ${label}`, sql: insert }];
  if (strategy === 'delete+insert') {
    return [
      { description: `delete rows of ${label} that are staged again`, sql: d.deleteStaged(target, staged, key, window), atomicGroup: 'apply' },
      { description: `insert staged rows into ${label}`, sql: insert, atomicGroup: 'apply' },
    ];
  }
  if (!d.capabilities.supportsMerge) {
    throw new ModelError('SB_MODEL_CONFIG', `${model.path}: config(incremental_strategy='merge'): the ${d.name} dialect has no MERGE; use incremental_strategy='delete+insert'.`);
  }
  if (targetColumns === undefined) throw new Error(`planMaterialization: a merge into ${label} needs targetColumns (the existing table's columns).`);
  const missing = key.filter((k) => !targetColumns.includes(k));
  if (missing.length > 0) {
    throw new ModelError(
      'SB_MODEL_CONFIG',
      `${model.path}: config(unique_key=…): ${missing.join(', ')} is not a column of ${label} (it has ${targetColumns.join(', ')}); fix unique_key, or rebuild the table with --full-refresh.`,
    );
  }
  return [{ description: `merge staged rows into ${label}`, sql: d.mergeStaged(target, staged, key, targetColumns, window) }];
}

/**
 * How a build materializes `model`, as run results show it (NodeResult.materialized):
 * `view`, `table`, `incremental (full)` (a first build or full refresh), or the strategy of
 * an incremental build: `incremental (delete+insert)`, `incremental (merge)`, `incremental (append)`.
 * @example materializationLabel(calls, { incremental: true }) → 'incremental (delete+insert)'
 */
export function materializationLabel(model: Model, { incremental }: { incremental: boolean }): string {
  const { materialized, incrementalStrategy } = model.config;
  if (materialized !== 'incremental') return materialized.replace('_', ' ');
  return `incremental (${incremental ? incrementalStrategy : 'full'})`;
}
