/**
 * The resumable Work Analytics pull on real DuckDB and Postgres: stopped halfway, it
 * resumes after the last page that landed, with nothing lost or doubled.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { WorkAnalyticsClient } from '../../ingest/pulls/work-analytics/client.js';
import { pullWorkCallRecords, WORK_SOURCE } from '../../ingest/pulls/work-analytics/pull.js';
import { readCursor } from '../../ingest/pulls/land.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../servers/work-analytics.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const NY = 'America/New_York';
const NOW = new Date('2026-06-01T12:00:00Z');
const FROM = new Date('2026-03-07T05:00:00Z');
const TO = new Date('2026-03-10T04:00:00Z');

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(mkdtempSync(join(tmpdir(), 'pull-')), 'wh.duckdb') }), schema: 'raw' },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schema: uniqueSchema('pull') },
] as const;

for (const t of targets) {
  describe(`Work Analytics pull on ${t.name}`, () => {
    let wh: Warehouse;
    let fake: FakeWorkAnalytics;
    let client: WorkAnalyticsClient;
    const seed = seedWorkCalls({ count: 600, start: new Date('2026-03-07T03:00:00Z'), timeZone: NY, spacingMs: 11 * 60_000 });
    const expected = seed.records.filter((r) => (r['startTimeUTC'] as number) >= FROM.getTime() && (r['startTimeUTC'] as number) < TO.getTime()).length;
    const options = (runId: string, extra: object = {}) => ({ rawSchema: t.schema, from: FROM, to: TO, timeZone: NY, pageSize: 50, runId, now: NOW, sleep: async () => undefined, ...extra });

    before(async () => {
      wh = await t.open();
      fake = await startFakeWorkAnalytics({ now: () => NOW.getTime(), records: seed.records, legs: seed.legs });
      client = new WorkAnalyticsClient({ baseUrl: fake.baseUrl, apiKey: 'test-api-key', username: 'analyst@example.com', password: 'correct horse', now: () => NOW.getTime() });
    });
    after(async () => {
      await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(t.schema)} CASCADE`);
      await wh.close();
      await fake.close();
    });

    test('stopped after a few pages, then resumed: every call lands once', async () => {
      const stop = new AbortController();
      let pages = 0;
      let landedBefore = 0;
      const onPage = ({ landed }: { landed: number }) => {
        landedBefore = landed;
        if (++pages === 4) stop.abort(new Error('killed'));
      };
      await assert.rejects(pullWorkCallRecords(client, wh, options('run-1', { signal: stop.signal, onPage })), /killed/);
      assert.notEqual(await readCursor(wh, t.schema, WORK_SOURCE), null, 'the cursor says how far it got');
      const [partial] = await wh.all(`SELECT COUNT(*) AS n FROM ${wh.dialect.tableName(t.schema, 'work_events')}`);
      assert.equal(Number(partial?.n), landedBefore, 'what landed is what the four pages held');
      assert.ok(landedBefore > 0 && landedBefore < expected);

      const requestsBefore = fake.requests.length;
      const resumed = await pullWorkCallRecords(client, wh, options('run-2'));
      assert.equal(resumed.landed, expected - landedBefore, 'the resumed pull fetched only what had not landed');
      const rows = await wh.all<{ n: number; most: number; runs: number }>(
        `SELECT COUNT(*) AS n, MAX(delivery_count) AS most, COUNT(DISTINCT first_delivery_id) AS runs FROM ${wh.dialect.tableName(t.schema, 'work_events')}`,
      );
      assert.deepEqual([Number(rows[0]?.n), Number(rows[0]?.most), Number(rows[0]?.runs)], [expected, 1, 2], 'every call once, from both runs');
      assert.ok(fake.requests.length > requestsBefore);

      const again = await pullWorkCallRecords(client, wh, options('run-3'));
      assert.deepEqual([again.pages, again.landed], [0, 0], 'a finished range is not read again');
    });
  });
}
