/**
 * The tests of a run, YAML data tests and singular tests alike: which ones a selection runs,
 * after which model each runs, what a failing one skips in `build`, and running one.
 *
 * - A data test runs with the model it is declared under. A relationships test also waits
 *   for its target when the run builds that too.
 * - A singular test runs when at least one model it ref()s is selected: dbt's default
 *   ("eager") indirect selection, where a test runs when any of its parents is selected. It
 *   runs right after the last of those models in build order, so that it reads them as this
 *   run built them. A test that refs no model (it reads sources only) runs only in a run that
 *   no --select narrows, after the last model.
 * - In `build`, a test that fails (not one that warns) skips the models downstream of all the
 *   models it reads, as dbt's build adds an edge from a test to every node whose ancestors
 *   include all of the test's parents. For a data test, that is what is downstream of its model.
 */
import type { SqlDialect } from '../dialect.js';
import type { Warehouse } from '../warehouse.js';
import { modelSchema, type ProjectSettings } from './compile.js';
import { descendants } from './dag.js';
import { compileDataTest, countRowTestFailures, failureCondition, loadDataTests, type DataTest } from './data-tests.js';
import { ModelError } from './errors.js';
import type { Model, Project } from './model.js';
import { elapsed, oneLine, type NodeResult } from './node-result.js';
import { compileSingularTest, loadSingularTests, type SingularTest } from './singular-tests.js';
import { countFailures, failuresSchema, failuresTable, storesFailures } from './store-failures.js';

/** One test of a project: declared in YAML (`data`) or a `tests/*.sql` file (`singular`). */
export type TestNode = { kind: 'data'; test: DataTest } | { kind: 'singular'; test: SingularTest };

/**
 * Every test of the project: its data tests, then its singular tests.
 * @throws ModelError as {@link loadDataTests} and {@link loadSingularTests} do, and
 *   `SB_MODEL_SINGULAR_TEST` when a singular test has the name of a data test
 */
export async function loadTestNodes(project: Project, dialect: SqlDialect): Promise<TestNode[]> {
  const data = await loadDataTests(project);
  const names = new Set(data.map((t) => t.name));
  const singular = await loadSingularTests(project, dialect);
  for (const test of singular) {
    if (names.has(test.name)) {
      throw new ModelError('SB_MODEL_SINGULAR_TEST', `${test.path}: a data test in YAML has the same name, ${test.name}, and the node test.${test.name} would be both. Rename the file.`);
    }
  }
  return [...data.map((test): TestNode => ({ kind: 'data', test })), ...singular.map((test): TestNode => ({ kind: 'singular', test }))];
}

/** The models a test reads: a data test's model (and a relationships test's target), a singular test's refs. */
export function testReads(node: TestNode): readonly string[] {
  if (node.kind === 'singular') return node.test.refs;
  return node.test.kind === 'relationships' ? [node.test.model, node.test.args[0] as string] : [node.test.model];
}

/**
 * Which of `tests` a run of `models` runs, and after which model.
 * @param models the selected models, in build order
 * @param narrowed true when a --select chose the models (tests that ref no model then stay out)
 * @returns model name → the tests that run right after it, data tests first, in order
 */
export function attachTests(models: readonly Model[], tests: readonly TestNode[], narrowed: boolean): Map<string, TestNode[]> {
  const position = new Map(models.map((m, i) => [m.name, i]));
  const attached = new Map<string, TestNode[]>();
  for (const node of tests) {
    const selectedWith = node.kind === 'data' ? [node.test.model] : node.test.refs;
    let after: string | undefined;
    if (selectedWith.length === 0) {
      after = narrowed ? undefined : models.at(-1)?.name;
    } else if (selectedWith.some((name) => position.has(name))) {
      after = testReads(node)
        .filter((name) => position.has(name))
        .reduce((last, name) => ((position.get(name) as number) > (position.get(last) as number) ? name : last));
    }
    if (after !== undefined) attached.set(after, [...(attached.get(after) ?? []), node]);
  }
  return attached;
}

/** The models a failing `node` skips in `build`: those downstream of every model it reads. */
export function skippedByFailure(project: Project, node: TestNode): string[] {
  const parents = node.kind === 'data' ? [node.test.model] : node.test.refs;
  const downstream = parents.map((name) => descendants(project, name));
  const [first] = downstream;
  return first === undefined ? [] : [...first].filter((name) => downstream.every((set) => set.has(name)));
}

