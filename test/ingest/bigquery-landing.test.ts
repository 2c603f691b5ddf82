/**
 * Landing on BigQuery, proven by killing: a real `switchboard serve` with `warehouse.type:
 * bigquery` takes signed events through the real @google-cloud/bigquery client and the
 * protocol fake, is SIGKILLed mid-load, restarted, and so on.
 *
 * The fake never runs SQL, so this test keeps the warehouse's state itself, from what the
 * driver committed: each session's MERGE rows (the JSON parameter the drainer sent) apply
 * when that session's COMMIT TRANSACTION job arrives, and are dropped on ROLLBACK or when
 * no COMMIT ever comes (a kill). It answers the drainer's two reads from that state: the
 * spool checkpoint, and the digests of keys already landed. So "exactly once" is checked on
 * what BigQuery would hold: every acknowledged event present, no delivery counted twice.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBigQuery, type FakeBigQuery, type QueryJob, type QueryResult } from '../../fakes/bigquery/index.js';
import { startServerProcess } from '../helpers/server-process.js';
import { withTestSecrets } from '../helpers/harness.js';
import { drainAndStop, sendUnderKills } from '../helpers/kill-load.js';

const SECRET = 'whsec_bigquerykill';
const ROUNDS = 3;
const SENDERS = 8;

interface RawRow { dedupe_key: string; body_sha256: string; delivery_count: number }

/** What BigQuery would hold after the committed sessions: raw meetings rows and checkpoints. */
class CommittedState {
  readonly raw = new Map<string, RawRow>();
  readonly checkpoints = new Map<string, { segment: number; segment_offset: number }>();
  private readonly open = new Map<string, QueryJob[]>();
  /** The migrator's lock row and version table (sql/migrations/), written outside transactions. */
  private lock = { holder: '', expires_at: new Date(0).toISOString() };
  private readonly versions = new Map<string, string>();
  merges = 0;

  respond(job: QueryJob): QueryResult | undefined {
    const session = job.sessionId;
    const migration = this.migration(job);
    if (migration !== null) return migration;
    if (session !== undefined && /^MERGE INTO/.test(job.query)) this.open.set(session, [...(this.open.get(session) ?? []), job]);
    if (session !== undefined && job.query === 'COMMIT TRANSACTION') this.commit(this.open.get(session) ?? []);
    if (session !== undefined && /^(COMMIT|ROLLBACK) TRANSACTION$/.test(job.query)) this.open.delete(session);
    const params = job.params as Record<string, unknown>;
    if (/FROM `raw`\.`_spool_checkpoints` WHERE spool_id/.test(job.query)) {
      const at = this.checkpoints.get(String(params.p1));
      return { schema: [{ name: 'segment', type: 'INT64' }, { name: 'segment_offset', type: 'INT64' }], rows: at === undefined ? [] : [at] };
    }
    if (/SELECT dedupe_key, body_sha256/.test(job.query) && /`raw`\.`meetings_events`/.test(job.query)) {
      const rows = Object.values(params).map((key) => this.raw.get(String(key))).filter((r) => r !== undefined);
      return { schema: [{ name: 'dedupe_key', type: 'STRING' }, { name: 'body_sha256', type: 'STRING' }, { name: 'old_body', type: 'STRING' }], rows: rows.map((r) => ({ ...r, old_body: null })) };
    }
    return undefined;
  }

  /** The migrator's statements: take and release the lock, record and list applied migrations. */
  private migration(job: QueryJob): QueryResult | undefined | null {
    const p = job.params as Record<string, unknown>;
    if (/^UPDATE `raw`\.`_schema_migrations_lock` SET holder = @p1, acquired_at = @p2/.test(job.query)) {
      if (String(this.lock.expires_at) <= String(p.p2)) this.lock = { holder: String(p.p1), expires_at: String(p.p3) };
      return undefined;
    }
    if (/^UPDATE `raw`\.`_schema_migrations_lock` SET holder = '', expires_at = @p1 WHERE name = @p2 AND holder = @p3/.test(job.query)) {
      if (this.lock.holder === String(p.p3)) this.lock = { holder: '', expires_at: String(p.p1) };
      return undefined;
    }
    if (/^SELECT holder, expires_at FROM `raw`\.`_schema_migrations_lock`/.test(job.query)) {
      return { schema: [{ name: 'holder', type: 'STRING' }, { name: 'expires_at', type: 'TIMESTAMP' }], rows: [this.lock] };
    }
    if (/^MERGE INTO `raw`\.`_schema_migrations` AS t/.test(job.query)) {
      this.versions.set(String(p.p1), String(p.p4));
      return undefined;
    }
    if (/^SELECT id, switchboard_version FROM `raw`\.`_schema_migrations`/.test(job.query)) {
      return { schema: [{ name: 'id', type: 'STRING' }, { name: 'switchboard_version', type: 'STRING' }], rows: [...this.versions].map(([id, switchboard_version]) => ({ id, switchboard_version })) };
    }
    return null;
  }

