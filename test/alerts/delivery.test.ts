/**
 * A route that fails is retried, and never holds anything up: within an evaluation a call is
 * tried alerts.deliveryAttempts times with back-off; what still fails is recorded and tried
 * again at the next evaluation; a refused event is not retried within the evaluation; and a
 * route that hangs stops at alerts.deliveryTimeoutSeconds while webhooks keep landing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakePagerDuty } from '../../fakes/pagerduty/index.js';
import { PagerDutyRoute } from '../../server/alerts/routes/pagerduty.js';
import { mockClock, tickUntilSettled } from '../helpers/clock.js';
import { startHarness } from '../helpers/harness.js';
import { alertFixture, only } from './fixture.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';

async function pagerDutyFixture(t: import('node:test').TestContext) {
  const pd = await startFakePagerDuty();
  const route = new PagerDutyRoute({ url: pd.url, routingKey: ROUTING_KEY, timeoutMs: 5_000, source: 'test-node' });
  const f = await alertFixture([route], { deliveryAttempts: 3, rules: only('drainStalled') });
  t.after(async () => {
    await f.close();
    await pd.close();
  });
  return { pd, f };
}

test('a failing route is tried again with back-off within the evaluation, and delivers once PagerDuty accepts', async (t) => {
  const { pd, f } = await pagerDutyFixture(t);
  const clock = mockClock(t, ['setTimeout', 'Date']);
  pd.failNext({ status: 503 }, 2);
  f.drain({ stalled: true, backlogBytes: 10 });
  await tickUntilSettled(clock, f.service.evaluateLocal());
  assert.equal(pd.requests, 3, 'two 503s, then accepted');
  assert.deepEqual(pd.events.map((e) => e.event_action), ['trigger']);
  const [row] = await f.service.store.list('firing', 10);
  assert.equal(row?.deliveries.pagerduty?.state, 'fired');
  assert.equal(row?.deliveries.pagerduty?.error, null);
});

test('what still fails after every try is recorded and sent at the next evaluation; a refused event is not retried within one', async (t) => {
  const { pd, f } = await pagerDutyFixture(t);
  const clock = mockClock(t, ['setTimeout', 'Date']);
  pd.failNext({ status: 500 }, 3);
  f.drain({ stalled: true, backlogBytes: 10 });
  const first = await tickUntilSettled(clock, f.service.evaluateLocal());
  assert.equal(first.fired, 1, 'the alert fired, whatever the route did');
  assert.equal(pd.requests, 3);
  assert.equal(pd.events.length, 0);
  let [row] = await f.service.store.list('firing', 10);
  assert.equal(row?.deliveries.pagerduty?.state ?? 'none', 'none');
  assert.match(row?.deliveries.pagerduty?.error ?? '', /SB_ALERT_ROUTE_FAILED: PagerDuty answered 500/);
  assert.equal(row?.deliveries.pagerduty?.failures, 3);
  assert.match(await f.registry.getSingleMetricAsString('switchboard_alert_deliveries_failed_total'), /route="pagerduty"\} 1/);

  pd.failNext({ status: 400 });
  await tickUntilSettled(clock, f.service.evaluateLocal());
  assert.equal(pd.requests, 4, 'a 400 is not tried again within the evaluation');

  await tickUntilSettled(clock, f.service.evaluateLocal());
  assert.deepEqual(pd.events.map((e) => e.event_action), ['trigger'], 'announced at the next evaluation, once');
  [row] = await f.service.store.list('firing', 10);
  assert.equal(row?.deliveries.pagerduty?.state, 'fired');
  assert.equal(row?.notifyCount, 1, 'one announcement, however many tries');

  f.drain({});
  await tickUntilSettled(clock, f.service.evaluateLocal());
  assert.deepEqual(pd.events.map((e) => e.event_action), ['trigger', 'resolve']);
});

test('a route that hangs stops at deliveryTimeoutSeconds while webhooks keep landing; its alert is delivered later', async (t) => {
  const pd = await startFakePagerDuty();
  process.env.SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY = ROUTING_KEY; // the harness's server reads process.env
  const h = await startHarness({
    config: {
      alerts: {
        deliveryTimeoutSeconds: 1,
        routes: { pagerduty: { url: pd.url, timeoutMs: 60_000 } },
        rules: { ...only('authFailures'), authFailures: { minCount: 3 } },
      },
    },
  });
  t.after(async () => {
    delete process.env.SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY;
    await h.close();
    await pd.close();
  });
  for (let i = 0; i < 3; i++) assert.equal((await h.send('meetings', { headers: { 'x-jaas-signature': 't=1,v1=AAAA' } })).statusCode, 401);
  await h.drain();

  pd.failNext({ delayMs: 120_000 }); // PagerDuty stops answering
  const evaluation = h.server.jobs.tick('alerts');
  while (pd.requests === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  for (let i = 0; i < 5; i++) assert.equal((await h.send('voice')).statusCode, 200, 'landing answers while a delivery hangs');
  await h.drain();
  assert.equal(Number((await h.query(`SELECT sum(delivery_count) AS n FROM ${h.raw('voice_events')}`))[0]?.n), 5, 'all five deliveries landed (one event, sent five times)');
  const summary = (await evaluation) as { fired: number } | null;
  assert.equal(summary?.fired, 1, 'the evaluation ended at its delivery deadline');
  const [row] = await h.server.alerts!.store.list('firing', 10);
  assert.equal(row?.key, 'authFailures:meetings');
  assert.equal(row?.deliveries.pagerduty?.state ?? 'none', 'none');

  await h.server.jobs.tick('alerts');
  assert.deepEqual(pd.events.map((e) => [e.event_action, e.dedup_key]), [['trigger', 'authFailures:meetings']]);
});
