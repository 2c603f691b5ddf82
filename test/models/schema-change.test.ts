/**
 * `on_schema_change` (dbt's): an incremental model whose select gains, loses or reorders
 * columns after its table was built, as after an upgrade of the bundled models. The default,
 * `rebuild`, rebuilds the table in full by itself, so old rows get the new column filled in;
 * `fail` leaves the table as it was and says how to rebuild it. Real builds on DuckDB and
 * Postgres.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../sql/engine/project.js';
import { build, type RunResults } from '../../sql/engine/run.js';
import { describeChange } from '../../sql/engine/schema-change.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { tempFolder } from '../helpers/project-files.js';

const INCREMENTAL = `{% if is_incremental() %}where batch > (select max(batch) from {{ this }}){% endif %}`;

/** The model as first built: id, status, batch. */
const V1 = (config = '') => `{{ config(materialized='incremental', unique_key='id'${config}) }}
select id, status, batch from {{ source('raw', 'src') }}
${INCREMENTAL}
`;
/** The model after an "upgrade": a new column, computed for every row, old ones too. */
const V2 = (config = '') => `{{ config(materialized='incremental', unique_key='id'${config}) }}
select id, status, batch, upper(status) as status_code from {{ source('raw', 'src') }}
${INCREMENTAL}
`;

