/**
 * dbt's `incremental_strategy` (issue 16): `delete+insert` (the default), `merge` and
 * `append`. Config parsing, the plans each strategy compiles to on all four warehouses
 * (values, no I/O), and real builds on DuckDB and Postgres that show, row for row, that a
 * merge updates changed rows and inserts new ones, an append only adds, and delete+insert
 * ends where it always did.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../sql/engine/project.js';
import { materializationLabel, planMaterialization } from '../../sql/engine/materialize.js';
import { build, type RunResults } from '../../sql/engine/run.js';
import type { Model } from '../../sql/engine/model.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { DIALECT_NAMES, dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import { DuckDbDialect } from '../../sql/warehouses/duckdb/dialect.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { tempFolder } from '../helpers/project-files.js';

const project = (files: Record<string, string>): string => tempFolder(files, 'switchboard-strategies-');

/** One model file's config, loaded: the model, or the load's rejection. */
async function configOf(config: string): Promise<Model> {
  const dir = project({ 'm.sql': `{{ config(${config}) }} select 1 as id` });
  return (await loadProject(dir, dialectFor('duckdb'))).models.get('m') as Model;
}

describe('incremental_strategy in config()', () => {
  test("defaults to delete+insert; merge and append are taken, and append needs no unique_key", async () => {
    assert.equal((await configOf("materialized='incremental', unique_key='id'")).config.incrementalStrategy, 'delete+insert');
    assert.equal((await configOf("materialized='incremental', unique_key='id', incremental_strategy='merge'")).config.incrementalStrategy, 'merge');
    const append = await configOf("materialized='incremental', incremental_strategy='append'");
    assert.deepEqual([append.config.incrementalStrategy, append.config.uniqueKey], ['append', []]);
  });

  test('an unknown strategy is refused with the ones there are, and the close one', async () => {
    await assert.rejects(configOf("materialized='incremental', unique_key='id', incremental_strategy='delete_insert'"), {
      code: 'SB_MODEL_CONFIG',
      message: "m.sql: config(incremental_strategy='delete_insert'): use 'delete+insert', 'merge', 'append'; did you mean 'delete+insert'?)",
    });
    await assert.rejects(configOf("materialized='incremental', unique_key='id', incremental_strategy='insert_overwrite'"), {
      code: 'SB_MODEL_CONFIG',
      message: "m.sql: config(incremental_strategy='insert_overwrite'): use 'delete+insert', 'merge', 'append')",
    });
  });

  test('merge and delete+insert need unique_key; a strategy on a non-incremental model is refused', async () => {
    for (const strategy of ['merge', 'delete+insert']) {
      await assert.rejects(configOf(`materialized='incremental', incremental_strategy='${strategy}'`), {
        code: 'SB_MODEL_CONFIG',
        message: "m.sql: config(materialized='incremental'): also give unique_key='…', or incremental_strategy='append')",
      });
    }
    await assert.rejects(configOf("materialized='table', incremental_strategy='merge'"), {
      code: 'SB_MODEL_CONFIG',
      message: "m.sql: config(incremental_strategy=…): only incremental models have one; add materialized='incremental')",
    });
  });
});

