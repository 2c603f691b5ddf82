/**
 * The default alert rules' conditions (rules-suite.ts), on DuckDB and on a real Postgres,
 * and the reconciliation rule fed by the existing reconciliation check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { ReconciliationCheck } from '../../ingest/pulls/reconciliation-check.js';
import { ALERT_RULES } from '../../server/alerts/rules/index.js';
import { parseConfig } from '../../server/config.js';
import { SYNC_SCHEMA } from '../../sync/state.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { ruleSuite } from './rules-suite.js';

ruleSuite({
  name: 'duckdb',
  open: () => openWarehouse({ type: 'duckdb', path: ':memory:' }),
  rawSchema: 'raw',
  modelsSchema: 'analytics',
  cleanup: async () => undefined,
});

const pgRaw = uniqueSchema('raw');
const pgModels = uniqueSchema('an');
ruleSuite({
  name: 'postgres',
  open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }),
  rawSchema: pgRaw,
  modelsSchema: pgModels,
  cleanup: async (wh, syncs) => {
    const d = wh.dialect;
    for (const schema of [pgRaw, pgModels]) await wh.run(`DROP SCHEMA IF EXISTS ${d.quoteIdent(schema)} CASCADE`);
    await wh.run(`DELETE FROM ${d.tableName(SYNC_SCHEMA, 'rejections')} WHERE sync_name IN (${syncs.map((_, i) => d.param(i + 1)).join(', ')})`, [...syncs]);
  },
});

test('reconciliationMissed routes the reconciliation check\'s breaches, one alert per source with its worst day', async () => {
  const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
  try {
    const check = new ReconciliationCheck({ warehouse: wh, analyticsSchema: 'analytics', settings: { missedShareAlert: 0.05, minEvents: 20, days: 3 }, logger: pino({ level: 'silent' }) });
    const now = new Date('2026-11-27T12:00:00Z');
    const ctx = {
      now, warehouse: wh, rawSchema: 'raw', modelsSchema: 'analytics', families: [], syncs: [], pullSources: [], has: () => false, signal: new AbortController().signal,
      drain: () => ({ stalled: false, stalledForSeconds: 0, stallAfterSeconds: 300, backlogBytes: 0, maxBytes: 1, warehouseError: null }),
      reconciliation: () => check.breaches(now),
    };
    const settings = parseConfig({}).alerts.rules.reconciliationMissed;
    assert.deepEqual((await ALERT_RULES.reconciliationMissed.check(ctx, settings)).findings, [], 'no model built yet: nothing');
    await wh.run('CREATE SCHEMA analytics');
    await wh.run(`CREATE TABLE analytics.reconciliation_daily AS SELECT * FROM (VALUES
      ('connect_sms', DATE '2026-11-26', 100, 10, 0.10), ('connect_sms', DATE '2026-11-25', 100, 30, 0.30), ('connect_voice', DATE '2026-11-26', 100, 1, 0.01)
    ) AS t(source, day, pull_events, missed_webhooks, missed_share)`);
    const found = (await ALERT_RULES.reconciliationMissed.check(ctx, settings)).findings;
    assert.deepEqual(found.map((f) => [f.pipeline, f.details.day]), [['connect_sms', '2026-11-25']]);
    assert.match(found[0]?.summary ?? '', /30 of 100 events pulled for 2026-11-25 \(30\.0 %\) never arrived as webhooks/);
    assert.equal((await ALERT_RULES.reconciliationMissed.check({ ...ctx, reconciliation: null }, settings)).findings.length, 0, 'no pull source: nothing to reconcile');
  } finally {
    await wh.close();
  }
});
