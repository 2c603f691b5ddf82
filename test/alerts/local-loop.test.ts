/**
 * The drain's alerts go out while the warehouse is down, which is when the drain stalls: the
 * local loop keeps their state in memory, notifies, and writes it to `_alerts` once the
 * warehouse answers again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { startFakePagerDuty } from '../../fakes/pagerduty/index.js';
import { PagerDutyRoute } from '../../server/alerts/routes/pagerduty.js';
import { migrated } from '../helpers/migrate.js';
import { alertFixture, only } from './fixture.js';

/** `warehouse`, whose queries fail while `state.down`. */
function flaky(warehouse: Warehouse, state: { down: boolean }): Warehouse {
  const refuse = (): never => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'SB_SQL_UNAVAILABLE' });
  };
  return new Proxy(warehouse, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !['all', 'run', 'writeRows', 'transaction'].includes(String(property))) return value;
      return (...args: unknown[]) => (state.down ? Promise.reject(refuse()) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

test('with the warehouse down, a stalled drain still pages, and its alert is written once the warehouse is back', async (t) => {
  const pd = await startFakePagerDuty();
  const state = { down: true };
  const real = await migrated(await openWarehouse({ type: 'duckdb', path: ':memory:' }));
  const route = new PagerDutyRoute({ url: pd.url, routingKey: 'R0123456789abcdef0123456789abcde', timeoutMs: 5_000, source: 'test-node' });
  const f = await alertFixture([route], { rules: only('drainStalled') }, { warehouse: flaky(real, state) });
  t.after(async () => {
    await f.close();
    await pd.close();
  });

  f.drain({ stalled: true, stalledForSeconds: 600, backlogBytes: 1_000_000, warehouseError: 'connect ECONNREFUSED 127.0.0.1:5432' });
  assert.equal((await f.service.evaluateLocal()).fired, 1);
  assert.deepEqual(pd.events.map((e) => [e.event_action, e.dedup_key]), [['trigger', 'drainStalled:drain@test-node']]);
  await assert.rejects(f.service.evaluate(), 'the warehouse rules cannot run meanwhile');

  await f.service.evaluateLocal();
  assert.equal(pd.events.length, 1, 'still firing: not announced twice');

  state.down = false;
  await f.service.evaluateLocal();
  const [row] = await f.service.store.list('firing', 10);
  assert.equal(row?.key, 'drainStalled:drain@test-node');
  assert.equal(row?.deliveries.pagerduty?.state, 'fired');

  f.drain({});
  assert.equal((await f.service.evaluateLocal()).resolved, 1);
  assert.deepEqual(pd.events.map((e) => e.event_action), ['trigger', 'resolve']);
  assert.equal((await f.service.store.list('resolved', 10))[0]?.key, 'drainStalled:drain@test-node');
  assert.deepEqual(await f.service.evaluate(), { firing: 0, fired: 0, renotified: 0, resolved: 0, failedRules: [] }, 'the job leaves the drain\'s alerts to the local loop');
});
