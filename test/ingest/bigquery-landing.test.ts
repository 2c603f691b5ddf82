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
import { BigQueryControlState } from '../helpers/bigquery-state.js';

const SECRET = 'whsec_bigquerykill';
const ROUNDS = 3;
const SENDERS = 8;

/**
 * What BigQuery would hold: the control tables (test/helpers/bigquery-state.ts) and the raw
 * meetings rows, each key's delivery_count summed over the committed MERGEs (the drainer's
 * MERGE adds a batch's deliveries to the row's count).
 */
class CommittedState extends BigQueryControlState {
  landed(): Map<string, { body_sha256: string; delivery_count: number }> {
    const out = new Map<string, { body_sha256: string; delivery_count: number }>();
    for (const row of this.merged('raw.meetings_events')) {
      const key = String(row.dedupe_key);
      out.set(key, { body_sha256: String(row.body_sha256), delivery_count: (out.get(key)?.delivery_count ?? 0) + Number(row.delivery_count) });
    }
    return out;
  }

  /** Adds the drainer's read of the digests of keys already landed. */
  override respond(job: QueryJob): QueryResult | undefined {
    const control = super.respond(job);
    if (control !== undefined) return control;
    if (/SELECT dedupe_key, body_sha256/.test(job.query) && /`raw`\.`meetings_events`/.test(job.query)) {
      const landed = this.landed();
      const rows = Object.values(job.params as Record<string, unknown>).flatMap((key) => {
        const row = landed.get(String(key));
        return row === undefined ? [] : [{ dedupe_key: String(key), body_sha256: row.body_sha256, old_body: null }];
      });
      return { schema: [{ name: 'dedupe_key', type: 'STRING' }, { name: 'body_sha256', type: 'STRING' }, { name: 'old_body', type: 'STRING' }], rows };
    }
    return undefined;
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

    const landed = new Map([...state.landed()].map(([key, r]) => [key.replace(/^jaas:/, ''), r.delivery_count]));
    // How many batches there were depends on the machine's speed; that every event came through a committed MERGE is checked below.
    assert.ok(state.commits.some((tables) => tables.includes('raw.meetings_events')), 'the drainer committed its batches through MERGE');
    assert.ok(state.commits.every((tables) => !tables.includes('raw.meetings_events') || tables.includes('raw._spool_checkpoints')), 'each batch commits with its spool checkpoint');
    assert.deepEqual([...acked.keys()].filter((key) => !landed.has(key)), [], 'acknowledged events missing');
    assert.deepEqual([...landed.keys()].filter((key) => !attempts.has(key)), [], 'events nobody sent');
    assert.deepEqual([...acked].filter(([key, n]) => (landed.get(key) ?? 0) < n), [], 'delivery_count below the acknowledged deliveries');
    assert.deepEqual([...landed].filter(([key, n]) => n > (attempts.get(key) ?? 0)), [], 'a delivery counted twice');
    const insertJobs = fake.jobs.filter((j) => !j.dryRun);
    assert.ok(insertJobs.every((j) => j.maximumBytesBilled === String(10 * 2 ** 30)), 'every job carries the default cost guard');
    assert.ok(fake.requests.every((r) => r.kind !== 'load' && !String(r.path).includes('/upload/')), 'no load jobs: the per-table load quota is never spent on landing');
  });
});
