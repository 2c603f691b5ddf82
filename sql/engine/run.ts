/**
 * Runs a models project against a warehouse, as `dbt build` does: models in DAG order,
 * each followed by its tests (YAML data tests and singular tests: test-nodes.ts); a model
 * that fails, or whose tests fail, skips everything downstream of it. Every node leaves a
 * result (status, rows, seconds) that the caller saves as JSON and as a warehouse table
 * ({@link saveRunResults}).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableSpec } from '../dialect.js';
import type { Warehouse } from '../warehouse.js';
import { compileModel, modelSchema, type ProjectSettings } from './compile.js';
import { descendants } from './dag.js';
import { executePlan, relationKinds } from './execute.js';
import { buildIncrementally } from './schema-change.js';
import { materializationLabel, planMaterialization, type Statement } from './materialize.js';
import type { Model, Project } from './model.js';
import { selectModels } from './select.js';
import { buildPhoneLookup } from './phone-lookup.js';
import { elapsed, oneLine, type NodeResult } from './node-result.js';
import { attachTests, foldRowTests, loadTestNodes, runTest, skippedByFailure, testReads } from './test-nodes.js';
import { buildSnapshot } from './snapshot-build.js';
import { ModelError } from './errors.js';

export type { ProjectSettings } from './compile.js';

export interface RunOptions {
  settings: ProjectSettings;
  /** dbt selectors (`calls+`, `+meetings`, `tag:messages`); none selects every model. */
  select?: readonly string[];
  /** dbt --exclude: selectors of models left out (after --select). */
  exclude?: readonly string[];
  /** Rebuild incremental models (and phone lookups) from scratch; snapshots never are (their history is not in any source). */
  fullRefresh?: boolean;
  /** Progress, one event as each node starts and ends. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Stops the run between nodes (a job's deadline, or shutdown): the node running finishes,
   * and every node after it is reported `skipped` with the reason.
   */
  signal?: AbortSignal;
}

export type { NodeResult, NodeStatus } from './node-result.js';

export interface RunResults {
  runId: string;
  /** `seed`: only the selected seeds, built without their tests (dbt seed). */
  command: 'build' | 'test' | 'seed';
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** True when no node errored or failed. */
  success: boolean;
  results: NodeResult[];
}

export interface ProgressEvent {
  phase: 'start' | 'end';
  /** 1-based position and the count of nodes in this run. */
  index: number;
  total: number;
  result?: NodeResult;
  node: string;
  kind: 'model' | 'test';
  /** e.g. `incremental model analytics.calls` or `test not_null_calls_call_id`. */
  description: string;
}

/** `switchboard build`: models and their tests. */
export async function build(warehouse: Warehouse, project: Project, options: RunOptions): Promise<RunResults> {
  return run(warehouse, project, options, 'build');
}

/** `switchboard seed`: only the selected seeds (models loaded from CSV files), without their tests, as `dbt seed`. */
export async function seed(warehouse: Warehouse, project: Project, options: RunOptions): Promise<RunResults> {
  return run(warehouse, project, options, 'seed');
}

/** `switchboard test`: only the tests of the selected models, against what is built. */
export async function runDataTests(warehouse: Warehouse, project: Project, options: RunOptions): Promise<RunResults> {
  return run(warehouse, project, options, 'test');
}

