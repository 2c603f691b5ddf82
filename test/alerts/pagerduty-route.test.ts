/**
 * The PagerDuty route against the Events API v2 fake (fakes/pagerduty/): an alert triggers
 * once with our dedupe key, re-notifies (a trigger with the same key, which PagerDuty folds
 * into the open alert) only after alerts.renotifyMinutes, and resolves with a resolve event;
 * and the fake itself keeps to the documented contract.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakePagerDuty } from '../../fakes/pagerduty/index.js';
import { PagerDutyRoute } from '../../server/alerts/routes/pagerduty.js';
import { mockClock } from '../helpers/clock.js';
import { alertFixture, only } from './fixture.js';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';

test('an authentication-failure alert triggers PagerDuty once, re-notifies after renotifyMinutes, and resolves with the same dedup_key', async (t) => {
  const pd = await startFakePagerDuty();
  const route = new PagerDutyRoute({ url: pd.url, routingKey: ROUTING_KEY, timeoutMs: 5_000, source: 'test-node' });
  const f = await alertFixture([route], { renotifyMinutes: 30, rules: { ...only('authFailures'), authFailures: { windowMinutes: 60 } } });
  t.after(async () => {
    await f.close();
    await pd.close();
  });
  const clock = mockClock(t, ['Date']);

  await f.refuse(12);
  assert.deepEqual(await f.service.evaluate(), { firing: 1, fired: 1, renotified: 0, resolved: 0, failedRules: [] });
  assert.equal(pd.events.length, 1);
  const [trigger] = pd.events;
  assert.equal(trigger?.event_action, 'trigger');
  assert.equal(trigger?.dedup_key, 'authFailures:meetings');
  assert.equal(trigger?.routing_key, ROUTING_KEY);
  assert.equal(trigger?.payload?.severity, 'error');
  assert.equal(trigger?.payload?.source, 'test-node');
  assert.match(trigger?.payload?.summary ?? '', /^meetings: 12 authentication failures in 1 h/);
  assert.equal(trigger?.payload?.custom_details?.refusals, 12);

  clock.tick(10 * 60_000);
  await f.service.evaluate();
  assert.equal(pd.events.length, 1, 'still firing, but within renotifyMinutes: nothing sent');

  clock.tick(20 * 60_000);
  await f.service.evaluate();
  assert.deepEqual(pd.events.map((e) => e.event_action), ['trigger', 'trigger'], 're-notified after 30 minutes');
  assert.equal(pd.events[1]?.dedup_key, 'authFailures:meetings');
  assert.equal(pd.alerts.get('authFailures:meetings')?.triggers, 2, 'one alert at PagerDuty, triggered twice');

  clock.tick(31 * 60_000); // the refusals are now older than the 60-minute window
  assert.deepEqual(await f.service.evaluate(), { firing: 0, fired: 0, renotified: 0, resolved: 1, failedRules: [] });
  assert.deepEqual(pd.events.map((e) => e.event_action), ['trigger', 'trigger', 'resolve']);
  assert.equal(pd.events[2]?.dedup_key, 'authFailures:meetings');
  assert.equal(pd.alerts.get('authFailures:meetings')?.status, 'resolved');

  const [row] = await f.service.store.list('all', 10);
  assert.equal(row?.status, 'resolved');
  assert.equal(row?.notifyCount, 2);
  assert.equal(row?.deliveries.pagerduty?.state, 'resolved');
  assert.match(await f.registry.getSingleMetricAsString('switchboard_alerts_firing'), /switchboard_alerts_firing\{rule="authFailures"\} 0/);
});

test('the PagerDuty fake answers as the Events API v2 documents: 202 with the dedup_key, 400 for an invalid event, 429 when told to', async (t) => {
  const pd = await startFakePagerDuty();
  t.after(() => pd.close());
  const post = (body: unknown) => fetch(pd.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const trigger = { routing_key: ROUTING_KEY, event_action: 'trigger', payload: { summary: 'disk full', source: 'db-1', severity: 'critical' } };

  const accepted = await post(trigger);
  assert.equal(accepted.status, 202);
  const body = (await accepted.json()) as { status: string; message: string; dedup_key: string };
  assert.equal(body.status, 'success');
  assert.equal(body.message, 'Event processed');
  assert.ok(body.dedup_key.length > 0, 'a trigger without dedup_key gets one');

  const shortKey = await post({ ...trigger, routing_key: 'abc' });
  assert.equal(shortKey.status, 400);
  assert.deepEqual(await shortKey.json(), { status: 'invalid event', message: 'Event object is invalid', errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"] });
  assert.equal((await post({ routing_key: ROUTING_KEY, event_action: 'resolve' })).status, 400, 'a resolve needs its dedup_key');
  assert.equal((await post({ ...trigger, payload: { ...trigger.payload, severity: 'fatal' } })).status, 400);

  pd.failNext({ status: 429, retryAfter: 2 });
  const limited = await post(trigger);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal(pd.events.length, 1, 'only the accepted event is recorded');
});

test('POST-level failures reach the route as retryable or not, as the overview\'s retry table says', async (t) => {
  const pd = await startFakePagerDuty();
  t.after(() => pd.close());
  const route = new PagerDutyRoute({ url: pd.url, routingKey: ROUTING_KEY, timeoutMs: 5_000, source: 'n' });
  const alert = { key: 'k', rule: 'r', title: 't', pipeline: 'p', severity: 'error' as const, summary: 's', details: {}, firstFiredAt: null, resolvedAt: null, notifyCount: 1, source: 'n' };
  const signal = new AbortController().signal;
  for (const [status, retryable] of [[429, true], [503, true], [400, false]] as const) {
    pd.failNext({ status });
    await assert.rejects(route.fire(alert, signal), (error: { code: string; retryable: boolean }) => error.code === 'SB_ALERT_ROUTE_FAILED' && error.retryable === retryable);
  }
  const unreachable = new PagerDutyRoute({ url: 'http://127.0.0.1:1/v2/enqueue', routingKey: ROUTING_KEY, timeoutMs: 2_000, source: 'n' });
  await assert.rejects(unreachable.fire(alert, signal), (error: { retryable: boolean; message: string }) => error.retryable && /did not answer/.test(error.message));
});
