/**
 * The `cc-interactions` source on real DuckDB and real Postgres, driven by a small PullIO
 * that lands each page with land.ts (events and position in one transaction): a full range
 * lands every interaction once; a pull stopped after a few pages and resumed from the last
 * landed position lands the rest with nothing doubled; a 429 is waited out; a report 8x8
 * has dropped is created again.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { CcAnalyticsClient } from '../../ingest/pulls/contact-center/client.js';
import { ccInteractionsSource, CC_SOURCE, type CcPosition } from '../../ingest/pulls/contact-center/source.js';
import { landPage, preparePull, readCursor, type PullTarget } from '../../ingest/pulls/land.js';
import type { PullIO, PullRange, PullSource } from '../../ingest/pulls/source.js';
import { seedCcInteractions, startFakeCcAnalytics, type FakeCcAnalytics } from '../../fakes/cc-analytics/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { migrated } from '../helpers/migrate.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const RANGE: PullRange = { from: new Date('2026-03-07T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z') };

/** The DuckDB target's directory, removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'cc-pull-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }) },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }) },
] as const;

interface Run {
  pages: number;
  sleeps: number[];
  notes: string[];
  last: CcPosition | null;
}

/** Runs `source` like the runner would: each page and its position land in one transaction. */
async function drive(
  wh: Warehouse,
  target: PullTarget,
  source: PullSource<CcPosition>,
  position: CcPosition | null,
  /** Aborts the pull once this says so after a land (a kill between two transactions). */
  stopWhen: (run: Run) => boolean = () => false,
  range: PullRange = RANGE,
): Promise<Run & { skipped: Awaited<ReturnType<PullSource['pull']>>['skipped'] }> {
  await migrated(wh, { rawSchema: target.rawSchema });
  await preparePull(wh, target);
  const stop = new AbortController();
  const run: Run = { pages: 0, sleeps: [], notes: [], last: position };
  const io: PullIO<CcPosition> = {
    async land(events, next) {
      await landPage(wh, target, events, next);
      run.last = next;
      if (events.length > 0) run.pages += 1;
      if (stopWhen(run)) stop.abort(new Error('killed'));
    },
    signal: stop.signal,
    sleep: async (ms) => {
      run.sleeps.push(ms);
    },
    report: (_progress, note) => {
      if (note) run.notes.push(note);
    },
    now: NOW,
  };
  const { skipped } = await source.pull(range, position, io);
  return { ...run, skipped };
}

