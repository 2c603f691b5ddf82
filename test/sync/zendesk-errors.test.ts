/**
 * The Zendesk destination when Zendesk says no or says wait: 429 with Retry-After, 5xx and
 * network failures (transient, with partial progress kept), job failures and polling,
 * 401/403/404 (permanent, naming the setting), bad mappings, aborts and missing settings.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardError } from '../../core/errors.js';
import {
  PermanentDestinationError,
  TransientDestinationError,
} from '../../sync/destination.js';
import { createZendeskDestination, ZENDESK_TOKEN_ENV } from '../../sync/destinations/zendesk/index.js';
import { startFakeZendesk } from '../../fakes/zendesk/index.js';
import { byKey, change, FIELDS, pick, useFakeZendesk } from './zendesk-fixture.js';
import { mockClock, tickUntilSettled } from '../helpers/clock.js';

describe('Zendesk destination: refusals, limits and settings', () => {
  const z = useFakeZendesk();

  test('429 (JSON or plain text) is a TransientDestinationError carrying Retry-After', async () => {
    z.zendesk.fail({ status: 429, retryAfter: '7', body: { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' } });
    await assert.rejects(z.destination.send([change('call-1', 'create')], z.context()), (error: unknown) => {
      assert.ok(error instanceof TransientDestinationError);
      assert.equal(error.retryAfterMs, 7000);
      assert.match(error.message, /Number of allowed API requests per minute exceeded/);
      return true;
    });
    z.zendesk.fail({ status: 429, retryAfter: '2', body: 'You have exceeded the rate limit for updating a single unique user' });
    await assert.rejects(z.destination.send([change('call-1', 'create')], z.context()), (error: unknown) => {
      assert.ok(error instanceof TransientDestinationError);
      assert.equal(error.retryAfterMs, 2000);
      assert.match(error.message, /exceeded the rate limit/);
      return true;
    });
    assert.equal(z.zendesk.tickets.size, 0);
  });

  test('the fake\'s own per-minute limit answers 429 with Retry-After and rate headers', async () => {
    // A single create costs 3 calls: the running jobs, the look-up, the POST.
    const limited = await startFakeZendesk({ requestsPerMinute: 3 });
    try {
      const dest = createZendeskDestination({ url: limited.url, email: limited.email }, { [ZENDESK_TOKEN_ENV]: limited.token });
      await dest.send([change('call-1', 'create')], z.context());
      await assert.rejects(dest.send([change('call-2', 'create')], z.context()), (error: unknown) => error instanceof TransientDestinationError && (error.retryAfterMs ?? 0) > 0);
      assert.equal(limited.requests[0]?.status, 200);
      assert.equal(limited.requests.at(-1)?.status, 429);
    } finally {
      await limited.close();
    }
  });

  test('List Tickets has its own budget: past it, the records not looked up are retried after its reset, and the rest are sent', async () => {
    const limited = await startFakeZendesk({ ticketsIndexPerMinute: 3 });
    try {
      const dest = createZendeskDestination({ url: limited.url, email: limited.email }, { [ZENDESK_TOKEN_ENV]: limited.token }, { jobPolling: { intervalMs: 1, maxIntervalMs: 4, timeoutMs: 30_000 } });
      const records = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => change(`call-${k}`, 'create'));
      const outcomes = await dest.send(records, z.context());
      const sent = outcomes.filter((o) => o.status === 'sent');
      const retry = outcomes.filter((o) => o.status === 'retry');
      assert.equal(sent.length, 3, JSON.stringify(outcomes));
      assert.equal(retry.length, 3);
      for (const o of retry) {
        assert.equal(o.code, 'SB_SYNC_ZENDESK_LOOKUP_DEFERRED');
        assert.ok((o.retryAfterMs ?? 0) > 0 && (o.retryAfterMs ?? 0) <= 60_000, String(o.retryAfterMs));
      }
      assert.equal(limited.tickets.size, 3, 'only records that were looked up are written');
      const listed = limited.requests.filter((r) => r.path === '/api/v2/tickets');
      assert.ok(listed.length > 0, 'the records were looked up with List Tickets');
      assert.ok(listed.every((r) => r.status === 200), 'the budget in zendesk-ratelimit-tickets-index is kept, so no List Tickets call is refused');
    } finally {
      await limited.close();
    }
  });

  test('the fake answers List Tickets with its own rate headers, and 429 past its budget', async () => {
    const limited = await startFakeZendesk({ ticketsIndexPerMinute: 1 });
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${limited.email}/token:${limited.token}`).toString('base64')}` };
      const first = await fetch(`${limited.url}/api/v2/tickets.json?external_id=x`, { headers: auth });
      assert.equal(first.status, 200);
      assert.match(first.headers.get('zendesk-ratelimit-tickets-index') ?? '', /^total=1; remaining=0; resets=\d+$/);
      assert.ok(first.headers.get('ratelimit-reset') !== null);
      const second = await fetch(`${limited.url}/api/v2/tickets.json?external_id=x`, { headers: auth });
      assert.equal(second.status, 429);
      assert.ok(Number(second.headers.get('retry-after')) > 0);
    } finally {
      await limited.close();
    }
  });

  test('a bulk call past the 30-job limit is refused with 429 TooManyJobs; the batch is retried after Retry-After, nothing written', async () => {
    z.zendesk.onRequest = (method, path) => {
      // Another integration queues 30 jobs between this batch's job listing and its write.
      if (method === 'GET' && path === '/api/v2/tickets' && z.zendesk.count('GET', '/api/v2/tickets') === 1) z.zendesk.addForeignJobs(30);
    };
    await assert.rejects(z.destination.send([change('call-1', 'create'), change('call-2', 'create')], z.context()), (error: unknown) => {
      assert.ok(error instanceof TransientDestinationError, String(error));
      assert.equal(error.retryAfterMs, 10_000);
      assert.match(error.message, /jobs queued or running/);
      return true;
    });
    assert.equal(z.zendesk.requests.find((r) => r.path === '/api/v2/tickets/create_many')?.status, 429);
    assert.equal(z.zendesk.tickets.size, 0);
  });

  test('500 and 503 are transient; 503 with Retry-After carries it', async () => {
    z.zendesk.fail({ status: 500 });
    await assert.rejects(z.destination.send([change('call-1', 'create')], z.context()), (error: unknown) => error instanceof TransientDestinationError && error.retryAfterMs === undefined);
    z.zendesk.fail({ status: 503, retryAfter: '30', body: 'Service Unavailable' });
    await assert.rejects(z.destination.send([change('call-1', 'create')], z.context()), (error: unknown) => error instanceof TransientDestinationError && error.retryAfterMs === 30_000);
  });

  test('a network failure is transient', async () => {
    const dead = createZendeskDestination({ url: 'http://127.0.0.1:9', email: 'a@b.c' }, { [ZENDESK_TOKEN_ENV]: 't' });
    await assert.rejects(dead.send([change('call-1', 'create')], z.context()), TransientDestinationError);
  });

  test('a transient failure after some writes reports what was sent and retries only the rest', async () => {
    const upd = z.zendesk.addTicket({ external_id: 'call-upd', subject: 'Before' });
    z.zendesk.fail({ status: 429, retryAfter: '3', match: (r) => r.path === '/api/v2/tickets/update_many' });
    const outcomes = byKey(await z.destination.send([change('call-new', 'create'), change('call-upd', 'update', { ref: String(upd.id) })], z.context()));
    assert.equal(outcomes.get('call-new')?.status, 'sent');
    assert.deepEqual(pick(outcomes.get('call-upd')), { status: 'retry', code: 'SB_SYNC_ZENDESK_INTERRUPTED', retryAfterMs: 3000 });
  });

  test('a job that fails, or outlives the poll deadline, leaves its records to retry', async (t) => {
    z.zendesk.failNextJob('failed');
    const failed = await z.destination.send([change('call-a', 'create'), change('call-b', 'create')], z.context());
    assert.deepEqual(failed.map((o) => pick(o)), [
      { status: 'retry', code: 'SB_SYNC_ZENDESK_JOB_INCOMPLETE' },
      { status: 'retry', code: 'SB_SYNC_ZENDESK_JOB_INCOMPLETE' },
    ]);
    z.zendesk.jobPolls = 1_000_000;
    z.zendesk.jobMs = Infinity;
    const clock = mockClock(t, ['setTimeout', 'Date']); // the poll deadline's clock
    const impatient = createZendeskDestination({ url: z.zendesk.url, email: z.zendesk.email }, { [ZENDESK_TOKEN_ENV]: z.zendesk.token }, { jobPolling: { intervalMs: 1, maxIntervalMs: 1, timeoutMs: 30 } });
    const slow = await tickUntilSettled(clock, impatient.send([change('call-a', 'create'), change('call-b', 'create')], z.context()), { stepMs: 5 });
    assert.deepEqual(slow.map((o) => o.status), ['retry', 'retry']);
    assert.match(slow[0]?.reason ?? '', /still working/);
  });

  test('job polling waits out a 429 and a 503 and still maps the results', async () => {
    z.zendesk.fail({ status: 429, retryAfter: '0', match: (r) => r.path.startsWith('/api/v2/job_statuses/') });
    z.zendesk.fail({ status: 503, match: (r) => r.path.startsWith('/api/v2/job_statuses/') });
    const outcomes = await z.destination.send([change('call-a', 'create'), change('call-b', 'create')], z.context());
    assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent']);
  });

  test('401 is permanent (SB_SYNC_ZENDESK_AUTH), and the token never appears in the error', async () => {
    const wrong = z.make({ [ZENDESK_TOKEN_ENV]: 'not-the-token' });
    await assert.rejects(wrong.send([change('call-1', 'create')], z.context()), (error: unknown) => {
      assert.ok(error instanceof PermanentDestinationError);
      assert.equal(error.code, 'SB_SYNC_ZENDESK_AUTH');
      assert.match(error.message, /Couldn't authenticate you/);
      assert.ok(!error.message.includes('not-the-token'));
      return true;
    });
  });

  test('403 is permanent (SB_SYNC_ZENDESK_FORBIDDEN)', async () => {
    z.zendesk.forbidden = true;
    await assert.rejects(z.destination.send([change('call-1', 'create')], z.context()), (error: unknown) => error instanceof PermanentDestinationError && error.code === 'SB_SYNC_ZENDESK_FORBIDDEN');
  });

  test('a wrong URL path is a permanent SB_SYNC_ZENDESK_REQUEST naming destinations.zendesk.url', async () => {
    const wrong = createZendeskDestination({ url: `${z.zendesk.url}/nope`, email: z.zendesk.email }, { [ZENDESK_TOKEN_ENV]: z.zendesk.token });
    await assert.rejects(wrong.send([change('call-1', 'create')], z.context()), (error: unknown) => error instanceof PermanentDestinationError && error.code === 'SB_SYNC_ZENDESK_REQUEST' && /destinations\.zendesk\.url/.test(error.message));
  });

  test('a mapping with an unknown field, or an object other than tickets, stops the run', async () => {
    await assert.rejects(z.destination.send([change('call-1', 'create', { fields: { ...FIELDS, requester_phone: '+6591234567' } })], z.context()), (error: unknown) => {
      assert.ok(error instanceof PermanentDestinationError);
      assert.equal(error.code, 'SB_SYNC_ZENDESK_UNKNOWN_FIELD');
      assert.match(error.message, /requester_phone.*custom_fields/);
      return true;
    });
    await assert.rejects(z.destination.send([change('call-1', 'create')], { ...z.context(), object: 'users' }), (error: unknown) => error instanceof PermanentDestinationError && error.code === 'SB_SYNC_ZENDESK_OBJECT');
    assert.equal(z.zendesk.requests.length, 0);
  });

  test('custom fields, requester, status and type map onto the ticket', async () => {
    const fields = { ...FIELDS, 'custom_fields.360001234567': '+6591234567', requester_email: 'jane@example.com', requester_name: 'Jane', status: 'Open', type: 'incident', comment_public: 'true' };
    await z.destination.send([change('call-1', 'create', { fields })], z.context());
    const ticket = z.zendesk.byExternalId('call-1')[0];
    assert.deepEqual(ticket?.custom_fields, [{ id: 360001234567, value: '+6591234567' }]);
    assert.deepEqual(ticket?.requester, { email: 'jane@example.com', name: 'Jane' });
    assert.equal(ticket?.status, 'open');
    assert.equal(ticket?.type, 'incident');
    assert.equal(ticket?.comments[0]?.public, true);
  });

  test('an aborted signal stops the send with its reason', async () => {
    const abort = new AbortController();
    abort.abort(new Error('shutting down'));
    await assert.rejects(z.destination.send([change('call-1', 'create')], { ...z.context(), signal: abort.signal }), /shutting down/);
  });

  test('a missing token or missing settings is a SwitchboardError naming the variable and destinations.zendesk', () => {
    assert.throws(() => z.make({}), (error: unknown) => {
      assert.ok(error instanceof SwitchboardError);
      assert.equal(error.code, 'SB_SYNC_ZENDESK_SECRET_MISSING');
      assert.equal(error.configKey, 'destinations.zendesk');
      assert.match(error.message, /SWITCHBOARD_ZENDESK_API_TOKEN/);
      return true;
    });
    assert.throws(() => createZendeskDestination(undefined, {}), (error: unknown) => error instanceof SwitchboardError && error.code === 'SB_SYNC_ZENDESK_NOT_CONFIGURED');
  });
});