describe('on_schema_change in config()', () => {
  const configOf = async (config: string) => {
    const dir = tempFolder({ 'm.sql': `{{ config(${config}) }} select 1 as id` }, 'switchboard-schema-change-');
    return (await loadProject(dir, dialectFor('duckdb'))).models.get('m')?.config.onSchemaChange;
  };

  test("defaults to rebuild, takes fail, and refuses dbt's NULL-leaving values and non-incremental models", async () => {
    assert.equal(await configOf("materialized='incremental', unique_key='id'"), 'rebuild');
    assert.equal(await configOf("materialized='incremental', unique_key='id', on_schema_change='fail'"), 'fail');
    await assert.rejects(configOf("materialized='incremental', unique_key='id', on_schema_change='append_new_columns'"), {
      code: 'SB_MODEL_CONFIG',
      message: "m.sql: config(on_schema_change='append_new_columns'): use 'rebuild' (the default) or 'fail'; dbt's 'ignore' and 'append_new_columns' would leave NULLs in old rows)",
    });
    await assert.rejects(configOf("materialized='table', on_schema_change='fail'"), {
      code: 'SB_MODEL_CONFIG',
      message: "m.sql: config(on_schema_change=…): only incremental models keep rows between builds; add materialized='incremental')",
    });
  });

  test('the change is described by the columns added and removed', () => {
    assert.equal(describeChange(['id', 'at'], ['id', 'at', 'valid']), 'added valid');
    assert.equal(describeChange(['id', 'old', 'at'], ['id', 'at', 'new']), 'added new; removed old');
    assert.equal(describeChange(['id', 'a', 'b'], ['id', 'b', 'a']), 'same columns in another order');
  });
});

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`a changed incremental model on ${kind}`, () => {
    let wh: Warehouse;
    const raw = uniqueSchema('raw');
    const target = uniqueSchema('analytics');
    before(async () => {
      wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : { type: 'postgres', url: TEST_POSTGRES_URL });
      const d = wh.dialect;
      await wh.run(d.createSchema(raw));
      await wh.run(d.createTable({ schema: raw, name: 'src', columns: [{ name: 'id', type: 'text' }, { name: 'status', type: 'text' }, { name: 'batch', type: 'integer' }], primaryKey: [] }));
    });
    after(async () => {
      for (const s of [raw, target]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(s)} CASCADE`);
      await wh.close();
    });

    const land = async (rows: Array<[string, string, number]>) => {
      for (const row of rows) await wh.run(`INSERT INTO ${wh.dialect.tableName(raw, 'src')} VALUES ($1, $2, $3)`, row);
    };
    const run = async (dir: string): Promise<RunResults> => build(wh, await loadProject(dir, wh.dialect), { settings: { targetSchema: target, sources: { raw } } });
    const result = (results: RunResults, model: string) => results.results.find((r) => r.node === `model.${model}`);
    const rowsOf = (model: string) => wh.all(`SELECT * FROM ${wh.dialect.tableName(target, model)} ORDER BY id`);
    const stages = async () => (await wh.introspector.relations([target])).filter((r) => r.name.endsWith('__sb_stage')).map((r) => r.name);

    test('rebuild (the default): a new column rebuilds the table in full, once; old rows get the value too, and the next build is incremental again', async () => {
      const dir = tempFolder({ 'upgraded.sql': V1() }, 'switchboard-schema-change-');
      await land([['a', 'new', 1], ['b', 'new', 1]]);
      assert.equal(result(await run(dir), 'upgraded')?.materialized, 'incremental (full)');

      writeFileSync(join(dir, 'upgraded.sql'), V2());
      await land([['c', 'done', 2]]);
      const rebuilt = result(await run(dir), 'upgraded');
      assert.deepEqual([rebuilt?.status, rebuilt?.materialized, rebuilt?.rows], ['success', 'incremental (full: columns changed)', 3]);
      assert.equal(rebuilt?.message, 'columns changed (added status_code): rebuilt in full, as --full-refresh would');
      assert.deepEqual(await rowsOf('upgraded'), [
        { id: 'a', status: 'new', batch: 1, status_code: 'NEW' },
        { id: 'b', status: 'new', batch: 1, status_code: 'NEW' },
        { id: 'c', status: 'done', batch: 2, status_code: 'DONE' },
      ]);
      assert.deepEqual(await stages(), [], 'no stage is left behind');

      await land([['a', 'done', 3]]);
      const next = result(await run(dir), 'upgraded');
      assert.deepEqual([next?.materialized, next?.rows, next?.message], ['incremental (delete+insert)', 1, '']);
      assert.deepEqual((await rowsOf('upgraded'))[0], { id: 'a', status: 'done', batch: 3, status_code: 'DONE' });
    });

    test("fail: the model fails with SB_MODEL_SCHEMA_CHANGED naming the columns and the fix; the table is untouched until --full-refresh", async () => {
      const dir = tempFolder({ 'guarded.sql': V2(", on_schema_change='fail'") }, 'switchboard-schema-change-');
      assert.equal(result(await run(dir), 'guarded')?.status, 'success');
      const before = await rowsOf('guarded');

      writeFileSync(join(dir, 'guarded.sql'), V1(", on_schema_change='fail'"));
      await land([['d', 'new', 4]]);
      const failed = result(await run(dir), 'guarded');
      assert.equal(failed?.status, 'error');
      assert.equal(
        failed?.message,
        `guarded.sql: SB_MODEL_SCHEMA_CHANGED: the select's columns no longer match ${target}.guarded (removed status_code); the table is left as it was. ` +
          "Rebuild it once with: switchboard build --full-refresh --select guarded, or drop config(on_schema_change='fail') to rebuild it by itself.",
      );
      assert.deepEqual(await rowsOf('guarded'), before);
      assert.deepEqual(await stages(), []);

      const refreshed = (await build(wh, await loadProject(dir, wh.dialect), { settings: { targetSchema: target, sources: { raw } }, fullRefresh: true })).results[0];
      assert.deepEqual([refreshed?.status, refreshed?.materialized], ['success', 'incremental (full)']);
      assert.deepEqual(Object.keys((await rowsOf('guarded'))[0] ?? {}), ['id', 'status', 'batch']);
    });

    test('delete+insert inserts by position, so a reorder rebuilds; a merge names its columns, so it does not', async () => {
      const reordered = (strategy: string) => `{{ config(materialized='incremental', unique_key='id', incremental_strategy='${strategy}') }}
select batch, status, id from {{ source('raw', 'src') }}
${INCREMENTAL}
`;
      const dir = tempFolder({ 'by_position.sql': V1(), ...(wh.dialect.capabilities.supportsMerge ? { 'by_name.sql': V1(", incremental_strategy='merge'") } : {}) }, 'switchboard-schema-change-');
      await run(dir);
      writeFileSync(join(dir, 'by_position.sql'), reordered('delete+insert'));
      if (wh.dialect.capabilities.supportsMerge) writeFileSync(join(dir, 'by_name.sql'), reordered('merge'));
      await land([['e', 'new', 5]]);
      const results = await run(dir);
      assert.deepEqual([result(results, 'by_position')?.materialized, result(results, 'by_position')?.message], [
        'incremental (full: columns changed)',
        'columns changed (same columns in another order): rebuilt in full, as --full-refresh would',
      ]);
      assert.deepEqual(Object.keys((await rowsOf('by_position'))[0] ?? {}), ['batch', 'status', 'id']);
      if (wh.dialect.capabilities.supportsMerge) assert.equal(result(results, 'by_name')?.materialized, 'incremental (merge)');
    });
  });
}
