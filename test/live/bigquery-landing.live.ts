/**
 * Landing on a real BigQuery project survives SIGKILL: a real `switchboard serve` takes
 * signed events, is SIGKILLed mid-load (test/helpers/kill-load.ts), restarted, and so on;
 * then it drains, and the raw table BigQuery holds is read back. Every acknowledged event is
 * there, none is counted twice. The protocol-fake version (test/ingest/bigquery-landing.test.ts)
 * keeps the committed state itself; this one asks BigQuery.
 *
 * The load is paced and the kills come later than on a local warehouse, so that they land
 * inside the drainer's BigQuery transactions (BEGIN … COMMIT takes seconds), not before the
 * first one. `npm run test:live -- bigquery` (README › Testing › Live suites); the datasets
 * carry this file's prefix and are deleted at the end.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBigQuery } from '../../sql/warehouses/bigquery/open.js';
import { startServerProcess } from '../helpers/server-process.js';
import { withTestSecrets } from '../helpers/harness.js';
import { drainAndStop, sendUnderKills } from '../helpers/kill-load.js';
import { datasetPrefix, dropDatasets, liveProject, openOptions, warehouseConfig } from './bigquery-project.js';

const SECRET = 'whsec_bigquerylivekill';
const ROUNDS = 3;
const SENDERS = 2;
/** The first start creates the datasets and tables, a job each: more than a local warehouse's 20 s. */
const START_TIMEOUT_MS = 180_000;
const DRAIN_TIMEOUT_MS = 600_000;

const project = liveProject();
const prefix = datasetPrefix(project, 'landing');
const dir = mkdtempSync(join(tmpdir(), 'switchboard-bq-live-kill-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropDatasets(project, prefix);
});

describe('landing on BigQuery (live) survives SIGKILL', () => {
  test('every acknowledged event is in the raw table BigQuery holds, and no delivery is counted twice', { timeout: 30 * 60_000 }, async () => {
    const configPath = join(dir, 'switchboard.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        warehouse: warehouseConfig(project, prefix),
        spool: { dir: join(dir, 'spool'), segmentBytes: 256 * 1024 },
        drain: { batchSize: 100 },
        models: { schedule: 'off' },
        log: { level: 'warn' },
      }),
    );
    // The server's environment is the test's alone (server-process.ts), plus a proxy if this machine needs one to reach Google.
    const proxy = Object.fromEntries(['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'].flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]])));
    const env = withTestSecrets({ SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: SECRET, ...proxy });
    const start = () => startServerProcess(configPath, env, dir, { startTimeoutMs: START_TIMEOUT_MS });

    const { acked, attempts } = await sendUnderKills({ rounds: ROUNDS, senders: SENDERS, secret: SECRET, start, killAfterMs: [2_000, 15_000], pauseMs: 50 });
    assert.ok(acked.size > 30, `expected a real load, got ${acked.size} acknowledged events`);

    const { backlog, output } = await drainAndStop(await start(), dir, DRAIN_TIMEOUT_MS);
    assert.equal(backlog, 0, `the spool did not drain within ${DRAIN_TIMEOUT_MS / 1000} s; the server said:\n${output}`);

    const wh = await openBigQuery(openOptions(project, prefix));
    try {
      const rows = await wh.all<{ dedupe_key: string; delivery_count: number }>(`SELECT dedupe_key, delivery_count FROM ${wh.dialect.tableName('raw', 'meetings_events')}`);
      const landed = new Map(rows.map((r) => [r.dedupe_key.replace(/^jaas:/, ''), Number(r.delivery_count)]));
      assert.equal(landed.size, rows.length, 'one row per dedupe key');
      assert.deepEqual([...acked.keys()].filter((key) => !landed.has(key)), [], `acknowledged events missing; the last server said:\n${output}`);
      assert.deepEqual([...landed.keys()].filter((key) => !attempts.has(key)), [], 'events nobody sent');
      assert.deepEqual([...acked].filter(([key, n]) => (landed.get(key) ?? 0) < n), [], 'delivery_count below the acknowledged deliveries');
      assert.deepEqual([...landed].filter(([key, n]) => n > (attempts.get(key) ?? 0)), [], 'a delivery counted twice');
    } finally {
      await wh.close();
    }
  });
});
