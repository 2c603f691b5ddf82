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
 *   select, then delete the target rows whose unique key is staged and insert the staged
 *   rows as one atomic group (dbt's delete+insert strategy: portable to all four warehouses,
 *   and no index needed). The stage is DDL outside that group, dropped first and last.
 */
import type { PlannedStatement, SqlDialect } from '../dialect.js';
import type { Model } from './model.js';

export type Statement = PlannedStatement;

export interface MaterializeOptions {
  dialect: SqlDialect;
  schema: string;
  /** The compiled select (its incremental branch when `targetExists` and incremental). */
  select: string;
  /** Whether the model's relation exists already (decides an incremental model's path). */
  targetExists: boolean;
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
    const staged = d.tableName(schema, `${model.name}__sb_stage`);
    return [
      ...steps,
      { description: `stage new rows for ${label}`, sql: d.dropTable(staged), ddl: true },
      { description: `stage new rows for ${label}`, sql: `CREATE TABLE ${staged} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${staged}`, ddl: true },
      {
        description: `delete rows of ${label} that are staged again`,
        sql: d.deleteStaged(target, staged, model.config.uniqueKey, model.config.mergeWindowColumn),
        atomicGroup: 'apply',
      },
      { description: `insert staged rows into ${label}`, sql: `INSERT INTO ${target} SELECT * FROM ${staged}`, atomicGroup: 'apply' },
      { description: `drop the stage of ${label}`, sql: d.dropTable(staged), ddl: true },
    ];
  }
  // An incremental model is read and replaced by its window column and key: partitioned and
  // clustered by them where that cuts what each build scans (BigQuery).
  const layout = model.config.materialized === 'incremental' ? { partitionBy: model.config.mergeWindowColumn, clusterBy: model.config.uniqueKey } : undefined;
  return [...steps, ...d.replaceTable(schema, model.name, select, layout)];
}
