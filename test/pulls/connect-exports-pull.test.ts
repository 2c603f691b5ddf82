/**
 * The Connect log-export sources on real DuckDB and Postgres, through a small driver that
 * lands each page with its position the way the runner does (preparePull/landPage): every
 * row lands once, a kill at any point resumes on the same job, failed jobs are restarted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { landPage, preparePull, readCursor } from '../../ingest/pulls/land.js';
import type { PullIO, PullRange, PullSource } from '../../ingest/pulls/source.js';
import { ConnectExportsClient, type ConnectProduct } from '../../ingest/pulls/connect/client.js';
import { ConnectExportError } from '../../ingest/pulls/connect/errors.js';
import { connectExportSource, type ConnectPosition, type ConnectSourceOptions } from '../../ingest/pulls/connect/source.js';
import { CHATAPPS_COLUMNS, seedSmsRows, seedVoiceRows, startFakeConnectExports, type FakeConnectExports, type Row } from '../../fakes/connect-exports/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { migrated } from '../helpers/migrate.js';

const NOW = new Date('2026-06-01T12:00:00Z');
/** Three days: three 24 h windows. */
const RANGE: PullRange = { from: new Date('2026-03-07T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z') };
const DAY: PullRange = { from: RANGE.from, to: new Date('2026-03-08T00:00:00Z') };

const SMS = seedSmsRows({ count: 200, start: new Date('2026-03-06T20:00:00Z'), spacingMs: 23 * 60_000 });
const VOICE = seedVoiceRows({ count: 90, start: new Date('2026-03-06T20:00:00Z'), spacingMs: 53 * 60_000 });
const inRange = (rows: Row[], column: string, range: PullRange): number =>
  rows.filter((r) => Date.parse(r[column] ?? '') >= range.from.getTime() && Date.parse(r[column] ?? '') < range.to.getTime()).length;

/** The DuckDB target's directory, removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'connect-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }) },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }) },
] as const;

interface Run {
  skipped: number;
  lands: number;
  sleeps: number[];
  notes: string[];
  /** What the run's summary says (PullNote codes and messages). */
  summary: { code: string; message: string }[];
}