describe('incremental plans per strategy, on all four warehouses', () => {
  const model = (strategy: 'delete+insert' | 'merge' | 'append', mergeWindowColumn?: string): Model => ({
    name: 'm',
    path: 'm.sql',
    template: '',
    refs: [],
    sources: [],
    package: 'project',
    layer: 0,
    config: { materialized: 'incremental', enabled: true, uniqueKey: strategy === 'append' ? [] : ['id'], tags: [], schema: undefined, mergeWindowColumn, updatedAt: undefined, incrementalStrategy: strategy, onSchemaChange: 'rebuild' },
  });
  const plan = (m: Model, name: (typeof DIALECT_NAMES)[number], targetColumns?: readonly string[]) =>
    planMaterialization(m, { dialect: dialectFor(name), schema: 'a', select: 'SELECT 1', targetExists: true, targetColumns });

  test('merge: the stage as DDL, then one MERGE updating every non-key column and inserting new keys, in no group', () => {
    const expected: Record<(typeof DIALECT_NAMES)[number], string> = {
      duckdb:
        'MERGE INTO "a"."m" AS t\nUSING "a"."m__sb_stage" AS s\nON t."id" = s."id"\nWHEN MATCHED THEN UPDATE SET\n  "status" = s."status",\n  "landed_at" = s."landed_at"\n' +
        'WHEN NOT MATCHED THEN INSERT ("id", "status", "landed_at") VALUES (s."id", s."status", s."landed_at")',
      postgres:
        'MERGE INTO "a"."m" AS t\nUSING "a"."m__sb_stage" AS s\nON t."id" = s."id"\nWHEN MATCHED THEN UPDATE SET\n  "status" = s."status",\n  "landed_at" = s."landed_at"\n' +
        'WHEN NOT MATCHED THEN INSERT ("id", "status", "landed_at") VALUES (s."id", s."status", s."landed_at")',
      bigquery:
        'MERGE INTO `a`.`m` AS t\nUSING `a`.`m__sb_stage` AS s\nON t.`id` = s.`id`\nWHEN MATCHED THEN UPDATE SET\n  `status` = s.`status`,\n  `landed_at` = s.`landed_at`\n' +
        'WHEN NOT MATCHED THEN INSERT (`id`, `status`, `landed_at`) VALUES (s.`id`, s.`status`, s.`landed_at`)',
      snowflake:
        'MERGE INTO "a"."m" AS t\nUSING "a"."m__sb_stage" AS s\nON t."id" = s."id"\nWHEN MATCHED THEN UPDATE SET\n  "status" = s."status",\n  "landed_at" = s."landed_at"\n' +
        'WHEN NOT MATCHED THEN INSERT ("id", "status", "landed_at") VALUES (s."id", s."status", s."landed_at")',
    };
    for (const name of DIALECT_NAMES) {
      const steps = plan(model('merge'), name, ['id', 'status', 'landed_at']);
      const d = dialectFor(name);
      const staged = d.tableName('a', 'm__sb_stage');
      assert.deepEqual(
        steps.map((s) => [s.sql, s.ddl === true, s.atomicGroup ?? null]),
        [
          [d.createSchema('a'), true, null],
          [d.dropTable(staged), true, null],
          [`CREATE TABLE ${staged} AS\nSELECT 1`, true, null],
          [expected[name], false, null],
          [d.dropTable(staged), true, null],
        ],
        name,
      );
      assert.equal(steps[2]?.rowsQuery, `SELECT COUNT(*) AS n FROM ${staged}`, `${name}: the build counts the staged rows`);
    }
  });

  test('merge with merge_window_column lets only target rows at or after the earliest staged value match', () => {
    const on = (name: (typeof DIALECT_NAMES)[number]) => plan(model('merge', 'landed_at'), name, ['id', 'status', 'landed_at'])[3]?.sql.split('\n')[2];
    assert.equal(on('duckdb'), 'ON t."id" = s."id" AND t."landed_at" >= (SELECT MIN("landed_at") FROM "a"."m__sb_stage")');
    assert.equal(on('postgres'), 'ON t."id" = s."id" AND t."landed_at" >= (SELECT MIN("landed_at") FROM "a"."m__sb_stage")');
    assert.equal(on('bigquery'), 'ON t.`id` = s.`id` AND t.`landed_at` >= (SELECT MIN(`landed_at`) FROM `a`.`m__sb_stage`)');
    assert.equal(on('snowflake'), 'ON t."id" = s."id" AND t."landed_at" >= (SELECT MIN("landed_at") FROM "a"."m__sb_stage")');
  });

  test('merge with a compound key matches on every key column and updates none of them; a table of keys only just inserts', () => {
    const compound: Model = { ...model('merge'), config: { ...model('merge').config, uniqueKey: ['id', 'leg'] } };
    const merge = plan(compound, 'postgres', ['id', 'leg', 'v'])[3]?.sql ?? '';
    assert.match(merge, /^ON t\."id" = s\."id" AND t\."leg" = s\."leg"$/m);
    assert.match(merge, /UPDATE SET\n {2}"v" = s\."v"\n/);
    const keysOnly = plan(compound, 'snowflake', ['id', 'leg'])[3]?.sql ?? '';
    assert.doesNotMatch(keysOnly, /WHEN MATCHED/);
    assert.match(keysOnly, /WHEN NOT MATCHED THEN INSERT \("id", "leg"\) VALUES \(s\."id", s\."leg"\)$/);
  });

  test('append: the stage, then one INSERT of the staged rows; nothing deleted or matched', () => {
    for (const name of DIALECT_NAMES) {
      const d = dialectFor(name);
      const staged = d.tableName('a', 'm__sb_stage');
      const steps = plan(model('append'), name);
      assert.deepEqual(
        steps.slice(3).map((s) => [s.sql, s.atomicGroup ?? null]),
        [
          [`INSERT INTO ${d.tableName('a', 'm')} SELECT * FROM ${staged}`, null],
          [d.dropTable(staged), null],
        ],
        name,
      );
      assert.ok(!steps.some((s) => /^(DELETE|MERGE)/.test(s.sql)), name);
    }
  });

  test('delete+insert is unchanged: delete and insert as one atomic group between the stage DDL', () => {
    for (const name of DIALECT_NAMES) {
      const d = dialectFor(name);
      const target = d.tableName('a', 'm');
      const staged = d.tableName('a', 'm__sb_stage');
      assert.deepEqual(
        plan(model('delete+insert'), name).slice(3, 5).map((s) => [s.sql, s.atomicGroup ?? null]),
        [
          [d.deleteStaged(target, staged, ['id']), 'apply'],
          [`INSERT INTO ${target} SELECT * FROM ${staged}`, 'apply'],
        ],
        name,
      );
    }
  });

  test("a merge's first build is a table like any other strategy's", () => {
    const first = planMaterialization(model('merge'), { dialect: dialectFor('bigquery'), schema: 'a', select: 'SELECT 1', targetExists: false });
    assert.deepEqual(first.map((s) => s.sql.split('\n')[0]), ['CREATE SCHEMA IF NOT EXISTS `a`', 'CREATE OR REPLACE TABLE `a`.`m`']);
  });

  test('a merge is refused where it cannot be planned: a key column the table lacks, a dialect without MERGE', () => {
    assert.throws(() => plan(model('merge'), 'duckdb', ['status', 'landed_at']), {
      code: 'SB_MODEL_CONFIG',
      message: 'm.sql: config(unique_key=…): id is not a column of a.m (it has status, landed_at); fix unique_key, or rebuild the table with --full-refresh.',
    });
    assert.throws(() => plan(model('merge'), 'duckdb'), /needs targetColumns/);
    class NoMerge extends DuckDbDialect {
      protected override readonly declaredCapabilities = { ...new DuckDbDialect().capabilities, supportsMerge: false };
    }
    assert.throws(() => planMaterialization(model('merge'), { dialect: new NoMerge(), schema: 'a', select: 'SELECT 1', targetExists: true, targetColumns: ['id'] }), {
      code: 'SB_MODEL_CONFIG',
      message: "m.sql: config(incremental_strategy='merge'): the duckdb dialect has no MERGE; use incremental_strategy='delete+insert'.",
    });
  });

  test('run results name the strategy of an incremental build, and "full" for a first build', () => {
    assert.equal(materializationLabel(model('merge'), { incremental: true }), 'incremental (merge)');
    assert.equal(materializationLabel(model('append'), { incremental: true }), 'incremental (append)');
    assert.equal(materializationLabel(model('delete+insert'), { incremental: true }), 'incremental (delete+insert)');
    assert.equal(materializationLabel(model('merge'), { incremental: false }), 'incremental (full)');
    assert.equal(materializationLabel({ ...model('merge'), config: { ...model('merge').config, materialized: 'table' } }, { incremental: false }), 'table');
  });
});

