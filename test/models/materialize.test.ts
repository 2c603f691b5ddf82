import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../sql/engine/project.js';
import { compileModel } from '../../sql/engine/compile.js';
import { planMaterialization } from '../../sql/engine/materialize.js';
import { executePlan, relationExists } from '../../sql/engine/execute.js';
import { buildOrder } from '../../sql/engine/dag.js';
import type { Model, Project } from '../../sql/engine/model.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import { rawEventTable } from '../../ingest/raw-tables.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const BASIC = fileURLToPath(new URL('../../../test/models/fixtures/basic', import.meta.url));

describe('materialization plans', () => {
  test('a table is built aside and swapped in; Postgres drops with CASCADE', async () => {
    const project = await loadProject(BASIC, dialectFor('duckdb'));
    const counts = project.models.get('message_counts') as Model;
    const plan = (name: 'duckdb' | 'postgres') =>
      planMaterialization(counts, { dialect: dialectFor(name), schema: 'analytics', select: 'SELECT 1 AS n', targetExists: true }).map((s) => s.sql);
    assert.deepEqual(plan('duckdb'), [
      'CREATE SCHEMA IF NOT EXISTS "analytics"',
      'DROP TABLE IF EXISTS "analytics"."message_counts__sb_new"',
      'CREATE TABLE "analytics"."message_counts__sb_new" AS\nSELECT 1 AS n',
      'DROP TABLE IF EXISTS "analytics"."message_counts"',
      'ALTER TABLE "analytics"."message_counts__sb_new" RENAME TO "message_counts"',
    ]);
    assert.equal(plan('postgres')[3], 'DROP TABLE IF EXISTS "analytics"."message_counts" CASCADE');
  });

  test('an incremental model stages, deletes what is staged again, and inserts', async () => {
    const project = await loadProject(BASIC, dialectFor('duckdb'));
    const messages = project.models.get('messages') as Model;
    const sqls = planMaterialization(messages, { dialect: dialectFor('snowflake'), schema: 'analytics', select: 'SELECT 1', targetExists: true }).map((s) => s.sql);
    assert.ok(sqls.includes('DELETE FROM "analytics"."messages" WHERE EXISTS (SELECT 1 FROM "analytics"."messages__sb_stage" AS s WHERE "analytics"."messages"."message_id" = s."message_id")'));
    assert.ok(sqls.includes('INSERT INTO "analytics"."messages" SELECT * FROM "analytics"."messages__sb_stage"'));
    const first = planMaterialization(messages, { dialect: dialectFor('bigquery'), schema: 'analytics', select: 'SELECT 1', targetExists: false });
    assert.ok(first.some((s) => s.sql.startsWith('CREATE OR REPLACE TABLE `analytics`.`messages`\nCLUSTER BY `message_id` AS')), 'the first run builds a table, in one statement on BigQuery, clustered by the key');
  });

  test('merge_window_column limits the delete to target rows at or after the earliest staged value', async () => {
    const project = await loadProject(BASIC, dialectFor('duckdb'));
    const messages = project.models.get('messages') as Model;
    const windowed = { ...messages, config: { ...messages.config, mergeWindowColumn: 'landed_at' } };
    const sqls = planMaterialization(windowed, { dialect: dialectFor('duckdb'), schema: 'analytics', select: 'SELECT 1', targetExists: true }).map((s) => s.sql);
    assert.ok(
      sqls.includes(
        'DELETE FROM "analytics"."messages" WHERE "analytics"."messages"."landed_at" >= (SELECT MIN("landed_at") FROM "analytics"."messages__sb_stage") AND ' +
          'EXISTS (SELECT 1 FROM "analytics"."messages__sb_stage" AS s WHERE "analytics"."messages"."message_id" = s."message_id")',
      ),
      sqls.join('\n'),
    );
  });

  test('merge_window_column is refused where it means nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-window-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'v.sql'), "{{ config(materialized='table', merge_window_column='landed_at') }} select 1 as x");
    await assert.rejects(loadProject(dir, dialectFor('duckdb')), /v\.sql: config\(merge_window_column=…\): only incremental models merge/);
  });
});

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`building the fixture project on ${kind}`, () => {
    let wh: Warehouse;
    let project: Project;
    const raw = kind === 'postgres' ? uniqueSchema('raw') : 'raw';
    const target = kind === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const dir = mkdtempSync(join(tmpdir(), 'sb-models-'));
    before(async () => {
      wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
      project = await loadProject(BASIC, wh.dialect);
      await wh.run(wh.dialect.createSchema(raw));
      for (const name of ['messaging_events', 'meetings_events']) await wh.run(wh.dialect.createTable(rawEventTable(raw, name)));
    });
    after(async () => {
      if (kind === 'postgres') for (const s of [raw, target, 'analytics_meetings']) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(s)} CASCADE`);
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const land = async (umids: string[], at: string) => {
      const d = wh.dialect;
      for (const umid of umids) {
        await wh.run(
          `INSERT INTO ${d.tableName(raw, 'messaging_events')} VALUES (${Array.from({ length: 15 }, (_, i) => d.param(i + 1)).join(', ')})`,
          [`k-${umid}`, 'messaging', 'SMS.inbound_message_received', JSON.stringify({ payload: { umid } }), '{}', '127.0.0.1', 'test', umid, new Date(at), new Date(at), 1, new Date(at), null, null, null],
        );
      }
    };

    const build = async () => {
      for (const model of buildOrder(project)) {
        const schema = model.config.schema ?? target;
        const targetExists = await relationExists(wh, schema, model.name);
        const select = compileModel(project, model, { dialect: wh.dialect, targetSchema: target, sources: { raw }, incremental: targetExists && model.config.materialized === 'incremental' });
        await executePlan(wh, planMaterialization(model, { dialect: wh.dialect, schema, select, targetExists }));
      }
    };

    test('the first build creates every model; a second build is incremental and idempotent', async () => {
      await land(['u1', 'u2'], '2025-03-04T09:00:00.000Z');
      await build();
      const d = wh.dialect;
      const messages = () => wh.all<{ message_id: string }>(`SELECT message_id FROM ${d.tableName(target, 'messages')} ORDER BY message_id`);
      assert.deepEqual(await messages(), [{ message_id: 'u1' }, { message_id: 'u2' }]);
      await land(['u3'], '2025-03-05T09:00:00.000Z');
      await build();
      await build();
      assert.deepEqual(await messages(), [{ message_id: 'u1' }, { message_id: 'u2' }, { message_id: 'u3' }]);
      const [count] = await wh.all<{ n: number }>(`SELECT n FROM ${d.tableName(target, 'message_counts')}`);
      assert.equal(count?.n, 3);
      assert.equal(await relationExists(wh, 'analytics_meetings', 'meetings'), true, 'a model may set its own schema');
    });
  });
}
