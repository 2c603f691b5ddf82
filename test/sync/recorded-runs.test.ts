/**
 * Every sync run leaves a row in switchboard_sync.runs, failed or not, with its error code:
 * also a scheduled run whose destination cannot even start (no credentials), and one the
 * destination refuses (a fake Slack that does not know the token). Before, such runs were
 * visible only in the JSON log. Real DuckDB and real Postgres, through serve's job runner.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import { runsTable, SYNC_SCHEMA } from '../../sync/state.js';
import type { SyncRunResult } from '../../sync/sync-run.js';

const TOKEN_ENV = 'SWITCHBOARD_SLACK_BOT_TOKEN';

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`recorded sync runs, on ${warehouse}`, () => {
    let h: Harness;
    let slack: FakeSlack;
    const modelsSchema = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    // Postgres keeps switchboard_sync between test runs: fresh sync names per run.
    const suffix = Math.random().toString(36).slice(2, 8);
    const names = { noToken: `no_token_${suffix}`, refused: `refused_${suffix}` };

    before(async () => {
      slack = await startFakeSlack();
      const sync = (name: string) => ({ name, model: 'alerts', key: 'id', destination: 'slack', object: 'C0ALERTS', mapping: { text: 'text' }, schedule: 'off' });
      h = await startHarness({
        warehouse,
        config: {
          models: { schedule: 'off', schema: modelsSchema },
          syncs: [sync(names.noToken), sync(names.refused)],
          destinations: { slack: { apiUrl: slack.url, postIntervalMs: 0, historyIntervalSeconds: 0 } },
        },
      });
      await h.server.warehouse.run(`CREATE SCHEMA IF NOT EXISTS ${modelsSchema}`);
      await h.server.warehouse.run(`CREATE TABLE ${modelsSchema}.alerts AS SELECT 'a1' AS id, 'a missed call' AS text`);
    });
    after(async () => {
      delete process.env[TOKEN_ENV];
      if (h !== undefined) {
        if (warehouse === 'postgres') {
          await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${modelsSchema} CASCADE`);
          for (const table of ['runs', 'outcomes', 'snapshots', 'rejections']) {
            await h.server.warehouse.run(`DELETE FROM ${SYNC_SCHEMA}.${table} WHERE sync_name IN ('${names.noToken}', '${names.refused}')`);
          }
        }
        await h.close();
      }
      await slack?.close();
    });

    /** The runs table's rows of `sync`, oldest first. */
    const runs = (sync: string) =>
      h.query<{ run_id: string; status: string; error_code: string | null; error: string | null; dry_run: boolean }>(
        `SELECT run_id, status, error_code, error, dry_run FROM ${SYNC_SCHEMA}.runs WHERE sync_name = '${sync}' ORDER BY started_at`,
      );

    test('a scheduled run whose destination has no credentials is recorded as failed, with the code', async () => {
      delete process.env[TOKEN_ENV];
      const result = (await h.server.jobs.tick(`sync:${names.noToken}`)) as SyncRunResult;
      assert.deepEqual([result.status, result.error?.code], ['failed', 'SB_SYNC_SLACK_SECRET_MISSING']);
      const rows = await runs(names.noToken);
      assert.deepEqual(
        rows.map((r) => [r.run_id, r.status, r.error_code, r.dry_run]),
        [[result.runId, 'failed', 'SB_SYNC_SLACK_SECRET_MISSING', false]],
      );
      assert.match(rows[0]?.error ?? '', /^SB_SYNC_SLACK_SECRET_MISSING: SWITCHBOARD_SLACK_BOT_TOKEN is not set/);
      const [job] = await h.query<{ status: string; error_code: string }>(`SELECT status, error_code FROM ${h.raw('_job_runs')} WHERE job = 'sync:${names.noToken}'`);
      assert.deepEqual([job?.status, job?.error_code], ['failed', 'SB_SYNC_SLACK_SECRET_MISSING'], 'the job history agrees');
    });

    test('a run the destination refuses (a token Slack does not know) is recorded as failed, with its code', async () => {
      process.env[TOKEN_ENV] = 'xoxb-not-the-workspaces';
      const result = (await h.server.jobs.tick(`sync:${names.refused}`)) as SyncRunResult;
      assert.equal(result.status, 'failed');
      assert.equal(result.error?.code, 'invalid_auth');
      assert.equal(slack.messages('C0ALERTS').length, 0, 'nothing was posted');
      const rows = await runs(names.refused);
      assert.deepEqual(rows.map((r) => [r.run_id, r.status, r.error_code]), [[result.runId, 'failed', 'invalid_auth']]);
      assert.match(rows[0]?.error ?? '', /SWITCHBOARD_SLACK_BOT_TOKEN/, 'the message says how to fix it');

      // Fixed (secrets are read at start): the next run sends, and is recorded too, without an error.
      process.env[TOKEN_ENV] = slack.token;
      await h.restart();
      const fixed = (await h.server.jobs.tick(`sync:${names.refused}`)) as SyncRunResult;
      assert.deepEqual([fixed.status, fixed.sent], ['success', 1]);
      assert.deepEqual((await runs(names.refused)).map((r) => [r.status, r.error_code]), [['failed', 'invalid_auth'], ['success', null]]);
    });
  });
}

describe('a runs table from before error_code', () => {
  let h: Harness;
  const name = `legacy_${Math.random().toString(36).slice(2, 8)}`;
  before(async () => {
    h = await startHarness({ config: { models: { schedule: 'off' }, syncs: [{ name, model: 'alerts', key: 'id', destination: 'slack', object: 'C0ALERTS', mapping: { text: 'text' }, schedule: 'off' }], destinations: { slack: {} } } });
  });
  after(() => h.close());

  test('gains the column at the next run, and the run fills it', async () => {
    const d = h.server.warehouse.dialect;
    const legacy = { ...runsTable, columns: runsTable.columns.filter((c) => c.name !== 'error_code') };
    await h.server.warehouse.run(d.createSchema(SYNC_SCHEMA));
    await h.server.warehouse.run(d.createTable(legacy));
    delete process.env[TOKEN_ENV];
    const result = (await h.server.jobs.tick(`sync:${name}`)) as SyncRunResult;
    const rows = await h.query<{ run_id: string; error_code: string }>(`SELECT run_id, error_code FROM ${SYNC_SCHEMA}.runs WHERE sync_name = '${name}'`);
    assert.deepEqual(rows, [{ run_id: result.runId, error_code: 'SB_SYNC_SLACK_SECRET_MISSING' }]);
  });
});
