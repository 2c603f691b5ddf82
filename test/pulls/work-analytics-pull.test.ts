/**
 * The resumable Work Analytics pull, run by the pull runner on real DuckDB and Postgres:
 * stopped halfway, it resumes after the last page that landed, with nothing lost or
 * doubled; scheduled runs and backfills keep separate cursors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { WorkAnalyticsClient } from '../../ingest/pulls/work-analytics/client.js';
import { workCallRecordsSource, WORK_SOURCE } from '../../ingest/pulls/work-analytics/source.js';
import { readCursor } from '../../ingest/pulls/land.js';
import { backfillKey, runPull, type PullEvent, type RangeCursor } from '../../ingest/pulls/runner.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { migrated } from '../helpers/migrate.js';

const NY = 'America/New_York';
const NOW = new Date('2026-06-01T12:00:00Z');
const FROM = new Date('2026-03-07T05:00:00Z');
const TO = new Date('2026-03-10T04:00:00Z');

/** The DuckDB target's directory, removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'pull-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }), schema: 'raw' },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schema: uniqueSchema('pull') },
] as const;

for (const t of targets) {
  describe(`Work Analytics pull on ${t.name}`, () => {
    let wh: Warehouse;
    let fake: FakeWorkAnalytics;
    let client: WorkAnalyticsClient;
    let source: ReturnType<typeof workCallRecordsSource>;
    const seed = seedWorkCalls({ count: 600, start: new Date('2026-03-07T03:00:00Z'), timeZone: NY, spacingMs: 11 * 60_000 });
    const expected = seed.records.filter((r) => (r['startTimeUTC'] as number) >= FROM.getTime() && (r['startTimeUTC'] as number) < TO.getTime()).length;
    const options = (runId: string, extra: object = {}) => ({ rawSchema: t.schema, range: { from: FROM, to: TO }, runId, now: NOW, sleep: async () => undefined, ...extra });
    const count = async (): Promise<number> => Number((await wh.all(`SELECT COUNT(*) AS n FROM ${wh.dialect.tableName(t.schema, 'work_events')}`))[0]?.n);

    before(async () => {
      wh = await migrated(await t.open(), { rawSchema: t.schema });
      fake = await startFakeWorkAnalytics({ now: () => NOW.getTime(), records: seed.records, legs: seed.legs });
      client = new WorkAnalyticsClient({ baseUrl: fake.baseUrl, apiKey: 'test-api-key', username: 'analyst@example.com', password: 'correct horse', now: () => NOW.getTime() });
      source = workCallRecordsSource(client, { timeZone: NY, pageSize: 50, legs: false }); // legs: see test/pulls/sigkill.test.ts
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
      const onProgress = (event: PullEvent) => {
        if (event.phase !== 'page') return;
        landedBefore = event.progress.landed;
        if (++pages === 4) stop.abort(new Error('killed'));
      };
      await assert.rejects(runPull(wh, source, options('run-1', { signal: stop.signal, onProgress })), /killed/);
      const cursor = await readCursor<RangeCursor>(wh, t.schema, backfillKey(WORK_SOURCE, { from: FROM, to: TO }));
      assert.equal(cursor?.done, false, 'the cursor says how far it got');
      const [partial] = await wh.all(`SELECT COUNT(*) AS n FROM ${wh.dialect.tableName(t.schema, 'work_events')}`);
      assert.equal(Number(partial?.n), landedBefore, 'what landed is what the four pages held');
      assert.ok(landedBefore > 0 && landedBefore < expected);

      const requestsBefore = fake.requests.length;
      const resumed = await runPull(wh, source, options('run-2'));
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.landed, expected - landedBefore, 'the resumed pull fetched only what had not landed');
      const rows = await wh.all<{ n: number; most: number; runs: number }>(
        `SELECT COUNT(*) AS n, MAX(delivery_count) AS most, COUNT(DISTINCT first_delivery_id) AS runs FROM ${wh.dialect.tableName(t.schema, 'work_events')}`,
      );
      assert.deepEqual([Number(rows[0]?.n), Number(rows[0]?.most), Number(rows[0]?.runs)], [expected, 1, 2], 'every call once, from both runs');
      assert.ok(fake.requests.length > requestsBefore);

      const again = await runPull(wh, source, options('run-3'));
      assert.deepEqual([again.status, again.pages, again.landed], ['nothing-to-do', 0, 0], 'a finished range is not read again');

      const restarted = await runPull(wh, source, options('run-4', { restart: true }));
      assert.equal(restarted.landed, expected, '--restart reads the range again');
      assert.equal(await count(), expected, '…and the dedupe keys merge what it read twice');
      const runs = await wh.all<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM ${wh.dialect.tableName(t.schema, '_pull_runs')} GROUP BY status ORDER BY status`);
      assert.deepEqual(runs.map((r) => [r.status, Number(r.n)]), [['failed', 1], ['success', 2]], 'every run is recorded');
    });

    test('a backfill without --to, killed, then run again later: the unfinished one resumes to its own end', async () => {
      const from = new Date('2026-03-08T05:00:00Z');
      const firstEnd = new Date('2026-03-10T04:00:00Z');
      const stop = new AbortController();
      let pages = 0;
      const openEnded = (to: Date, extra: object = {}) => runPull(wh, source, { rawSchema: t.schema, range: { from, to }, openEnded: true, now: NOW, sleep: async () => undefined, ...extra });
      await assert.rejects(openEnded(firstEnd, { signal: stop.signal, onProgress: (e: PullEvent) => e.phase === 'page' && ++pages === 2 && stop.abort(new Error('killed')) }), /killed/);
      const later = await openEnded(new Date('2026-03-10T09:00:00Z'));
      assert.deepEqual([later.resumed, later.from, later.to], [true, from.toISOString(), firstEnd.toISOString()], 'resumed to the end it had, not a new range beside it');
      const again = await openEnded(new Date('2026-03-10T10:00:00Z'));
      assert.deepEqual([again.resumed, again.to], [false, '2026-03-10T10:00:00.000Z'], 'once finished, the next one is a new backfill to now');
    });

    test('scheduled runs: the first reaches back `initial`, a killed one is finished first, the next starts where it ended minus lookback', async () => {
      const day = 86_400_000;
      const at = (iso: string) => new Date(iso);
      const scheduled = (now: Date, extra: object = {}) => runPull(wh, source, { rawSchema: t.schema, now, initialMs: day, lookbackMs: 3_600_000, sleep: async () => undefined, ...extra });
      // No cursor yet for the schedule: the backfill above has its own.
      const stop = new AbortController();
      let pages = 0;
      await assert.rejects(scheduled(at('2026-03-09T12:00:00Z'), { signal: stop.signal, onProgress: (e: PullEvent) => e.phase === 'page' && ++pages === 1 && stop.abort(new Error('killed')) }), /killed/);
      const open = await readCursor<RangeCursor>(wh, t.schema, WORK_SOURCE);
      assert.deepEqual([open?.from, open?.to, open?.done], ['2026-03-08T12:00:00.000Z', '2026-03-09T12:00:00.000Z', false]);

      const finishing = await scheduled(at('2026-03-09T18:00:00Z'));
      assert.deepEqual([finishing.from, finishing.to, finishing.resumed], ['2026-03-08T12:00:00.000Z', '2026-03-09T12:00:00.000Z', true], 'the open range is finished before anything new');
      const next = await scheduled(at('2026-03-09T18:00:00Z'));
      assert.deepEqual([next.from, next.to, next.resumed], ['2026-03-09T11:00:00.000Z', '2026-03-09T18:00:00.000Z', false], 'then from the last end minus the lookback, to now');
    });
  });
}
