/**
 * An incremental build of a table that exists, with dbt's `on_schema_change` check between
 * its two parts (sql/engine/materialize.ts plans them):
 *
 * 1. stage the incremental select as `<model>__sb_stage`;
 * 2. compare the stage's columns with the target's by name, and in order too for the
 *    strategies that insert `SELECT *` by position (`delete+insert`, `append`; a `merge`
 *    names every column). Types are not compared: the incremental branch of a
 *    select may type a column a little differently (a literal, a NULL) from the full one,
 *    and the insert casts it as before;
 * 3. same columns: apply the stage by the model's strategy. Different columns (an upgrade or
 *    an edit added, removed or moved one): drop the stage and, by `on_schema_change`,
 *    rebuild the table in full (`rebuild`, the default) or fail the model with
 *    SB_MODEL_SCHEMA_CHANGED, leaving the table as it was (`fail`).
 *
 * Where DDL is transactional (DuckDB, Postgres) all of it is one transaction, as the whole
 * plan was before the check: the catalog is read inside it, and a failure or a kill leaves
 * the table as it was and no stage. Elsewhere (BigQuery, Snowflake) the stage is made and
 * compared first and the apply stays one atomic group, so a build killed in between leaves
 * only a stage table, which the next build drops first.
 */
import { listColumns } from '../introspect.js';
import type { SqlDialect } from '../dialect.js';
import type { Queryable, Warehouse } from '../warehouse.js';
import { ModelError } from './errors.js';
import { executePlan, runStatements } from './execute.js';
import { planIncrementalApply, planIncrementalStage, planMaterialization, stageOf, type Statement } from './materialize.js';
import type { Model } from './model.js';

export interface IncrementalBuild {
  /** Rows staged (an incremental build) or rows in the rebuilt table. */
  rows: number | null;
  /** The run result's `materialized`: `incremental (delete+insert)`, …, or `incremental (full: columns changed)`. */
  how: string;
  /** Empty, or what changed when the table was rebuilt. */
  message: string;
}

/**
 * Builds `model` incrementally into its existing table in `schema`; `fullSelect()` compiles
 * its full select, needed only for a rebuild.
 * @example await buildIncrementally(wh, calls, { schema: 'analytics', select, fullSelect: () => compileModel(…) })
 */
export async function buildIncrementally(
  warehouse: Warehouse,
  model: Model,
  options: { schema: string; select: string; fullSelect: () => string; how: string },
): Promise<IncrementalBuild> {
  const d = warehouse.dialect;
  if (d.capabilities.supportsTransactionalDdl) return warehouse.transaction((tx) => stageCompareApply(tx, d, model, options, (plan) => runStatements(tx, plan)));
  return stageCompareApply(warehouse, d, model, options, (plan) => executePlan(warehouse, plan));
}

async function stageCompareApply(
  q: Queryable,
  d: SqlDialect,
  model: Model,
  options: { schema: string; select: string; fullSelect: () => string; how: string },
  execute: (plan: readonly Statement[]) => Promise<number | null>,
): Promise<IncrementalBuild> {
  const { schema, select } = options;
  const rows = await execute(planIncrementalStage(model, { dialect: d, schema, select, targetExists: true }));
  const staged = (await listColumns(q, d, schema, `${model.name}__sb_stage`)).map((c) => c.name);
  const target = (await listColumns(q, d, schema, model.name)).map((c) => c.name);
  if (sameColumns(staged, target, model.config.incrementalStrategy !== 'merge')) {
    await execute(planIncrementalApply(model, { dialect: d, schema, select, targetExists: true, targetColumns: target }));
    return { rows, how: options.how, message: '' };
  }
  await q.run(d.dropTable(stageOf(model, { dialect: d, schema })));
  const change = describeChange(target, staged);
  if (model.config.onSchemaChange === 'fail') {
    throw new ModelError(
      'SB_MODEL_SCHEMA_CHANGED',
      `the select's columns no longer match ${schema}.${model.name} (${change}); the table is left as it was. ` +
        `Rebuild it once with: switchboard build --full-refresh --select ${model.name}, or drop config(on_schema_change='fail') to rebuild it by itself.`,
    );
  }
  const rebuilt = await execute(planMaterialization(model, { dialect: d, schema, select: options.fullSelect(), targetExists: false }));
  return { rows: rebuilt, how: 'incremental (full: columns changed)', message: `columns changed (${change}): rebuilt in full, as --full-refresh would` };
}

function sameColumns(a: readonly string[], b: readonly string[], ordered: boolean): boolean {
  return a.length === b.length && a.every((name, i) => (ordered ? name === b[i] : b.includes(name)));
}

/**
 * @example describeChange(['id', 'at'], ['id', 'at', 'valid']) → 'added valid'
 * @example describeChange(['id', 'a', 'b'], ['id', 'b', 'a']) → 'same columns in another order'
 */
export function describeChange(before: readonly string[], after: readonly string[]): string {
  const added = after.filter((c) => !before.includes(c));
  const removed = before.filter((c) => !after.includes(c));
  const parts = [added.length > 0 ? `added ${added.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''].filter((p) => p !== '');
  return parts.length > 0 ? parts.join('; ') : 'same columns in another order';
}
