/**
 * Data tests, declared next to the models in YAML as dbt has them:
 *
 * ```yaml
 * models:
 *   - name: calls
 *     tests:
 *       - unique_combination_of_columns: { combination_of_columns: [call_id, leg_id] }
 *     columns:
 *       - name: call_id
 *         tests: [unique, not_null]
 *       - name: direction
 *         tests:
 *           - accepted_values: { values: [inbound, outbound, internal] }
 *       - name: meeting_id
 *         tests:
 *           - relationships: { to: "ref('meetings')", field: meeting_id, config: { severity: warn } }
 * ```
 *
 * Each test compiles to a SELECT of the failing rows; it passes when that returns none.
 * `config: { severity: warn }` (dbt's test config) makes failing rows a warning: reported and
 * counted in WARN=, but the build carries on downstream and the run still succeeds. The
 * default is `error`. `config: { store_failures: true }` keeps the failing rows in a table
 * (sql/engine/store-failures.ts).
 * `data_tests:` is accepted as a synonym of `tests:` (dbt ≥ 1.8). Snapshots' tests go under
 * `snapshots:` in the same shape, as in dbt (or under `models:`), and seeds' under `seeds:`.
 */
import type { SqlDialect } from '../dialect.js';
import { ModelError } from './errors.js';
import type { Project } from './model.js';
import { closest } from './project.js';

export type DataTestKind = 'unique' | 'not_null' | 'accepted_values' | 'relationships' | 'unique_combination_of_columns';

export interface DataTest {
  /** dbt-style unique name, e.g. `unique_calls_call_id`. */
  name: string;
  model: string;
  /** The column tested; undefined for model-level tests. */
  column: string | undefined;
  kind: DataTestKind;
  /** accepted_values: the values; relationships: `[model, field]`; unique_combination: the columns. */
  args: readonly string[];
  /** The YAML file it is declared in, relative to the project. */
  path: string;
  /** `warn`: failing rows are a warning, not a failure (dbt's `config: { severity }`); default `error`. */
  severity: TestSeverity;
  /** Index of the layer whose YAML declares it, in {@link Project.layers} (its package is dbt's `package_name`). */
  layer?: number;
  /** dbt's `config: { store_failures: true }`: keep the failing rows in a table; absent: the project's default (models.tests.storeFailures). */
  storeFailures?: boolean;
}

export type TestSeverity = 'warn' | 'error';

const KINDS: readonly DataTestKind[] = ['unique', 'not_null', 'accepted_values', 'relationships', 'unique_combination_of_columns'];

/**
 * Every data test declared in `*.yml` / `*.yaml` files of the project's layers. A test
 * declared in an earlier layer than its model's (a bundled test of a model your project
 * overrides) is left out: the override brings its own tests. Tests of disabled models are
 * left out. A later layer's test of the same name replaces the earlier one.
 */
export async function loadDataTests(project: Project): Promise<DataTest[]> {
  const tests = new Map<string, DataTest>();
  for (const [index, docs] of project.yaml.entries()) {
    // A snapshot's tests go under `snapshots:` (dbt's key) or `models:`; a seed's under `seeds:`.
    const lists = docs.flatMap((found) => [[found, 'models'], [found, 'snapshots'], [found, 'seeds']] as const);
    for (const [{ path, doc }, key] of lists) {
      const models = (doc as Record<string, unknown> | null)?.[key];
      if (models === undefined) continue;
      if (!Array.isArray(models)) throw new ModelError('SB_MODEL_TESTS', `${path}: "${key}" must be a list of { name, columns, tests }.`);
      for (const entry of models as Array<Record<string, unknown>>) {
        const name = String(entry.name ?? '');
        if (project.disabled.includes(name) || (project.models.get(name)?.layer ?? -1) > index) continue;
        for (const test of modelTests(project, entry, path)) tests.set(test.name, { ...test, layer: index });
      }
    }
  }
  return [...tests.values()];
}

function modelTests(project: Project, entry: Record<string, unknown>, path: string): DataTest[] {
  const model = String(entry.name ?? '');
  if (!project.models.has(model)) {
    const hint = closest(model, [...project.models.keys()]);
    throw new ModelError('SB_MODEL_TESTS', `${path}: tests for "${model}", which is no model${hint === undefined ? '' : ` (did you mean "${hint}"?)`}.`);
  }
  const out: DataTest[] = [];
  for (const spec of list(entry.tests ?? entry.data_tests)) out.push(parseTest(project, model, undefined, spec, path));
  for (const column of list(entry.columns) as Array<Record<string, unknown>>) {
    const name = String(column.name ?? '');
    if (name === '') throw new ModelError('SB_MODEL_TESTS', `${path}: a column of "${model}" has no name.`);
    for (const spec of list(column.tests ?? column.data_tests)) out.push(parseTest(project, model, name, spec, path));
  }
  return out;
}