async function run(warehouse: Warehouse, project: Project, options: RunOptions, command: RunResults['command']): Promise<RunResults> {
  const started = Date.now();
  const models = selectModels(project, options.select ?? [], options.exclude ?? []).filter((m) => command !== 'seed' || m.seed !== undefined);
  // Each test runs after the last model it reads (test-nodes.ts has the rules); `seed` runs none.
  const attached = attachTests(models, command === 'seed' ? [] : await loadTestNodes(project, warehouse.dialect), (options.select ?? []).some((s) => s.trim() !== ''));
  const inRun = new Set(models.map((m) => m.name));
  const total = (command !== 'test' ? models.length : 0) + [...attached.values()].reduce((n, tests) => n + tests.length, 0);
  const results: NodeResult[] = [];
  const skipped = new Map<string, string>();
  // Model → the filter that limits its tests to the rows this build wrote (incremental runs).
  const scopes = new Map<string, string>();
  let index = 0;
  const record = (result: NodeResult, description: string): void => {
    results.push(result);
    options.onProgress?.({ phase: 'end', index, total, result, node: result.node, kind: result.kind, description });
  };

  // What exists already, read once (an information_schema query per model costs more than some models).
  const relations = command !== 'test' ? await relationKinds(warehouse, [...new Set(models.map((m) => modelSchema(m, options.settings.targetSchema)))]) : new Map<string, 'table' | 'view'>();

  const stopped = (): string | undefined => {
    const signal = options.signal;
    if (signal === undefined || !signal.aborted) return undefined;
    const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'stopped');
    return `skipped: the run was stopped before this node (${why})`;
  };
  const skip = (names: Iterable<string>, failedNode: string) => {
    for (const name of names) if (!skipped.has(name)) skipped.set(name, `skipped: upstream ${failedNode} did not succeed`);
  };
  for (const model of models) {
    const reason = skipped.get(model.name) ?? stopped();
    if (command !== 'test') {
      index += 1;
      const description = `${materializedLabel(model)} model ${modelSchema(model, options.settings.targetSchema)}.${model.name}`;
      if (reason !== undefined) {
        record({ node: `model.${model.name}`, kind: 'model', status: 'skipped', rows: null, seconds: 0, materialized: null, message: reason }, description);
      } else {
        options.onProgress?.({ phase: 'start', index, total, node: `model.${model.name}`, kind: 'model', description });
        const key = `${modelSchema(model, options.settings.targetSchema)}.${model.name}`;
        const { result, scope } = await buildModel(warehouse, project, model, options, relations.get(key) ?? null);
        if (result.status === 'success') relations.set(key, model.config.materialized === 'view' ? 'view' : 'table');
        if (scope !== undefined) scopes.set(model.name, scope);
        record(result, description);
        if (result.status === 'error') {
          skip(descendants(project, model.name), `model.${model.name}`);
          skipped.set(model.name, `skipped: model.${model.name} did not build`); // its own tests too, as dbt does
        }
      }
    }
    const modelTests = attached.get(model.name) ?? [];
    const folded = command === 'build' && skipped.has(model.name) ? new Map<string, number>() : await foldRowTests(warehouse, project, modelTests, options.settings, scopes);
    for (const node of modelTests) {
      const { test } = node;
      index += 1;
      const description = `test ${test.name}`;
      const upstream = command === 'build' ? testReads(node).filter((name) => inRun.has(name)).map((name) => skipped.get(name)).find((why) => why !== undefined) : undefined;
      const testReason = upstream ?? stopped();
      if (testReason !== undefined) {
        record({ node: `test.${test.name}`, kind: 'test', status: 'skipped', rows: null, seconds: 0, materialized: null, message: testReason }, description);
        continue;
      }
      options.onProgress?.({ phase: 'start', index, total, node: `test.${test.name}`, kind: 'test', description });
      const scope = node.kind === 'data' ? scopes.get(node.test.model) : undefined;
      const result = await runTest(warehouse, project, node, { settings: options.settings, scope, failures: folded.get(test.name) });
      record(result, description);
      if (command === 'build' && result.status !== 'pass' && result.status !== 'warn') skip(skippedByFailure(project, node), `test.${test.name}`);
    }
  }
  const finished = Date.now();
  return {
    runId: randomUUID(),
    command,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    seconds: (finished - started) / 1000,
    success: results.every((r) => r.status === 'success' || r.status === 'pass' || r.status === 'warn'),
    results,
  };
}

function materializedLabel(model: Model): string {
  return model.config.materialized.replace('_', ' ');
}

