/**
 * The missed-webhook alert of `serve`: recent days of reconciliation_daily above the
 * configured share are logged (code SB_PULL_WEBHOOKS_MISSED) once until they change, small
 * days and old days are not, and the highest share per source is a /metrics gauge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { captureLogger } from '../helpers/logs.js';
import { ReconciliationCheck } from '../../ingest/pulls/reconciliation-check.js';
import { Metrics } from '../../ingest/metrics.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { runSync, type SyncDefinition } from '../../sync/engine.js';
import { createSlackDestination } from '../../sync/destinations/slack/index.js';
import { startFakeSlack } from '../../fakes/slack/index.js';
import { migrated } from '../helpers/migrate.js';


test('breaches of recent, big-enough days are logged once and exported as a gauge', async () => {
  const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
  const { logger, lines } = captureLogger();
  const metrics = new Metrics({ backlogBytes: () => 0, spoolStats: () => ({ appends: 0, syncs: 0, bytes: 0 }), drainStats: () => ({ events: 0, rejections: 0, batches: 0, failures: 0, quarantined: 0, conflicts: 0 }), warehouseUp: () => true });
  const check = new ReconciliationCheck({ warehouse: wh, analyticsSchema: 'analytics', settings: { missedShareAlert: 0.05, minEvents: 20, days: 3 }, logger, metrics });
  try {
    assert.deepEqual(await check.run(new Date('2026-11-27T12:00:00Z')), [], 'no model yet: nothing to say, no error');

    await wh.run('CREATE SCHEMA analytics');
    await wh.run(`CREATE TABLE analytics.reconciliation_daily AS SELECT * FROM (VALUES
      ('connect_sms',   DATE '2026-11-26', 100, 10, 0.10),  -- breach
      ('connect_sms',   DATE '2026-11-25', 100,  2, 0.02),  -- under the threshold
      ('connect_voice', DATE '2026-11-26',  10,  5, 0.50),  -- too few events to judge
      ('connect_voice', DATE '2026-11-01', 100, 90, 0.90)   -- older than days
    ) AS t(source, day, pull_events, missed_webhooks, missed_share)`);
    const now = new Date('2026-11-27T12:00:00Z');
    const breaches = await check.run(now);
    assert.deepEqual(breaches, [{ source: 'connect_sms', day: '2026-11-26', pullEvents: 100, missedWebhooks: 10, missedShare: 0.1 }]);
    const alerts = () => lines.filter((l) => l['code'] === 'SB_PULL_WEBHOOKS_MISSED');
    assert.equal(alerts().length, 1);
    assert.equal(alerts()[0]?.['level'], 50, 'logged as an error');
    assert.match(String(alerts()[0]?.['msg']), /10 of 100 connect_sms events on 2026-11-26 \(10\.0 %\) never arrived as webhooks .*pulls\.reconciliation\.missedShareAlert.*reconciliation_missed_webhooks/);

    await check.run(now);
    assert.equal(alerts().length, 1, 'the same breach is not logged again');
    await wh.run(`UPDATE analytics.reconciliation_daily SET missed_webhooks = 12, missed_share = 0.12 WHERE source = 'connect_sms' AND day = DATE '2026-11-26'`);
    await check.run(now);
    assert.equal(alerts().length, 2, 'a breach that grew is logged again');

    const exposition = await metrics.registry.metrics();
    assert.match(exposition, /switchboard_webhooks_missed_share\{source="connect_sms"\} 0\.12/);
    assert.match(exposition, /switchboard_webhooks_missed_share\{source="connect_voice"\} 0\.5/);
  } finally {
    await wh.close();
  }
});

test('the Slack alert for missed webhooks: slack_missed_webhooks through a sync posts one message per day, and edits it when more go missing', async () => {
  const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
  const fake = await startFakeSlack();
  try {
    await wh.run('CREATE SCHEMA analytics');
    await migrated(wh);
    await wh.run(`CREATE TABLE analytics.reconciliation_daily AS SELECT * FROM (VALUES
      ('connect_sms',   DATE '2026-11-26', 100, 10, 0.10),
      ('connect_sms',   DATE '2026-11-25', 100,  2, 0.02),
      ('connect_voice', DATE '2026-11-26',  10,  5, 0.50)
    ) AS t(source, day, pull_events, missed_webhooks, missed_share)`);
    const settings: ProjectSettings = { targetSchema: 'analytics', sources: { raw: 'raw' }, vars: { missed_webhooks_alert_share: 0.05, missed_webhooks_min_events: 20 }, lookbackSeconds: 3600 };
    const project = await loadProject(BUNDLED_MODELS_DIR, wh.dialect);
    const built = await build(wh, project, { settings, select: ['slack_missed_webhooks'] });
    assert.deepEqual(built.results.filter((r) => r.status !== 'success' && r.status !== 'pass'), [], 'the view builds and its data tests pass');

    const slack = createSlackDestination({ apiUrl: fake.url }, { SWITCHBOARD_SLACK_BOT_TOKEN: fake.token });
    const definition: SyncDefinition = {
      name: 'missed_webhooks_to_slack', model: 'slack_missed_webhooks', key: 'alert_key', destination: 'slack', object: 'C0ALERTS',
      mapping: { text: 'text' }, mode: 'upsert', schedule: 'off', priority: 'alert',
    };
    const sync = () => runSync(wh, definition, slack, { modelsSchema: 'analytics', sleep: async () => undefined });
    assert.equal((await sync()).sent, 1);
    assert.deepEqual(fake.messages('C0ALERTS').map((m) => m.text), [
      ':warning: 10 of 100 connect_sms events on 2026-11-26 (10 %) never arrived as webhooks. Which ones: reconciliation_missed_webhooks.',
    ]);
    assert.equal((await sync()).sent, 0, 'nothing new, nothing sent');
    await wh.run(`UPDATE analytics.reconciliation_daily SET missed_webhooks = 12, missed_share = 0.12 WHERE source = 'connect_sms' AND day = DATE '2026-11-26'`);
    assert.equal((await sync()).sent, 1);
    assert.deepEqual(fake.messages('C0ALERTS').map((m) => m.text), [
      ':warning: 12 of 100 connect_sms events on 2026-11-26 (12 %) never arrived as webhooks. Which ones: reconciliation_missed_webhooks.',
    ], 'the same message, edited');
  } finally {
    await fake.close();
    await wh.close();
  }
});
