/**
 * The operator API's alert routes, through the real server in-process: GET /alerts lists
 * firing and resolved alerts (role read), POST /alerts/test sends a test notification through
 * a route (role operate), and /metrics has switchboard_alerts_firing per rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakePagerDuty } from '../../fakes/pagerduty/index.js';
import { startHarness } from '../helpers/harness.js';
import { only } from './fixture.js';

test('GET /alerts lists the alerts by status, POST /alerts/test reaches the route, /metrics counts firing alerts per rule', async (t) => {
  const pd = await startFakePagerDuty();
  process.env.SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY = 'R0123456789abcdef0123456789abcde'; // the harness's server reads process.env
  const h = await startHarness({
    config: { alerts: { routes: { pagerduty: { url: pd.url } }, rules: { ...only('authFailures'), authFailures: { minCount: 2 } } } },
  });
  t.after(async () => {
    delete process.env.SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY;
    await h.close();
    await pd.close();
  });
  assert.deepEqual((await h.admin({ method: 'GET', url: '/alerts' })).json(), { alerts: [] });

  for (let i = 0; i < 2; i++) await h.send('meetings', { headers: { 'x-jaas-signature': 't=1,v1=AAAA' } });
  await h.drain();
  await h.server.jobs.tick('alerts');

  const firing = (await h.admin({ method: 'GET', url: '/alerts?status=firing' })).json() as { alerts: Array<Record<string, unknown>> };
  assert.equal(firing.alerts.length, 1);
  const [alert] = firing.alerts;
  assert.equal(alert?.alert_key, 'authFailures:meetings');
  assert.equal(alert?.rule, 'authFailures');
  assert.equal(alert?.pipeline, 'meetings');
  assert.equal(alert?.status, 'firing');
  assert.equal(alert?.notify_count, 1);
  assert.match(String(alert?.first_fired_at), /^\d{4}-\d\d-\d\dT/);
  assert.equal(alert?.resolved_at, null);
  assert.deepEqual(Object.keys(alert?.deliveries as object), ['pagerduty']);
  assert.deepEqual((await h.admin({ method: 'GET', url: '/alerts?status=resolved' })).json(), { alerts: [] });
  assert.equal((await h.admin({ method: 'GET', url: '/alerts?status=sideways' })).statusCode, 400);

  const metrics = (await h.admin({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /^switchboard_alerts_firing\{rule="authFailures"\} 1$/m);
  assert.match(metrics, /^switchboard_alerts_firing\{rule="drainStalled"\} 0$/m);

  const sent = await h.admin({ method: 'POST', url: '/alerts/test', payload: { route: 'pagerduty' } });
  assert.equal(sent.statusCode, 200, sent.body);
  assert.equal((sent.json() as { ok: boolean }).ok, true);
  const test = pd.events.filter((e) => e.dedup_key.startsWith('switchboard-test-'));
  assert.deepEqual(test.map((e) => e.event_action), ['trigger', 'resolve']);
  assert.equal(test[0]?.payload?.severity, 'info');

  const missing = await h.admin({ method: 'POST', url: '/alerts/test', payload: { route: 'slack' } });
  assert.equal(missing.statusCode, 400);
  assert.equal((missing.json() as { error: { code: string } }).error.code, 'SB_ALERT_ROUTE_NOT_CONFIGURED');
  assert.match((missing.json() as { error: { message: string } }).error.message, /alerts\.routes\.slack.*configured: pagerduty/);

  pd.failNext({ status: 400 });
  const refused = await h.admin({ method: 'POST', url: '/alerts/test', payload: { route: 'pagerduty' } });
  assert.equal(refused.statusCode, 502);
  assert.match((refused.json() as { error: { code: string; message: string } }).error.message, /PagerDuty answered 400/);
});