async function buildModel(
  warehouse: Warehouse,
  project: Project,
  model: Model,
  options: RunOptions,
  existing: 'table' | 'view' | null,
): Promise<{ result: NodeResult; scope?: string }> {
  const started = performance.now();
  const node = `model.${model.name}`;
  const dialect = warehouse.dialect;
  const schema = modelSchema(model, options.settings.targetSchema);
  const { materialized } = model.config;
  let how: string = materialized;
  try {
    const incremental = (materialized === 'incremental' || materialized === 'phone_lookup') && existing === 'table' && options.fullRefresh !== true;
    const select = compileModel(project, model, { ...options.settings, dialect, incremental });
    let rows: number | null;
    if (materialized === 'snapshot') {
      ({ rows, how } = await buildSnapshot(warehouse, model, { schema, select, existing }));
    } else if (materialized === 'phone_lookup') {
      how = options.fullRefresh === true || existing === null ? 'phone lookup (full)' : 'phone lookup (new values)';
      rows = await buildPhoneLookup(warehouse, schema, model.name, select, options.fullRefresh === true);
    } else {
      how = materializationLabel(model, { incremental });
      const plan: Statement[] = [];
      // A model that changed between view and table: drop the old kind first.
      const target = dialect.tableName(schema, model.name);
      if (existing === 'view' && materialized !== 'view') plan.push({ description: 'drop old view', sql: dialect.dropView(target) });
      if (existing === 'table' && materialized === 'view') plan.push({ description: 'drop old table', sql: dialect.dropTable(target) });
      const scope = incremental && model.config.updatedAt !== undefined ? await testScope(warehouse, target, model.config.updatedAt, options.settings.lookbackSeconds ?? 3600) : undefined;
      let message = '';
      if (incremental) {
        const fullSelect = (): string => compileModel(project, model, { ...options.settings, dialect, incremental: false });
        ({ rows, how, message } = await buildIncrementally(warehouse, model, { schema, select, fullSelect, how }));
      } else {
        plan.push(...planMaterialization(model, { dialect, schema, select, targetExists: false }));
        rows = await executePlan(warehouse, plan);
      }
      // A rebuild tests every row, not only those past the watermark.
      const tested = how.startsWith('incremental (full') ? undefined : scope;
      return { result: { node, kind: 'model', status: 'success', rows, seconds: elapsed(started), materialized: how, message }, ...(tested === undefined ? {} : { scope: tested }) };
    }
    return { result: { node, kind: 'model', status: 'success', rows, seconds: elapsed(started), materialized: how, message: '' } };
  } catch (error) {
    return { result: { node, kind: 'model', status: 'error', rows: null, seconds: elapsed(started), materialized: how, message: `${model.path}: ${error instanceof ModelError ? `${error.code}: ` : ''}${oneLine(error)}` } };
  }
}

/**
 * Before an incremental merge: the condition true of every row the merge may write. The
 * model's watermark() reaches back `lookbackSeconds` from the newest `updatedAt`, and every
 * row it rewrites gets an `updatedAt` past that, so testing those rows tests the change.
 */
async function testScope(warehouse: Warehouse, target: string, updatedAt: string, lookbackSeconds: number): Promise<string | undefined> {
  const d = warehouse.dialect;
  const [row] = await warehouse.all<{ newest: string | null }>(`SELECT MAX(${d.quoteIdent(updatedAt)}) AS newest FROM ${target}`);
  if (row?.newest === null || row?.newest === undefined) return undefined;
  const since = new Date(Date.parse(String(row.newest)) - lookbackSeconds * 1000).toISOString();
  return `${d.quoteIdent(updatedAt)} > CAST(${d.stringLiteral(since)} AS ${d.typeName('timestamp')})`;
}

/**
 * Saves `results` as `<targetDir>/run_results.json` (replaced atomically) and appends them to
 * `<schema>.sb_run_results`, one row per node.
 */
export async function saveRunResults(warehouse: Warehouse, results: RunResults, where: { targetDir: string; schema: string }): Promise<void> {
  await mkdir(where.targetDir, { recursive: true });
  const file = join(where.targetDir, 'run_results.json');
  await writeFile(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  const d = warehouse.dialect;
  const table = runResultsTable(where.schema);
  const rows = results.results.map((r) => ({
    run_id: results.runId, command: results.command, node: r.node, kind: r.kind, status: r.status, rows_affected: r.rows, seconds: r.seconds,
    materialized: r.materialized, message: r.message, run_started_at: new Date(results.startedAt), run_finished_at: new Date(results.finishedAt),
  }));
  // The table comes from the numbered migrations (engine/0001_run_results), applied at start-up.
  await warehouse.writeRows(table, rows);
}

/** `<schema>.sb_run_results`: every node of every run. */
export function runResultsTable(schema: string): TableSpec {
  return {
    schema,
    name: 'sb_run_results',
    columns: [
      { name: 'run_id', type: 'text', nullable: false },
      { name: 'command', type: 'text', nullable: false },
      { name: 'node', type: 'text', nullable: false },
      { name: 'kind', type: 'text', nullable: false },
      { name: 'status', type: 'text', nullable: false },
      { name: 'rows_affected', type: 'bigint' },
      { name: 'seconds', type: 'double', nullable: false },
      { name: 'materialized', type: 'text' },
      { name: 'message', type: 'text', nullable: false },
      { name: 'run_started_at', type: 'timestamp', nullable: false },
      { name: 'run_finished_at', type: 'timestamp', nullable: false },
    ],
    primaryKey: ['run_id', 'node'],
  };
}
