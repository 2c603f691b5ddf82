/**
 * The build runner's rules, on a small project and real DuckDB: what runs after what, what a
 * failure skips, and what the run results say.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../sql/engine/project.js';
import { build, runDataTests, saveRunResults } from '../../sql/engine/run.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { migrated } from '../helpers/migrate.js';
import { summary } from '../../cli/run-output.js';
import { tempFolder } from '../helpers/project-files.js';

const project = (files: Record<string, string>): string => tempFolder(files, 'switchboard-run-');

const settings = { targetSchema: 'analytics', sources: { raw: 'raw' } };

test('a model that fails skips its own tests and everything downstream; the rest still builds', async () => {
  const dir = project({
    'broken.sql': "{{ config(materialized='table') }} select no_such_column from (select 1 as x) as t",
    'downstream.sql': "select * from {{ ref('broken') }}",
    'fine.sql': "{{ config(materialized='table') }} select 1 as id union all select 2",
    'schema.yml': 'models:\n  - name: broken\n    columns:\n      - name: x\n        tests: [not_null]\n  - name: fine\n    columns:\n      - name: id\n        tests: [unique]\n',
  });
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  try {
    const results = await build(wh, await loadProject(dir, wh.dialect), { settings });
    const status = Object.fromEntries(results.results.map((r) => [r.node, r.status]));
    assert.deepEqual(status, {
      'model.broken': 'error',
      'test.not_null_broken_x': 'skipped',
      'model.downstream': 'skipped',
      'model.fine': 'success',
      'test.unique_fine_id': 'pass',
    });
    assert.equal(results.success, false);
    assert.match(results.results[0]?.message ?? '', /broken\.sql: .*no_such_column/);
    assert.equal(results.results.find((r) => r.node === 'model.fine')?.rows, 2);
  } finally {
    await wh.close();
  }
});

test('a test with config severity warn reports its failing rows as a warning: downstream still builds and the run succeeds', async () => {
  const dir = project({
    'ids.sql': "{{ config(materialized='table') }} select 1 as id union all select 1",
    'downstream.sql': "select * from {{ ref('ids') }}",
    'schema.yml': 'models:\n  - name: ids\n    columns:\n      - name: id\n        tests:\n          - unique: { config: { severity: warn } }\n          - not_null\n',
  });
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  try {
    const results = await build(wh, await loadProject(dir, wh.dialect), { settings });
    const status = Object.fromEntries(results.results.map((r) => [r.node, r.status]));
    assert.deepEqual(status, { 'model.ids': 'success', 'test.not_null_ids_id': 'pass', 'test.unique_ids_id': 'warn', 'model.downstream': 'success' });
    assert.equal(results.results.find((r) => r.node === 'test.unique_ids_id')?.rows, 1);
    assert.equal(results.success, true, 'a warning does not fail the run');
    const printed = summary(results, 'target/run_results.json');
    assert.match(printed, /Completed with 1 warning:\n\n {2}Warning in test\.unique_ids_id\n {4}1 failing row/);
    assert.match(printed, /^Done\. PASS=3 WARN=1 ERROR=0 SKIP=0 TOTAL=4$/m);
  } finally {
    await wh.close();
  }
  const bad = project({ 'm.sql': 'select 1 as id', 'schema.yml': 'models:\n  - name: m\n    columns:\n      - name: id\n        tests:\n          - unique: { config: { severity: loud } }\n' });
  const wh2 = await openWarehouse({ type: 'duckdb', path: join(bad, 'wh.duckdb') });
  try {
    await assert.rejects(build(wh2, await loadProject(bad, wh2.dialect), { settings }), /config\.severity must be warn or error, not "loud"/);
  } finally {
    await wh2.close();
  }
});

test('a failing data test reports its failing rows and a query to see them; results land as JSON and as a table', async () => {
  const dir = project({
    'ids.sql': "{{ config(materialized='table') }} select 1 as id union all select 1 union all select null",
    'schema.yml': 'models:\n  - name: ids\n    data_tests:\n      - unique_combination_of_columns: { combination_of_columns: [id] }\n    columns:\n      - name: id\n        data_tests: [unique, not_null, { accepted_values: { values: [\'1\'] } }]\n',
  });
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  try {
    const p = await loadProject(dir, wh.dialect);
    await build(wh, p, { settings });
    const results = await runDataTests(wh, p, { settings });
    assert.equal(results.command, 'test');
    const byNode = Object.fromEntries(results.results.map((r) => [r.node, r]));
    assert.equal(byNode['test.unique_ids_id']?.status, 'fail');
    assert.equal(byNode['test.unique_ids_id']?.rows, 1, 'one duplicated value');
    assert.equal(byNode['test.not_null_ids_id']?.rows, 1);
    assert.equal(byNode['test.accepted_values_ids_id']?.status, 'pass', 'row tests share one scan and still report one by one');
    assert.match(byNode['test.not_null_ids_id']?.message ?? '', /1 failing row .*switchboard sql "SELECT \* FROM \\"analytics\\"\.\\"ids\\" WHERE \\"id\\" IS NULL"/);
    await migrated(wh); // sb_run_results comes from engine/0001_run_results
    await saveRunResults(wh, results, { targetDir: join(dir, 'target'), schema: 'analytics' });
    const saved = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { runId: string; results: unknown[] };
    assert.equal(saved.runId, results.runId);
    const rows = await wh.all<{ node: string; status: string; rows_affected: number }>(
      `SELECT node, status, rows_affected FROM analytics.sb_run_results WHERE run_id = '${results.runId}' ORDER BY node`,
    );
    assert.deepEqual(rows.map((r) => [r.node, r.status]), [
      ['test.accepted_values_ids_id', 'pass'],
      ['test.not_null_ids_id', 'fail'],
      ['test.unique_combination_of_columns_ids_id', 'fail'],
      ['test.unique_ids_id', 'fail'],
    ]);
  } finally {
    await wh.close();
  }
});

test('a model that changes between view and table replaces the old relation', async () => {
  const dir = project({ 'm.sql': 'select 1 as id' });
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  try {
    assert.equal((await build(wh, await loadProject(dir, wh.dialect), { settings })).success, true);
    writeFileSync(join(dir, 'm.sql'), "{{ config(materialized='table') }} select 2 as id");
    assert.equal((await build(wh, await loadProject(dir, wh.dialect), { settings })).success, true);
    assert.deepEqual(await wh.all('SELECT id FROM analytics.m'), [{ id: 2 }]);
    writeFileSync(join(dir, 'm.sql'), 'select 3 as id');
    assert.equal((await build(wh, await loadProject(dir, wh.dialect), { settings })).success, true);
    assert.deepEqual(await wh.all('SELECT id FROM analytics.m'), [{ id: 3 }]);
  } finally {
    await wh.close();
  }
});

test('an incremental build tests the rows it could have written (updated_at past the watermark); `test` checks every row', async () => {
  const dir = project({
    'src.sql': "{{ config(materialized='table') }} select 1 as id, 'a' as status, CAST('2025-01-01T00:00:00Z' AS TIMESTAMPTZ) as changed_at",
    'inc.sql':
      "{{ config(materialized='incremental', unique_key='id', updated_at='changed_at') }} select * from {{ ref('src') }}" +
      '{% if is_incremental() %} where changed_at > {{ watermark("changed_at") }}{% endif %}',
    'schema.yml': 'models:\n  - name: inc\n    columns:\n      - name: status\n        tests: [not_null]\n',
  });
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  try {
    const settingsWithLookback = { ...settings, lookbackSeconds: 60 };
    const first = await build(wh, await loadProject(dir, wh.dialect), { settings: settingsWithLookback });
    assert.equal(first.success, true);
    assert.equal(first.results.find((r) => r.kind === 'test')?.scope, undefined, 'the first build tests every row');
    // A bad row long before the window, written behind the engine's back.
    await wh.run("INSERT INTO analytics.inc VALUES (2, NULL, CAST('2024-01-01T00:00:00Z' AS TIMESTAMPTZ))");
    const p = await loadProject(dir, wh.dialect);
    const incremental = await build(wh, p, { settings: settingsWithLookback });
    const scopedTest = incremental.results.find((r) => r.kind === 'test');
    assert.equal(scopedTest?.status, 'pass', 'outside the window: not this build’s doing');
    assert.equal(scopedTest?.scope, '"changed_at" > CAST(\'2024-12-31T23:59:00.000Z\' AS TIMESTAMPTZ)');
    const everything = await runDataTests(wh, p, { settings: settingsWithLookback });
    assert.equal(everything.results[0]?.status, 'fail', '`switchboard test` checks every row');
    // A bad row inside the window is caught by the incremental build.
    await wh.run("INSERT INTO analytics.inc VALUES (3, NULL, CAST('2025-01-01T00:00:00Z' AS TIMESTAMPTZ))");
    const caught = await build(wh, p, { settings: settingsWithLookback });
    assert.equal(caught.results.find((r) => r.kind === 'test')?.status, 'fail');
  } finally {
    await wh.close();
  }
});
