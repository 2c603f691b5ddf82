/**
 * Singular tests (`<layer>/tests/**\/*.sql`) and store_failures: loading (refs, config,
 * errors, layers), where a test runs in a build and what it skips, and the stored failing rows,
 * on real DuckDB and Postgres, plus `switchboard build`, `test` and `sql` through the real CLI.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadProject } from '../../sql/engine/project.js';
import { compileSingularTest, loadSingularTests } from '../../sql/engine/singular-tests.js';
import { attachTests, loadTestNodes } from '../../sql/engine/test-nodes.js';
import { selectModels } from '../../sql/engine/select.js';
import { failuresTable, planStoreFailures } from '../../sql/engine/store-failures.js';
import { relationExists } from '../../sql/engine/execute.js';
import { build, runDataTests, type ProjectSettings, type RunResults } from '../../sql/engine/run.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { runCli } from '../helpers/cli-process.js';
import { tempFolder, writeFiles as write } from '../helpers/project-files.js';

const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-singular-');


const duckdb = dialectFor('duckdb');

const statusOf = (results: RunResults) => results.results.map((r) => [r.node, r.status]);
const resultOf = (results: RunResults, node: string) => results.results.find((r) => r.node === node) ?? assert.fail(`no ${node} in ${JSON.stringify(statusOf(results))}`);

describe('loading singular tests', () => {
  const models = { 'a.sql': 'select 1 as id', 'b.sql': "select id from {{ ref('a') }}" };

  test('a tests/**/*.sql file is a test named after its file, with its refs, severity and store_failures', async () => {
    const dir = folder({
      ...models,
      'tests/b_matches_a.sql': "select id from {{ ref('b') }} except select id from {{ ref('a') }}",
      'tests/nested/few_ids.sql': "{{ config(severity='warn', store_failures=True) }}\nselect id from {{ ref('a') }} where id > {{ var('most', 10) }}",
    });
    const project = await loadProject(dir, duckdb);
    assert.deepEqual([...project.models.keys()].sort(), ['a', 'b'], 'tests/ holds no models');
    const tests = await loadSingularTests(project, duckdb);
    assert.deepEqual(
      tests.map((t) => [t.name, t.path, t.refs, t.severity, t.storeFailures]),
      [
        ['b_matches_a', 'tests/b_matches_a.sql', ['b', 'a'], 'error', undefined],
        ['few_ids', 'tests/nested/few_ids.sql', ['a'], 'warn', true],
      ],
    );
  });

  test('a test compiles as a model does, for all four warehouses (a trailing ; dropped)', async () => {
    const dir = folder({ ...models, 'tests/t.sql': "select id from {{ ref('b') }} where id > {{ var('most', 1) }};\n" });
    const project = await loadProject(dir, duckdb);
    const [t] = await loadSingularTests(project, duckdb);
    const compiled = (target: 'duckdb' | 'postgres' | 'bigquery' | 'snowflake') => compileSingularTest(project, t ?? assert.fail('a test'), { dialect: dialectFor(target), targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { most: 7 } });
    assert.equal(compiled('duckdb'), 'select id from "analytics"."b" where id > 7');
    assert.equal(compiled('postgres'), 'select id from "analytics"."b" where id > 7');
    assert.equal(compiled('bigquery'), 'select id from `analytics`.`b` where id > 7');
    assert.equal(compiled('snowflake'), 'select id from "analytics"."b" where id > 7');
  });

  test('a ref to no model is an error naming the file and a close name', async () => {
    const dir = folder({ ...models, 'tests/t.sql': "select * from {{ ref('bb') }}" });
    await assert.rejects(loadSingularTests(await loadProject(dir, duckdb), duckdb), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SB_MODEL_UNKNOWN_REF');
      assert.equal(error.message, "tests/t.sql: ref('bb') names no model (did you mean 'b'?). Fix the name in the test, or add the model.");
      return true;
    });
  });

  test('a bad config(), two tests of one name in one folder, and a data test of the same name are errors', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'tests/t.sql': "{{ config(severity='loud') }} select 1 as x" }, /tests\/t\.sql: config\(severity="loud"\): warn or error/],
      [{ 'tests/t.sql': "{{ config(store_failures='yes') }} select 1 as x" }, /tests\/t\.sql: config\(store_failures="yes"\): true or false/],
      [{ 'tests/t.sql': "{{ config(materialized='table') }} select 1 as x" }, /config\(materialized=…\): a singular test takes severity, store_failures, enabled/],
      [{ 'tests/x/t.sql': 'select 1 as x', 'tests/y/t.sql': 'select 2 as x' }, /Two singular tests are named "t": tests\/x\/t\.sql and tests\/y\/t\.sql/],
      [{ 'tests/not_null_a_id.sql': 'select 1 as x', 'schema.yml': 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null]\n' }, /a data test in YAML has the same name, not_null_a_id/],
    ];
    for (const [files, message] of cases) {
      const dir = folder({ ...models, ...files });
      await assert.rejects(loadTestNodes(await loadProject(dir, duckdb), duckdb), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'SB_MODEL_SINGULAR_TEST', error.message);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test("a later folder's test replaces an earlier one of its name; enabled=false switches one off; a test of a disabled model is left out", async () => {
    const pkg = folder({ ...models, 'tests/t.sql': "select * from {{ ref('a') }}", 'tests/off.sql': "select * from {{ ref('a') }}", 'tests/of_b.sql': "select * from {{ ref('b') }}" });
    const user = folder({ 'tests/t.sql': "select * from {{ ref('b') }} where 1 = 0", 'tests/off.sql': '{{ config(enabled=False) }} select 1 as x' });
    const tests = await loadSingularTests(await loadProject([pkg, user], duckdb, { disabled: ['b'] }), duckdb);
    assert.deepEqual(tests.map((t) => t.name), [], 't refs the disabled b now; off is off; of_b refs b');
    const kept = await loadSingularTests(await loadProject([pkg, user], duckdb), duckdb);
    assert.deepEqual(kept.map((t) => [t.name, t.package, t.layer, t.refs]), [['of_b', 'project', 0, ['b']], ['t', 'project', 1, ['b']]]);
  });

  test('a singular test runs when any model it refs is selected, after the last of them; one that refs no model only when nothing is --selected', async () => {
    const dir = folder({
      ...models,
      'c.sql': "select id from {{ ref('b') }}",
      'tests/reads_a_and_c.sql': "select id from {{ ref('c') }} except select id from {{ ref('a') }}",
      'tests/reads_sources.sql': "select 1 as x from {{ source('raw', 'voice_events') }} where 1 = 0",
      'schema.yml': 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique]\n',
    });
    const project = await loadProject(dir, duckdb);
    const tests = await loadTestNodes(project, duckdb);
    const plan = (select: string[]) => {
      const attached = attachTests(selectModels(project, select), tests, select.length > 0);
      return Object.fromEntries([...attached].map(([model, nodes]) => [model, nodes.map((n) => n.test.name)]));
    };
    assert.deepEqual(plan([]), { a: ['unique_a_id'], c: ['reads_a_and_c', 'reads_sources'] });
    assert.deepEqual(plan(['a']), { a: ['unique_a_id', 'reads_a_and_c'] }, 'c is not selected: the test reads it as it is');
    assert.deepEqual(plan(['c']), { c: ['reads_a_and_c'] });
    assert.deepEqual(plan(['b']), {}, 'neither a nor c');
  });
});

