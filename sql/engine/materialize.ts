/**
 * Materializations as plans: the statements that build one model, returned as values so
 * tests assert them per warehouse without I/O and `--dry-run` can print them. A runner
 * executes them in order, in one transaction where the warehouse has transactions.
 *
 * - view: `CREATE OR REPLACE VIEW … AS <select>`.
 * - table: build `<name>__sb_new`, then swap it in (drop the old, rename the new), so
 *   readers never see a half-built table.
 * - incremental: the first run builds like a table; later runs stage the incremental
 *   select, delete the target rows whose unique key is staged, and insert the staged rows
 *   (dbt's delete+insert strategy: portable to all four warehouses, and no index needed).
 */
import type { SqlDialect } from '../dialect.js';
import type { Model } from './model.js';

export interface Statement {
  /** What it does, for progress lines and --dry-run: e.g. `swap in analytics.calls`. */
  description: string;
  sql: string;
  /** A `SELECT COUNT(*) AS n …` run right after `sql`: the rows the build wrote, for run results. */
  rowsQuery?: string;
}

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
  const steps: Statement[] = [{ description: `schema ${schema}`, sql: d.createSchema(schema) }];
  if (model.config.materialized === 'view') {
    return [...steps, ...d.replaceView(target, select).map((sql) => ({ description: `view ${label}`, sql }))];
  }
  if (model.config.materialized === 'incremental' && options.targetExists) {
    const staged = d.tableName(schema, `${model.name}__sb_stage`);
    const key = model.config.uniqueKey.map((k) => d.quoteIdent(k));
    const matches = key.map((k) => `${target}.${k} = s.${k}`).join(' AND ');
    const windowed = (column: string | undefined): string =>
      column === undefined ? '' : `${target}.${d.quoteIdent(column)} >= (SELECT MIN(${d.quoteIdent(column)}) FROM ${staged}) AND `;
    return [
      ...steps,
      { description: `stage new rows for ${label}`, sql: d.dropTable(staged) },
      { description: `stage new rows for ${label}`, sql: `CREATE TABLE ${staged} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${staged}` },
      {
        description: `delete rows of ${label} that are staged again`,
        sql: `DELETE FROM ${target} WHERE ${windowed(model.config.mergeWindowColumn)}EXISTS (SELECT 1 FROM ${staged} AS s WHERE ${matches})`,
      },
      { description: `insert staged rows into ${label}`, sql: `INSERT INTO ${target} SELECT * FROM ${staged}` },
      { description: `drop the stage of ${label}`, sql: d.dropTable(staged) },
    ];
  }
  const fresh = `${model.name}__sb_new`;
  return [
    ...steps,
    { description: `build ${label} aside`, sql: d.dropTable(d.tableName(schema, fresh)) },
    { description: `build ${label} aside`, sql: `CREATE TABLE ${d.tableName(schema, fresh)} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${d.tableName(schema, fresh)}` },
    { description: `swap in ${label}`, sql: d.dropTable(target) },
    { description: `swap in ${label}`, sql: d.renameTable(schema, fresh, model.name) },
  ];
}