for (const t of targets) {
  describe(`Contact Center interactions pull on ${t.name}`, () => {
    let wh: Warehouse;
    let fake: FakeCcAnalytics;
    let source: PullSource<CcPosition>;
    let target: PullTarget;
    // 02:00 on 03-06 to ~04:00 on 03-10: some before and after the range, every window non-empty.
    const seed = seedCcInteractions({ count: 180, start: new Date('2026-03-06T22:00:00Z'), spacingMs: 31 * 60_000 });
    const inRange = seed.filter((r) => {
      const at = Date.parse(String(r['creationTime']));
      return at >= RANGE.from.getTime() && at < RANGE.to.getTime();
    });
    const table = () => wh.dialect.tableName(target.rawSchema, 'contact_center_events');
    const stats = async () => {
      const rows = await wh.all<{ n: number; keys: number; most: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT dedupe_key) AS keys, MAX(delivery_count) AS most FROM ${table()} WHERE event_type = 'CC_INTERACTION'`);
      return { n: Number(rows[0]?.n), keys: Number(rows[0]?.keys), most: Number(rows[0]?.most ?? 0) };
    };

    before(async () => {
      wh = await t.open();
      fake = await startFakeCcAnalytics({ now: () => NOW.getTime(), interactions: seed, tenantOffset: '+03:00' });
      const client = new CcAnalyticsClient({ baseUrl: fake.baseUrl, tokenUrl: fake.tokenUrl, clientId: 'cc-app-key', clientSecret: 'cc-app-secret', now: () => NOW.getTime() });
      source = ccInteractionsSource(client, { pageSize: 9 });
    });
    beforeEach(() => {
      target = { rawSchema: uniqueSchema('cc'), table: source.table, family: source.family, source: CC_SOURCE, runId: 'run-1' };
    });
    after(async () => {
      await wh.close();
      await fake.close();
    });
    const drop = () => wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(target.rawSchema)} CASCADE`);

    test('a full range lands every interaction in it once, one report per day, as flat bodies', async () => {
      try {
        const reportsBefore = fake.reportsCreated.length;
        const run = await drive(wh, target, source, null);
        assert.ok(inRange.length > 100 && inRange.length < seed.length, 'the seed straddles the range');
        assert.deepEqual(await stats(), { n: inRange.length, keys: inRange.length, most: 1 });
        assert.equal(fake.reportsCreated.length - reportsBefore, 3, 'one report per 24-hour window');
        assert.deepEqual(run.last, { ...run.last, window: '2026-03-09T00:00:00.000Z', lastDocumentId: null, done: true });
        assert.deepEqual(await readCursor(wh, target.rawSchema, CC_SOURCE), run.last, 'the cursor is the last landed position');
        const [row] = await wh.all<{ dedupe_key: string; event_type: string; family: string; body: string }>(
          `SELECT dedupe_key, event_type, family, body FROM ${table()} WHERE dedupe_key = ${wh.dialect.param(1)} OR dedupe_key LIKE ${wh.dialect.param(2)}`,
          // land.ts may suffix the key with a digest of the body (`<key>#<hex>`): match either.
          [`pull:cc:${String(inRange[0]?.['interactionId'])}`, `pull:cc:${String(inRange[0]?.['interactionId'])}#%`],
        );
        assert.deepEqual([row?.event_type, row?.family], ['CC_INTERACTION', 'contact-center']);
        const body = JSON.parse(String(row?.body)) as Record<string, unknown>;
        // The fake answers the documented shape: a `participants` item, and the interaction-level participant* fields as arrays.
        assert.deepEqual(Object.keys(body).filter((k) => !k.startsWith('participant')).sort(), Object.keys(inRange[0] ?? {}).filter((k) => k !== 'participants').sort(), 'every key, labels dropped');
        assert.ok(Array.isArray(body['participants']), 'participants were asked for');
        assert.deepEqual(body['queueWaitDuration'], inRange[0]?.['queueWaitDuration'], 'durations stay {value, ongoing}');
        assert.match(String(body['creationTime']), /\+03:00$/, 'times keep the tenant offset');
      } finally {
        await drop();
      }
    });

    test('stopped after a few pages, then resumed from the last landed position: the rest lands, nothing doubled', async () => {
      try {
        await assert.rejects(drive(wh, target, source, null, (r) => r.pages === 4), /killed/);
        const cursor = await readCursor<CcPosition>(wh, target.rawSchema, CC_SOURCE);
        const partial = await stats();
        assert.equal(partial.n, 4 * 9, 'four full pages landed');
        assert.equal(cursor?.done, false);
        assert.ok(cursor?.lastDocumentId, 'the cursor holds the next page');

        const reportsBefore = fake.reportsCreated.length;
        const requestsBefore = fake.requests.length;
        const resumed = await drive(wh, target, source, cursor);
        assert.equal(fake.reportsCreated.length - reportsBefore, 2, 'no new report for the open window, one for each of the two others');
        const first = fake.requests.slice(requestsBefore).find((r) => r.path.startsWith('/detailed-reports'));
        assert.deepEqual(
          [first?.method, first?.path, first?.query.get('lastDocumentId')],
          ['GET', `/detailed-reports/${cursor?.reportId}/data`, cursor?.lastDocumentId],
          'the open report is continued from its last document',
        );
        assert.equal(resumed.last?.done, true);
        assert.deepEqual(await stats(), { n: inRange.length, keys: inRange.length, most: 1 }, 'every interaction once, none twice');
      } finally {
        await drop();
      }
    });

    test('killed right after a report was created: the resume reads that report instead of creating another', async () => {
      try {
        await assert.rejects(drive(wh, target, source, null, (r) => r.last !== null), /killed/);
        const cursor = await readCursor<CcPosition>(wh, target.rawSchema, CC_SOURCE);
        assert.deepEqual(cursor, { window: '2026-03-07T00:00:00.000Z', reportId: fake.reportsCreated.at(-1), lastDocumentId: null, done: false });
        assert.equal((await stats()).n, 0, 'the report id landed alone');
        const reportsBefore = fake.reportsCreated.length;
        await drive(wh, target, source, cursor);
        assert.equal(fake.reportsCreated.length - reportsBefore, 2, 'only the two other windows got reports');
        assert.deepEqual(await stats(), { n: inRange.length, keys: inRange.length, most: 1 });
      } finally {
        await drop();
      }
    });

    test('a 429 mid-run is waited out for at least its Retry-After', async () => {
      try {
        let reads = 0;
        fake.fail({ status: 429, retryAfter: '7', match: (r) => r.method === 'GET' && ++reads === 3 });
        const run = await drive(wh, target, source, null);
        assert.ok(run.sleeps.length >= 1 && run.sleeps.every((ms) => ms >= 7000), `slept ${run.sleeps.join(', ')}`);
        assert.match(run.notes[0] ?? '', /HTTP 429.*attempt 2 of 5/);
        assert.deepEqual(await stats(), { n: inRange.length, keys: inRange.length, most: 1 });
      } finally {
        await drop();
      }
    });

    test('a report 8x8 has dropped is created again and its window re-read; the dedupe keys merge', async () => {
      try {
        await assert.rejects(drive(wh, target, source, null, (r) => r.pages === 2), /killed/);
        const cursor = await readCursor<CcPosition>(wh, target.rawSchema, CC_SOURCE);
        fake.dropReports();
        const reportsBefore = fake.reportsCreated.length;
        const resumed = await drive(wh, target, source, cursor);
        assert.ok(resumed.notes.some((n) => n.includes(`report ${cursor?.reportId} is gone`)));
        assert.equal(fake.reportsCreated.length - reportsBefore, 3, 'a new report for the open window, then the two others');
        const s = await stats();
        assert.deepEqual([s.n, s.keys], [inRange.length, inRange.length], 'every interaction once');
        assert.equal(s.most, 2, 'the two pages read again merged into their rows');
      } finally {
        await drop();
      }
    });

    test('a range reaching past now skips the future part as in-future, and a finished position reads nothing', async () => {
      try {
        const range = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-03T00:00:00Z') };
        const run = await drive(wh, target, source, null, undefined, range);
        assert.deepEqual(run.skipped.map((s) => [s.reason, s.from.toISOString(), s.to.toISOString()]), [['in-future', NOW.toISOString(), '2026-06-03T00:00:00.000Z']]);
        const requestsBefore = fake.requests.length;
        await drive(wh, target, source, run.last, undefined, range);
        assert.equal(fake.requests.length, requestsBefore, 'a done window is not read again');
      } finally {
        await drop();
      }
    });
  });
}