/**
 * Three models over one source, one per strategy. Each incremental build reads the source
 * rows of batches past the newest one built; `first_batch` is when a key first came, so it
 * never changes for a key (what merge_window_column asks of a column).
 */
const STRATEGY_MODELS = (strategy: string, extra = '') =>
  `{{ config(materialized='incremental', incremental_strategy='${strategy}'${extra}) }}
select id, status, first_batch, batch from {{ source('raw', 'src') }}
{% if is_incremental() %}where batch > (select max(batch) from {{ this }}){% endif %}
`;

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`incremental strategies building for real on ${kind}`, () => {
    let wh: Warehouse;
    const raw = uniqueSchema('raw');
    const target = uniqueSchema('analytics');
    const dir = project({
      'by_merge.sql': STRATEGY_MODELS('merge', ", unique_key='id', merge_window_column='first_batch'"),
      'by_append.sql': STRATEGY_MODELS('append'),
      'by_delete_insert.sql': STRATEGY_MODELS('delete+insert', ", unique_key='id'"),
    });
    before(async () => {
      wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : { type: 'postgres', url: TEST_POSTGRES_URL });
      const d = wh.dialect;
      await wh.run(d.createSchema(raw));
      await wh.run(
        d.createTable({
          schema: raw,
          name: 'src',
          columns: [
            { name: 'id', type: 'text' },
            { name: 'status', type: 'text' },
            { name: 'first_batch', type: 'integer' },
            { name: 'batch', type: 'integer' },
          ],
          primaryKey: [],
        }),
      );
    });
    after(async () => {
      for (const s of [raw, target]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(s)} CASCADE`);
      await wh.close();
    });

    const land = async (rows: Array<[string, string, number, number]>) => {
      for (const row of rows) await wh.run(`INSERT INTO ${wh.dialect.tableName(raw, 'src')} VALUES ($1, $2, $3, $4)`, row);
    };
    const run = async (): Promise<RunResults> => build(wh, await loadProject(dir, wh.dialect), { settings: { targetSchema: target, sources: { raw } } });
    const rowsOf = (model: string) => wh.all(`SELECT id, status, first_batch, batch FROM ${wh.dialect.tableName(target, model)} ORDER BY id, batch`);
    const built = (results: RunResults) => Object.fromEntries(results.results.map((r) => [r.node, [r.status, r.materialized, r.rows]]));

    test('merge updates changed rows and inserts new ones, append only adds, delete+insert as before', async () => {
      await land([['a', 'new', 1, 1], ['b', 'new', 1, 1]]);
      assert.deepEqual(built(await run()), {
        'model.by_append': ['success', 'incremental (full)', 2],
        'model.by_delete_insert': ['success', 'incremental (full)', 2],
        'model.by_merge': ['success', 'incremental (full)', 2],
      });

      // b changes, c is new; a is not read again.
      await land([['b', 'done', 1, 2], ['c', 'new', 2, 2]]);
      assert.deepEqual(built(await run()), {
        'model.by_append': ['success', 'incremental (append)', 2],
        'model.by_delete_insert': ['success', 'incremental (delete+insert)', 2],
        'model.by_merge': ['success', 'incremental (merge)', 2],
      });
      const upserted = [
        { id: 'a', status: 'new', first_batch: 1, batch: 1 },
        { id: 'b', status: 'done', first_batch: 1, batch: 2 },
        { id: 'c', status: 'new', first_batch: 2, batch: 2 },
      ];
      assert.deepEqual(await rowsOf('by_merge'), upserted);
      assert.deepEqual(await rowsOf('by_delete_insert'), upserted);
      assert.deepEqual(await rowsOf('by_append'), [
        { id: 'a', status: 'new', first_batch: 1, batch: 1 },
        { id: 'b', status: 'new', first_batch: 1, batch: 1 },
        { id: 'b', status: 'done', first_batch: 1, batch: 2 },
        { id: 'c', status: 'new', first_batch: 2, batch: 2 },
      ]);

      // Nothing new: every strategy writes nothing, and no stage is left behind.
      assert.deepEqual(Object.values(built(await run())).map(([, , rows]) => rows), [0, 0, 0]);
      assert.deepEqual(await rowsOf('by_merge'), upserted);
      assert.equal((await wh.introspector.relations([target])).filter((r) => r.name.endsWith('__sb_stage')).length, 0);
    });

    test('merge writes columns by name: a model whose columns come in a new order still lands each value in its column', async () => {
      // The table keeps its columns (id, status, first_batch, batch); the model now selects them reordered.
      writeFileSync(
        join(dir, 'by_merge.sql'),
        `{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id') }}
select batch, first_batch, status, id from {{ source('raw', 'src') }}
{% if is_incremental() %}where batch > (select max(batch) from {{ this }}){% endif %}
`,
      );
      await land([['c', 'done', 2, 3]]);
      const results = await run();
      assert.deepEqual(built(results)['model.by_merge'], ['success', 'incremental (merge)', 1]);
      assert.deepEqual(await rowsOf('by_merge'), [
        { id: 'a', status: 'new', first_batch: 1, batch: 1 },
        { id: 'b', status: 'done', first_batch: 1, batch: 2 },
        { id: 'c', status: 'done', first_batch: 2, batch: 3 },
      ]);
    });
  });
}
