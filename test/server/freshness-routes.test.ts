/**
 * POST /source-freshness on the operator API, in-process: what it streams (a line per table,
 * then the results), what it refuses before anything runs (409 while the `freshness` job is
 * held, 400 for a selector that names nothing, 422 for declarations that do not load), and the
 * job's run it leaves in the history.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import type { FreshnessResults } from '../../sql/engine/freshness.js';
import { FRESHNESS_JOB } from '../../server/jobs/definitions.js';
import { captureLogger } from '../helpers/logs.js';

const SOURCES = 'sources:\n  - name: raw\n    tables:\n      - name: meetings_events\n        freshness: null\n';

describe('POST /source-freshness', () => {
  let h: Harness;
  const logs = captureLogger('info', (line) => line.component === 'freshness');
  before(async () => {
    h = await startHarness({
      logger: logs.logger,
      config: { models: { paths: ['./analytics'], schedule: 'off', freshnessSchedule: 'off' } },
      beforeStart: async (dir) => {
        mkdirSync(join(dir, 'analytics'));
        writeFileSync(join(dir, 'analytics', 'sources.yml'), SOURCES);
      },
    });
    assert.equal((await h.send('voice')).statusCode, 200);
    await h.drain();
  });
  after(async () => {
    await h.close();
    rmSync(h.dir, { recursive: true, force: true });
  });

  test('streams one line per table as it is checked, then the results; the job records the run', async () => {
    const res = await h.admin({ method: 'POST', url: '/source-freshness' }); // no body: every declared table
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
    const lines = res.body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines.slice(0, -1) as Array<{ index: number; total: number; result: { table: string; status: string } }>;
    assert.deepEqual(
      progress.map((p) => [p.index, p.total, p.result.table, p.result.status]),
      [
        [1, 3, 'voice_events', 'pass'],
        [2, 3, 'messaging_events', 'warn'],
        [3, 3, 'contact_center_events', 'warn'],
      ],
      "meetings_events switched off in the project's YAML",
    );
    const results = lines.at(-1) as unknown as FreshnessResults;
    assert.equal(results.results.length, 3);
    assert.equal(results.selection, null);
    const [run] = await h.query(`SELECT job, status, summary FROM raw._job_runs WHERE job = 'freshness' ORDER BY started_at DESC LIMIT 1`);
    assert.equal(run?.status, 'success');
    assert.deepEqual(JSON.parse(String(run?.summary)), { checkId: results.checkId, pass: 1, warn: 2, error: 0, runtimeError: 0, total: 3 });
  });

  test('refuses before running: the job held elsewhere (409), a selector that names nothing (400), declarations that do not load (422)', async () => {
    const held = await h.server.jobs.claim(FRESHNESS_JOB);
    const busy = await h.admin({ method: 'POST', url: '/source-freshness', payload: {} });
    await held.finish({ status: 'success', summary: null });
    assert.equal(busy.statusCode, 409);
    assert.equal((busy.json() as { error: { code: string } }).error.code, 'SB_MODEL_FRESHNESS_RUNNING');

    const typo = await h.admin({ method: 'POST', url: '/source-freshness', payload: { select: ['source:raw.meetings'] } });
    assert.equal(typo.statusCode, 400);
    assert.match((typo.json() as { error: { message: string } }).error.message, /No declared source table matches "source:raw\.meetings" \(did you mean "source:raw\.meetings_events"\?\)/);

    writeFileSync(join(h.dir, 'analytics', 'sources.yml'), 'sources:\n  - name: raw\n    freshness: { error_after: { count: 1, period: hour } }\n    tables:\n      - name: voice_events\n        loaded_at_field: null\n');
    const broken = await h.admin({ method: 'POST', url: '/source-freshness', payload: {} });
    assert.equal(broken.statusCode, 422);
    const error = (broken.json() as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'SB_MODEL_SOURCES');
    assert.match(error.message, /^raw\.voice_events \(switchboard:sources\.yml, project:sources\.yml\): freshness needs loaded_at_field/);
    writeFileSync(join(h.dir, 'analytics', 'sources.yml'), SOURCES);
  });

  test('the scheduled job checks every declared table and logs one line; an error is a warning in the log, not a failed job', async () => {
    writeFileSync(join(h.dir, 'analytics', 'sources.yml'), `${SOURCES}      - name: ghost_events\n`);
    const results = (await h.server.jobs.tick(FRESHNESS_JOB)) as FreshnessResults;
    assert.deepEqual(results.results.map((r) => [r.table, r.status]).at(-1), ['ghost_events', 'runtime error']);
    const line = logs.lines.find((l) => l.checkId === results.checkId);
    assert.equal(line?.level, 40);
    assert.match(String(line?.msg), /^source freshness: PASS=1 WARN=2 ERROR=1 TOTAL=4; .*could not be checked: /);
    const [run] = await h.query(`SELECT status, ${'"trigger"'} AS tr FROM raw._job_runs WHERE job = 'freshness' ORDER BY started_at DESC LIMIT 1`);
    assert.deepEqual([run?.status, run?.tr], ['success', 'schedule']);
    writeFileSync(join(h.dir, 'analytics', 'sources.yml'), SOURCES);
  });
});
