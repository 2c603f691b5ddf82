/**
 * Layered projects and macros: a user's folders (models.paths) on top of a package, models
 * that ref() the package's, overrides and disabling by name, and macros from every layer's
 * macros/ folder. Loading on its own, then a real build on DuckDB and Postgres.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadProject } from '../../sql/engine/project.js';
import { loadDataTests } from '../../sql/engine/data-tests.js';
import { compileModel } from '../../sql/engine/compile.js';
import { build } from '../../sql/engine/run.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import type { Model } from '../../sql/engine/model.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { tempFolder } from '../helpers/project-files.js';

const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-layers-');

const duckdb = dialectFor('duckdb');
const settings = { targetSchema: 'analytics', sources: { raw: 'raw' } };

/** A small "package": a staged table, a curated one with a bundled test, and a sync model. */
function pkg(): string {
  return folder({
    'staging/stg_numbers.sql': "{{ config(materialized='table') }} select 1 as n union all select 2 union all select 3",
    'curated/numbers.sql': "{{ config(materialized='table') }} select n, {{ doubled('n') }} as twice from {{ ref('stg_numbers') }}",
    'outbound/numbers_out.sql': "select n from {{ ref('numbers') }}",
    'macros/math.sql': "{% macro doubled(col) %}({{ col }} * 2){% endmacro %}",
    'schema.yml': 'models:\n  - name: numbers\n    columns:\n      - name: twice\n        tests: [not_null, unique]\n',
  });
}

