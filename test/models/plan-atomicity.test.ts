/**
 * The model engine's promise, "rebuilt completely or left as it was", on a warehouse whose
 * DDL is not transactional (BigQuery, Snowflake). Played on real DuckDB through a dialect that
 * declares what BigQuery declares (no transactional DDL) and, like BigQuery's, replaces a
 * table with one `CREATE OR REPLACE TABLE … AS` (DuckDB has that statement too).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlannedStatement } from '../../sql/dialect.js';
import { DuckDbDialect } from '../../sql/warehouses/duckdb/dialect.js';
import { executePlan } from '../../sql/engine/execute.js';
import { planMaterialization } from '../../sql/engine/materialize.js';
import type { IncrementalStrategy, Model } from '../../sql/engine/model.js';
import type { Queryable, SqlParam, SqlRow, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';

/** DuckDB's SQL with BigQuery's capabilities: DML transactions, no transactional DDL. */
class NoDdlTransactions extends DuckDbDialect {
  protected override readonly declaredCapabilities = { ...new DuckDbDialect().capabilities, supportsTransactionalDdl: false };
}

class ReplacesInOneStatement extends NoDdlTransactions {
  override replaceTable(schema: string, name: string, select: string): PlannedStatement[] {
    const target = this.tableName(schema, name);
    return [{ description: `replace ${schema}.${name}`, sql: `CREATE OR REPLACE TABLE ${target} AS\n${select}`, rowsQuery: `SELECT COUNT(*) AS n FROM ${target}`, ddl: true }];
  }
}

/** The warehouse, with another dialect and a log of where each statement ran. */
function recording(wh: Warehouse, dialect: Warehouse['dialect'], log: string[]): Warehouse {
  const note = (where: string) => (sql: string) => log.push(`${where}: ${sql.split('\n')[0]}`);
  return Object.assign(Object.create(wh) as Warehouse, {
    dialect,
    run: async (sql: string, params?: readonly SqlParam[]) => (note('direct')(sql), wh.run(sql, params)),
    all: async <T extends SqlRow>(sql: string, params?: readonly SqlParam[]) => wh.all<T>(sql, params),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      wh.transaction((tx) => fn({ ...tx, run: async (sql, params) => (note('tx')(sql), tx.run(sql, params)) })),
  });
}