function parseTest(project: Project, model: string, column: string | undefined, spec: unknown, path: string): DataTest {
  const [kind, raw] = typeof spec === 'string' ? [spec, {}] : (Object.entries(spec as object)[0] ?? ['', {}]);
  const where = `${path}: ${model}${column === undefined ? '' : `.${column}`}`;
  if (!KINDS.includes(kind as DataTestKind)) throw new ModelError('SB_MODEL_TESTS', `${where}: unknown test "${kind}"; use ${KINDS.join(', ')}.`);
  const args = (raw ?? {}) as Record<string, unknown>;
  const needColumn = kind !== 'unique_combination_of_columns';
  if (needColumn && column === undefined) throw new ModelError('SB_MODEL_TESTS', `${where}: "${kind}" is a column test; list it under a column.`);
  let values: string[] = [];
  if (kind === 'accepted_values') {
    values = list(args.values).map(String);
    if (values.length === 0) throw new ModelError('SB_MODEL_TESTS', `${where}: accepted_values needs values: [ … ].`);
  } else if (kind === 'relationships') {
    const to = /^(?:ref\(\s*['"])?([A-Za-z0-9_]+)(?:['"]\s*\))?$/.exec(String(args.to ?? ''))?.[1];
    if (to === undefined || !project.models.has(to)) throw new ModelError('SB_MODEL_TESTS', `${where}: relationships needs to: "ref('model')" naming a model (got ${JSON.stringify(args.to)}).`);
    values = [to, String(args.field ?? column)];
  } else if (kind === 'unique_combination_of_columns') {
    values = list(args.combination_of_columns).map(String);
    if (values.length === 0) throw new ModelError('SB_MODEL_TESTS', `${where}: unique_combination_of_columns needs combination_of_columns: [ … ].`);
  }
  const suffix = kind === 'unique_combination_of_columns' ? values.join('__') : column;
  const storeFailures = storeFailuresOf(args.config, where);
  return {
    name: `${kind}_${model}_${suffix}`, model, column, kind: kind as DataTestKind, args: values, path, severity: severityOf(args.config, where),
    ...(storeFailures === undefined ? {} : { storeFailures }),
  };
}

/** dbt's `config: { store_failures: true | false }` on one test; undefined when not set. */
function storeFailuresOf(config: unknown, where: string): boolean | undefined {
  const value = (config as { store_failures?: unknown } | null | undefined)?.store_failures;
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ModelError('SB_MODEL_TESTS', `${where}: config.store_failures must be true or false, not ${JSON.stringify(value)}.`);
}

/** dbt's `config: { severity: warn | error }` on one test (case-insensitive, as dbt reads it). */
function severityOf(config: unknown, where: string): TestSeverity {
  if (config === undefined || config === null) return 'error';
  const severity = (config as { severity?: unknown }).severity;
  if (severity === undefined) return 'error';
  const value = String(severity).toLowerCase();
  if (value === 'warn' || value === 'error') return value;
  throw new ModelError('SB_MODEL_TESTS', `${where}: config.severity must be warn or error, not ${JSON.stringify(severity)}.`);
}

/**
 * The SELECT of the rows that fail `test` against `relation` (the model's quoted name, or
 * an aliased subquery of some of its rows); `resolve(model)` quotes another model
 * (relationships).
 */
export function compileDataTest(test: DataTest, dialect: SqlDialect, relation: string, resolve: (model: string) => string): string {
  const q = (name: string) => dialect.quoteIdent(name);
  const col = q(test.column ?? '');
  const condition = failureCondition(test, dialect);
  if (condition !== null) return `SELECT * FROM ${relation} WHERE ${condition}`;
  switch (test.kind) {
    case 'unique':
      return `SELECT ${col} AS value, COUNT(*) AS n FROM ${relation} WHERE ${col} IS NOT NULL GROUP BY ${col} HAVING COUNT(*) > 1`;
    case 'not_null':
    case 'accepted_values':
      throw new Error('unreachable: row tests have a failure condition');
    case 'relationships': {
      const [to, field] = test.args as [string, string];
      return `SELECT c.${col} AS value FROM (SELECT * FROM ${relation}) AS c WHERE c.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${resolve(to)} AS p WHERE p.${q(field)} = c.${col})`;
    }
    case 'unique_combination_of_columns': {
      const cols = test.args.map(q).join(', ');
      return `SELECT ${cols}, COUNT(*) AS n FROM ${relation} GROUP BY ${cols} HAVING COUNT(*) > 1`;
    }
  }
}

/**
 * For tests that judge each row alone (not_null, accepted_values): the condition a failing
 * row meets, so that several such tests of one model can share one scan
 * ({@link countRowTestFailures}). Null for tests that compare rows (unique, relationships).
 */
export function failureCondition(test: DataTest, dialect: SqlDialect): string | null {
  const col = dialect.quoteIdent(test.column ?? '');
  if (test.kind === 'not_null') return `${col} IS NULL`;
  if (test.kind === 'accepted_values') {
    return `${col} IS NOT NULL AND CAST(${col} AS ${dialect.typeName('text')}) NOT IN (${test.args.map((v) => dialect.stringLiteral(v)).join(', ')})`;
  }
  return null;
}

/**
 * One query counting the failing rows of several row tests of the same model:
 * `SELECT SUM(CASE WHEN <fails> THEN 1 ELSE 0 END) AS f0, … FROM <relation>`.
 */
export function countRowTestFailures(tests: readonly DataTest[], dialect: SqlDialect, relation: string): string {
  const sums = tests.map((test, i) => `SUM(CASE WHEN ${failureCondition(test, dialect) ?? 'FALSE'} THEN 1 ELSE 0 END) AS f${i}`);
  return `SELECT ${sums.join(', ')} FROM ${relation}`;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