test('stored failures: one table per test, long names cut to 55 characters with a hash, replaced as one change on all four warehouses', () => {
  assert.equal(failuresTable('unique_calls_call_id'), 'unique_calls_call_id');
  const long = 'unique_combination_of_columns_meeting_participants_meeting_id__participant_id';
  const cut = failuresTable(long);
  assert.equal(cut.length, 55);
  assert.match(cut, /^unique_combination_of_columns__[0-9a-f]{24}$/);
  assert.notEqual(cut, failuresTable(`${long}_2`), 'the hash tells apart names with one start');
  const select = 'SELECT 1 AS n';
  const sql = (target: 'duckdb' | 'postgres' | 'bigquery' | 'snowflake') => planStoreFailures(dialectFor(target), select, 'analytics_dbt_test__audit', 'odd').map((s) => s.sql);
  for (const [target, cascade] of [['duckdb', ''], ['postgres', ' CASCADE']] as const) {
    assert.deepEqual(sql(target), [
      'CREATE SCHEMA IF NOT EXISTS "analytics_dbt_test__audit"',
      `DROP TABLE IF EXISTS "analytics_dbt_test__audit"."odd__sb_new"${cascade}`,
      'CREATE TABLE "analytics_dbt_test__audit"."odd__sb_new" AS\nSELECT 1 AS n',
      `DROP TABLE IF EXISTS "analytics_dbt_test__audit"."odd"${cascade}`,
      'ALTER TABLE "analytics_dbt_test__audit"."odd__sb_new" RENAME TO "odd"',
    ]);
  }
  assert.deepEqual(sql('bigquery'), ['CREATE SCHEMA IF NOT EXISTS `analytics_dbt_test__audit`', 'CREATE OR REPLACE TABLE `analytics_dbt_test__audit`.`odd` AS\nSELECT 1 AS n']);
  assert.deepEqual(sql('snowflake'), ['CREATE SCHEMA IF NOT EXISTS "analytics_dbt_test__audit"', 'CREATE OR REPLACE TABLE "analytics_dbt_test__audit"."odd" AS\nSELECT 1 AS n']);
});

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`${kind}: singular tests in a real build`, () => {
    const schema = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
    const extra = kind === 'duckdb' ? 'analytics_failures' : uniqueSchema('failures');
    const open = async (dir: string): Promise<Warehouse> => {
      const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
      after(async () => {
        if (kind === 'postgres') for (const s of [schema, `${schema}_dbt_test__audit`, extra]) await wh.run(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
        await wh.close();
      });
      return wh;
    };
    const settings: ProjectSettings = { targetSchema: schema, sources: { raw: 'raw' } };

    test('tests pass, fail and warn; each runs after the last model it refs; a failing one skips what is downstream of all its models; one of a failed model is skipped', async () => {
      const dir = folder({
        'a.sql': "{{ config(materialized='table') }} select 1 as id union all select 2",
        'b.sql': "{{ config(materialized='table') }} select id from {{ ref('a') }}",
        'c.sql': "select b.id from {{ ref('b') }} as b join {{ ref('a') }} as a on a.id = b.id",
        'd.sql': "select id from {{ ref('a') }}",
        'broken.sql': "{{ config(materialized='table') }} select no_such_column from (select 1 as x) as t",
        'after_broken.sql': "select * from {{ ref('broken') }}",
        'tests/b_matches_a.sql': "select id from {{ ref('b') }} except select id from {{ ref('a') }}",
        'tests/no_big_ids.sql': "select id from {{ ref('a') }} where id > 1 and id in (select id from {{ ref('b') }});\n",
        'tests/few_ds.sql': "{{ config(severity='warn') }} select id from {{ ref('d') }}",
        'tests/of_broken.sql': "select * from {{ ref('broken') }}",
      });
      const wh = await open(dir);
      const results = await build(wh, await loadProject(dir, wh.dialect), { settings });
      assert.deepEqual(statusOf(results), [
        ['model.a', 'success'],
        ['model.broken', 'error'],
        ['test.of_broken', 'skipped'],
        ['model.after_broken', 'skipped'],
        ['model.b', 'success'],
        ['test.b_matches_a', 'pass'],
        ['test.no_big_ids', 'fail'],
        ['model.c', 'skipped'],
        ['model.d', 'success'],
        ['test.few_ds', 'warn'],
      ]);
      assert.equal(resultOf(results, 'test.of_broken').message, 'skipped: model.broken did not build');
      const failed = resultOf(results, 'test.no_big_ids');
      assert.equal(failed.rows, 1);
      assert.match(failed.message, new RegExp(`^1 failing row \\(tests/no_big_ids\\.sql\\): the rows its SELECT returns; config\\(store_failures=true\\) in it, or models\\.tests\\.storeFailures, keeps them in ${schema}_dbt_test__audit\\.no_big_ids$`));
      assert.equal(resultOf(results, 'model.c').message, 'skipped: upstream test.no_big_ids did not succeed', 'c reads a and b');
      assert.equal(resultOf(results, 'test.few_ds').rows, 2);
      assert.equal(results.success, false);

      const tested = await runDataTests(wh, await loadProject(dir, wh.dialect), { settings, select: ['d'] });
      assert.deepEqual(statusOf(tested), [['test.few_ds', 'warn']], '`test --select d` runs the tests of d alone');
    });

    test('store_failures keeps exactly the failing rows, replaces them each run, and leaves an empty table when the test passes', async () => {
      const nums = (values: number[]) => ({ 'nums.sql': `{{ config(materialized='table') }} ${values.map((v) => `select ${v} as n`).join(' union all ')}` });
      const dir = folder({
        ...nums([1, 2, 3]),
        'tests/odd_numbers.sql': "{{ config(store_failures=true) }}\nselect n, 'odd' as why from {{ ref('nums') }} where n % 2 = 1",
        'schema.yml':
          'models:\n  - name: nums\n    columns:\n      - name: n\n        tests:\n' +
          "          - accepted_values: { values: ['1'], config: { store_failures: true } }\n" +
          '          - not_null\n' +
          '          - unique: { config: { store_failures: false } }\n',
      });
      const wh = await open(dir);
      const audit = `${schema}_dbt_test__audit`;
      const stored = async (table: string, s = audit) => (await wh.all<{ n: number }>(`SELECT * FROM ${s}.${table} ORDER BY n`)).map((r) => ({ ...r, n: Number(r.n) }));
      const run = async (values: number[], extraSettings: Partial<ProjectSettings> = {}) => {
        write(dir, nums(values));
        return build(wh, await loadProject(dir, wh.dialect), { settings: { ...settings, ...extraSettings } });
      };

      const first = await run([1, 2, 3]);
      assert.deepEqual(statusOf(first), [['model.nums', 'success'], ['test.accepted_values_nums_n', 'fail'], ['test.not_null_nums_n', 'pass'], ['test.unique_nums_n', 'pass'], ['test.odd_numbers', 'fail']]);
      assert.deepEqual(await stored('accepted_values_nums_n'), [{ n: 2 }, { n: 3 }]);
      assert.deepEqual(await stored('odd_numbers'), [{ n: 1, why: 'odd' }, { n: 3, why: 'odd' }]);
      const failed = resultOf(first, 'test.odd_numbers');
      assert.equal(failed.rows, 2);
      assert.equal(failed.failuresRelation, `${audit}.odd_numbers`);
      assert.equal(failed.message, `2 failing rows (tests/odd_numbers.sql); stored in ${audit}.odd_numbers, see them with: switchboard sql "SELECT * FROM \\"${audit}\\".\\"odd_numbers\\""`);
      assert.equal(await relationExists(wh, audit, 'not_null_nums_n'), false, 'not stored: neither the test nor the project asks');

      await run([1, 5]);
      assert.deepEqual(await stored('accepted_values_nums_n'), [{ n: 5 }], 'replaced, not appended');
      assert.deepEqual(await stored('odd_numbers'), [{ n: 1, why: 'odd' }, { n: 5, why: 'odd' }]);
      const tested = await runDataTests(wh, await loadProject(dir, wh.dialect), { settings });
      assert.equal(resultOf(tested, 'test.odd_numbers').rows, 2, '`test` stores too');

      const passing = await run([1]);
      assert.equal(resultOf(passing, 'test.accepted_values_nums_n').status, 'pass');
      assert.equal(resultOf(passing, 'test.accepted_values_nums_n').failuresRelation, `${audit}.accepted_values_nums_n`);
      assert.deepEqual(await stored('accepted_values_nums_n'), [], 'an empty table when the test passes, as dbt leaves it');
      await run([2, 4]);
      assert.deepEqual(await stored('odd_numbers'), []);

      // Project-wide, into another schema: every test stores unless it says otherwise.
      const everywhere = await run([3, 3], { tests: { storeFailures: true, failuresSchema: extra } });
      assert.deepEqual(statusOf(everywhere).map(([node, status]) => `${node}:${status}`), [
        'model.nums:success',
        'test.accepted_values_nums_n:fail',
        'test.not_null_nums_n:pass',
        'test.unique_nums_n:fail',
        'test.odd_numbers:fail',
      ]);
      assert.deepEqual(await stored('not_null_nums_n', extra), []);
      assert.deepEqual(await stored('accepted_values_nums_n', extra), [{ n: 3 }, { n: 3 }]);
      assert.deepEqual(await stored('odd_numbers', extra), [{ n: 3, why: 'odd' }, { n: 3, why: 'odd' }]);
      assert.equal(await relationExists(wh, extra, 'unique_nums_n'), false, 'store_failures: false wins over the project');
      assert.match(resultOf(everywhere, 'test.unique_nums_n').message, /see them with: switchboard sql "SELECT/);
    });
  });
}

