/**
 * Signals through the real server, on DuckDB and on Postgres: webhooks landed and refused, a
 * build, a sync to a fake Slack, then the flush job; the minute's rows in the three tables,
 * GET /signals and /metrics; and the shutdown flush that writes the minute still running.
 *
 * The clock (Date only) is mocked and moved by hand, so each stretch of the way has a known
 * length: received → landed 1.5 s, landed → curated 2 s, curated → destination 3 s. Timers
 * and I/O stay real.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { mockClock } from '../helpers/clock.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import type { RunResults } from '../../sql/engine/run.js';
import type { SyncRunResult } from '../../sync/sync-run.js';
import type { Signals } from '../../server/signals/read.js';
import { RELATIVE_ACCURACY } from '../../server/signals/sketch.js';

const MINUTE = 60_000;
const NODE = 'signals-test';
const JOB = `signals:${NODE}`;

function near(actual: unknown, expected: number, what: string): void {
  assert.ok(Math.abs(Number(actual) - expected) <= expected * RELATIVE_ACCURACY, `${what}: ${String(actual)} is not within 1 % of ${expected}`);
}

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`signals on ${warehouse}`, () => {
    let h: Harness;
    let slack: FakeSlack;
    const projectDir = mkdtempSync(join(tmpdir(), 'switchboard-signals-project-'));
    const schema = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    // Postgres keeps switchboard_sync between runs: a sync name of this run's own.
    const syncName = `voice_alerts_${Math.random().toString(36).slice(2, 8)}`;
    const table = (name: string): string => `${schema}.${name}`;

    before(async () => {
      writeFileSync(join(projectDir, 'voice_rows.sql'), "{{ config(materialized='table') }}\nselect dedupe_key as id, landed_at as last_updated_at from {{ landed_events('voice_events') }}");
      writeFileSync(join(projectDir, 'alerts.sql'), "{{ config(materialized='table') }}\nselect id, 'a voice event' as text from {{ ref('voice_rows') }}");
      slack = await startFakeSlack();
      process.env.SWITCHBOARD_SLACK_BOT_TOKEN = slack.token;
      h = await startHarness({
        warehouse,
        env: { SWITCHBOARD_SLACK_BOT_TOKEN: slack.token },
        config: {
          models: { schedule: 'off', dir: projectDir, schema },
          jobs: { nodeName: NODE },
          signals: { curatedModels: ['voice_rows'] },
          syncs: [{ name: syncName, model: 'alerts', key: 'id', destination: 'slack', object: 'C0ALERTS', mapping: { text: 'text' }, schedule: 'off' }],
          destinations: { slack: { apiUrl: slack.url, postIntervalMs: 0, historyIntervalSeconds: 0 } },
        },
      });
    });
    after(async () => {
      delete process.env.SWITCHBOARD_SLACK_BOT_TOKEN;
      if (h !== undefined) {
        if (warehouse === 'postgres') {
          await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          for (const name of ['runs', 'outcomes', 'snapshots', 'rejections']) await h.server.warehouse.run(`DELETE FROM switchboard_sync.${name} WHERE sync_name = '${syncName}'`);
        }
        await h.close();
      }
      await slack?.close();
      rmSync(projectDir, { recursive: true, force: true });
    });

    test('landing, a build and a sync are counted per minute, timed stage by stage, and written by the flush job; GET /signals and /metrics serve them', async (t) => {
      const clock = mockClock(t, ['Date']);
      const m0 = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
      clock.setTime(m0 + 10_000);
      assert.equal((await h.send('voice', { sample: 'call-status' })).statusCode, 200);
      assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
      assert.equal((await h.send('voice', { headers: { authorization: 'Bearer guess' } })).statusCode, 401);
      clock.tick(1_500);
      await h.drain();
      clock.tick(2_000);
      const build = (await h.server.jobs.tick('models')) as RunResults;
      assert.equal(build.success, true, JSON.stringify(build.results));
      clock.tick(3_000);
      const sync = (await h.server.jobs.tick(`sync:${syncName}`)) as SyncRunResult;
      assert.equal(sync.status, 'success', JSON.stringify(sync.error));
      assert.equal(sync.sent, 1);

      clock.tick(MINUTE); // the minute has ended
      const flushed = (await h.server.jobs.tick(JOB)) as { minutes: number; throughputRows: number };
      assert.ok(flushed !== null && flushed.minutes >= 1, `the flush wrote the minute: ${JSON.stringify(flushed)}`);

      const minute = new Date(m0).toISOString();
      const throughput = await h.query(`SELECT stage, pipeline, event_type, events, retries, dead_letters, failures FROM ${table('sb_signal_throughput')} ORDER BY stage, pipeline, event_type`);
      const counts = Object.fromEntries(throughput.map((r) => [`${r.stage}/${r.pipeline}/${r.event_type}`, [r.events, r.retries, r.dead_letters, r.failures].map(Number)]));
      assert.deepEqual(counts, {
        'build/alerts/': [1, 0, 0, 0],
        'build/voice_rows/': [1, 0, 0, 0],
        'landing/meetings/PARTICIPANT_JOINED': [1, 0, 0, 0],
        'landing/voice/': [0, 0, 1, 0],
        'landing/voice/CALL_STATUS': [1, 0, 0, 0],
        [`sync/${syncName}/`]: [1, 0, 0, 0],
      });
      const minutes = await h.query(`SELECT DISTINCT minute FROM ${table('sb_signal_throughput')}`);
      assert.deepEqual(minutes.map((r) => r.minute), [minute], 'every count went to the minute it happened in');

      const latency = await h.query(`SELECT stage, pipeline, samples, p50_ms, p99_ms, max_ms FROM ${table('sb_signal_latency')} WHERE minute = '${minute}' ORDER BY stage, pipeline`);
      const byStage = new Map(latency.map((r) => [`${r.stage}/${r.pipeline}`, r]));
      assert.deepEqual([...byStage.keys()].sort(), [
        `curated_to_destination/${syncName}`,
        'event_to_received/meetings',
        'event_to_received/voice',
        'landed_to_curated/voice_rows',
        'received_to_landed/meetings',
        'received_to_landed/voice',
      ]);
      near(byStage.get('received_to_landed/voice')?.p50_ms, 1_500, 'received → landed');
      near(byStage.get('landed_to_curated/voice_rows')?.p50_ms, 2_000, 'landed → curated');
      near(byStage.get(`curated_to_destination/${syncName}`)?.p50_ms, 3_000, 'curated → destination');
      // The samples' event times are from 2025: months before "now".
      assert.ok(Number(byStage.get('event_to_received/voice')?.p50_ms) > 30 * 86_400_000, 'event → received reads the payload\'s timestamp');
      assert.equal(Number(byStage.get('received_to_landed/voice')?.samples), 1);

      const [backlog] = await h.query(`SELECT spool_bytes, spool_events, sync_pending, pull_lag_seconds, dead_letters FROM ${table('sb_signal_backlog')}`);
      assert.deepEqual(
        { ...backlog, spool_bytes: Number(backlog?.spool_bytes), spool_events: Number(backlog?.spool_events), sync_pending: Number(backlog?.sync_pending), dead_letters: Number(backlog?.dead_letters) },
        { spool_bytes: 0, spool_events: 0, sync_pending: 0, pull_lag_seconds: null, dead_letters: 1 },
        'nothing waits but the one rejection; no pull source, no lag',
      );

      const runs = await h.query(`SELECT status FROM ${h.raw('_job_runs')} WHERE job = '${JOB}'`);
      assert.deepEqual(runs.map((r) => r.status), ['success'], 'the flush is a job run');

      const response = await h.admin({ method: 'GET', url: `/signals?since=${new Date(m0 - MINUTE).toISOString()}&until=${new Date(m0 + 10 * MINUTE).toISOString()}` });
      assert.equal(response.statusCode, 200, response.body);
      const signals = response.json() as Signals;
      assert.equal(signals.throughput.length, 6);
      assert.ok(signals.throughput.every((r) => r.minute === minute));
      assert.deepEqual(signals.throughput.find((r) => r.event_type === 'CALL_STATUS'), { minute, stage: 'landing', pipeline: 'voice', event_type: 'CALL_STATUS', events: 1, retries: 0, dead_letters: 0, failures: 0 });
      near(signals.latency.find((r) => r.stage === 'landed_to_curated')?.p95_ms, 2_000, 'GET /signals latency');
      assert.equal(signals.backlog.length, 1);
      assert.deepEqual(signals.ratios.find((r) => r.stage === 'landing' && r.pipeline === 'voice'), { stage: 'landing', pipeline: 'voice', success: 0.5, retry: 0, deadLetter: 0.5 });

      const hourly = (await h.admin({ method: 'GET', url: `/signals?since=${new Date(m0 - 3 * 3_600_000).toISOString()}&until=${new Date(m0 + 3_600_000).toISOString()}&bucket=hour&pipeline=voice` })).json() as Signals;
      assert.deepEqual(
        hourly.throughput.map((r) => [r.minute, r.event_type, r.events, r.dead_letters]).sort(),
        [[new Date(Math.floor(m0 / 3_600_000) * 3_600_000).toISOString(), '', 0, 1], [new Date(Math.floor(m0 / 3_600_000) * 3_600_000).toISOString(), 'CALL_STATUS', 1, 0]],
        'bucket=hour sums the minutes into their hour; pipeline keeps one family',
      );

      const backwards = await h.admin({ method: 'GET', url: `/signals?since=${new Date(m0).toISOString()}&until=${new Date(m0 - MINUTE).toISOString()}` });
      assert.equal(backwards.statusCode, 400);
      assert.equal((backwards.json() as { error: { code: string } }).error.code, 'SB_SIGNALS_BAD_RANGE');

      const metrics = (await h.admin({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /^switchboard_signal_events_total\{stage="landing",pipeline="voice"\} 1$/m);
      assert.match(metrics, /^switchboard_signal_dead_letters_total\{stage="landing",pipeline="voice"\} 1$/m);
      assert.match(metrics, /^switchboard_signal_latency_seconds\{stage="landed_to_curated",pipeline="voice_rows",quantile="0.5"\} 2(\.0\d*|\b)/m);
      assert.match(metrics, /^switchboard_signal_dead_letters 1$/m);

      clock.tick(1_000);
      const again = (await h.server.jobs.tick(JOB)) as { minutes: number };
      assert.equal(again.minutes, 0, 'a minute is written once');
      const [total] = await h.query(`SELECT sum(events) AS n FROM ${table('sb_signal_throughput')}`);
      assert.equal(Number(total?.n), 5);
    });

    test('stopping the server writes the minute still running', async (t) => {
      const clock = mockClock(t, ['Date']);
      const m = Math.ceil(Date.now() / MINUTE) * MINUTE + 5 * MINUTE;
      clock.setTime(m + 1_000);
      assert.equal((await h.send('voice', { sample: 'session-summary' })).statusCode, 200);
      await h.drain();
      await h.restart(); // closing flushes the current minute too
      const rows = await h.query(`SELECT stage, pipeline, event_type, events FROM ${table('sb_signal_throughput')} WHERE minute = '${new Date(m).toISOString()}'`);
      assert.deepEqual(rows.map((r) => [r.stage, r.pipeline, r.event_type, Number(r.events)]), [['landing', 'voice', 'SESSION_SUMMARY', 1]]);
    });
  });
}

describe('signals turned off', () => {
  test('signals.enabled false: no flush job, no signal metrics, nothing counted; GET /signals answers empty', async (t) => {
    const h = await startHarness({ config: { signals: { enabled: false }, jobs: { nodeName: NODE }, models: { schedule: 'off' } } });
    t.after(() => h.close());
    assert.equal((await h.send('voice', { sample: 'call-status' })).statusCode, 200);
    await h.drain();
    assert.ok(!h.server.jobs.names.includes(JOB), `jobs: ${h.server.jobs.names.join(', ')}`);
    assert.doesNotMatch((await h.admin({ method: 'GET', url: '/metrics' })).body, /switchboard_signal_/);
    await h.restart(); // no shutdown flush either
    const response = await h.admin({ method: 'GET', url: '/signals' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { throughput: [], latency: [], backlog: [], ratios: [] });
  });
});
