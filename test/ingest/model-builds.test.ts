/**
 * Model builds inside the server: the operator API's POST /build (NDJSON progress), one build
 * at a time shared with the schedule, and scheduled builds that log, save run results, and
 * never take the server down. Real DuckDB and real Postgres.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { ProgressEvent, RunResults } from '../../sql/engine/run.js';
import { waitFor } from '../helpers/wait-for.js';
import { mockClock } from '../helpers/clock.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { captureLogger } from '../helpers/logs.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { createTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const WARN = 40;
const ERROR = 50;
const INFO = 30;


async function landSamples(h: Harness): Promise<void> {
  for (const family of ['voice', 'messaging', 'meetings'] as const) assert.equal((await h.send(family)).statusCode, 200);
  await h.drain();
}

/** A model project, removed when the test that makes it ends. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-project-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('model builds in the server', () => {
  test('one build at a time: while one runs, POST /build and /test get 409 SB_MODEL_BUILD_RUNNING and a scheduled build is skipped', async () => {
    const { logger, lines } = captureLogger('debug', (line) => line.component === 'models');
    const h = await startHarness({ config: { models: { schedule: 'off' } }, logger });
    try {
      await landSamples(h);
      // Hold DuckDB's one connection, so the first build waits inside its run, holding the job.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = h.server.warehouse.transaction(() => gate);
      const first = h.admin({ method: 'POST', url: '/build', payload: {} });
      await waitFor(() => h.server.jobs.isRunning('models'), 'the first build holds the job');

      for (const url of ['/build', '/test']) {
        const second = await h.admin({ method: 'POST', url, payload: { select: ['calls'] } });
        assert.equal(second.statusCode, 409, url);
        assert.equal((second.json() as { error: { code: string } }).error.code, 'SB_MODEL_BUILD_RUNNING');
      }
      lines.length = 0;
      assert.equal(await h.server.jobs.tick('models'), null);
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg]),
        [[WARN, 'scheduled build skipped: another build is running']],
      );

      release();
      await held;
      const response = await first;
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
      const body = response.body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ProgressEvent & RunResults);
      const results = body.at(-1) as RunResults;
      assert.equal(results.command, 'build');
      assert.equal(results.success, true, JSON.stringify(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass')));
      const events = body.slice(0, -1) as ProgressEvent[];
      assert.deepEqual(events[0] && [events[0].phase, events[0].index, events[0].total], ['start', 1, results.results.length]);
      assert.deepEqual(
        events.filter((e) => e.phase === 'end').map((e) => e.result),
        results.results,
        'one end event per node, carrying its result',
      );
      assert.equal(h.server.builds.running, false, 'the lock is released');
      const ready = (await h.admin({ method: 'GET', url: '/status' })).json() as { models: { running: boolean; lastRun: { runId: string; success: boolean; counts: Record<string, number> } } };
      assert.equal(ready.models.running, false);
      assert.equal(ready.models.lastRun.runId, results.runId, '/status (switchboard status) reports the last build');
      assert.equal(ready.models.lastRun.counts.success, results.results.filter((r) => r.status === 'success').length);
      const again = await h.admin({ method: 'POST', url: '/test' });
      assert.equal(again.statusCode, 200, 'a bare POST (no body) runs everything');
      assert.equal((JSON.parse(again.body.trim().split('\n').at(-1) as string) as RunResults).command, 'test');
    } finally {
      await h.close();
    }
  });

  test('POST /build refuses what it can check before running: a selector that matches nothing', async () => {
    const h = await startHarness({ config: { models: { schedule: 'off' } } });
    try {
      const response = await h.admin({ method: 'POST', url: '/build', payload: { select: ['calz+'] } });
      assert.equal(response.statusCode, 400);
      assert.deepEqual(response.json(), { error: { code: 'SB_MODEL_SELECTOR', message: 'No model is named "calz" (did you mean "calls"?).' } });
      assert.equal(h.server.builds.running, false);
    } finally {
      await h.close();
    }
  });

  test('a scheduled build logs each model, each test that did not pass, and a summary; a failing model or a broken project is logged, not thrown', async () => {
    const dir = project({
      'ok.sql': "{{ config(materialized='table') }}\nselect 1 as id",
      'broken.sql': "{{ config(materialized='table') }}\nselect * from no_such_table",
      'downstream.sql': "select * from {{ ref('broken') }}",
      'schema.yml': 'models:\n  - name: ok\n    columns:\n      - name: id\n        tests: [not_null, unique]\n',
    });
    const { logger, lines } = captureLogger('debug', (line) => line.component === 'models');
    const h = await startHarness({ config: { models: { schedule: 'off', dir } }, logger });
    const schedule = { runOnce: async () => (await h.server.jobs.tick('models')) as RunResults | null };
    try {
      lines.length = 0;
      const results = await schedule.runOnce();
      assert.equal(results?.success, false);
      const byNode = (node: string) => lines.find((l) => l.node === node);
      assert.equal(byNode('model.ok')?.level, INFO);
      assert.equal(byNode('model.ok')?.msg, `table model analytics.ok: success (1 row in ${String(byNode('model.ok')?.seconds)}s)`);
      assert.equal(byNode('model.broken')?.level, ERROR);
      assert.match(String(byNode('model.broken')?.reason), /^broken\.sql: .*no_such_table/);
      assert.equal(byNode('model.downstream')?.level, WARN);
      assert.equal(byNode('model.downstream')?.msg, 'view model analytics.downstream: skipped: upstream model.broken did not succeed');
      const passing = lines.filter((l) => l.status === 'pass');
      assert.ok(passing.length > 0, 'the passing tests (not_null, unique on ok.id) are logged');
      assert.equal(passing.every((l) => l.level < INFO), true, 'passing tests only at debug');
      const summary = lines.at(-1);
      assert.equal(summary?.level, INFO);
      assert.equal(summary?.msg, `scheduled build finished: PASS=3 WARN=0 ERROR=1 SKIP=1 TOTAL=5 in ${String(results?.seconds)}s`);
      assert.deepEqual([summary?.pass, summary?.error, summary?.skip, summary?.total, summary?.runId], [3, 1, 1, 5, results?.runId]);
      assert.equal(readResults(h).runId, results?.runId, 'run results saved');

      // The project is read again for every build: a template that no longer renders is logged.
      writeFileSync(join(dir, 'typo.sql'), 'select {{ ref( }}');
      lines.length = 0;
      assert.equal(await schedule.runOnce(), null);
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.level, ERROR);
      assert.equal(lines[0]?.msg, 'scheduled build failed');
      assert.equal((lines[0]?.err as { code?: string }).code, 'SB_MODEL_TEMPLATE');
      assert.equal(h.server.builds.running, false);
      rmSync(join(dir, 'typo.sql'));
      assert.notEqual(await schedule.runOnce(), null, 'the next one runs again');
      assert.equal((await h.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'the server is unaffected');
    } finally {
      await h.close();
    }
  });

  test('serve builds on models.schedule (a 6-field cron, every second) and saves run results; close stops it', async (t) => {
    const h = await startHarness({ config: { models: { schedule: '* * * * * *' } } });
    try {
      await landSamples(h);
      const clock = mockClock(t, ['setTimeout', 'Date']); // node-cron's clock
      h.server.jobs.start();
      clock.tick(1000); // the next second
      const file = join(h.dir, 'data', 'target', 'run_results.json');
      await waitFor(() => existsSync(file), 'a scheduled build wrote run_results.json');
      const results = readResults(h);
      assert.equal(results.command, 'build');
      assert.equal(results.success, true);
      await waitFor(async () => {
        const rows = await h.query<{ n: number }>(`SELECT count(*) AS n FROM analytics.sb_run_results WHERE run_id = '${results.runId}'`);
        return rows[0]?.n === results.results.length;
      }, 'its rows in analytics.sb_run_results');
      const calls = await h.query<{ n: number }>('SELECT count(*) AS n FROM analytics.calls');
      assert.equal(calls[0]?.n, 1);
    } finally {
      await h.close(); // a schedule left running would keep this test process alive
    }
  });

  describe('on Postgres, down when serve starts', () => {
    let proxy: TcpProxy;
    let proxyUp = false;
    let h: Harness;
    const modelsSchema = uniqueSchema('analytics');
    after(async () => {
      if (!proxyUp) await proxy?.start();
      await h?.server.warehouse.run(`DROP SCHEMA IF EXISTS "${modelsSchema}" CASCADE`);
      await h?.close();
      await proxy?.stop();
    });

    test('a scheduled build is skipped with a warning and POST /build answers 503 until the warehouse answers; then both build', async () => {
      const { logger, lines } = captureLogger('debug', (line) => line.component === 'models');
      proxy = await createTcpProxy(5432);
      const rawSchema = uniqueSchema();
      h = await startHarness({
        config: {
          warehouse: { type: 'postgres', url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, rawSchema },
          drain: { maxBackoffMs: 300 },
          models: { schedule: 'off', schema: modelsSchema },
        },
        rawSchema,
        logger,
      });
      const schedule = { runOnce: async () => (await h.server.jobs.tick('models')) as RunResults | null };
      lines.length = 0;
      assert.equal(await schedule.runOnce(), null);
      assert.deepEqual([lines[0]?.level, lines[0]?.msg], [WARN, 'scheduled build skipped: the warehouse is not reachable']);
      assert.equal((lines[0]?.err as { code?: string }).code, 'SB_SQL_UNAVAILABLE');
      const refused = await h.admin({ method: 'POST', url: '/build', payload: {} });
      assert.equal(refused.statusCode, 503);
      assert.equal((refused.json() as { error: { code: string } }).error.code, 'SB_SQL_UNAVAILABLE');

      await proxy.start();
      proxyUp = true;
      await landSamples(h);
      const results = await schedule.runOnce();
      assert.equal(results?.success, true, JSON.stringify(results?.results.filter((r) => r.status !== 'success' && r.status !== 'pass')));
      const saved = await h.query<{ n: number }>(`SELECT count(*) AS n FROM "${modelsSchema}".sb_run_results WHERE run_id = '${results?.runId}'`);
      assert.equal(Number(saved[0]?.n), results?.results.length);
      const streamed = await h.admin({ method: 'POST', url: '/build', payload: { select: ['calls'] } });
      assert.equal(streamed.statusCode, 200);
      assert.equal((JSON.parse(streamed.body.trim().split('\n').at(-1) as string) as RunResults).success, true);
      const calls = await h.query<{ n: number }>(`SELECT count(*) AS n FROM "${modelsSchema}".calls`);
      assert.equal(Number(calls[0]?.n), 1);
    });
  });
});

function readResults(h: Harness): RunResults {
  return JSON.parse(readFileSync(join(h.dir, 'data', 'target', 'run_results.json'), 'utf8')) as RunResults;
}

describe('the reconciliation models follow the pulls', () => {
  const built = async (h: Harness, request: { exclude?: string[] } = {}): Promise<string[]> => {
    const results = await h.server.builds.run('build', request);
    return results.results.filter((r) => r.kind === 'model').map((r) => r.node);
  };

  test('left out while no pull source is configured, built once one is, and --exclude overrides both', async () => {
    const plain = await startHarness({ config: { models: { schedule: 'off' } } });
    try {
      const nodes = await built(plain);
      assert.ok(nodes.includes('model.calls'));
      assert.equal(nodes.filter((n) => n.startsWith('model.reconciliation')).length, 0, 'nothing to reconcile without pulls');
      assert.ok((await built(plain, { exclude: [] })).includes('model.reconciliation_daily'), 'an explicit (empty) --exclude builds them anyway');
    } finally {
      await plain.close();
    }
    const pulling = await startHarness({ config: { models: { schedule: 'off' }, pulls: { connect: { subAccountId: 'acme', schedule: 'off' } } } });
    try {
      const nodes = await built(pulling);
      assert.ok(nodes.includes('model.reconciliation_items') && nodes.includes('model.reconciliation_daily'));
      assert.ok(!(await built(pulling, { exclude: ['tag:reconciliation'] })).includes('model.reconciliation_daily'));
    } finally {
      await pulling.close();
    }
  });
});
