/**
 * `switchboard status` after a restart: GET /status reads the last build, sync and pull from
 * the control tables (raw._job_runs, sb_run_results, switchboard_sync.runs, raw._pull_runs),
 * so a new process reports what the one before it did; and the readable output holds the key
 * facts. Real DuckDB and real Postgres, a fake Slack and a fake 8x8 Work Analytics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import type { LiveStatus, StatusReport } from '../../server/status-report.js';
import { statusReporter } from '../../server/status-reporter.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import type { RunResults } from '../../sql/engine/run.js';
import type { SyncRunResult } from '../../sync/sync-run.js';
import type { PullRunResult } from '../../ingest/pulls/runner.js';
import { renderStatus } from '../../cli/status-output.js';

const PULL_CREDENTIALS = {
  SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
  SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
  SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`status after a restart, on ${warehouse}`, () => {
    let h: Harness;
    let slack: FakeSlack;
    let work: FakeWorkAnalytics;
    const projectDir = mkdtempSync(join(tmpdir(), 'switchboard-status-project-'));
    const modelsSchema = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    // Postgres keeps switchboard_sync between test runs: a fresh sync name per run.
    const syncName = `alerts_${Math.random().toString(36).slice(2, 8)}`;

    before(async () => {
      writeFileSync(join(projectDir, 'alerts.sql'), "{{ config(materialized='table') }}\nselect 'a1' as id, 'a missed call' as text");
      const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000);
      const seeded = seedWorkCalls({ count: 4, start: new Date(day.getTime() + 60_000), timeZone: 'UTC', spacingMs: 30 * 60_000 });
      work = await startFakeWorkAnalytics({ records: seeded.records, legs: seeded.legs });
      slack = await startFakeSlack();
      Object.assign(process.env, PULL_CREDENTIALS);
      delete process.env.SWITCHBOARD_SLACK_BOT_TOKEN; // the sync's destination cannot start: its runs fail
      h = await startHarness({
        warehouse,
        config: {
          models: { schedule: 'off', dir: projectDir, schema: modelsSchema },
          syncs: [{ name: syncName, model: 'alerts', key: 'id', destination: 'slack', object: 'C0ALERTS', mapping: { text: 'text' }, schedule: 'off' }],
          destinations: { slack: { apiUrl: slack.url, postIntervalMs: 0, historyIntervalSeconds: 0 } },
          pulls: { workAnalytics: { baseUrl: work.baseUrl, timeZone: 'UTC', pageSize: 10, schedule: 'off', initialDays: 2 } },
        },
      });
    });
    after(async () => {
      for (const name of Object.keys(PULL_CREDENTIALS)) delete process.env[name];
      if (h !== undefined) {
        if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${modelsSchema} CASCADE`);
        if (warehouse === 'postgres') await h.server.warehouse.run(`DELETE FROM switchboard_sync.runs WHERE sync_name = '${syncName}'`);
        await h.close();
      }
      await slack?.close();
      await work?.close();
      rmSync(projectDir, { recursive: true, force: true });
    });

    test('the last build, sync and pull, and what each family landed, survive a restart', async () => {
      assert.equal((await h.send('voice')).statusCode, 200);
      assert.equal((await h.send('meetings')).statusCode, 200);
      assert.equal((await h.send('voice', { headers: { authorization: 'Bearer guess' } })).statusCode, 401);
      await h.drain();
      const build = (await h.server.jobs.tick('models')) as RunResults;
      assert.equal(build.success, true);
      const sync = (await h.server.jobs.tick(`sync:${syncName}`)) as SyncRunResult;
      assert.equal(sync.status, 'failed');
      const pull = (await h.server.jobs.tick('pull:work-analytics')) as PullRunResult;
      assert.equal(pull.status, 'success');
      assert.ok(pull.landed > 0, 'the pull landed records');

      await h.restart();
      await h.drain(); // the new drainer has read its checkpoint: the spool holds nothing new
      const response = await h.admin({ method: 'GET', url: '/status' });
      assert.equal(response.statusCode, 200);
      const report = response.json() as StatusReport & { status: string };
      assert.equal(report.historyError, null);
      assert.equal(report.models.running, false);
      assert.deepEqual(
        [report.models.lastRun?.runId, report.models.lastRun?.command, report.models.lastRun?.success, report.models.lastRun?.counts],
        [build.runId, 'build', true, { success: 1 }],
        'the last build, from sb_run_results',
      );
      const [syncStatus] = report.syncs;
      assert.deepEqual(
        [syncStatus?.sync, syncStatus?.lastRun?.runId, syncStatus?.lastRun?.status, syncStatus?.lastRun?.error?.code],
        [syncName, sync.runId, 'failed', 'SB_SYNC_SLACK_SECRET_MISSING'],
        'the failed sync run, from switchboard_sync.runs',
      );
      assert.match(syncStatus?.lastRun?.error?.message ?? '', /SWITCHBOARD_SLACK_BOT_TOKEN/);
      assert.deepEqual(
        report.pulls.map((p) => [p.source, p.running, p.lastRun?.runId, p.lastRun?.status, p.lastRun?.landed]),
        [['work-analytics', false, pull.runId, 'success', pull.landed]],
        'the last pull, from _pull_runs',
      );
      const jobs = new Map(report.jobs.map((j) => [j.job, j]));
      assert.deepEqual(jobs.get('models')?.lastRun?.summary?.modelsRunId, build.runId);
      assert.deepEqual([jobs.get(`sync:${syncName}`)?.lastRun?.status, jobs.get(`sync:${syncName}`)?.lastRun?.error?.code], ['failed', 'SB_SYNC_SLACK_SECRET_MISSING']);
      assert.deepEqual([jobs.get('pull:work-analytics')?.lastRun?.status, jobs.get('pull:work-analytics')?.lastRun?.trigger], ['success', 'schedule']);
      for (const job of report.jobs) assert.deepEqual([job.running, job.heldBy], [null, null], `${job.job} runs nowhere`);
      const landing = new Map((report.landing ?? []).map((f) => [f.family, f]));
      assert.deepEqual([landing.get('voice')?.events, landing.get('voice')?.rejections], [1, 1]);
      assert.deepEqual([landing.get('meetings')?.events, landing.get('meetings')?.rejections], [1, 0]);
      assert.deepEqual([landing.get('messaging')?.events, landing.get('messaging')?.lastReceivedAt], [0, null]);
      assert.ok(Date.parse(landing.get('voice')?.lastReceivedAt ?? '') > 0, 'when voice last received');
      assert.deepEqual([report.warehouse.landedEvents, report.warehouse.landedRejections], [0, 0], 'this process landed nothing itself');

      const text = renderStatus(report, new Date(Date.parse(report.models.lastRun?.finishedAt ?? '') + 120_000));
      assert.match(text, /^Switchboard is ready \(node /);
      assert.match(text, /\n {2}voice +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(.+ ago\) +1 /, 'voice: events, last received, rejections');
      assert.match(text, /\n {2}meetings +1 /);
      assert.match(text, /backlog +0 B waiting of 1\.0 GiB/);
      assert.match(text, new RegExp(`Last build\\n {2}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ \\(2 min ago\\): success \\(build: success 1; run ${build.runId}\\)`));
      assert.match(text, new RegExp(`${syncName} → slack \\(schedule off\\)\\n +last run .*: FAILED, sent 0, rejected 0, retrying 0\\n +SB_SYNC_SLACK_SECRET_MISSING: `));
      assert.match(text, new RegExp(`work-analytics \\(schedule off\\)\\n +last run .*: success, .* → .*, ${pull.landed} landed`));
      assert.match(text, new RegExp(`\\n {2}sync:${syncName} +off +- +idle +failed SB_SYNC_SLACK_SECRET_MISSING, `));
      assert.doesNotMatch(text, /Note: the control tables/);
    });
  });
}

describe('status when the control tables cannot be read', () => {
  const live = (reachable: boolean): LiveStatus => ({
    spool: { writable: true, backlogBytes: 2048, maxBytes: 1024 ** 3, error: null },
    warehouse: { reachable, error: reachable ? null : 'connect ECONNREFUSED 127.0.0.1:5432', landedEvents: 3, landedRejections: 0 },
    drain: { stalled: false, stalledForSeconds: 0, stallAfterSeconds: 300, quarantined: 0, conflicts: 0 },
    node: 'web-1:1:2:abcdef',
    config: { source: null, fingerprint: 'f00' },
    models: { running: false, schedule: 'off', lastRun: { runId: 'r-here', command: 'build', finishedAt: '2025-03-04T09:00:00.000Z', success: true, counts: { success: 2 } } },
    syncs: [],
    pulls: [],
    jobs: [],
  });
  /** A warehouse whose every query hangs, or fails the test when `asked` is false. */
  const warehouse = (asked: boolean): Warehouse =>
    ({
      dialect: dialectFor('duckdb'),
      all: () => (asked ? new Promise(() => undefined) : assert.fail('the warehouse was asked although it is not reachable')),
    }) as unknown as Warehouse;
  const scope = { rawSchema: 'raw', modelsSchema: 'analytics', families: [], syncs: [], pullSources: [], jobs: [] };

  test("a warehouse known to be down is not asked: the report is this process's own, and says why", async () => {
    const report = await statusReporter({ live: () => live(false), warehouse: warehouse(false), scope })();
    assert.equal(report.landing, null);
    assert.equal(report.models.lastRun?.runId, 'r-here');
    assert.equal(report.historyError, "the warehouse is not reachable (connect ECONNREFUSED 127.0.0.1:5432); the last runs shown are this process's own");
    const text = renderStatus({ status: 'ready', ...report });
    assert.match(text, /warehouse +NOT REACHABLE: connect ECONNREFUSED/);
    assert.match(text, /backlog +2\.0 KiB waiting of 1\.0 GiB/);
    assert.match(text, /Note: the control tables could not be read: the warehouse is not reachable/);
  });

  test('a warehouse that does not answer: GET /status answers anyway, after its deadline', async () => {
    const report = await statusReporter({ live: () => live(true), warehouse: warehouse(true), scope, deadlineMs: 20 })();
    assert.equal(report.landing, null);
    assert.equal(report.historyError, "the warehouse did not answer within 0.02 s; the last runs shown are this process's own");
  });
});
