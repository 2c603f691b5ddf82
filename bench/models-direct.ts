/**
 * The baseline of bench:models: the SQL a build runs, compiled and planned beforehand by the
 * engine's own functions (compileModel, planMaterialization, compileDataTest), then run
 * statement by statement straight through the DuckDB connection, with no engine around it:
 * no relation checks, no per-model transactions, no row counts, no run results.
 *
 * The phone lookup has no SQL-only form (its values are normalised in TypeScript), so this
 * runs the engine's own statements for it (phone-lookup.ts fillPhoneLookup), without its transaction.
 * Nor does a snapshot (its merge names the columns its stage turned out to have): this runs
 * the engine's own buildSnapshot for it.
 */
import type { SqlDialect } from '../sql/dialect.js';
import { compileModel, modelSchema } from '../sql/engine/compile.js';
import { selectModels } from '../sql/engine/select.js';
import { compileDataTest, countRowTestFailures, failureCondition, loadDataTests, type DataTest } from '../sql/engine/data-tests.js';
import { planMaterialization } from '../sql/engine/materialize.js';
import type { Model, Project } from '../sql/engine/model.js';
import { type ProjectSettings } from '../sql/engine/run.js';
import { fillPhoneLookup } from '../sql/engine/phone-lookup.js';
import { buildSnapshot } from '../sql/engine/snapshot-build.js';
import type { Warehouse } from '../sql/warehouse.js';

/** One node of a direct build: a model's statements, a phone lookup, or a data test. */
export type DirectStep =
  | { node: string; kind: 'model'; statements: string[] }
  | { node: string; kind: 'phone_lookup'; schema: string; name: string; select: string }
  | { node: string; kind: 'snapshot'; schema: string; model: Model; select: string; exists: boolean }
  | { node: string; kind: 'test'; sql: string };

/**
 * Every statement of a build in the engine's order, each model followed by its data tests.
 * `incremental`: every model exists already, so incremental models take their incremental branch.
 */
export async function planDirectBuild(project: Project, dialect: SqlDialect, settings: ProjectSettings, incremental: boolean, exclude: readonly string[] = []): Promise<DirectStep[]> {
  const models = selectModels(project, [], exclude);
  const position = new Map(models.map((m, i) => [m.name, i]));
  const tests = await loadDataTests(project);
  const relation = (name: string): string => dialect.tableName(modelSchema(project.models.get(name) as Model, settings.targetSchema), name);
  // As run.ts: a test runs after the last model it reads (a relationships test reads two).
  const runsAfter = (test: DataTest): string =>
    (test.kind === 'relationships' ? [test.model, test.args[0] as string] : [test.model]).reduce((a, b) => ((position.get(b) ?? -1) > (position.get(a) ?? -1) ? b : a));
  const steps: DirectStep[] = [];
  for (const model of models) {
    const schema = modelSchema(model, settings.targetSchema);
    const takesIncremental = incremental && (model.config.materialized === 'incremental' || model.config.materialized === 'phone_lookup');
    const select = compileModel(project, model, { ...settings, dialect, incremental: takesIncremental });
    if (model.config.materialized === 'phone_lookup') {
      steps.push({ node: `model.${model.name}`, kind: 'phone_lookup', schema, name: model.name, select });
    } else if (model.config.materialized === 'snapshot') {
      steps.push({ node: `model.${model.name}`, kind: 'snapshot', schema, model, select, exists: incremental });
    } else {
      const plan = planMaterialization(model, { dialect, schema, select, targetExists: takesIncremental });
      steps.push({ node: `model.${model.name}`, kind: 'model', statements: plan.map((s) => s.sql) });
    }
    // As run.ts: a model's row tests (not_null, accepted_values) share one scan when there are several.
    const attached = tests.filter((t) => runsAfter(t) === model.name);
    const rowTestsOf = (name: string) => attached.filter((t) => t.model === name && failureCondition(t, dialect) !== null);
    const folded = new Set<string>();
    for (const name of new Set(attached.map((t) => t.model))) {
      const rowTests = rowTestsOf(name);
      if (rowTests.length < 2) continue;
      for (const t of rowTests) folded.add(t.name);
      steps.push({ node: rowTests.map((t) => `test.${t.name}`).join('+'), kind: 'test', sql: countRowTestFailures(rowTests, dialect, relation(name)) });
    }
    for (const test of attached.filter((t) => !folded.has(t.name))) {
      const failing = compileDataTest(test, dialect, relation(test.model), relation);
      steps.push({ node: `test.${test.name}`, kind: 'test', sql: `SELECT COUNT(*) AS n FROM (${failing}) AS failures` });
    }
  }
  return steps;
}

export interface DirectResult {
  /** Seconds per node, e.g. `model.calls` → 1.234. */
  seconds: Map<string, number>;
  /** Tests that found failing rows. */
  failedTests: string[];
}

/** Runs the steps in order; throws on the first SQL error. */
export async function runDirectBuild(wh: Warehouse, steps: readonly DirectStep[]): Promise<DirectResult> {
  const seconds = new Map<string, number>();
  const failedTests: string[] = [];
  for (const step of steps) {
    const started = performance.now();
    if (step.kind === 'model') {
      for (const sql of step.statements) await wh.run(sql);
    } else if (step.kind === 'phone_lookup') {
      await fillPhoneLookup(wh, wh.dialect, step.schema, step.name, step.select, false);
    } else if (step.kind === 'snapshot') {
      await buildSnapshot(wh, step.model, { schema: step.schema, select: step.select, existing: step.exists ? 'table' : null });
    } else {
      const [row] = await wh.all(step.sql);
      if (Object.values(row ?? {}).some((n) => Number(n ?? 0) !== 0)) failedTests.push(step.node);
    }
    seconds.set(step.node, (performance.now() - started) / 1000);
  }
  return { seconds, failedTests };
}
