/**
 * The Slack and email routes against their local servers, through the real clients
 * (@slack/web-api against fakes/slack/, nodemailer against the smtp-server of fakes/smtp/):
 * a stalled drain is posted once, re-notified only after alerts.renotifyMinutes (a thread
 * reply; an email replying to the first), and resolved: Slack edits the first message, email
 * sends a resolved notice in the same thread. The drain's rules run in the local loop
 * (evaluateLocal), which works without the warehouse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeSlack } from '../../fakes/slack/index.js';
import { startFakeSmtp } from '../../fakes/smtp/index.js';
import { SlackRoute } from '../../server/alerts/routes/slack.js';
import { EmailRoute } from '../../server/alerts/routes/email.js';
import { mockClock } from '../helpers/clock.js';
import { alertFixture, only } from './fixture.js';

const STALLED = { stalled: true, stalledForSeconds: 420, backlogBytes: 5_000_000, warehouseError: 'connect ECONNREFUSED 127.0.0.1:5432' };

test('Slack: the alert is posted once, re-notified in its thread after renotifyMinutes, and the first message is edited when it resolves', async (t) => {
  const slack = await startFakeSlack();
  const route = new SlackRoute({ token: slack.token, channel: 'C0ALERTS', apiUrl: slack.url, timeoutMs: 5_000, source: 'test-node' });
  const f = await alertFixture([route], { renotifyMinutes: 60, rules: only('drainStalled') });
  t.after(async () => {
    await f.close();
    await slack.close();
  });
  const clock = mockClock(t, ['Date']);

  f.drain(STALLED);
  assert.equal((await f.service.evaluateLocal()).fired, 1);
  const [first] = slack.messages('C0ALERTS');
  assert.match(first?.text ?? '', /^:rotating_light: \*FIRING \(critical\): drainStalled on drain@test-node\*\nthe drain has not moved 4\.8 MiB of backlog for 7 min/);
  assert.match(first?.text ?? '', /ECONNREFUSED/);

  clock.tick(30 * 60_000);
  await f.service.evaluateLocal();
  assert.equal(slack.messages('C0ALERTS').length, 1, 'within renotifyMinutes: nothing new');

  clock.tick(30 * 60_000);
  await f.service.evaluateLocal();
  const messages = slack.messages('C0ALERTS');
  assert.equal(messages.length, 2);
  assert.equal(messages[1]?.thread_ts, first?.ts, 'a reply in the alert\'s thread');
  assert.equal(messages[1]?.reply_broadcast, true);
  assert.match(messages[1]?.text ?? '', /STILL FIRING[\s\S]*Notice 2/);

  f.drain({});
  assert.equal((await f.service.evaluateLocal()).resolved, 1);
  const edited = slack.messages('C0ALERTS')[0];
  assert.equal(edited?.ts, first?.ts);
  assert.ok(edited?.edited !== undefined, 'chat.update edited the message');
  assert.match(edited?.text ?? '', /^:white_check_mark: \*RESOLVED \(critical\): drainStalled on drain@test-node\*/);
  assert.equal(slack.calls('chat.update'), 1);
  assert.equal(slack.messages('C0ALERTS').length, 2, 'no new message for the resolve');

  const [row] = await f.service.store.list('all', 10);
  assert.deepEqual(row?.deliveries.slack?.ref, { channel: 'C0ALERTS', ts: first?.ts });
});

