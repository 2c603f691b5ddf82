/**
 * Dead letters in one place (server/dlq/): a landing rejection, a quarantined record, a row a
 * sync destination refused and a pull page that failed are listed together with their reason,
 * count and age; each can be shown in full; and a replay by filter sends each through the path
 * it failed on, once: a dry run sends nothing, a replay before the cause is fixed fails and
 * counts, and after the fix each goes through once and a second replay sends nothing.
 * Through the real server in-process (the harness), on DuckDB and Postgres.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { liftPoisonCheck, meetingsBody, poisonCheck } from '../helpers/poison.js';
import { MemoryDestination } from '../sync/memory-destination.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { IpAllowlist } from '../../ingest/auth/ip-allowlist.js';
import { meetingsFamily, signJaas } from '../../ingest/families/meetings/index.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { Quarantine } from '../../ingest/quarantine.js';
import { Replayer } from '../../ingest/replay.js';
import { DeadLetters } from '../../server/dlq/dead-letters.js';
import type { DeadLetter, DeadLetterOutcome } from '../../server/dlq/dead-letter.js';
import type { SyncDefinition } from '../../sync/engine.js';
import { Syncer } from '../../sync/syncer.js';
import { SYNC_SCHEMA } from '../../sync/state.js';

const OLD = 'whsec_old_secret';
const NEW = 'whsec_rotated_secret';
const CREDENTIALS = {
  SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
  SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
  SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`[${warehouse}] dead letters`, () => {
    const rawSchema = warehouse === 'postgres' ? uniqueSchema() : 'raw';
    // switchboard_sync is shared by every test on one Postgres database: a name of its own.
    const syncName = `people_${randomBytes(4).toString('hex')}`;
    const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000);
    const range = { from: day, to: new Date(day.getTime() + 86_400_000) };
    // Ages are measured an hour from now.
    const now = new Date(Date.now() + 3_600_000);
    let h: Harness;
    let fake: FakeWorkAnalytics;
    let destination: MemoryDestination;
    let syncer: Syncer;
    /** The dead letters as an operator sees them once the meetings secret is rotated (the server itself still has the old one). */
    let fixed: DeadLetters;
    let meetingsBodyRejected: string;

    const failSecondRecordsPage = (): void => {
      let seen = 0;
      fake.fail({ status: 403, body: { error: 'Forbidden', message: 'user(analyst) does not have access to pbxId(acmecorp)' }, match: (r) => r.path === '/v2/call-records' && ++seen === 2 });
    };
    const count = async (table: string, where = ''): Promise<number> => Number((await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw(table)}${where}`))[0]?.n);
    const sentKeys = (key: string): number => destination.calls.flat().filter((r) => r.key === key).length;
    const statuses = (outcomes: readonly DeadLetterOutcome[]): string[] => outcomes.map((o) => `${o.id.split(':')[0]} ${o.status}`).sort();
    const bySource = (entries: readonly DeadLetter[], source: DeadLetter['source']): DeadLetter => {
      const entry = entries.find((e) => e.source === source);
      assert.ok(entry !== undefined, `a ${source} dead letter in ${JSON.stringify(entries)}`);
      return entry;
    };

    before(async () => {
      const seeded = seedWorkCalls({ count: 40, start: new Date(day.getTime() + 60_000), timeZone: 'UTC', spacingMs: 30 * 60_000 });
      fake = await startFakeWorkAnalytics({ records: seeded.records, legs: seeded.legs });
      Object.assign(process.env, CREDENTIALS);
      h = await startHarness({
        warehouse,
        rawSchema,
        env: { SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: OLD },
        config: { models: { schedule: 'off' }, pulls: { workAnalytics: { baseUrl: fake.baseUrl, timeZone: 'UTC', pageSize: 10, schedule: 'off' } } },
        beforeStart: (dir) => poisonCheck(warehouse, dir, rawSchema),
      });
      const wh = h.server.warehouse;
      const people = wh.dialect.tableName(rawSchema, 'people');
      await wh.run(`CREATE TABLE ${people} AS SELECT 'k1' AS id, 'Ana' AS name UNION ALL SELECT 'k2', 'Bo' UNION ALL SELECT 'k3', 'Cy'`);
      const sync: SyncDefinition = {
        name: syncName, sql: `SELECT * FROM ${people}`, key: 'id', destination: 'slack', object: 'C0ALERTS', mapping: { Name: 'name' }, mode: 'upsert', schedule: 'off', priority: 'bulk',
      };
      destination = new MemoryDestination(10);
      destination.reject.set('k2', 'Name is too short');
      syncer = new Syncer({ warehouse: wh, syncs: [sync], destinationFor: async () => destination, modelsSchema: 'analytics', rawSchema, logger: pino({ level: 'silent' }) });
      const rotated = new Replayer(
        [{ family: meetingsFamily({ secrets: [OLD, NEW], toleranceSeconds: 300, authorization: null }), allowlist: new IpAllowlist(['any'], 'x') }],
        h.server.landing,
        wh,
        rawSchema,
        new Quarantine(join(h.dir, 'data', 'spool'), h.server.spool.id, rawSchema),
      );
      fixed = new DeadLetters({
        warehouse: wh,
        rawSchema,
        replayer: rotated,
        quarantine: new Quarantine(join(h.dir, 'data', 'spool'), h.server.spool.id, rawSchema),
        syncs: { names: [syncName], run: (name, request) => syncer.run(name, request) },
        pulls: { sources: ['work-analytics'], run: (source, request) => h.server.puller.run(source, request) },
        now: () => now,
      });

      // One of each. A webhook signed with the new secret, refused by the old one:
      const t = Math.floor(Date.now() / 1000);
      meetingsBodyRejected = MEETINGS_SAMPLES['recording-uploaded'];
      const refused = await h.send('meetings', { sample: 'recording-uploaded', headers: { 'x-jaas-signature': signJaas(NEW, t, meetingsBodyRejected) } });
      assert.equal(refused.json.error?.code, 'SB_INGEST_SIGNATURE_INVALID');
      // a record the warehouse refuses on its own:
      assert.equal((await h.send('meetings', { body: meetingsBody('dlq-q', 'poison') })).statusCode, 200);
      await h.drain();
      // a row the destination refuses:
      const run = await syncer.run(syncName);
      assert.deepEqual([run.sent, run.rejected], [2, 1]);
      // a pull page that fails:
      failSecondRecordsPage();
      await assert.rejects(h.server.puller.run('work-analytics', { range }), { code: 'SB_PULL_WORK_AUTH' });
    });

    after(async () => {
      for (const name of Object.keys(CREDENTIALS)) delete process.env[name];
      await syncer.stop();
      const d = h.server.warehouse.dialect;
      for (const table of ['snapshots', 'rejections', 'outcomes', 'runs']) {
        await h.server.warehouse.run(`DELETE FROM ${d.tableName(SYNC_SCHEMA, table)} WHERE sync_name = ${d.param(1)}`, [syncName]);
      }
      await h.close();
      await fake.close();
    });

    test('one list holds every source, each with its reason, code, count and age', async () => {
      const entries = await fixed.list();
      assert.deepEqual(entries.map((e) => e.source).sort(), ['landing', 'pull', 'quarantine', 'sync']);
      for (const e of entries) assert.equal(e.ageSeconds, Math.round((now.getTime() - Date.parse(e.firstAt)) / 1000), `${e.id}: age from its first refusal`);
      for (const e of entries) assert.ok(e.ageSeconds > 3000 && e.ageSeconds < 4200, `${e.id} is about an hour old at "now"`);

      const landing = bySource(entries, 'landing');
      assert.match(landing.id, /^rejection:[0-9a-f-]{36}$/);
      assert.deepEqual([landing.pipeline, landing.code, landing.count], ['meetings', 'SB_INGEST_SIGNATURE_INVALID', 1]);
      assert.match(landing.reason, /X-Jaas-Signature/);

      const quarantined = bySource(entries, 'quarantine');
      assert.match(quarantined.id, /^quarantine:q-/);
      assert.deepEqual([quarantined.pipeline, quarantined.code, quarantined.count], ['meetings', null, 1]);
      assert.match(quarantined.reason, /check|constraint/i);

      const refused = bySource(entries, 'sync');
      assert.deepEqual([refused.id, refused.pipeline, refused.code, refused.reason, refused.count], [`sync:${syncName}:k2`, syncName, 'INVALID', 'Name is too short', 1]);

      const page = bySource(entries, 'pull');
      assert.match(page.id, /^pull:[0-9a-f-]{36}:2$/, 'the second page failed, after the first landed');
      assert.deepEqual([page.pipeline, page.code, page.count], ['work-analytics', 'SB_PULL_WORK_AUTH', 1]);
      assert.match(page.reason, /^page 2 .*pbxId/);

      // Filters narrow, each on its own field.
      assert.deepEqual((await fixed.list({ source: 'sync' })).map((e) => e.id), [refused.id]);
      assert.deepEqual((await fixed.list({ pipeline: 'meetings' })).map((e) => e.source).sort(), ['landing', 'quarantine']);
      assert.deepEqual((await fixed.list({ code: 'SB_PULL_WORK_AUTH' })).map((e) => e.id), [page.id]);
      assert.deepEqual((await fixed.list({ reason: 'too SHORT' })).map((e) => e.id), [refused.id]);
      assert.deepEqual(await fixed.list({ reason: 'too_short' }), [], 'a _ in the reason is a character, not a wildcard');
      assert.deepEqual(await fixed.list({ since: new Date(Date.now() + 60_000).toISOString() }), []);
      assert.deepEqual(await fixed.list({ until: new Date(Date.now() - 3_600_000).toISOString() }), []);
      assert.deepEqual((await fixed.list({ ids: [page.id, refused.id, 'rejection:not-there'] })).map((e) => e.id).sort(), [page.id, refused.id].sort());
      assert.equal((await fixed.list({ limit: 1 })).length, 1);

      // The operator API answers the same (role read), and refuses what it cannot filter by.
      const listed = await h.admin({ method: 'GET', url: '/dlq?source=landing' });
      assert.equal(listed.statusCode, 200);
      assert.deepEqual((listed.json() as { entries: DeadLetter[] }).entries.map((e) => e.id), [landing.id]);
      const bad = await h.admin({ method: 'GET', url: '/dlq?source=fax' });
      assert.equal(bad.statusCode, 400);
    });

    test('show gives each one in full, with body samples redacted', async () => {
      const entries = await fixed.list();
      const landing = await fixed.show(bySource(entries, 'landing').id);
      assert.equal(landing?.detail.replayable, true);
      assert.match(String(landing?.detail.bodySample), /RECORDING_UPLOADED/);
      assert.equal(typeof landing?.detail.headers, 'object');

      const quarantined = await fixed.show(bySource(entries, 'quarantine').id);
      assert.match(String(quarantined?.detail.recordSample), /"name":"poison"/);
      assert.equal(quarantined?.detail.recordKey, 'jaas:dlq-q');

      const refused = await fixed.show(`sync:${syncName}:k2`);
      assert.equal(refused?.detail.destination, 'slack');
      assert.deepEqual((refused?.detail.attempts as Array<{ status: string }>).map((a) => a.status), ['rejected']);

      const page = await fixed.show(bySource(entries, 'pull').id);
      assert.deepEqual([page?.detail.mode, page?.detail.page, page?.detail.errorCode], ['backfill', 2, 'SB_PULL_WORK_AUTH']);
      assert.deepEqual(page?.detail.range, { from: range.from.toISOString(), to: range.to.toISOString() });
      assert.notEqual(page?.detail.position, null, 'where a retry starts: after the page that landed');

      const viaApi = await h.admin({ method: 'GET', url: `/dlq/${encodeURIComponent(`sync:${syncName}:k2`)}` });
      assert.equal(viaApi.statusCode, 200);
      const missing = await h.admin({ method: 'GET', url: '/dlq/rejection:0000' });
      assert.deepEqual([missing.statusCode, (missing.json() as { error: { code: string } }).error.code], [404, 'SB_DLQ_NOT_FOUND']);
      const bogus = await h.admin({ method: 'GET', url: '/dlq/bogus' });
      assert.deepEqual([bogus.statusCode, (bogus.json() as { error: { code: string } }).error.code], [400, 'SB_DLQ_BAD_ID']);
    });

    test('a dry run checks every one and sends nothing', async () => {
      const calls = destination.calls.length;
      const requests = fake.requests.length;
      const outcomes = await fixed.replay({ all: true }, { dryRun: true });
      assert.deepEqual(statuses(outcomes), ['pull would-replay', 'quarantine would-replay', 'rejection would-replay', 'sync would-replay']);
      await h.drain();
      assert.equal(destination.calls.length, calls, 'nothing sent to the destination');
      assert.equal(fake.requests.length, requests, 'nothing pulled');
      assert.equal(await count('meetings_events'), 0, 'nothing landed');
      assert.equal((await fixed.list()).length, 4, 'all still dead letters');
      const unscoped = await h.admin({ method: 'POST', url: '/dlq/replay', payload: { dryRun: true } });
      assert.deepEqual([unscoped.statusCode, (unscoped.json() as { error: { code: string } }).error.code], [400, 'SB_DLQ_REPLAY_UNSCOPED']);
    });

    test('replayed before the cause is fixed, each fails again, is counted, and stays', async () => {
      // The server still has the old secret; it runs no sync of that name.
      const viaServer = await h.admin({ method: 'POST', url: '/dlq/replay', payload: { source: 'landing' } });
      assert.equal(viaServer.statusCode, 200);
      const { outcomes } = viaServer.json() as { outcomes: DeadLetterOutcome[] };
      assert.deepEqual(outcomes.map((o) => [o.status, o.code]), [['failed', 'SB_INGEST_SIGNATURE_INVALID']]);
      const unknownSync = (await h.admin({ method: 'POST', url: '/dlq/replay', payload: { source: 'sync' } })).json() as { outcomes: DeadLetterOutcome[] };
      assert.deepEqual(unknownSync.outcomes.map((o) => [o.status, o.code]), [['skipped', 'SB_SYNC_UNKNOWN']]);

      assert.deepEqual((await fixed.replay({ source: 'sync' })).map((o) => [o.status, o.code]), [['failed', 'INVALID']]);
      // The replay resumes at the page that failed, which fails again.
      fake.fail({ status: 403, body: { error: 'Forbidden', message: 'user(analyst) does not have access to pbxId(acmecorp)' }, match: (r) => r.path === '/v2/call-records' });
      const pulled = await fixed.replay({ source: 'pull' });
      assert.deepEqual(pulled.map((o) => [o.status, o.code]), [['failed', 'SB_PULL_WORK_AUTH']]);

      const entries = await fixed.list();
      assert.equal(bySource(entries, 'sync').count, 2, 'refused twice since it was last sent');
      assert.equal(bySource(entries, 'pull').count, 2, 'two runs failed at that page');
      assert.equal(entries.length, 4);
    });

    test('landing: once the secret is fixed, the rejection lands once', async () => {
      const outcomes = await fixed.replay({ source: 'landing', code: 'SB_INGEST_SIGNATURE_INVALID' });
      assert.deepEqual(statuses(outcomes), ['rejection replayed']);
      await h.drain();
      const rows = await h.query<{ body: string; verified_by: string }>(`SELECT body, verified_by FROM ${h.raw('meetings_events')}`);
      assert.deepEqual(rows, [{ body: meetingsBodyRejected, verified_by: 'replay:hmac-sha256' }]);
      assert.deepEqual(await fixed.replay({ source: 'landing' }), [], 'a second replay finds nothing');
      assert.deepEqual((await fixed.replay({ ids: [outcomes[0]?.id as string] })).map((o) => o.status), ['not-found']);
    });

    test('sync: once the destination accepts, the row is sent once; a second replay and the next run send nothing', async () => {
      destination.reject.delete('k2');
      await h.server.warehouse.run(`INSERT INTO ${h.server.warehouse.dialect.tableName(rawSchema, 'people')} VALUES ('k4', 'Di')`);
      const before = sentKeys('k2');
      const outcomes = await fixed.replay({ pipeline: syncName });
      assert.deepEqual(statuses(outcomes), ['sync replayed']);
      assert.equal(sentKeys('k2'), before + 1, 'sent once');
      assert.deepEqual(destination.store.get('k2'), { Name: 'Bo' });
      assert.equal(sentKeys('k4'), 0, 'a replay sends only its own rows');
      const keys = new Set(destination.calls.flat().filter((r) => r.key === 'k2').map((r) => r.idempotencyKey));
      assert.equal(keys.size, 1, 'every attempt of the unchanged row carried the same idempotency key');

      assert.deepEqual(await fixed.replay({ pipeline: syncName }), []);
      assert.deepEqual((await fixed.replay({ ids: [`sync:${syncName}:k2`] })).map((o) => o.status), ['not-found']);
      const next = await syncer.run(syncName);
      assert.deepEqual([next.sent, next.rejected], [1, 0], 'the next run sends the new row only');
      assert.equal(sentKeys('k2'), before + 1, 'and never k2 again');
      assert.equal(sentKeys('k4'), 1);
    });

    test('quarantine: once the cause is lifted, the record lands once', async () => {
      await liftPoisonCheck(h, warehouse, rawSchema);
      assert.deepEqual(statuses(await fixed.replay({ source: 'quarantine' })), ['quarantine replayed']);
      await h.drain();
      assert.equal(await count('meetings_events', " WHERE dedupe_key = 'jaas:dlq-q'"), 1);
      assert.deepEqual(await fixed.replay({ source: 'quarantine' }), []);
    });

    test('pull: the failed page is pulled again from where it stopped, and nothing lands twice', async () => {
      const outcomes = await fixed.replay({ source: 'pull', pipeline: 'work-analytics' });
      assert.deepEqual(statuses(outcomes), ['pull replayed']);
      assert.equal(await count('work_events'), 120, '40 call records and their 80 legs');
      const [distinct] = await h.query<{ n: number }>(`SELECT count(DISTINCT dedupe_key) AS n FROM ${h.raw('work_events')}`);
      assert.equal(Number(distinct?.n), 120);
      assert.deepEqual(await fixed.list(), [], 'nothing is left');
      assert.deepEqual(await fixed.replay({ source: 'pull' }), []);
    });

  });
}