/**
 * Counts the failing rows of every row test (not_null, accepted_values) of each model in one
 * scan per model, instead of one scan per test. Returns test name → failing rows; a test
 * missing from the map (the shared query failed, it compares rows, or it stores its failing
 * rows) runs on its own.
 */
export async function foldRowTests(
  warehouse: Warehouse,
  project: Project,
  tests: readonly TestNode[],
  settings: ProjectSettings,
  scopes: ReadonlyMap<string, string>,
): Promise<Map<string, number>> {
  const d = warehouse.dialect;
  const counts = new Map<string, number>();
  const byModel = new Map<string, DataTest[]>();
  for (const node of tests) {
    if (node.kind !== 'data' || failureCondition(node.test, d) === null || storesFailures(node.test.storeFailures, settings)) continue;
    byModel.set(node.test.model, [...(byModel.get(node.test.model) ?? []), node.test]);
  }
  for (const [model, rowTests] of byModel) {
    if (rowTests.length < 2) continue;
    try {
      const relation = scoped(d.tableName(modelSchema(project.models.get(model) as Model, settings.targetSchema), model), scopes.get(model));
      const [row] = await warehouse.all(countRowTestFailures(rowTests, d, relation));
      rowTests.forEach((test, i) => counts.set(test.name, Number(row?.[`f${i}`] ?? 0)));
    } catch {
      // Each test then runs alone and reports its own error.
    }
  }
  return counts;
}

export interface TestRunOptions {
  settings: ProjectSettings;
  /** A data test in an incremental build: the condition of the rows this build could have written. */
  scope?: string | undefined;
  /** The failing rows, when {@link foldRowTests} counted them already. */
  failures?: number | undefined;
}

/**
 * Runs one test: its failing rows are counted (and, with store_failures, written to its table
 * first). Never throws: an error is the result's status.
 */
export async function runTest(warehouse: Warehouse, project: Project, node: TestNode, options: TestRunOptions): Promise<NodeResult> {
  const started = performance.now();
  const { test } = node;
  const { settings, scope } = options;
  const d = warehouse.dialect;
  const base = { node: `test.${test.name}`, kind: 'test' as const, materialized: null };
  const withScope = scope === undefined ? {} : { scope };
  try {
    const relation = (name: string) => d.tableName(modelSchema(project.models.get(name) as Model, settings.targetSchema), name);
    const failing = node.kind === 'data' ? compileDataTest(node.test, d, scoped(relation(node.test.model), scope), relation) : compileSingularTest(project, node.test, { ...settings, dialect: d });
    const schema = failuresSchema(settings);
    const table = failuresTable(test.name);
    const store = storesFailures(test.storeFailures, settings) ? { schema, table } : undefined;
    const n = store === undefined && options.failures !== undefined ? options.failures : await countFailures(warehouse, failing, store);
    const stored = store === undefined ? {} : { failuresRelation: `${schema}.${table}` };
    let message = '';
    if (n > 0) {
      const rows = `${n} failing row${n === 1 ? '' : 's'} (${test.path})`;
      const shell = (sql: string) => `switchboard sql "${sql.replaceAll('"', '\\"')}"`;
      if (store !== undefined) message = `${rows}; stored in ${schema}.${table}, see them with: ${shell(`SELECT * FROM ${d.tableName(schema, table)}`)}`;
      else if (node.kind === 'data') message = `${rows}; see them with: ${shell(failing)}`;
      else message = `${rows}: the rows its SELECT returns; config(store_failures=true) in it, or models.tests.storeFailures, keeps them in ${schema}.${table}`;
    }
    const status = n === 0 ? 'pass' : test.severity === 'warn' ? 'warn' : 'fail';
    return { ...base, status, rows: n, seconds: elapsed(started), message, ...withScope, ...stored };
  } catch (error) {
    return { ...base, status: 'error', rows: null, seconds: elapsed(started), message: `${test.path}: ${oneLine(error)}`, ...withScope };
  }
}

/** `relation`, or only its rows meeting `scope`, as something a FROM clause takes. */
function scoped(relation: string, scope: string | undefined): string {
  return scope === undefined ? relation : `(SELECT * FROM ${relation} WHERE ${scope}) AS scoped`;
}