  private commit(jobs: readonly QueryJob[]): void {
    for (const job of jobs) {
      const rows = JSON.parse(String((job.params as Record<string, unknown>).p1)) as Record<string, unknown>[];
      if (/^MERGE INTO `raw`\.`meetings_events`/.test(job.query)) {
        this.merges += 1;
        for (const row of rows) {
          const key = String(row.dedupe_key);
          const before = this.raw.get(key);
          this.raw.set(key, { dedupe_key: key, body_sha256: String(row.body_sha256), delivery_count: (before?.delivery_count ?? 0) + Number(row.delivery_count) });
        }
      } else if (/^MERGE INTO `raw`\.`_spool_checkpoints`/.test(job.query)) {
        for (const row of rows) this.checkpoints.set(String(row.spool_id), { segment: Number(row.segment), segment_offset: Number(row.segment_offset) });
      }
    }
  }
}

describe('landing on BigQuery (protocol fake) survives SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bq-kill-'));
  let fake: FakeBigQuery;
  after(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every acknowledged event lands, none is counted twice, and the checkpoint moves only with a commit', async () => {
    fake = await startFakeBigQuery();
    const state = new CommittedState();
    fake.respond((job) => state.respond(job));
    const configPath = join(dir, 'switchboard.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        warehouse: { type: 'bigquery', projectId: fake.projectId, location: 'US', keyFile: await fake.writeCredentials(dir), apiEndpoint: fake.url },
        spool: { dir: join(dir, 'spool'), segmentBytes: 256 * 1024 },
        drain: { batchSize: 50 },
        models: { schedule: 'off' },
        log: { level: 'warn' },
      }),
    );
    const env = withTestSecrets({ SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: SECRET });
    const { acked, attempts } = await sendUnderKills({ rounds: ROUNDS, senders: SENDERS, secret: SECRET, start: () => startServerProcess(configPath, env, dir) });
    assert.ok(acked.size > 30, `expected a real load, got ${acked.size} acknowledged events`);

    const { backlog, output } = await drainAndStop(await startServerProcess(configPath, env, dir), dir);
    assert.equal(backlog, 0, `the spool did not drain within 60 s; the server said:\n${output}`);

    const landed = new Map([...state.raw.values()].map((r) => [r.dedupe_key.replace(/^jaas:/, ''), r.delivery_count]));
    assert.ok(state.merges > ROUNDS, 'the drainer committed its batches through MERGE');
    assert.deepEqual([...acked.keys()].filter((key) => !landed.has(key)), [], 'acknowledged events missing');
    assert.deepEqual([...landed.keys()].filter((key) => !attempts.has(key)), [], 'events nobody sent');
    assert.deepEqual([...acked].filter(([key, n]) => (landed.get(key) ?? 0) < n), [], 'delivery_count below the acknowledged deliveries');
    assert.deepEqual([...landed].filter(([key, n]) => n > (attempts.get(key) ?? 0)), [], 'a delivery counted twice');
    const insertJobs = fake.jobs.filter((j) => !j.dryRun);
    assert.ok(insertJobs.every((j) => j.maximumBytesBilled === String(10 * 2 ** 30)), 'every job carries the default cost guard');
    assert.ok(fake.requests.every((r) => r.kind !== 'load' && !String(r.path).includes('/upload/')), 'no load jobs: the per-table load quota is never spent on landing');
  });
});