test('email: the alert is mailed once, re-notified after renotifyMinutes, and a resolved notice follows, each replying to the first', async (t) => {
  const smtp = await startFakeSmtp({ user: 'alerts@acme.com', password: 'smtp-secret' });
  const route = new EmailRoute({ host: smtp.host, port: smtp.port, secure: false, user: 'alerts@acme.com', password: 'smtp-secret', from: 'switchboard@acme.com', to: ['oncall@acme.com', 'data@acme.com'], timeoutMs: 5_000, source: 'test-node' });
  const f = await alertFixture([route], { renotifyMinutes: 60, rules: only('drainStalled') });
  t.after(async () => {
    await f.close();
    await smtp.close();
  });
  const clock = mockClock(t, ['Date']);

  f.drain(STALLED);
  await f.service.evaluateLocal();
  assert.equal(smtp.messages.length, 1);
  const [fired] = smtp.messages;
  assert.equal(fired?.subject, '[Switchboard] FIRING (critical): drainStalled on drain@test-node');
  assert.deepEqual(fired?.to, ['oncall@acme.com', 'data@acme.com']);
  assert.equal(fired?.from, 'switchboard@acme.com');
  assert.equal(fired?.user, 'alerts@acme.com', 'logged in with the configured user and password');
  assert.match(fired?.text ?? '', /the drain has not moved 4\.8 MiB of backlog/);
  assert.equal(fired?.headers['x-switchboard-alert'], 'drainStalled:drain@test-node');
  const messageId = fired?.headers['message-id'] ?? '';
  assert.match(messageId, /^<.+>$/);

  clock.tick(59 * 60_000);
  await f.service.evaluateLocal();
  assert.equal(smtp.messages.length, 1, 'within renotifyMinutes: nothing new');
  clock.tick(60_000);
  await f.service.evaluateLocal();
  assert.equal(smtp.messages[1]?.subject, '[Switchboard] STILL FIRING (critical): drainStalled on drain@test-node');
  assert.equal(smtp.messages[1]?.headers['in-reply-to'], messageId);

  f.drain({});
  await f.service.evaluateLocal();
  const resolved = smtp.messages[2];
  assert.equal(resolved?.subject, '[Switchboard] RESOLVED (critical): drainStalled on drain@test-node');
  assert.equal(resolved?.headers['in-reply-to'], messageId);
  assert.match(resolved?.text ?? '', /The condition has cleared/);
  assert.equal(smtp.messages.length, 3);
});

test('email: a wrong SMTP password is refused as permanent, and never appears in the error', async (t) => {
  const smtp = await startFakeSmtp({ user: 'alerts@acme.com', password: 'smtp-secret' });
  t.after(() => smtp.close());
  const route = new EmailRoute({ host: smtp.host, port: smtp.port, secure: false, user: 'alerts@acme.com', password: 'wrong-password-xyz', from: 'a@acme.com', to: ['b@acme.com'], timeoutMs: 5_000, source: 'n' });
  t.after(() => route.close());
  await assert.rejects(route.test(new AbortController().signal), (error: { code: string; retryable: boolean; message: string }) => {
    assert.equal(error.code, 'SB_ALERT_ROUTE_FAILED');
    assert.equal(error.retryable, false);
    assert.match(error.message, /SWITCHBOARD_ALERTS_SMTP_PASSWORD/);
    assert.doesNotMatch(error.message, /wrong-password-xyz/);
    return true;
  });
  assert.equal(smtp.refusedLogins, 1);
});

test('email: an SMTP 451 is a transient failure (tried again), a 550 a permanent one', async (t) => {
  const smtp = await startFakeSmtp();
  t.after(() => smtp.close());
  const route = new EmailRoute({ host: smtp.host, port: smtp.port, secure: false, from: 'a@acme.com', to: ['b@acme.com'], timeoutMs: 5_000, source: 'n' });
  t.after(() => route.close());
  const signal = new AbortController().signal;
  smtp.failNext(451);
  await assert.rejects(route.test(signal), (error: { retryable: boolean; message: string }) => error.retryable && /451/.test(error.message));
  smtp.failNext(550);
  await assert.rejects(route.test(signal), (error: { retryable: boolean; message: string }) => !error.retryable && /550/.test(error.message));
  assert.match(await route.test(signal), /accepted a test message to b@acme\.com/);
  assert.equal(smtp.messages.length, 1);
  assert.equal(smtp.messages[0]?.subject, '[Switchboard] TEST (info): test on alerts');
});
