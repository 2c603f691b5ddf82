/**
 * The `staleSources` alert, on DuckDB and Postgres: source freshness checked the way serve
 * checks it (SourceFreshnessChecks, with its clock set), then the alert service evaluated at
 * the same time. It fires for a table whose latest check is an error (`staleSources:<source.table>`),
 * resolves once a check finds it fresh again, fires for a table that cannot be checked, and
 * with includeWarn for warnings too, but never for a table with no rows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { ensureRawEventTable, rawEventTable } from '../../ingest/raw-tables.js';
import { modelsRuntime } from '../../sql/engine/from-config.js';
import { parseConfig } from '../../server/config.js';
import { AlertService } from '../../server/alerts/alert-service.js';
import { SourceFreshnessChecks } from '../../server/source-freshness.js';
import { migrated } from '../helpers/migrate.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { only } from './fixture.js';

const T0 = new Date('2026-05-06T08:00:00.000Z');
const minutes = (n: number): Date => new Date(T0.getTime() + n * 60_000);

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`staleSources on ${kind}`, () => {
    let wh: Warehouse;
    const raw = kind === 'postgres' ? uniqueSchema('raw') : 'raw';
    const models = kind === 'postgres' ? uniqueSchema('an') : 'analytics';
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-stale-sources-'));
    let now = T0;
    let n = 0;

    const land = async (table: string, at: Date): Promise<void> => {
      n += 1;
      await wh.writeRows(rawEventTable(raw, table), [
        {
          dedupe_key: `k${n}`, family: 'voice', event_type: 'e', body: '{}', headers: {}, source_ip: '127.0.0.1', verified_by: 'test', first_delivery_id: `d${n}`,
          first_received_at: at, last_received_at: at, delivery_count: 1, landed_at: at,
        },
      ]);
    };
    /** serve's view: the config (thresholds in models.freshness over the project's YAML) and the alerts service, both at `now`. */
    const setup = (rules: Record<string, unknown> = {}, freshness: Record<string, unknown> = {}) => {
      const file = parseConfig({
        warehouse: { rawSchema: raw },
        models: { dir, schema: models, targetDir: join(dir, 'target'), freshness },
        alerts: { rules: { ...only('staleSources'), staleSources: rules } },
      });
      const checks = new SourceFreshnessChecks(wh, modelsRuntime(file, {}, dir), () => now);
      const service = new AlertService({
        config: file.alerts, warehouse: wh, rawSchema: raw, modelsSchema: models, families: [], syncs: [], pullSources: [], reconciliation: null, routes: new Map(), node: 'test',
        drain: () => ({ stalled: false, stalledForSeconds: 0, stallAfterSeconds: 300, backlogBytes: 0, maxBytes: 1, warehouseError: null }),
        logger: pino({ level: 'silent' }), now: () => now,
      });
      return { checks, service };
    };
    const alerts = async (service: AlertService) => (await service.store.load()).filter((r) => r.rule === 'staleSources').map((r) => [r.key, r.status]).sort();

    before(async () => {
      wh = await migrated(await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : { type: 'postgres', url: TEST_POSTGRES_URL }), { rawSchema: raw, modelsSchema: models });
      for (const table of ['voice_events', 'meetings_events']) await ensureRawEventTable(wh, wh.dialect, raw, table);
      writeFileSync(
        join(dir, 'sources.yml'),
        'sources:\n  - name: raw\n    loaded_at_field: landed_at\n    freshness:\n      warn_after: { count: 30, period: minute }\n      error_after: { count: 2, period: hour }\n' +
          '    tables:\n      - name: voice_events\n      - name: meetings_events\n      - name: ghost_events\n        freshness: null\n',
      );
    });
    after(async () => {
      if (kind === 'postgres') for (const schema of [raw, models]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('fires when the latest check is past error_after, and resolves when a check finds it fresh again', async () => {
      const { checks, service } = setup();
      await land('voice_events', minutes(-60));
      now = T0;
      await checks.run();
      const warned = await service.evaluate();
      assert.equal(warned.fired, 0, 'a warning (an hour old) does not alert by default; neither does meetings, which has no rows');
      assert.deepEqual(await alerts(service), []);

      now = minutes(90); // 2.5 h since voice landed
      await checks.run();
      const stale = await service.evaluate();
      assert.equal(stale.fired, 1);
      const [row] = (await service.store.load()).filter((r) => r.rule === 'staleSources');
      assert.equal(row?.key, 'staleSources:raw.voice_events');
      assert.equal(row?.status, 'firing');
      assert.equal(row?.severity, 'error');
      assert.match(row?.summary ?? '', /^raw\.voice_events: 2\.5 hours since the last row was loaded \(error after 2 hours\) \(source freshness checked at 2026-05-06T09:30:00\.000Z;/);
      assert.deepEqual({ status: row?.details.status, ageSeconds: row?.details.ageSeconds, errorAfterSeconds: row?.details.errorAfterSeconds }, { status: 'error', ageSeconds: 9000, errorAfterSeconds: 7200 });

      now = minutes(91);
      assert.equal((await service.evaluate()).fired, 0, 'still stale: no second page');
      await land('voice_events', minutes(95));
      now = minutes(100);
      await checks.run();
      const fresh = await service.evaluate();
      assert.equal(fresh.resolved, 1);
      assert.deepEqual(await alerts(service), [['staleSources:raw.voice_events', 'resolved']]);
    });

    test('a table that cannot be checked fires; includeWarn fires for warnings too, but not for a table with no rows', async () => {
      const { checks, service } = setup({ includeWarn: true }, { 'raw.ghost_events': { errorAfter: { count: 1, period: 'hour' } } });
      now = minutes(110); // voice landed 15 min ago: pass; meetings: no rows; ghost_events: no table
      await checks.run();
      await service.evaluate();
      assert.deepEqual(await alerts(service), [
        ['staleSources:raw.ghost_events', 'firing'],
        ['staleSources:raw.voice_events', 'resolved'],
      ]);
      now = minutes(150); // voice 55 min old: past warn_after (30 min)
      await checks.run();
      await service.evaluate();
      assert.deepEqual(await alerts(service), [
        ['staleSources:raw.ghost_events', 'firing'],
        ['staleSources:raw.voice_events', 'firing'],
      ]);
      const [ghost] = (await service.store.load()).filter((r) => r.key === 'staleSources:raw.ghost_events');
      assert.match(ghost?.summary ?? '', /^raw\.ghost_events: could not be checked: /);
    });
  });
}
