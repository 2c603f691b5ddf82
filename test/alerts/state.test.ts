/**
 * `<rawSchema>._alerts` round-trips an alert's whole state on DuckDB and on Postgres: status,
 * dates, counters, details and deliveries as written, pending rows deleted when they clear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { AlertStore, type AlertRow } from '../../server/alerts/state.js';
import { migrated } from '../helpers/migrate.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const row = (key: string, status: AlertRow['status']): AlertRow => ({
  key,
  rule: 'authFailures',
  pipeline: key.split(':')[1] ?? '',
  status,
  severity: 'error',
  summary: `${key}: 12 authentication failures`,
  details: { refusals: 12, byCode: { SB_INGEST_SIGNATURE_INVALID: 12 } },
  pendingSince: status === 'pending' ? new Date('2026-11-27T09:00:00.000Z') : null,
  firstFiredAt: status === 'pending' ? null : new Date('2026-11-27T09:00:00.000Z'),
  lastNotifiedAt: status === 'pending' ? null : new Date('2026-11-27T09:30:00.000Z'),
  resolvedAt: status === 'resolved' ? new Date('2026-11-27T10:00:00.000Z') : null,
  notifyCount: status === 'pending' ? 0 : 2,
  deliveries: status === 'pending' ? {} : { slack: { state: status === 'resolved' ? 'resolved' : 'fired', lastSentAt: '2026-11-27T09:30:00.000Z', ref: { channel: 'C0ALERTS', ts: '1700000000.000100' }, error: null, failures: 0 } },
  updatedAt: new Date(`2026-11-27T1${status === 'resolved' ? 1 : 0}:00:00.000Z`),
});

for (const target of [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: ':memory:' }), schema: 'raw' },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schema: uniqueSchema('raw') },
]) {
  test(`the alert state round-trips on ${target.name}`, async (t) => {
    const wh: Warehouse = await migrated(await target.open(), { rawSchema: target.schema });
    t.after(async () => {
      if (target.schema !== 'raw') await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(target.schema)} CASCADE`);
      await wh.close();
    });
    const store = new AlertStore(wh, target.schema);
    const rows = [row('authFailures:meetings', 'firing'), row('authFailures:voice', 'resolved'), row('authFailures:messaging', 'pending')];
    await store.save(rows, []);
    const loaded = new Map((await store.load()).map((r) => [r.key, r]));
    for (const written of rows) assert.deepEqual(loaded.get(written.key), written, written.key);

    assert.deepEqual((await store.list('all', 10)).map((r) => r.key), ['authFailures:meetings', 'authFailures:voice'], 'firing first; pending ones left out');
    assert.deepEqual((await store.list('pending', 10)).map((r) => r.key), ['authFailures:messaging']);

    await store.save([{ ...row('authFailures:meetings', 'resolved'), notifyCount: 3 }], ['authFailures:messaging']);
    const after = await store.load();
    assert.deepEqual(after.map((r) => r.key).sort(), ['authFailures:meetings', 'authFailures:voice']);
    assert.equal(after.find((r) => r.key === 'authFailures:meetings')?.notifyCount, 3);
  });
}