test('switchboard build, test and sql through the CLI: a singular test in the output, its stored failing rows queryable', async () => {
  const dir = folder({
    'switchboard.yaml': 'warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nmodels:\n  dir: ./project\n  targetDir: ./target\n  tests:\n    storeFailures: true\n',
    'project/nums.sql': "{{ config(materialized='table') }} select 1 as n union all select 2",
    'project/tests/small_numbers.sql': "select n from {{ ref('nums') }} where n > 1",
  });
  const noServer = ['--admin-url', 'http://127.0.0.1:9'];
  const built = await runCli(['build', ...noServer], dir);
  assert.equal(built.code, 1, built.stdout + built.stderr);
  assert.match(built.stdout, /^\d\d:\d\d:\d\d {2}2 of 2 FAIL 1 test small_numbers \.+ \[FAIL 1 in \d+\.\d\ds\]$/m);
  assert.match(built.stdout, /Failure in test\.small_numbers\n {4}1 failing row \(tests\/small_numbers\.sql\); stored in analytics_dbt_test__audit\.small_numbers/);

  const tested = await runCli(['test', ...noServer], dir);
  assert.equal(tested.code, 1, tested.stdout + tested.stderr);
  assert.match(tested.stdout, /1 of 1 FAIL 1 test small_numbers/);
  assert.match(tested.stdout, /^Done\. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1$/m);

  const query = await runCli(['sql', 'SELECT n FROM analytics_dbt_test__audit.small_numbers', ...noServer], dir);
  assert.equal(query.code, 0, query.stderr);
  assert.equal(query.stdout, 'n\n-\n2\n(1 row)\n', 'the failing row, and only it');

  write(dir, { 'project/tests/small_numbers.sql': "{{ config(severity='warn') }} select n from {{ ref('nums') }} where n > 1" });
  const warned = await runCli(['test', ...noServer], dir);
  assert.equal(warned.code, 0, warned.stdout + warned.stderr);
  assert.match(warned.stdout, /1 of 1 WARN 1 test small_numbers/);
  assert.match(warned.stdout, /^Done\. PASS=0 WARN=1 ERROR=0 SKIP=0 TOTAL=1$/m);
});
