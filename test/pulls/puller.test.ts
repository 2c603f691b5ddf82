/**
 * Pulls inside `serve`: the operator API's POST /pull (what `switchboard pull` uses while
 * the server holds the DuckDB file), one run per source at a time, scheduled ticks that skip
 * while a run goes on, /status reporting the last run, and a source whose credentials are
 * missing named at start instead of at its first tick.
 */
import { after, before, describe, test } from 'node:test';
import { jobRunner } from '../helpers/jobs.js';
import { pullJobFor } from '../../server/jobs/definitions.js';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { captureLogger } from '../helpers/logs.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { configuredSources } from '../../ingest/pulls/from-config.js';
import { Puller } from '../../ingest/pulls/puller.js';
import type { PullEvent, PullRunResult } from '../../ingest/pulls/runner.js';
import { loadConfig } from '../../server/config.js';

const CREDENTIALS = {
  SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
  SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
  SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
};


const waitFor = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
};

describe('pulls in serve', () => {
  let h: Harness;
  let fake: FakeWorkAnalytics;
  const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000);
  const range = { from: day.toISOString(), to: new Date(day.getTime() + 86_400_000).toISOString() };

  before(async () => {
    const seeded = seedWorkCalls({ count: 40, start: new Date(day.getTime() + 60_000), timeZone: 'UTC', spacingMs: 30 * 60_000 });
    fake = await startFakeWorkAnalytics({ records: seeded.records, legs: seeded.legs });
    Object.assign(process.env, CREDENTIALS);
    h = await startHarness({ config: { models: { schedule: 'off' }, pulls: { workAnalytics: { baseUrl: fake.baseUrl, timeZone: 'UTC', pageSize: 10, schedule: 'off' } } } });
  });
  after(async () => {
    for (const name of Object.keys(CREDENTIALS)) delete process.env[name];
    await h.close();
    await fake.close();
  });

  test('POST /pull streams the run; refusals come with a status and a code', async () => {
    const unknown = await h.admin({ method: 'POST', url: '/pull', payload: { source: 'work-analytcs' } });
    assert.equal(unknown.statusCode, 404);
    assert.match((unknown.json() as { error: { code: string; message: string } }).error.message, /No pull source "work-analytcs" is configured \(configured: work-analytics/);
    const half = await h.admin({ method: 'POST', url: '/pull', payload: { source: 'work-analytics', to: range.to } });
    assert.equal(half.statusCode, 400);
    assert.equal((half.json() as { error: { code: string } }).error.code, 'SB_PULL_RANGE');

    fake.pageDelayMs = 100; // hold the first run long enough to collide with it
    const first = h.admin({ method: 'POST', url: '/pull', payload: { source: 'work-analytics', ...range } });
    await waitFor(() => h.server.puller.isActive('work-analytics'), 'the first pull is running');
    const second = await h.admin({ method: 'POST', url: '/pull', payload: { source: 'work-analytics', ...range } });
    assert.equal(second.statusCode, 409);
    assert.equal((second.json() as { error: { code: string } }).error.code, 'SB_PULL_RUNNING');
    assert.equal(await h.server.jobs.tick('pull:work-analytics'), null, 'a scheduled tick meanwhile is skipped, not queued');

    const response = await first;
    fake.pageDelayMs = 0;
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/x-ndjson');
    const lines = response.body.trim().split('\n').map((l) => JSON.parse(l) as { event?: PullEvent; result?: PullRunResult });
    assert.equal(lines[0]?.event?.phase, 'start');
    assert.ok(lines.filter((l) => l.event?.phase === 'page').length >= 4, 'a line per page');
    const result = lines.at(-1)?.result;
    assert.deepEqual([result?.status, result?.landed, result?.mode], ['success', 120, 'backfill']);

    const ready = (await h.admin({ method: 'GET', url: '/status' })).json() as { pulls: Array<{ source: string; running: boolean; lastRun: { runId: string; landed: number } }> };
    assert.deepEqual(ready.pulls.map((p) => [p.source, p.running, p.lastRun.runId, p.lastRun.landed]), [['work-analytics', false, result?.runId, 120]]);
    const [rows] = await h.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${h.raw('work_events')}`);
    assert.equal(Number(rows?.n), 120, '40 call records and their 80 legs');
  });

  test('a scheduled tick runs the incremental pull and logs what it did', async () => {
    const result = (await h.server.jobs.tick('pull:work-analytics')) as PullRunResult | null;
    assert.equal(result?.mode, 'scheduled');
    assert.equal(result?.status, 'success');
  });
});

test('a source without credentials: serve names the variables at start and leaves its schedule off', async () => {
  const config = loadConfig({ cwd: '/', env: {}, skipSecrets: true, path: undefined });
  const file = { ...config.file, pulls: { ...config.file.pulls, workAnalytics: { baseUrl: 'http://127.0.0.1:9', timeZone: 'UTC', pageSize: 10, legs: true, schedule: '0 * * * *', lookbackHours: 24, initialDays: 2 } } };
  const { logger, lines } = captureLogger();
  const puller = new Puller({ warehouse: undefined as never, rawSchema: 'raw', sources: configuredSources(file, {}), logger });
  const jobs = jobRunner(undefined as never, puller.sources.map((source) => pullJobFor(puller, source, logger)));
  jobs.start();
  await jobs.stop();
  await puller.stop();
  const disabled = lines.find((l) => /scheduled pulls of work-analytics are disabled/.test(String(l['msg'])));
  assert.ok(disabled, JSON.stringify(lines));
  assert.match(String(disabled['msg']), /SWITCHBOARD_WORK_ANALYTICS_API_KEY, SWITCHBOARD_WORK_ANALYTICS_USERNAME, SWITCHBOARD_WORK_ANALYTICS_PASSWORD are not set/);
});