for (const t of targets) {
  describe(`Connect log-export pulls on ${t.name}`, () => {
    let wh: Warehouse;
    let fake: FakeConnectExports;
    const schemas: string[] = [];

    before(async () => {
      wh = await t.open();
    });
    after(async () => {
      for (const schema of schemas) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
      await wh.close();
    });

    /** A fresh fake, schema and source for one test. */
    async function setup(product: ConnectProduct, fakeOptions: Parameters<typeof startFakeConnectExports>[0], options: ConnectSourceOptions = {}) {
      fake = await startFakeConnectExports(fakeOptions);
      const schema = uniqueSchema('connect');
      schemas.push(schema);
      const client = new ConnectExportsClient({ product, apiKey: 'test-connect-key', subAccountId: 'acme_sub', baseUrl: fake.baseUrl(product) });
      const source = connectExportSource(client, product, { pageSize: 7, ...options });
      return { schema, source };
    }

    /** Runs `source.pull` like the runner: each page lands with its position; `killAfter` lands aborts. */
    async function pull(schema: string, source: PullSource<ConnectPosition>, range: PullRange, killAfter?: number): Promise<Run> {
      const target = { rawSchema: schema, table: source.table, family: source.family, source: source.name, runId: `run-${Math.random()}` };
      await migrated(wh, { rawSchema: schema });
      await preparePull(wh, target);
      const stop = new AbortController();
      const run: Run = { skipped: 0, lands: 0, sleeps: [], notes: [], summary: [] };
      const io: PullIO<ConnectPosition> = {
        async land(events, position) {
          await landPage(wh, target, events, position);
          if (++run.lands === killAfter) stop.abort(new Error('killed'));
        },
        signal: stop.signal,
        sleep: async (ms) => void run.sleeps.push(ms),
        report: (_progress, note) => void run.notes.push(note ?? ''),
        now: NOW,
      };
      const position = await readCursor<ConnectPosition>(wh, schema, source.name);
      const result = await source.pull(range, position, io);
      run.skipped = result.skipped.length;
      run.summary = result.notes ?? [];
      return run;
    }

    async function landed(schema: string, table: string): Promise<{ n: number; keys: number; most: number }> {
      const [row] = await wh.all<{ n: number; keys: number; most: number }>(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT dedupe_key) AS keys, MAX(delivery_count) AS most FROM ${wh.dialect.tableName(schema, table)}`,
      );
      return { n: Number(row?.n), keys: Number(row?.keys), most: Number(row?.most ?? 0) };
    }

    const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.status === 202).length;

    test('SMS: every row of three windows lands once, across several files; a finished range starts no job', async () => {
      const { schema, source } = await setup('sms', { sms: SMS, rowsPerFile: 10 });
      try {
        const run = await pull(schema, source, RANGE);
        assert.deepEqual(await landed(schema, 'messaging_events'), { n: inRange(SMS, 'createdat', RANGE), keys: inRange(SMS, 'createdat', RANGE), most: 1 });
        assert.equal(fake.jobs.length, 3, 'one job per window');
        assert.ok(fake.jobs.every((job) => job.files.length > 1), 'windows span several files');
        assert.deepEqual(fake.jobs.map((job) => job.gets), [3, 3, 3], 'each job polled queued → running → succeeded');
        assert.ok(run.notes.some((n) => /queued/.test(n)) && run.notes.some((n) => /running/.test(n)), 'the job status is reported while waiting');
        const cursor = await readCursor<ConnectPosition>(wh, schema, source.name);
        assert.equal(cursor?.window, '2026-03-09T00:00:00.000Z');
        assert.equal(cursor?.done, true);
        const [body] = await wh.all<{ body: string; family: string }>(`SELECT body, family FROM ${wh.dialect.tableName(schema, 'messaging_events')} LIMIT 1`);
        assert.equal(body?.family, 'messaging');
        assert.equal(JSON.parse(body?.body ?? '{}').body, '**MASKED**', 'the row lands as in the file');

        await pull(schema, source, RANGE);
        assert.equal(fake.jobs.length, 3);
      } finally {
        await fake.close();
      }
    });

    test('Voice: every call lands once in voice_events, keyed by SessionId and CallId', async () => {
      const { schema, source } = await setup('voice', { voice: VOICE });
      try {
        await pull(schema, source, RANGE);
        const expected = inRange(VOICE, 'InitiatedAt', RANGE);
        assert.deepEqual(await landed(schema, 'voice_events'), { n: expected, keys: expected, most: 1 });
        const keys = await wh.all<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${wh.dialect.tableName(schema, 'voice_events')} WHERE event_type = 'VOICE_LOG_EXPORT'`);
        assert.ok(keys.some((k) => /^pull:voice:[0-9a-f-]{36}:#[0-9a-f]{16}$/.test(k.dedupe_key)), `a call without CallId keys on the session alone: ${keys.slice(0, 5).map((k) => k.dedupe_key).join(' ')}`);
      } finally {
        await fake.close();
      }
    });

    test('Chat Apps: the undocumented columns are read whatever they hold; with umid, a superset of the SMS columns keys on it and says nothing', async () => {
      const { schema, source } = await setup('chatapps', { chatapps: SMS });
      try {
        const run = await pull(schema, source, DAY);
        const expected = inRange(SMS, 'createdat', DAY);
        assert.deepEqual(await landed(schema, 'messaging_events'), { n: expected, keys: expected, most: 1 });
        const [row] = await wh.all<{ dedupe_key: string; body: string }>(`SELECT dedupe_key, body FROM ${wh.dialect.tableName(schema, 'messaging_events')} LIMIT 1`);
        assert.match(row?.dedupe_key ?? '', /^pull:chatapps:[0-9a-f-]{36}#[0-9a-f]{16}$/);
        assert.equal(JSON.parse(row?.body ?? '{}').channel, 'whatsapp', 'columns beyond the SMS ones land too');
        assert.deepEqual(run.summary, []);
      } finally {
        await fake.close();
      }
    });

    test('Chat Apps: an export without a umid column lands every row keyed by a digest of it, and the run says so once', async () => {
      const { schema, source } = await setup('chatapps', { chatapps: SMS, chatappsColumns: CHATAPPS_COLUMNS.filter((c) => c !== 'umid'), rowsPerFile: 10 });
      try {
        const run = await pull(schema, source, RANGE);
        const expected = inRange(SMS, 'createdat', RANGE);
        assert.deepEqual(await landed(schema, 'messaging_events'), { n: expected, keys: expected, most: 1 });
        const keys = await wh.all<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${wh.dialect.tableName(schema, 'messaging_events')}`);
        assert.ok(keys.every((k) => /^pull:chatapps:digest:[0-9a-f]{16}#[0-9a-f]{16}$/.test(k.dedupe_key)), keys.slice(0, 3).map((k) => k.dedupe_key).join(' '));
        assert.equal(run.summary.length, 1, 'one note for the whole run, not one per row or window');
        assert.equal(run.summary[0]?.code, 'SB_PULL_CONNECT_ROW_DIGEST_KEY');
        assert.match(run.summary[0]?.message ?? '', new RegExp(`^${expected} Chat Apps export row\\(s\\) had no umid \\(header: subaccountid,direction,`));
      } finally {
        await fake.close();
      }
    });

    test('killed mid-download, then resumed: the same job is reused and nothing is lost or doubled', async () => {
      const { schema, source } = await setup('sms', { sms: SMS, rowsPerFile: 20 });
      try {
        await assert.rejects(pull(schema, source, DAY, 5), /killed/);
        const cursor = await readCursor<ConnectPosition>(wh, schema, source.name);
        assert.equal(cursor?.jobId, fake.jobs[0]?.id);
        assert.deepEqual([cursor?.file, cursor?.row, cursor?.done], [1, 7, false], 'four pages of 7 rows: file 0 (20 rows) done, 7 of file 1');
        assert.equal((await landed(schema, 'messaging_events')).n, 27);

        await pull(schema, source, DAY);
        const expected = inRange(SMS, 'createdat', DAY);
        assert.deepEqual(await landed(schema, 'messaging_events'), { n: expected, keys: expected, most: 1 });
        assert.equal(posts(), 1, 'no second job');
      } finally {
        await fake.close();
      }
    });

    test('killed right after the job started: the resumed pull polls that job instead of starting another', async () => {
      const { schema, source } = await setup('chatapps', { chatapps: SMS });
      try {
        await assert.rejects(pull(schema, source, DAY, 1), /killed/);
        const cursor = await readCursor<ConnectPosition>(wh, schema, source.name);
        assert.deepEqual(cursor, { window: DAY.from.toISOString(), jobId: fake.jobs[0]?.id, file: 0, row: 0, done: false });
        assert.equal(fake.jobs[0]?.gets, 0, 'killed before the first poll');

        await pull(schema, source, DAY);
        assert.equal(posts(), 1, 'exactly one job was started');
        assert.equal(fake.jobs[0]?.gets, 3);
        const expected = inRange(SMS, 'createdat', DAY);
        assert.deepEqual(await landed(schema, 'messaging_events'), { n: expected, keys: expected, most: 1 });
      } finally {
        await fake.close();
      }
    });

    test('a job 8x8 forgot while the pull was stopped: a new job reads the window again, each row still once', async () => {
      const { schema, source } = await setup('sms', { sms: SMS });
      try {
        await assert.rejects(pull(schema, source, DAY, 3), /killed/);
        fake.forgetJobs();
        await pull(schema, source, DAY);
        const expected = inRange(SMS, 'createdat', DAY);
        const result = await landed(schema, 'messaging_events');
        assert.deepEqual([result.n, result.keys], [expected, expected]);
        assert.equal(posts(), 2);
      } finally {
        await fake.close();
      }
    });

    test('a failed job is restarted as a new job; failing every attempt is SB_PULL_CONNECT_EXPORT_FAILED', async () => {
      const { schema, source } = await setup('sms', { sms: SMS }, { maxAttempts: 2 });
      try {
        fake.scriptJobs({ end: 'failed' });
        await pull(schema, source, DAY);
        assert.deepEqual(fake.jobs.map((job) => job.status), ['failed', 'succeeded']);
        assert.equal((await landed(schema, 'messaging_events')).n, inRange(SMS, 'createdat', DAY));

        fake.scriptJobs({ end: 'error' }, { end: 'cancelled' });
        const next = { from: DAY.to, to: new Date('2026-03-09T00:00:00Z') };
        await assert.rejects(pull(schema, source, next), (e: unknown) => e instanceof ConnectExportError && e.code === 'SB_PULL_CONNECT_EXPORT_FAILED');
      } finally {
        await fake.close();
      }
    });

    test('an empty window is done without a download; a future window is skipped', async () => {
      const { schema, source } = await setup('sms', { sms: SMS });
      try {
        const run = await pull(schema, source, { from: new Date('2026-05-31T00:00:00Z'), to: new Date('2026-06-02T00:00:00Z') });
        assert.equal(run.skipped, 1, 'after NOW is in-future');
        assert.equal(fake.jobs.length, 2, 'the windows up to NOW');
        assert.ok(fake.jobs.every((job) => job.status === 'empty'));
        assert.equal(fake.requests.filter((r) => r.path.includes('/download/')).length, 0);
        assert.equal((await readCursor<ConnectPosition>(wh, schema, source.name))?.done, true);
        assert.equal((await landed(schema, 'messaging_events')).n, 0);
      } finally {
        await fake.close();
      }
    });

    test('429 and 500 are waited out, never shorter than Retry-After', async () => {
      const { schema, source } = await setup('sms', { sms: SMS });
      try {
        fake.fail({ status: 429, retryAfter: '7', match: (r) => r.method === 'POST' });
        fake.fail({ status: 429, retryAfter: '30', match: (r) => r.method === 'GET' && r.path.includes('/exports/') });
        fake.fail({ status: 500, match: (r) => r.path.includes('/download/') });
        const run = await pull(schema, source, DAY);
        assert.ok(run.sleeps.includes(7000) && run.sleeps.includes(30_000), `slept ${run.sleeps.join(', ')}`);
        assert.equal((await landed(schema, 'messaging_events')).n, inRange(SMS, 'createdat', DAY));
        assert.equal(posts(), 1);
      } finally {
        await fake.close();
      }
    });

    test('a job still running after maxWaitMs stops the pull with SB_PULL_CONNECT_EXPORT_TIMEOUT; the next pull polls the same job', async () => {
      const { schema, source } = await setup('sms', { sms: SMS, polls: 6 }, { pollIntervalMs: 1000, maxWaitMs: 3000 });
      try {
        await assert.rejects(pull(schema, source, DAY), (e: unknown) => e instanceof ConnectExportError && e.code === 'SB_PULL_CONNECT_EXPORT_TIMEOUT');
        assert.equal((await readCursor<ConnectPosition>(wh, schema, source.name))?.jobId, fake.jobs[0]?.id);
        await pull(schema, source, DAY);
        assert.equal(posts(), 1);
        assert.equal((await landed(schema, 'messaging_events')).n, inRange(SMS, 'createdat', DAY));
      } finally {
        await fake.close();
      }
    });
  });
}
