/**
 * The Salesforce destination through jsforce against the local Salesforce
 * (fakes/salesforce/): logins, upserts by external ID through sObject Collections
 * and Bulk API 2.0, per-record rejections, rate limits and 5xx, expired sessions, mode
 * gating and deletes.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeferRunError, PermanentDestinationError, TransientDestinationError, type ChangeRecord, type RecordOutcome } from '../../sync/destination.js';
import { createSalesforceDestination, SalesforceError, type SalesforceDestination, type SalesforceSettings, type SyncMode } from '../../sync/destinations/salesforce/index.js';
import { startSalesforceServer, type SalesforceServer } from '../../fakes/salesforce/index.js';
import { mockClock, tickUntilSettled } from '../helpers/clock.js';

const EXT = 'Switchboard_Call_Id__c';

function settingsFor(sf: SalesforceServer, extra: Partial<SalesforceSettings> = {}): SalesforceSettings {
  return { loginUrl: sf.url, apiVersion: '62.0', auth: 'client_credentials', clientId: sf.clientId, externalIdField: EXT, bulkThreshold: 2000, ...extra };
}

function destinationFor(sf: SalesforceServer, extra: Partial<SalesforceSettings> = {}, env: NodeJS.ProcessEnv = {}): SalesforceDestination {
  return createSalesforceDestination(settingsFor(sf, extra), { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: sf.clientSecret, ...env }, { bulkPolling: { intervalMs: 10 } });
}

function context(mode?: SyncMode) {
  return { sync: 'calls_to_salesforce', object: 'Task', signal: new AbortController().signal, ...(mode === undefined ? {} : { mode }) };
}

function taskFields(n: number, extra: ChangeRecord['fields'] = {}): ChangeRecord['fields'] {
  return {
    Subject: `Inbound call from +6591234567 (${n})`,
    CallType: 'Inbound',
    CallDurationInSeconds: 200 + n,
    CallObject: `call-${n}`,
    ActivityDate: '2025-03-04',
    Status: 'Completed',
    Description: `Outcome: answered; call ${n}`,
    ...extra,
  };
}

function change(key: string, action: ChangeRecord['action'], fields: ChangeRecord['fields'] = {}, externalRef: string | null = null): ChangeRecord {
  return { key, action, fields, externalRef, idempotencyKey: `idem-${key}-${action}` };
}

function byKey(outcomes: readonly RecordOutcome[]): Map<string, RecordOutcome> {
  return new Map(outcomes.map((o) => [o.key, o]));
}

describe('Salesforce destination', () => {
  let sf: SalesforceServer;

  before(async () => {
    sf = await startSalesforceServer({ users: { 'integration@acme.example': 'hunter2TOKEN' } });
  });
  after(async () => {
    await sf.close();
  });
  beforeEach(() => {
    sf.resetStats();
    sf.clearFailures();
  });

  test('upserts a Task by external ID at the configured API version, then updates the same Task instead of creating another', async () => {
    const destination = destinationFor(sf);
    const [created] = await destination.send([change('call-1', 'create', taskFields(1))], context('upsert'));
    assert.equal(created?.status, 'sent');
    const task = sf.org.taskByExternalId('call-1');
    assert.ok(task !== undefined);
    assert.equal(created?.externalRef, task.Id);
    assert.equal(task.Subject, 'Inbound call from +6591234567 (1)');
    assert.equal(task.CallDurationInSeconds, 201);
    assert.equal(task.ActivityDate, '2025-03-04');

    const [updated] = await destination.send([change('call-1', 'update', taskFields(1, { Subject: 'Missed call from +6591234567' }), task.Id)], context('upsert'));
    assert.deepEqual(updated, { key: 'call-1', status: 'sent', externalRef: task.Id });
    assert.equal(sf.org.live('Task').filter((t) => t[EXT] === 'call-1').length, 1, 'one Task, updated in place');
    assert.equal(sf.org.taskByExternalId('call-1')?.Subject, 'Missed call from +6591234567');
    assert.deepEqual([...sf.stats.versions], ['62.0']);
    assert.equal(sf.stats.byKind['collections:upsert'], 2);
    assert.equal(sf.stats.tokenRequests, 1, 'logged in once');
  });

  test('sends 450 records as three sObject Collections calls of at most 200', async () => {
    const destination = destinationFor(sf);
    const records = Array.from({ length: 450 }, (_, i) => change(`bulk-c-${i}`, 'create', taskFields(i)));
    const outcomes = await destination.send(records, context('upsert'));
    assert.equal(outcomes.length, 450);
    assert.ok(outcomes.every((o) => o.status === 'sent' && o.externalRef === sf.org.taskByExternalId(o.key)?.Id));
    assert.equal(sf.stats.byKind['collections:upsert'], 3);
    assert.equal(sf.stats.apiCalls, 3);
  });

  test("returns per-record rejections with Salesforce's code and message, sends the rest, and retries a locked row", async () => {
    const destination = destinationFor(sf);
    const gone = sf.org.addContact({ LastName: 'Gone', Phone: '+6500000000' });
    sf.org.remove(gone);
    const alive = sf.org.addContact({ LastName: 'Tan', Phone: '+6591234567' });
    sf.org.faults.push({ match: (r) => r[EXT] === 'rej-locked', error: { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] }, times: 1 });
    const outcomes = byKey(
      await destination.send(
        [
          change('rej-ok', 'create', taskFields(1, { WhoId: alive })),
          change('rej-long', 'create', taskFields(2, { Subject: 'x'.repeat(300) })),
          change('rej-deleted-who', 'create', taskFields(3, { WhoId: gone })),
          change('rej-unknown-who', 'create', taskFields(4, { WhoId: '003000000000999AAA' })),
          change('rej-picklist', 'create', taskFields(5, { CallType: 'Sideways' })),
          change('rej-locked', 'create', taskFields(6)),
        ],
        context('upsert'),
      ),
    );
    assert.equal(outcomes.get('rej-ok')?.status, 'sent');
    assert.equal(sf.org.taskByExternalId('rej-ok')?.WhoId, alive);
    assert.deepEqual(outcomes.get('rej-long'), {
      key: 'rej-long',
      status: 'rejected',
      code: 'STRING_TOO_LONG',
      reason: 'Subject: data value too large: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx (max length=255) (Subject)',
    });
    assert.deepEqual(outcomes.get('rej-deleted-who'), { key: 'rej-deleted-who', status: 'rejected', code: 'ENTITY_IS_DELETED', reason: 'entity is deleted (WhoId)' });
    assert.deepEqual(outcomes.get('rej-unknown-who'), { key: 'rej-unknown-who', status: 'rejected', code: 'INVALID_CROSS_REFERENCE_KEY', reason: 'invalid cross reference id (WhoId)' });
    assert.equal(outcomes.get('rej-picklist')?.code, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    assert.deepEqual(outcomes.get('rej-locked'), { key: 'rej-locked', status: 'retry', code: 'UNABLE_TO_LOCK_ROW', reason: 'unable to obtain exclusive access to this record' });
    for (const key of ['rej-long', 'rej-deleted-who', 'rej-unknown-who', 'rej-picklist', 'rej-locked']) assert.equal(sf.org.taskByExternalId(key), undefined, key);
    assert.equal(sf.stats.byKind['collections:upsert'], 1, 'one call: the failures came back inside an HTTP 200');
  });

  test('the daily REQUEST_LIMIT_EXCEEDED defers the run; 429 and 5xx are TransientDestinationErrors carrying any Retry-After', async () => {
    const destination = destinationFor(sf);
    const one = [change('limit-1', 'create', taskFields(1))];
    // As Salesforce sends it (fakes/salesforce/): 403, no Retry-After.
    sf.failNext({ status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
    await assert.rejects(destination.send(one, context('upsert')), (e: unknown) => {
      assert.ok(e instanceof DeferRunError);
      assert.equal(e.code, 'SB_SYNC_SALESFORCE_DAILY_LIMIT');
      assert.equal(e.retryAfterMs, undefined);
      assert.match(e.message, /REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded/);
      return true;
    });
    sf.failNext({ status: 429, errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down', retryAfterSeconds: 2 });
    await assert.rejects(destination.send(one, context('upsert')), (e: unknown) => e instanceof TransientDestinationError && e.retryAfterMs === 2000);
    sf.failNext({ status: 503, body: '<html><body>Service Unavailable</body></html>' });
    await assert.rejects(destination.send(one, context('upsert')), (e: unknown) => e instanceof TransientDestinationError && e.retryAfterMs === undefined && /503/.test(e.message));
    sf.failNext({ status: 500, errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' });
    await assert.rejects(destination.send(one, context('upsert')), (e: unknown) => e instanceof TransientDestinationError);
    assert.equal(sf.org.taskByExternalId('limit-1'), undefined);
    const [sent] = await destination.send(one, context('upsert'));
    assert.equal(sent?.status, 'sent');
  });

  test('the daily API allocation running out halfway through a batch keeps what was confirmed and defers the rest to the next run', async () => {
    const limited = await startSalesforceServer({ dailyApiRequests: 2 });
    try {
      const destination = destinationFor(limited);
      const records = Array.from({ length: 450 }, (_, i) => change(`rl-${i}`, 'create', taskFields(i)));
      const outcomes = await destination.send(records, context('upsert'));
      const sent = outcomes.filter((o) => o.status === 'sent');
      const retry = outcomes.filter((o) => o.status === 'retry');
      assert.equal(sent.length, 400, 'two calls of 200 went through');
      assert.equal(retry.length, 50);
      assert.ok(retry.every((o) => o.code === 'SB_SYNC_SALESFORCE_DAILY_LIMIT' && o.deferRun === true && o.retryAfterMs === undefined), JSON.stringify(retry[0]));
      assert.equal(limited.org.live('Task').length, 400);
      assert.equal(limited.stats.limited, 1);
      // Nothing went through yet in a batch: the whole call fails, for the engine to stop the run.
      await assert.rejects(destination.send([change('rl-x', 'create', taskFields(1))], context('upsert')), (e: unknown) => e instanceof DeferRunError && e.code === 'SB_SYNC_SALESFORCE_DAILY_LIMIT');
    } finally {
      await limited.close();
    }
  });

  test('an expired session is renewed once (jsforce refreshFn) and the call goes through', async () => {
    const destination = destinationFor(sf);
    await destination.send([change('sess-1', 'create', taskFields(1))], context('upsert'));
    sf.expireSessions();
    const [outcome] = await destination.send([change('sess-2', 'create', taskFields(2))], context('upsert'));
    assert.equal(outcome?.status, 'sent');
    assert.equal(sf.stats.tokenRequests, 2, 'logged in again exactly once');
    assert.deepEqual(
      sf.log.map((l) => `${l.kind} ${l.status}`),
      ['collections:upsert 200', 'collections:upsert 401', 'collections:upsert 200'],
    );
  });

  test('a session refused again right after logging in fails for good instead of looping', async () => {
    const destination = destinationFor(sf);
    await destination.send([change('loop-0', 'create', taskFields(0))], context('upsert'));
    sf.failNext({ status: 401, errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid', times: 10 });
    await assert.rejects(destination.send([change('loop-1', 'create', taskFields(1))], context('upsert')), (e: unknown) => {
      assert.ok(e instanceof PermanentDestinationError);
      assert.equal(e.code, 'SB_SYNC_SALESFORCE_AUTH_FAILED');
      return true;
    });
    assert.equal(sf.stats.tokenRequests, 2, 'the first login and one renewal');
    assert.equal(sf.stats.byKind['collections:upsert'], 3, 'the call, its replay after the renewal, and nothing more');
  });

  test('wrong client credentials are a PermanentDestinationError naming the settings to check', async () => {
    const destination = createSalesforceDestination(settingsFor(sf), { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: 'wrong' });
    await assert.rejects(destination.send([change('auth-1', 'create', taskFields(1))], context('upsert')), (e: unknown) => {
      assert.ok(e instanceof PermanentDestinationError);
      assert.equal(e.code, 'SB_SYNC_SALESFORCE_AUTH_FAILED');
      assert.match(e.message, /invalid_client: invalid client credentials/);
      assert.match(e.message, /SWITCHBOARD_SALESFORCE_CLIENT_SECRET/);
      return true;
    });
  });

  test('password auth logs in with the username and the password plus security token', async () => {
    const destination = destinationFor(sf, { auth: 'password', username: 'integration@acme.example' }, { SWITCHBOARD_SALESFORCE_PASSWORD: 'hunter2TOKEN' });
    const [outcome] = await destination.send([change('pw-1', 'create', taskFields(1))], context('upsert'));
    assert.equal(outcome?.status, 'sent');
    const wrong = destinationFor(sf, { auth: 'password', username: 'integration@acme.example' }, { SWITCHBOARD_SALESFORCE_PASSWORD: 'hunter2' });
    await assert.rejects(wrong.send([change('pw-2', 'create', taskFields(2))], context('upsert')), /invalid_grant: authentication failure/);
  });

  test('a missing secret or setting is an error naming the variable and destinations.salesforce', () => {
    assert.throws(
      () => createSalesforceDestination(settingsFor(sf), {}),
      (e: unknown) =>
        e instanceof SalesforceError && e.code === 'SB_SYNC_SALESFORCE_SECRET_MISSING' && e.configKey === 'destinations.salesforce' && /SWITCHBOARD_SALESFORCE_CLIENT_SECRET/.test(e.message),
    );
    assert.throws(
      () => createSalesforceDestination(settingsFor(sf, { auth: 'password', username: 'u' }), { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: 's' }),
      (e: unknown) => e instanceof SalesforceError && e.code === 'SB_SYNC_SALESFORCE_SECRET_MISSING' && /SWITCHBOARD_SALESFORCE_PASSWORD/.test(e.message),
    );
    assert.throws(
      () => createSalesforceDestination(settingsFor(sf, { clientId: undefined }), { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: 's' }),
      (e: unknown) => e instanceof SalesforceError && e.code === 'SB_SYNC_SALESFORCE_CONFIG' && e.configKey === 'destinations.salesforce.clientId',
    );
  });

  test('an update-only sync never creates: a Task that exists is updated, a missing one skipped', async () => {
    const destination = destinationFor(sf);
    const [existing] = await destination.send([change('upd-1', 'create', taskFields(1))], context('upsert'));
    sf.resetStats();
    for (const mode of ['update', undefined] as const) {
      const outcomes = byKey(
        await destination.send([change('upd-1', 'update', taskFields(1, { Subject: `updated (${mode ?? 'no mode'})` })), change('upd-missing', 'update', taskFields(2))], context(mode)),
      );
      assert.deepEqual(outcomes.get('upd-1'), { key: 'upd-1', status: 'sent', externalRef: existing?.externalRef });
      assert.equal(outcomes.get('upd-missing')?.status, 'skipped');
      assert.equal(outcomes.get('upd-missing')?.code, 'NOT_FOUND');
      assert.equal(sf.org.taskByExternalId('upd-1')?.Subject, `updated (${mode ?? 'no mode'})`);
      assert.equal(sf.org.taskByExternalId('upd-missing'), undefined, 'not created');
    }
    assert.equal(sf.stats.byKind['collections:upsert'], undefined, 'never an upsert');
    // With the Id from the last send, no lookup is needed; a Task deleted in Salesforce is skipped, not re-created.
    sf.resetStats();
    sf.org.remove(existing?.externalRef as string);
    const [deleted] = await destination.send([change('upd-1', 'update', taskFields(1), existing?.externalRef as string)], context('update'));
    assert.equal(deleted?.status, 'skipped');
    assert.equal(deleted?.code, 'ENTITY_IS_DELETED');
    assert.equal(sf.org.taskByExternalId('upd-1'), undefined);
    assert.deepEqual(Object.keys(sf.stats.byKind), ['collections:update']);
  });

  test('a create-only sync never updates: a Task that exists is skipped and left as it was', async () => {
    const destination = destinationFor(sf);
    const [first] = await destination.send([change('cre-1', 'create', taskFields(1, { Subject: 'original' }))], context('create'));
    assert.equal(first?.status, 'sent');
    for (const mode of ['create', undefined] as const) {
      const outcomes = byKey(await destination.send([change('cre-1', 'create', taskFields(1, { Subject: 'changed' })), change(`cre-new-${mode ?? 'none'}`, 'create', taskFields(2))], context(mode)));
      assert.equal(outcomes.get('cre-1')?.status, 'skipped');
      assert.equal(outcomes.get('cre-1')?.code, 'DUPLICATE_VALUE');
      assert.equal(outcomes.get('cre-1')?.externalRef, first?.externalRef, 'the Id of the Task that exists');
      assert.equal(outcomes.get(`cre-new-${mode ?? 'none'}`)?.status, 'sent');
    }
    const [update] = await destination.send([change('cre-1', 'update', taskFields(1, { Subject: 'changed' }))], context('create'));
    assert.equal(update?.status, 'skipped');
    assert.equal(sf.org.taskByExternalId('cre-1')?.Subject, 'original');
    assert.equal(sf.org.live('Task').filter((t) => t[EXT] === 'cre-1').length, 1);
  });

  test('deletes by the stored Id, finds the Id by external ID when none is stored, and counts a Task already gone as sent', async () => {
    const destination = destinationFor(sf);
    const made = byKey(await destination.send(['del-1', 'del-2', 'del-3'].map((k, i) => change(k, 'create', taskFields(i))), context('mirror')));
    sf.org.remove(made.get('del-3')?.externalRef as string);
    sf.resetStats();
    const outcomes = byKey(
      await destination.send(
        [
          change('del-1', 'delete', {}, made.get('del-1')?.externalRef as string),
          change('del-2', 'delete'),
          change('del-3', 'delete', {}, made.get('del-3')?.externalRef as string),
          change('del-never', 'delete'),
        ],
        context('mirror'),
      ),
    );
    assert.deepEqual(
      [...outcomes.values()].map((o) => `${o.key}:${o.status}`),
      ['del-1:sent', 'del-2:sent', 'del-3:sent', 'del-never:sent'],
    );
    for (const key of ['del-1', 'del-2', 'del-3']) assert.equal(sf.org.taskByExternalId(key), undefined, key);
    assert.equal(sf.stats.byKind.query, 1, 'one lookup for the two keys without an Id');
    assert.equal(sf.stats.byKind['collections:delete'], 1);
  });

  test('above bulkThreshold a batch goes through one Bulk API 2.0 job, and its result rows map back to their keys', async () => {
    const destination = destinationFor(sf, { bulkThreshold: 5 });
    assert.ok(destination.batchSize > 5, 'a batch can cross the threshold');
    await destination.send([change('blk-0', 'create', taskFields(0, { Description: 'to be blanked' }))], context('upsert'));
    sf.resetStats();
    const batch = [
      change('blk-0', 'update', taskFields(0, { Description: null })),
      ...Array.from({ length: 9 }, (_, i) => change(`blk-${i + 1}`, 'create', taskFields(i + 1, { Subject: `Bulk "quoted", call ${i + 1}\nsecond line` }))),
      change('blk-long', 'create', taskFields(11, { Subject: 'y'.repeat(256) })),
    ];
    const outcomes = byKey(await destination.send(batch, context('upsert')));
    assert.equal(outcomes.size, 11);
    for (let i = 0; i < 10; i++) {
      const task = sf.org.taskByExternalId(`blk-${i}`);
      assert.deepEqual(outcomes.get(`blk-${i}`), { key: `blk-${i}`, status: 'sent', externalRef: task?.Id });
      if (i > 0) assert.equal(task?.Subject, `Bulk "quoted", call ${i}\nsecond line`);
    }
    assert.equal(sf.org.taskByExternalId('blk-0')?.Description, null, '#N/A blanks a field');
    assert.equal(outcomes.get('blk-long')?.status, 'rejected');
    assert.equal(outcomes.get('blk-long')?.code, 'STRING_TOO_LONG');
    assert.match(outcomes.get('blk-long')?.reason ?? '', /^Subject: data value too large/);
    assert.equal(sf.stats.byKind['bulk:create'], 1);
    assert.equal(sf.stats.byKind['bulk:upload'], 1);
    assert.equal(sf.stats.byKind['collections:upsert'], undefined);
    assert.equal(sf.stats.byKind.query, undefined);
  });

  test('Bulk API 2.0 deletes and update-only updates map back by Id', async () => {
    const destination = destinationFor(sf, { bulkThreshold: 3 });
    const made = await destination.send(Array.from({ length: 8 }, (_, i) => change(`bd-${i}`, 'create', taskFields(i))), context('upsert'));
    const ids = new Map(made.map((o) => [o.key, o.externalRef as string]));
    sf.resetStats();
    const updated = await destination.send(Array.from({ length: 4 }, (_, i) => change(`bd-${i}`, 'update', taskFields(i, { Subject: `bulk update ${i}` }))), context('update'));
    assert.ok(updated.every((o) => o.status === 'sent' && o.externalRef === ids.get(o.key)));
    assert.equal(sf.org.taskByExternalId('bd-2')?.Subject, 'bulk update 2');
    const deleted = await destination.send(Array.from({ length: 4 }, (_, i) => change(`bd-${i + 4}`, 'delete', {}, ids.get(`bd-${i + 4}`) as string)), context('mirror'));
    assert.ok(deleted.every((o) => o.status === 'sent'));
    assert.equal(sf.org.live('Task').filter((t) => String(t[EXT]).startsWith('bd-')).length, 4);
    assert.equal(sf.stats.byKind['bulk:create'], 2);
  });

  test('a field the object does not have fails the whole call for good, through Collections and through Bulk', async () => {
    const small = destinationFor(sf);
    await assert.rejects(small.send([change('bad-1', 'create', { Bogus__c: 'x' })], context('upsert')), (e: unknown) => {
      assert.ok(e instanceof PermanentDestinationError);
      assert.equal(e.code, 'SB_SYNC_SALESFORCE_REQUEST_REFUSED');
      assert.match(e.message, /INVALID_FIELD: No such column 'Bogus__c' on sobject of type Task/);
      return true;
    });
    const big = destinationFor(sf, { bulkThreshold: 1 });
    await assert.rejects(big.send([change('bad-1', 'create', { Bogus__c: 'x' }), change('bad-2', 'create', { Bogus__c: 'y' })], context('upsert')), (e: unknown) => {
      assert.ok(e instanceof PermanentDestinationError);
      assert.equal(e.code, 'SB_SYNC_SALESFORCE_BULK_JOB_FAILED');
      assert.match(e.message, /InvalidBatch : Field name not found : Bogus__c/);
      return true;
    });
  });
});

describe('pacing', () => {
  test('with requestsPerSecond set, calls wait their turn (Salesforce has no per-second limit; this is the operator spreading its allocation)', async (t) => {
    const sf = await startSalesforceServer();
    try {
      const clock = mockClock(t, ['setTimeout', 'Date']); // the pacer's clock
      const destination = destinationFor(sf, { requestsPerSecond: 3 });
      const records = Array.from({ length: 1400 }, (_, i) => change(`paced-${i}`, 'create', taskFields(i)));
      const outcomes = await tickUntilSettled(clock, destination.send(records, context('upsert')));
      assert.equal(outcomes.filter((o) => o.status === 'sent').length, 1400, 'all seven calls went through');
      assert.equal(sf.stats.limited, 0, 'none was refused for the rate limit');
      assert.equal(sf.stats.byKind['collections:upsert'], 7);
      await destination.close();
    } finally {
      await sf.close();
    }
  });
});
