/**
 * Landing pulled pages on real DuckDB and Postgres: rows and cursor move together, repeats
 * merge, and a failed page leaves the cursor where it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { landPage, preparePull, readCursor, type PullTarget } from '../../ingest/pulls/land.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { migrated } from '../helpers/migrate.js';

/** The DuckDB target's directory, removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'pull-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }), schema: 'raw' },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schema: uniqueSchema('pull') },
] as const;

for (const t of targets) {
  describe(`landing pulled pages on ${t.name}`, () => {
    let wh: Warehouse;
    const target = (runId: string): PullTarget => ({ rawSchema: t.schema, table: 'work_events', family: 'work', source: 'work-analytics', runId });
    const event = (id: number) => ({ dedupeKey: `work:call:${id}`, eventType: 'WORK_CALL_RECORD', body: JSON.stringify({ callId: String(id) }) });

    before(async () => {
      wh = await migrated(await t.open(), { rawSchema: t.schema });
      await preparePull(wh, target('run-1'));
    });
    after(async () => {
      await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(t.schema)} CASCADE`);
      await wh.close();
    });

    test('a page and its cursor land together; a repeat merges instead of duplicating', async () => {
      assert.equal(await readCursor(wh, t.schema, 'work-analytics'), null);
      await landPage(wh, target('run-1'), [event(1), event(2), event(2)], { window: '2025-03-04', scrollId: 'abc' });
      assert.deepEqual(await readCursor(wh, t.schema, 'work-analytics'), { window: '2025-03-04', scrollId: 'abc' });
      await landPage(wh, target('run-2'), [event(2), event(3)], { window: '2025-03-05', scrollId: null });
      const rows = await wh.all<{ dedupe_key: string; delivery_count: number; verified_by: string; first_delivery_id: string }>(
        `SELECT dedupe_key, delivery_count, verified_by, first_delivery_id FROM ${wh.dialect.tableName(t.schema, 'work_events')} ORDER BY dedupe_key`,
      );
      assert.deepEqual(rows.map((r) => [r.dedupe_key.replace(/#[0-9a-f]{16}$/, ''), Number(r.delivery_count), r.verified_by, r.first_delivery_id]), [
        ['work:call:1', 1, 'pull:work-analytics', 'run-1'],
        ['work:call:2', 2, 'pull:work-analytics', 'run-1'],
        ['work:call:3', 1, 'pull:work-analytics', 'run-2'],
      ]);
    });

    test('a record whose content changed lands as a new version beside the old one', async () => {
      const changed = { ...event(3), body: JSON.stringify({ callId: '3', answered: 'Answered' }) };
      await landPage(wh, target('run-4'), [changed], { window: '2025-03-05', scrollId: null });
      const rows = await wh.all<{ dedupe_key: string; body: string }>(
        `SELECT dedupe_key, CAST(body AS ${wh.dialect.typeName('text')}) AS body FROM ${wh.dialect.tableName(t.schema, 'work_events')} WHERE dedupe_key LIKE 'work:call:3#%' ORDER BY landed_at`,
      );
      assert.equal(rows.length, 2);
      assert.notEqual(rows[0]?.dedupe_key, rows[1]?.dedupe_key);
      assert.deepEqual(rows.map((r) => JSON.parse(r.body) as unknown), [{ callId: '3' }, { callId: '3', answered: 'Answered' }]);
    });

    test('a page that fails to land leaves the cursor where it was', async () => {
      const before = await readCursor(wh, t.schema, 'work-analytics');
      const broken = { ...event(9), eventType: null as unknown as string }; // event_type is NOT NULL
      await assert.rejects(landPage(wh, target('run-3'), [event(8), broken], { window: 'later' }));
      assert.deepEqual(await readCursor(wh, t.schema, 'work-analytics'), before);
      const [row] = await wh.all(`SELECT COUNT(*) AS n FROM ${wh.dialect.tableName(t.schema, 'work_events')} WHERE dedupe_key LIKE 'work:call:8#%'`);
      assert.equal(Number(row?.n), 0, 'nothing of the failed page landed');
    });
  });
}