describe('executePlan without transactional DDL', () => {
  let wh: Warehouse;
  before(async () => {
    wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
    await wh.run('CREATE SCHEMA a');
    await wh.run('CREATE TABLE a.m AS SELECT 1 AS id, 10 AS v');
  });
  after(() => wh.close());

  test("the default build-aside-and-swap is refused before any statement runs, so the table stays as it was", async () => {
    const log: string[] = [];
    const d = new NoDdlTransactions();
    const plan = d.replaceTable('a', 'm', 'SELECT 2 AS id, 20 AS v');
    await assert.rejects(executePlan(recording(wh, d, log), plan), { code: 'SB_SQL_NOT_ATOMIC', message: /must override replaceTable/ });
    assert.deepEqual(log, []);
    assert.deepEqual(await wh.all('SELECT id, v FROM a.m'), [{ id: 1, v: 10 }]);
  });

  test('a one-statement replace runs outside any transaction and counts its rows', async () => {
    const log: string[] = [];
    const d = new ReplacesInOneStatement();
    const rows = await executePlan(recording(wh, d, log), d.replaceTable('a', 'm', 'SELECT * FROM range(3) AS r(id)'));
    assert.equal(rows, 3);
    assert.deepEqual(log, ['direct: CREATE OR REPLACE TABLE "a"."m" AS']);
  });

  test('an incremental delete+insert commits as one DML transaction; the stage is DDL outside it', async () => {
    const log: string[] = [];
    const d = new NoDdlTransactions();
    await wh.run('CREATE OR REPLACE TABLE a.inc AS SELECT 1 AS id, 1 AS v');
    const staged = d.tableName('a', 'inc__sb_stage');
    const target = d.tableName('a', 'inc');
    const plan: PlannedStatement[] = [
      { description: 'stage', sql: `CREATE TABLE ${staged} AS SELECT 1 AS id, 2 AS v UNION ALL SELECT 2, 2`, ddl: true },
      { description: 'delete', sql: d.deleteStaged(target, staged, ['id']), atomicGroup: 'apply' },
      { description: 'insert', sql: `INSERT INTO ${target} SELECT * FROM ${staged}`, atomicGroup: 'apply' },
      { description: 'drop stage', sql: d.dropTable(staged), ddl: true },
    ];
    await executePlan(recording(wh, d, log), plan);
    assert.deepEqual(log.map((l) => l.split(':')[0]), ['direct', 'tx', 'tx', 'direct']);
    assert.deepEqual(await wh.all('SELECT id, v FROM a.inc ORDER BY id'), [{ id: 1, v: 2 }, { id: 2, v: 2 }]);
  });

  test('a merge or an append is one statement run on its own, outside any transaction, between the stage DDL', async () => {
    const d = new NoDdlTransactions();
    const model = (strategy: IncrementalStrategy): Model => ({
      name: 'inc', path: 'inc.sql', package: 'project', layer: 0, template: '', refs: [], sources: [],
      config: { materialized: 'incremental', enabled: true, uniqueKey: ['id'], tags: [], schema: undefined, mergeWindowColumn: undefined, updatedAt: undefined, incrementalStrategy: strategy, onSchemaChange: 'rebuild' },
    });
    const select = 'SELECT 1 AS id, 3 AS v UNION ALL SELECT 3, 3';
    for (const [strategy, statement, rows] of [
      ['merge', 'MERGE INTO "a"."inc" AS t', [{ id: 1, v: 3 }, { id: 2, v: 1 }, { id: 3, v: 3 }]],
      ['append', 'INSERT INTO "a"."inc" SELECT * FROM "a"."inc__sb_stage"', [{ id: 1, v: 1 }, { id: 1, v: 3 }, { id: 2, v: 1 }, { id: 3, v: 3 }]],
    ] as const) {
      await wh.run('CREATE OR REPLACE TABLE a.inc AS SELECT 1 AS id, 1 AS v UNION ALL SELECT 2, 1');
      const log: string[] = [];
      const plan = planMaterialization(model(strategy), { dialect: d, schema: 'a', select, targetExists: true, targetColumns: ['id', 'v'] });
      assert.equal(await executePlan(recording(wh, d, log), plan), 2, `${strategy}: the staged rows are counted`);
      assert.deepEqual(log, [
        'direct: CREATE SCHEMA IF NOT EXISTS "a"',
        'direct: DROP TABLE IF EXISTS "a"."inc__sb_stage"',
        'direct: CREATE TABLE "a"."inc__sb_stage" AS',
        `direct: ${statement}`,
        'direct: DROP TABLE IF EXISTS "a"."inc__sb_stage"',
      ], strategy);
      assert.deepEqual(await wh.all('SELECT id, v FROM a.inc ORDER BY id, v'), rows, strategy);
    }
  });

  test('when the insert fails, the delete before it rolls back with it', async () => {
    const d = new NoDdlTransactions();
    await wh.run('CREATE OR REPLACE TABLE a.inc AS SELECT 1 AS id, 1 AS v');
    const target = d.tableName('a', 'inc');
    const plan: PlannedStatement[] = [
      { description: 'delete', sql: `DELETE FROM ${target}`, atomicGroup: 'apply' },
      { description: 'insert', sql: `INSERT INTO ${target} SELECT * FROM a.missing_stage`, atomicGroup: 'apply' },
    ];
    await assert.rejects(executePlan(recording(wh, d, []), plan), /missing_stage/);
    assert.deepEqual(await wh.all('SELECT id, v FROM a.inc'), [{ id: 1, v: 1 }]);
  });
});
