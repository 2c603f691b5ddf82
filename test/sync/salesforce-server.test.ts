/**
 * The local Salesforce (fakes/salesforce/) answers plain jsforce as the reference
 * says Salesforce does (../shared/reference/clients-and-apis.md §1): logins, single and
 * Collections upserts, their limits and allOrNone, SOQL paging and escapes, deletes, Bulk
 * API 2.0 through jsforce's own loader, the daily allocation and the concurrent long-request cap, describe,
 * and the usage header.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from 'jsforce';
import { startSalesforceServer, type SalesforceServer } from '../../fakes/salesforce/index.js';

const EXT = 'Switchboard_Call_Id__c';

async function login(sf: SalesforceServer, clientSecret = sf.clientSecret): Promise<Connection> {
  const conn = new Connection({ oauth2: { loginUrl: sf.url, clientId: sf.clientId, clientSecret }, version: '62.0' });
  await conn.authorize({ grant_type: 'client_credentials' });
  return conn;
}

describe('local Salesforce through jsforce', () => {
  let sf: SalesforceServer;
  let conn: Connection;

  before(async () => {
    sf = await startSalesforceServer({ queryPageSize: 3 });
    conn = await login(sf);
  });
  after(async () => {
    await sf.close();
  });

  test('the token endpoint issues a session on this server, and refuses bad credentials and grants the OAuth way', async () => {
    assert.equal(conn.instanceUrl, sf.url);
    assert.equal(conn.userInfo?.organizationId, '00D000000000001AAA');
    await assert.rejects(login(sf, 'wrong'), { name: 'invalid_client', message: 'invalid client credentials' });
    const other = new Connection({ oauth2: { loginUrl: sf.url, clientId: sf.clientId, clientSecret: sf.clientSecret }, version: '62.0' });
    await assert.rejects(other.authorize({ grant_type: 'authorization_code', code: 'x' }), { name: 'unsupported_grant_type' });
    await assert.rejects(other.loginByOAuth2('nobody@example.com', 'x'), { name: 'invalid_grant', message: 'authentication failure' });
  });

  test('a single upsert by external ID creates (201) and then updates (200) the same record', async () => {
    const created = await conn.sobject('Task').upsert({ [EXT]: 'single-1', Subject: 'first' }, EXT);
    assert.equal(created.success, true);
    assert.equal((created as { created?: boolean }).created, true);
    const updated = await conn.sobject('Task').upsert({ [EXT]: 'single-1', Subject: 'second' }, EXT);
    assert.equal((updated as { created?: boolean }).created, false);
    assert.equal(sf.org.taskByExternalId('single-1')?.Subject, 'second');
    assert.equal(sf.log.at(-1)?.path, '/services/data/v62.0/sobjects/Task/Switchboard_Call_Id__c/single-1');
  });

  test('Collections take at most 200 records per call; jsforce splits only with allowRecursive', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ [EXT]: `many-${i}`, Subject: `s${i}` }));
    await assert.rejects(conn.sobject('Task').upsert(records, EXT, { allOrNone: false }), { errorCode: 'EXCEEDED_ID_LIMIT' });
    const before = sf.stats.byKind['collections:upsert'] ?? 0;
    const results = await conn.sobject('Task').upsert(records, EXT, { allOrNone: false, allowRecursive: true });
    assert.equal(results.length, 201);
    assert.equal((sf.stats.byKind['collections:upsert'] ?? 0) - before, 2);
  });

  test('allOrNone rolls every record back when one fails, and says so per record', async () => {
    const results = await conn.sobject('Task').create(
      [
        { [EXT]: 'aon-1', Subject: 'fine' },
        { [EXT]: 'aon-2', Subject: 'z'.repeat(256) },
      ],
      { allOrNone: true },
    );
    assert.deepEqual(
      results.map((r) => (r.success ? 'ok' : (r.errors[0] as { statusCode?: string }).statusCode)),
      ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'STRING_TOO_LONG'],
    );
    assert.equal(sf.org.taskByExternalId('aon-1'), undefined);
  });

  test('SOQL pages with nextRecordsUrl (autoFetch follows it) and reads escaped string literals', async () => {
    for (const name of ["O'Brien", 'Back\\slash', 'Plain', 'Other', 'More']) sf.org.addContact({ LastName: name, Phone: '+6590000000' });
    const all = await conn.query<{ Id: string }>('SELECT Id, LastName FROM Contact WHERE Phone = \'+6590000000\'', { autoFetch: true, maxFetch: 100 });
    assert.equal(all.records.length, 5);
    assert.ok(sf.log.some((l) => l.kind === 'queryMore' && /\/query\/01g/.test(l.path)));
    const obrien = await conn.query<{ LastName: string }>("SELECT Id, LastName FROM Contact WHERE LastName IN ('O\\'Brien', 'Back\\\\slash')");
    assert.deepEqual(obrien.records.map((r) => r.LastName).sort(), ["Back\\slash", "O'Brien"]);
    await assert.rejects(async () => conn.query('SELECT Id FROM Contact WHERE Nope__c = 1'), { errorCode: 'INVALID_FIELD' });
  });

  test('a deleted record is ENTITY_IS_DELETED on the next delete', async () => {
    const created = await conn.sobject('Task').create({ [EXT]: 'gone-1', Subject: 'bye' });
    const id = created.id as string;
    const deleted = await conn.sobject('Task').destroy(id);
    assert.equal(deleted.success, true);
    await assert.rejects(conn.request({ method: 'DELETE', url: `/sobjects/Task/${id}` }, { retry: { maxRetries: 0 } }), { errorCode: 'ENTITY_IS_DELETED' });
    const many = await conn.sobject('Task').destroy([id], { allOrNone: false });
    assert.equal((many[0]?.errors[0] as { statusCode?: string } | undefined)?.statusCode, 'ENTITY_IS_DELETED');
  });

  test("Bulk API 2.0 through jsforce's loader: an upsert job with results per row", async () => {
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Task',
      operation: 'upsert',
      externalIdFieldName: EXT,
      input: [
        { [EXT]: 'bulk-j-1', Subject: 'one' },
        { [EXT]: 'bulk-j-2', Subject: 'q'.repeat(300) },
      ],
      pollInterval: 5,
      pollTimeout: 10_000,
    });
    assert.equal(results.successfulResults.length, 1);
    assert.equal(results.successfulResults[0]?.sf__Created, 'true');
    assert.equal(results.successfulResults[0]?.sf__Id, sf.org.taskByExternalId('bulk-j-1')?.Id);
    assert.match(String(results.failedResults[0]?.sf__Error), /^STRING_TOO_LONG:Subject: data value too large: q+ \(max length=255\):Subject --$/);
  });

  test('every response reports API usage in Sforce-Limit-Info', async () => {
    await conn.query('SELECT Id FROM Lead');
    assert.equal(conn.limitInfo?.apiUsage?.used, sf.stats.apiCalls);
    assert.equal(conn.limitInfo?.apiUsage?.limit, 15000);
  });
});

describe('local Salesforce API limits (API Request Limits and Allocations)', () => {
  test('the rolling 24-hour allocation: 403 REQUEST_LIMIT_EXCEEDED without Retry-After until calls age out of the window', async () => {
    let clock = 5_000_000;
    const sf = await startSalesforceServer({ dailyApiRequests: 2, now: () => clock });
    try {
      const conn = await login(sf);
      const call = () => fetch(`${sf.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
      assert.equal((await call()).status, 200);
      clock += 3600_000;
      const second = await call();
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('sforce-limit-info'), 'api-usage=2/2');
      const refused = await call();
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('retry-after'), null, 'Salesforce sends no Retry-After');
      assert.deepEqual(await refused.json(), [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
      clock += 23 * 3600_000; // the first call leaves the 24-hour window
      const again = await call();
      assert.equal(again.status, 200);
      assert.deepEqual(((await again.json()) as { DailyApiRequests: unknown }).DailyApiRequests, { Max: 2, Remaining: 0 });
      assert.equal((await call()).status, 403);
      assert.equal(sf.stats.apiCalls, 5);
      assert.equal(sf.stats.limited, 2);
      assert.equal(sf.stats.tokenRequests, 1, 'logins are not REST calls');
    } finally {
      await sf.close();
    }
  });

  test('the concurrent long-running request cap: 403 REQUEST_LIMIT_EXCEEDED while it is full, and no per-second limit', async () => {
    const sf = await startSalesforceServer({ concurrentLongRequests: 3 });
    try {
      const conn = await login(sf);
      const call = () => fetch(`${sf.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${conn.accessToken}` } });
      const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await call()).status));
      assert.ok(statuses.every((s) => s === 200), 'short requests are not limited, however many at once');
      const release = sf.occupyLongRequests(3);
      const refused = await call();
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('retry-after'), null);
      assert.deepEqual(await refused.json(), [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
      release();
      assert.equal((await call()).status, 200);
    } finally {
      await sf.close();
    }
  });

  test('describe: Task.TaskSubtype is createable but not updateable, and Task has WhatId (Account, Opportunity)', async () => {
    const sf = await startSalesforceServer();
    try {
      const conn = await login(sf);
      const described = await conn.sobject('Task').describe();
      const field = (name: string) => described.fields.find((f) => f.name === name);
      assert.equal(field('TaskSubtype')?.createable, true);
      assert.equal(field('TaskSubtype')?.updateable, false);
      assert.deepEqual(field('TaskSubtype')?.picklistValues?.map((p) => p.value), ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn']);
      assert.deepEqual(field('WhatId')?.referenceTo, ['Account', 'Opportunity']);
      assert.equal(field('Subject')?.updateable, true);
    } finally {
      await sf.close();
    }
  });
});
