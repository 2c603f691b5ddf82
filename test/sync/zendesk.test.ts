/**
 * The Zendesk destination through its fetch client against the local Zendesk of
 * fakes/zendesk/: upserts by external_id, single and bulk creates, job polling with
 * results mapped back, safe repeats after a crash, mode gating, deletes, and per-record
 * rejections with Zendesk's reasons. What 429, 5xx, 401 and 403 mean: zendesk-errors.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TransientDestinationError } from '../../sync/destination.js';
import { changeTag, createZendeskDestination, ZENDESK_TOKEN_ENV } from '../../sync/destinations/zendesk/index.js';
import { byKey, change, FIELDS, useFakeZendesk } from './zendesk-fixture.js';

describe('Zendesk destination', () => {
  const z = useFakeZendesk();

  test('declares 100 records per batch, the bulk endpoints\' limit', () => {
    assert.equal(z.destination.type, 'zendesk');
    assert.equal(z.destination.batchSize, 100);
  });

  test('a create makes one ticket with external_id = key, and an update changes that same ticket', async () => {
    const [created] = await z.destination.send([change('call-1', 'create')], z.context());
    assert.equal(created?.status, 'sent');
    const ticket = z.zendesk.byExternalId('call-1')[0];
    assert.ok(ticket !== undefined);
    assert.equal(created?.externalRef, String(ticket.id));
    assert.deepEqual(
      { subject: ticket.subject, description: ticket.description, priority: ticket.priority, public: ticket.comments[0]?.public },
      { subject: FIELDS.subject, description: FIELDS.comment_body, priority: 'high', public: false },
    );
    assert.ok(['switchboard', 'priority_caller', 'call_missed', changeTag('missed_calls_to_zendesk:call-1:v1')].every((t) => ticket.tags.includes(t)), ticket.tags.join());
    // A single create goes to POST /tickets with the record's idempotency key.
    const post = z.zendesk.requests.find((r) => r.method === 'POST' && r.path === '/api/v2/tickets');
    assert.equal(post?.headers['idempotency-key'], 'missed_calls_to_zendesk:call-1:v1');

    const voicemail = { ...FIELDS, subject: 'Voicemail from +6591234567', comment_body: 'Voicemail from +6591234567.', priority: 'urgent' };
    const [updated] = await z.destination.send([change('call-1', 'update', { fields: voicemail, ref: created?.externalRef ?? null, version: 'v2' })], z.context());
    assert.deepEqual(updated, { key: 'call-1', status: 'sent', externalRef: String(ticket.id) });
    assert.equal(z.zendesk.tickets.size, 1, 'still one ticket');
    const after = z.zendesk.tickets.get(ticket.id);
    assert.equal(after?.subject, 'Voicemail from +6591234567');
    assert.equal(after?.priority, 'urgent');
    assert.deepEqual(after?.comments.map((c) => c.body), [FIELDS.comment_body, 'Voicemail from +6591234567.']);
    // Only the latest change tag stays.
    assert.ok(after?.tags.includes(changeTag('missed_calls_to_zendesk:call-1:v2')));
    assert.ok(!after?.tags.includes(changeTag('missed_calls_to_zendesk:call-1:v1')));
  });

  test('several creates go in one create_many; the job is polled to completion and each result maps back to its record', async () => {
    z.zendesk.jobPolls = 3;
    const records = ['a', 'b', 'c'].map((k) => change(`call-${k}`, 'create', { fields: { ...FIELDS, subject: `Missed call ${k}` } }));
    const outcomes = byKey(await z.destination.send(records, z.context()));
    assert.equal(z.zendesk.count('POST', '/api/v2/tickets/create_many'), 1);
    assert.equal(z.zendesk.count('POST', '/api/v2/tickets'), 0);
    assert.ok(z.zendesk.count('GET', /^\/api\/v2\/job_statuses\//) >= 4, 'queued → working ×3 → completed');
    for (const k of ['a', 'b', 'c']) {
      const ticket = z.zendesk.byExternalId(`call-${k}`)[0];
      assert.equal(ticket?.subject, `Missed call ${k}`);
      assert.deepEqual(outcomes.get(`call-${k}`), { key: `call-${k}`, status: 'sent', externalRef: String(ticket?.id) });
    }
  });

  test('a record Zendesk refuses is rejected with its reason; the rest of the batch is sent', async () => {
    const records = [
      change('ok-1', 'create'),
      change('no-subject', 'create', { fields: { ...FIELDS, subject: null } }),
      change('bad-priority', 'create', { fields: { ...FIELDS, priority: 'whenever' } }),
      change('ok-2', 'create'),
    ];
    const outcomes = byKey(await z.destination.send(records, z.context()));
    assert.equal(outcomes.get('ok-1')?.status, 'sent');
    assert.equal(outcomes.get('ok-2')?.status, 'sent');
    assert.deepEqual(outcomes.get('no-subject'), { key: 'no-subject', status: 'rejected', code: 'RecordInvalid', reason: 'RecordInvalid (Subject: cannot be blank)' });
    assert.equal(outcomes.get('bad-priority')?.status, 'rejected');
    assert.match(outcomes.get('bad-priority')?.reason ?? '', /Priority: is not valid/);
    assert.equal(z.zendesk.tickets.size, 2);
  });

  test('a single create Zendesk refuses (422) is rejected with the description and details of its error body', async () => {
    const [outcome] = await z.destination.send([change('blank', 'create', { fields: { subject: 'x', comment_body: '  ' } })], z.context());
    assert.deepEqual(outcome, { key: 'blank', status: 'rejected', code: 'RecordInvalid', reason: 'Record validation errors (description: Description: cannot be blank)' });
  });

  test('the same change sent again after a crash makes no second ticket and writes nothing', async () => {
    const first = await z.destination.send([change('call-1', 'create')], z.context());
    // The engine never checkpointed: it sends the same change again, still without a ref.
    z.zendesk.requests.length = 0;
    const again = await z.destination.send([change('call-1', 'create')], z.context());
    assert.deepEqual(again, first);
    assert.equal(z.zendesk.byExternalId('call-1').length, 1);
    assert.deepEqual(z.zendesk.requests.map((r) => `${r.method} ${r.path}`), ['GET /api/v2/job_statuses', 'GET /api/v2/tickets'], 'look-ups, no write');
  });

  test('a bulk create whose job finished while the sender crashed is found again, not repeated', async () => {
    const records = ['x', 'y'].map((k) => change(`call-${k}`, 'create'));
    // The first attempt dies after submitting the job: simulate by aborting while it polls.
    const abort = new AbortController();
    z.zendesk.jobPolls = 1000;
    const attempt = z.destination.send(records, { ...z.context(), signal: abort.signal });
    while (z.zendesk.count('GET', /^\/api\/v2\/job_statuses\/./) === 0) await new Promise((resolve) => setImmediate(resolve));
    abort.abort(new Error('killed'));
    await assert.rejects(attempt, /killed/);
    z.zendesk.completeJobs();
    assert.equal(z.zendesk.tickets.size, 2);
    z.zendesk.requests.length = 0;
    const outcomes = await z.destination.send(records, z.context());
    assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent']);
    assert.equal(z.zendesk.tickets.size, 2, 'no duplicates');
    assert.equal(z.zendesk.count('POST', '/api/v2/tickets/create_many'), 0);
  });

  test('a bulk job still running from a process that died is waited for before the look-ups, so nothing is written twice', async () => {
    z.zendesk.jobMs = Infinity;
    z.zendesk.jobPolls = 1000;
    const records = [change('call-x', 'create'), change('call-y', 'create')];
    const abort = new AbortController();
    const attempt = z.destination.send(records, { ...z.context(), signal: abort.signal });
    while (z.zendesk.count('POST', '/api/v2/tickets/create_many') === 0) await new Promise((resolve) => setImmediate(resolve));
    abort.abort(new Error('killed'));
    await assert.rejects(attempt, /killed/);
    assert.equal(z.zendesk.tickets.size, 0, 'the job has not run yet');
    // The restart: the job is still queued in Zendesk, and finishes while the new attempt waits.
    z.zendesk.jobPolls = 2;
    const outcomes = await z.destination.send(records, z.context());
    assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent']);
    assert.equal(z.zendesk.count('POST', '/api/v2/tickets/create_many'), 1, 'the creates were not sent again');
    assert.equal(z.zendesk.tickets.size, 2);
    assert.equal(z.zendesk.count('GET', '/api/v2/job_statuses'), 2, 'each attempt lists the running jobs once');
  });

  test('a job of the account that outlives the poll deadline makes the batch transient, before any look-up', async () => {
    z.zendesk.jobMs = Infinity;
    z.zendesk.jobPolls = 1_000_000;
    const impatient = createZendeskDestination({ url: z.zendesk.url, email: z.zendesk.email }, { [ZENDESK_TOKEN_ENV]: z.zendesk.token }, { jobPolling: { intervalMs: 1, maxIntervalMs: 1, timeoutMs: 20 } });
    const first = await impatient.send([change('call-a', 'create'), change('call-b', 'create')], z.context());
    assert.deepEqual(first.map((o) => o.status), ['retry', 'retry']);
    await assert.rejects(impatient.send([change('call-a', 'create'), change('call-b', 'create')], z.context()), (error: unknown) => error instanceof TransientDestinationError && /still runs/.test(error.message));
    assert.equal(z.zendesk.count('GET', '/api/v2/tickets'), 2, 'only the first attempt looked up');
  });

  test('an update sent twice adds its comment once', async () => {
    const [created] = await z.destination.send([change('call-1', 'create')], z.context());
    const update = change('call-1', 'update', { fields: { ...FIELDS, comment_body: 'Called back, no answer.' }, ref: created?.externalRef ?? null, version: 'v2' });
    await z.destination.send([update], z.context());
    const [again] = await z.destination.send([update], z.context());
    assert.equal(again?.status, 'sent');
    const ticket = z.zendesk.byExternalId('call-1')[0];
    assert.deepEqual(ticket?.comments.map((c) => c.body), [FIELDS.comment_body, 'Called back, no answer.']);
    assert.equal(z.zendesk.count('PUT', '/api/v2/tickets/update_many'), 1);
  });

  test('change tags do not pile up and an agent\'s tags stay, with tag edits allowed only as the strictest docs reading allows', async () => {
    const [created] = await z.destination.send([change('call-1', 'create')], z.context());
    const id = Number(created?.externalRef);
    const ticket = z.zendesk.tickets.get(id);
    ticket?.tags.push('vip');
    for (const version of ['v2', 'v3']) {
      await z.destination.send([change('call-1', 'update', { fields: { ...FIELDS, comment_body: `Update ${version}` }, ref: String(id), version })], z.context());
    }
    const tags = z.zendesk.tickets.get(id)?.tags ?? [];
    assert.deepEqual(tags.filter((t) => t.startsWith('sb_change_')), [changeTag('missed_calls_to_zendesk:call-1:v3')]);
    assert.ok(tags.includes('vip'), tags.join());
    // A replay of v3 finds its tag and writes nothing: the comment is there once.
    await z.destination.send([change('call-1', 'update', { fields: { ...FIELDS, comment_body: 'Update v3' }, ref: String(id), version: 'v3' })], z.context());
    assert.deepEqual(z.zendesk.tickets.get(id)?.comments.map((c) => c.body), [FIELDS.comment_body, 'Update v2', 'Update v3']);
    // No tag edit the strict reading forbids is sent.
    const updates = z.zendesk.requests.filter((r) => r.path === '/api/v2/tickets/update_many');
    assert.ok(updates.length > 0, 'the updates went through update_many');
    for (const request of updates) {
      for (const t of (request.body as { tickets: Array<Record<string, unknown>> }).tickets) assert.ok(!('additional_tags' in t) && !('remove_tags' in t), JSON.stringify(t));
    }
  });

  test('the fake ignores additional_tags and remove_tags in update_many\'s tickets[] form, and honours them with ?ids=', async () => {
    const t = z.zendesk.addTicket({ external_id: 'x', subject: 'X', tags: ['a', 'b'] });
    const put = async (query: string, body: unknown) => {
      const response = await fetch(`${z.zendesk.url}/api/v2/tickets/update_many.json${query}`, {
        method: 'PUT',
        headers: { authorization: `Basic ${Buffer.from(`${z.zendesk.email}/token:${z.zendesk.token}`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200);
      z.zendesk.completeJobs();
    };
    await put('', { tickets: [{ id: t.id, additional_tags: ['c'], remove_tags: ['a'] }] });
    assert.deepEqual(z.zendesk.tickets.get(t.id)?.tags, ['a', 'b']);
    await put(`?ids=${t.id}`, { ticket: { additional_tags: ['c'], remove_tags: ['a'] } });
    assert.deepEqual(z.zendesk.tickets.get(t.id)?.tags, ['b', 'c']);
    await put('', { tickets: [{ id: t.id, tags: ['d'] }] });
    assert.deepEqual(z.zendesk.tickets.get(t.id)?.tags, ['d']);
  });

  test('Zendesk answers a repeated Idempotency-Key with the first ticket, and refuses it with another body', async () => {
    const post = (subject: string) =>
      fetch(`${z.zendesk.url}/api/v2/tickets.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${z.zendesk.email}/token:${z.zendesk.token}`).toString('base64')}`,
          'content-type': 'application/json',
          'idempotency-key': 'key-1',
        },
        body: JSON.stringify({ ticket: { subject, comment: { body: 'hello' } } }),
      });
    const first = await post('One');
    const second = await post('One');
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('x-idempotency-lookup'), 'miss');
    assert.equal(second.headers.get('x-idempotency-lookup'), 'hit');
    assert.deepEqual(await second.json(), await first.json());
    const other = await post('Two');
    assert.equal(other.status, 400);
    assert.equal(z.zendesk.tickets.size, 1);
  });

  test('a single create whose Idempotency-Key Zendesk already saw with another body (400 IdempotentRequestError) is rejected with a replayable code', async () => {
    const record = change('call-1', 'create');
    // An earlier attempt (an older Switchboard) sent this change's key with another body; an agent then deleted its ticket.
    const earlier = await fetch(`${z.zendesk.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${z.zendesk.email}/token:${z.zendesk.token}`).toString('base64')}`, 'content-type': 'application/json', 'idempotency-key': record.idempotencyKey },
      body: JSON.stringify({ ticket: { subject: 'Older body', comment: { body: 'older' }, external_id: 'call-1' } }),
    });
    const { ticket } = (await earlier.json()) as { ticket: { id: number } };
    z.zendesk.tickets.delete(ticket.id);
    const [outcome] = await z.destination.send([record], z.context());
    assert.equal(outcome?.status, 'rejected');
    assert.equal(outcome?.code, 'SB_SYNC_ZENDESK_IDEMPOTENCY_KEY_REUSED');
    assert.match(outcome?.reason ?? '', /replay-rejected/);
    assert.equal(z.zendesk.requests.at(-1)?.status, 400);
    assert.equal(z.zendesk.tickets.size, 0);
  });

  test('an undocumented 409 to a single create is kept only as a fallback: the record is retried', async () => {
    z.zendesk.fail({ status: 409, body: { error: 'Conflict', description: 'scripted' }, match: (r) => r.method === 'POST' && r.path === '/api/v2/tickets' });
    const [outcome] = await z.destination.send([change('call-1', 'create')], z.context());
    assert.equal(outcome?.status, 'retry');
    assert.equal(z.zendesk.count('POST', '/api/v2/tickets'), 1);
  });

  test('a create that meets a ticket Switchboard did not make leaves it alone (create-only never updates)', async () => {
    const existing = z.zendesk.addTicket({ external_id: 'call-1', subject: 'Made by an agent' });
    const [outcome] = await z.destination.send([change('call-1', 'create')], z.context());
    assert.equal(outcome?.status, 'skipped');
    assert.equal(outcome?.code, 'SB_SYNC_ZENDESK_TICKET_EXISTS');
    assert.equal(outcome?.externalRef, String(existing.id));
    assert.equal(z.zendesk.tickets.get(existing.id)?.subject, 'Made by an agent');
    assert.equal(z.zendesk.count('PUT', '/api/v2/tickets/update_many') + z.zendesk.count('POST', '/api/v2/tickets'), 0);
  });

  test('a create that meets its own earlier, unconfirmed ticket brings it up to date instead of making another', async () => {
    await z.destination.send([change('call-1', 'create', { version: 'v1' })], z.context());
    // Crash before the checkpoint, and the row changed before the next run.
    const newer = { ...FIELDS, subject: 'Voicemail from +6591234567' };
    const [outcome] = await z.destination.send([change('call-1', 'create', { fields: newer, version: 'v2' })], z.context());
    assert.equal(outcome?.status, 'sent');
    const tickets = z.zendesk.byExternalId('call-1');
    assert.equal(tickets.length, 1);
    assert.equal(tickets[0]?.subject, 'Voicemail from +6591234567');
  });

  test('an update for a key with no ticket is skipped, never created (update-only)', async () => {
    const [outcome] = await z.destination.send([change('call-9', 'update')], z.context());
    assert.equal(outcome?.status, 'skipped');
    assert.equal(outcome?.code, 'SB_SYNC_ZENDESK_TICKET_NOT_FOUND');
    assert.equal(z.zendesk.tickets.size, 0);
    assert.equal(z.zendesk.count('POST', '/api/v2/tickets') + z.zendesk.count('POST', '/api/v2/tickets/create_many'), 0);
  });

  test('an update without a ref finds the ticket by external_id; one whose ref is gone falls back to external_id', async () => {
    const existing = z.zendesk.addTicket({ external_id: 'call-1', subject: 'Old' });
    const [byExternalId] = await z.destination.send([change('call-1', 'update', { version: 'v2' })], z.context());
    assert.deepEqual(byExternalId, { key: 'call-1', status: 'sent', externalRef: String(existing.id) });
    assert.equal(z.zendesk.tickets.get(existing.id)?.subject, FIELDS.subject);
    const [staleRef] = await z.destination.send([change('call-1', 'update', { ref: '999999', version: 'v3' })], z.context());
    assert.deepEqual(staleRef, { key: 'call-1', status: 'sent', externalRef: String(existing.id) });
  });

  test('an update of a closed ticket is rejected with the job result\'s reason', async () => {
    const closed = z.zendesk.addTicket({ external_id: 'call-1', subject: 'Done', status: 'closed' });
    const [outcome] = await z.destination.send([change('call-1', 'update', { ref: String(closed.id), version: 'v2' })], z.context());
    assert.deepEqual(outcome, { key: 'call-1', status: 'rejected', code: 'TicketUpdateFailed', reason: 'TicketUpdateFailed (Status: closed prevents ticket update)' });
  });

  test('deletes remove the ticket; one already gone, or never made, counts as sent', async () => {
    const a = z.zendesk.addTicket({ external_id: 'call-a', subject: 'A' });
    const b = z.zendesk.addTicket({ external_id: 'call-b', subject: 'B' });
    const outcomes = byKey(
      await z.destination.send([change('call-a', 'delete', { ref: String(a.id) }), change('call-b', 'delete'), change('call-gone', 'delete', { ref: '424242' }), change('call-never', 'delete')], z.context()),
    );
    assert.deepEqual([...outcomes.values()].map((o) => o.status), ['sent', 'sent', 'sent', 'sent']);
    assert.equal(outcomes.get('call-b')?.externalRef, String(b.id));
    assert.equal(z.zendesk.tickets.size, 0);
  });

  test('mixed batches: creates, updates and deletes in one send, one outcome per record', async () => {
    const old = z.zendesk.addTicket({ external_id: 'call-old', subject: 'Old' });
    const upd = z.zendesk.addTicket({ external_id: 'call-upd', subject: 'Before' });
    const records = [change('call-new-1', 'create'), change('call-new-2', 'create'), change('call-upd', 'update', { ref: String(upd.id) }), change('call-old', 'delete', { ref: String(old.id) })];
    const outcomes = await z.destination.send(records, z.context());
    assert.deepEqual(outcomes.map((o) => `${o.key}:${o.status}`), ['call-new-1:sent', 'call-new-2:sent', 'call-upd:sent', 'call-old:sent']);
    assert.equal(z.zendesk.tickets.get(upd.id)?.subject, FIELDS.subject);
    assert.equal(z.zendesk.tickets.has(old.id), false);
  });
});