describe('layered projects', () => {
  test("a user model refs the package's models and calls the package's macros and its own", async () => {
    const user = folder({
      'big_numbers.sql': "select n, {{ tripled('twice') }} as six_n from {{ ref('numbers') }} where n > 1",
      'macros/mine.sql': "{% macro tripled(col) %}({{ col }} * 3){% endmacro %}",
    });
    const project = await loadProject([pkg(), user], duckdb);
    const big = project.models.get('big_numbers') as Model;
    assert.deepEqual(big.refs, ['numbers']);
    assert.equal(big.package, 'project');
    assert.equal(big.layer, 1);
    assert.equal(project.models.get('numbers')?.layer, 0);
    const sql = compileModel(project, big, { ...settings, dialect: duckdb });
    assert.match(sql, /\("twice" \* 3\)|\(twice \* 3\)/);
    assert.match(sql, /"analytics"\."numbers"/);
    assert.match(compileModel(project, project.models.get('numbers') as Model, { ...settings, dialect: duckdb }), /\(n \* 2\)/);
  });

  test('a user model of the same name overrides the package model, and the package tests of it are dropped', async () => {
    const user = folder({
      'numbers.sql': "{{ config(materialized='table') }} select n, n * 10 as tenfold from {{ ref('stg_numbers') }}",
      'schema.yml': 'models:\n  - name: numbers\n    columns:\n      - name: tenfold\n        tests: [not_null]\n  - name: stg_numbers\n    columns:\n      - name: n\n        tests: [unique]\n',
    });
    const project = await loadProject([pkg(), user], duckdb);
    const numbers = project.models.get('numbers') as Model;
    assert.equal(numbers.package, 'project');
    assert.equal(numbers.overrides, 'project:curated/numbers.sql', 'names what it overrides (a plain folder is package `project`)');
    const tests = (await loadDataTests(project)).map((t) => t.name).sort();
    assert.deepEqual(tests, ['not_null_numbers_tenfold', 'unique_stg_numbers_n'], 'bundled tests of the overridden model are gone; the user may test package models');
  });

  test('disabling by config, by config(enabled=false) and by YAML; a ref to a disabled model is an error that says what to do', async () => {
    const base = pkg();
    const byConfig = await loadProject([base], duckdb, { disabled: ['numbers_out'] });
    assert.equal(byConfig.models.has('numbers_out'), false);
    assert.deepEqual(byConfig.disabled, ['numbers_out']);

    const yaml = folder({ 'props.yml': 'models:\n  - name: numbers_out\n    config: { enabled: false }\n' });
    assert.equal((await loadProject([base, yaml], duckdb)).models.has('numbers_out'), false);

    const inSql = folder({ 'numbers_out.sql': "{{ config(enabled=false) }} select 1 as n" });
    assert.equal((await loadProject([base, inSql], duckdb)).models.has('numbers_out'), false);

    await assert.rejects(loadProject([base], duckdb, { disabled: ['numbers'] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SB_MODEL_DISABLED_REF');
      assert.match(error.message, /numbers_out\.sql: ref\('numbers'\) names a disabled model\. Disable numbers_out too \(models\.disabled\)/);
      return true;
    });
    await assert.rejects(loadProject([base], duckdb, { disabled: ['numbrs_out'] }), /models\.disabled names "numbrs_out", which is no model \(did you mean "numbers_out"\?\)/);
  });

  test('two models of one name in one layer are still an error', async () => {
    const user = folder({ 'a/x.sql': 'select 1 as n', 'b/x.sql': 'select 2 as n' });
    await assert.rejects(loadProject([pkg(), user], duckdb), (error: Error & { code?: string }) => error.code === 'SB_MODEL_DUPLICATE');
  });

  test('macros/, seeds/, snapshots/ and tests/ are not model folders (snapshots/ holds snapshots)', async () => {
    const snapshot = "{{ config(unique_key='n', strategy='check', check_cols='all') }} select 1 as n";
    const user = folder({ 'tests/assert_positive.sql': 'select 1 as n where 1 = 0', 'snapshots/snap.sql': snapshot, 'seeds/x.sql': 'select 1', 'nested/macros/m.sql': 'select 1 as n' });
    const project = await loadProject([pkg(), user], duckdb);
    assert.deepEqual([...project.models.keys()].filter((n) => !['stg_numbers', 'numbers', 'numbers_out'].includes(n)), ['m', 'snap'], 'only top-level reserved folders are skipped');
    assert.equal(project.models.get('snap')?.config.materialized, 'snapshot');
  });

  test("a template error in a model gives the model's own line, as without macros, not the line after them", async () => {
    const files = { 'bad.sql': 'select 1 as n\nfrom t\nwhere {{ nonsense }}' };
    const where = (error: Error) => /\[Line \d+, Column \d+\]/.exec(error.message)?.[0];
    const alone = await loadProject([folder(files)], duckdb).then(() => assert.fail('renders'), (error: Error) => where(error));
    const layered = await loadProject([pkg(), folder(files)], duckdb).then(() => assert.fail('renders'), (error: Error) => where(error));
    assert.equal(alone, '[Line 3, Column 7]');
    assert.equal(layered, alone);
  });
});

for (const kind of ['duckdb', 'postgres'] as const) {
  test(`${kind}: a layered project builds; the override's rows are what the user wrote`, async () => {
    const user = folder({
      'numbers.sql': "{{ config(materialized='table') }} select n, {{ doubled('n') }} + 1 as twice from {{ ref('stg_numbers') }}",
      'big_numbers.sql': "select n from {{ ref('numbers') }} where twice > 4",
    });
    const schema = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
    const dir = folder({});
    const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
    try {
      const results = await build(wh, await loadProject([pkg(), user], wh.dialect, { disabled: ['numbers_out'] }), { settings: { ...settings, targetSchema: schema } });
      assert.equal(results.success, true, JSON.stringify(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass')));
      assert.deepEqual(results.results.map((r) => r.node), ['model.stg_numbers', 'model.numbers', 'model.big_numbers']);
      const rows = await wh.all<{ n: number }>(`SELECT n FROM ${schema}.big_numbers ORDER BY n`);
      assert.deepEqual(rows.map((r) => Number(r.n)), [2, 3]);
    } finally {
      if (kind === 'postgres') await wh.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await wh.close();
    }
  });
}
