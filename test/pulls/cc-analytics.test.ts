/**
 * The Contact Center Historical Analytics client against the local fake: XCaaS OAuth with
 * its string `expires_in`, detailed reports paged by `Last-Document-Id`, the tenant header,
 * and failures turned into coded errors the pull can act on. Also the row → event mapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CcAnalyticsClient, CC_ANALYTICS_ENV, CC_REGION_BASE_URLS, type CcPage } from '../../ingest/pulls/contact-center/client.js';
import { CcAnalyticsError } from '../../ingest/pulls/contact-center/errors.js';
import { ccInteractionEvent, flattenCcRow } from '../../ingest/pulls/contact-center/records.js';
import { seedCcInteractions, startFakeCcAnalytics, type FakeCcAnalytics, type FakeCcAnalyticsOptions } from '../../fakes/cc-analytics/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = { start: new Date('2026-03-08T00:00:00Z'), end: new Date('2026-03-09T00:00:00Z') };

async function setup(options: FakeCcAnalyticsOptions = {}, client: { clientSecret?: string; tenantId?: string } = {}) {
  const clock = { now: NOW };
  const fake = await startFakeCcAnalytics({
    now: () => clock.now,
    interactions: seedCcInteractions({ count: 25, start: new Date('2026-03-08T01:00:00Z'), spacingMs: 20 * 60_000 }),
    ...options,
  });
  const cc = new CcAnalyticsClient({
    baseUrl: fake.baseUrl,
    tokenUrl: fake.tokenUrl,
    clientId: 'cc-app-key',
    clientSecret: client.clientSecret ?? 'cc-app-secret',
    now: () => clock.now,
    ...(client.tenantId === undefined ? {} : { tenantId: client.tenantId }),
  });
  return { fake, client: cc, clock };
}

async function rejection(promise: Promise<unknown>): Promise<CcAnalyticsError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CcAnalyticsError, String(error));
  return error;
}

const dataCalls = (fake: FakeCcAnalytics) => fake.requests.filter((r) => r.path.startsWith('/detailed-reports'));

test('cc analytics: the token is requested with Basic auth and client_credentials, then reused', async () => {
  const { fake, client } = await setup();
  try {
    const report = await client.createReport(DAY);
    await client.readPage(report.id, { size: 10 });
    assert.equal(fake.tokensIssued(), 1);
    const tokenRequest = fake.requests.find((r) => r.path === '/oauth/v2/token');
    assert.equal(tokenRequest?.headers.authorization, `Basic ${Buffer.from('cc-app-key:cc-app-secret').toString('base64')}`);
    assert.equal(new URLSearchParams(tokenRequest?.body).get('grant_type'), 'client_credentials');
    assert.deepEqual(dataCalls(fake).map((r) => r.method), ['POST', 'GET'], 'one report created, one page read');
    for (const request of dataCalls(fake)) {
      assert.match(String(request.headers.authorization), /^Bearer .+/);
      assert.equal(request.status, 200);
    }
    const created = JSON.parse(dataCalls(fake)[0]?.body ?? '{}') as Record<string, unknown>;
    // Both ends are included (cc-historical-analytics-detailed-report.md §4), so [start, end) is sent as start … end - 1 ms.
    assert.deepEqual(created['dateRange'], { start: '2026-03-08T00:00:00.000Z', end: '2026-03-08T23:59:59.999Z' });
    assert.equal(created['includeParticipants'], true);
    assert.deepEqual(created['reportSettings'], { showOngoingInteractions: false, showInteractionsStateInTime: false });
    assert.equal(created['type'], 'detailed-reports-interaction-details');
  } finally {
    await fake.close();
  }
});

test('cc analytics: the string expires_in is read as seconds, and the token is refreshed shortly before it ends', async () => {
  const { fake, client, clock } = await setup();
  try {
    await client.createReport(DAY);
    clock.now += 1799_000 - 120_000; // two minutes before expiry: still reused
    await client.createReport(DAY);
    assert.equal(fake.tokensIssued(), 1, 'a string "1799" is a number of seconds, not NaN');
    clock.now += 90_000; // 30 s before expiry: inside the 60 s margin
    await client.createReport(DAY);
    assert.equal(fake.tokensIssued(), 2);
    assert.deepEqual(fake.requests.filter((r) => r.status === 401), [], 'refreshed before 8x8 refused it');
  } finally {
    await fake.close();
  }
});

test('cc analytics: a 401 on a data call refreshes the token once and retries', async () => {
  const { fake, client } = await setup();
  try {
    const report = await client.createReport(DAY);
    fake.expireTokens();
    const page = await client.readPage(report.id, { size: 5 });
    assert.equal(page.rows.length, 5);
    assert.equal(fake.tokensIssued(), 2);
    assert.deepEqual(dataCalls(fake).map((r) => r.status), [200, 401, 200]);
  } finally {
    await fake.close();
  }
});

test('cc analytics: bad credentials are SB_PULL_CC_AUTH naming the env vars, without retrying', async () => {
  const { fake, client } = await setup({}, { clientSecret: 'wrong' });
  try {
    const error = await rejection(client.createReport(DAY));
    assert.equal(error.code, 'SB_PULL_CC_AUTH');
    assert.equal(error.transient, false);
    assert.match(error.message, new RegExp(CC_ANALYTICS_ENV.clientId));
    assert.match(error.message, new RegExp(CC_ANALYTICS_ENV.clientSecret));
    assert.doesNotMatch(error.message, /wrong/, 'the secret never appears in the message');
    assert.deepEqual(dataCalls(fake), []);
  } finally {
    await fake.close();
  }
});

test('cc analytics: a report is paged by Last-Document-Id to the end, rows as items with the tenant offset', async () => {
  const { fake, client } = await setup({ tenantOffset: '+03:00' });
  try {
    const report = await client.createReport(DAY);
    assert.equal(report.status, 'DONE');
    const pages: CcPage[] = [];
    let last: string | null = null;
    do {
      const page: CcPage = await client.readPage(report.id, { size: 10, lastDocumentId: last });
      pages.push(page);
      last = page.nextLastDocumentId;
    } while (last !== null);
    assert.deepEqual(pages.map((p) => p.rows.length), [10, 10, 5]);
    assert.equal(pages[0]?.totalElements, 25);
    const reads = dataCalls(fake).filter((r) => r.method === 'GET');
    assert.equal(reads[0]?.query.get('lastDocumentId'), null, 'the first page has no cursor');
    assert.equal(reads[1]?.query.get('lastDocumentId'), pages[0]?.nextLastDocumentId);
    const flat = pages.flatMap((p) => p.rows).map(flattenCcRow);
    assert.equal(new Set(flat.map((r) => r['interactionId'])).size, 25, 'every interaction once');
    assert.match(String(flat[0]?.['creationTime']), /^2026-03-08T04:00:00\.000\+03:00$/);
  } finally {
    await fake.close();
  }
});

test('cc analytics: the tenant id is sent as X-Tenant-Info', async () => {
  const { fake, client } = await setup({ tenantId: 'acme-eu' }, { tenantId: 'acme-eu' });
  try {
    const report = await client.createReport(DAY);
    await client.readPage(report.id, { size: 10 });
    assert.deepEqual(dataCalls(fake).map((r) => r.method), ['POST', 'GET'], 'one report created, one page read');
    for (const request of dataCalls(fake)) assert.equal(request.headers['x-tenant-info'], 'acme-eu');
  } finally {
    await fake.close();
  }
  const without = await setup({ tenantId: 'acme-eu' });
  try {
    const error = await rejection(without.client.createReport(DAY));
    assert.deepEqual([error.code, error.status], ['SB_PULL_CC_REQUEST', 400], 'a multi-tenant org without the header is refused');
  } finally {
    await without.fake.close();
  }
});

test('cc analytics: 429 and 5xx are transient errors carrying Retry-After; the client never sleeps', async () => {
  const { fake, client } = await setup();
  try {
    const report = await client.createReport(DAY);
    fake.fail({ status: 429, retryAfter: '7' });
    const limited = await rejection(client.readPage(report.id, { size: 10 }));
    assert.deepEqual([limited.code, limited.transient, limited.retryAfterMs, limited.status], ['SB_PULL_CC_UNAVAILABLE', true, 7000, 429]);
    fake.fail({ status: 503 });
    const down = await rejection(client.readPage(report.id, { size: 10 }));
    assert.deepEqual([down.code, down.transient, down.retryAfterMs], ['SB_PULL_CC_UNAVAILABLE', true, undefined]);
    assert.equal((await client.readPage(report.id, { size: 10 })).rows.length, 10, 'the next call goes through');
  } finally {
    await fake.close();
  }
});

test('cc analytics: a page size over 1000 is refused before any request', async () => {
  const { fake, client } = await setup();
  try {
    const error = await rejection(client.readPage('any', { size: 1001 }));
    assert.deepEqual([error.code, error.configKey], ['SB_PULL_CC_REQUEST', 'pulls.ccInteractions.pageSize']);
    assert.deepEqual(fake.requests, []);
  } finally {
    await fake.close();
  }
});

test('cc analytics: a FAILED report and a vanished report have their own codes', async () => {
  const { fake, client } = await setup();
  try {
    fake.failNextReports();
    assert.equal((await rejection(client.createReport(DAY))).code, 'SB_PULL_CC_REPORT_FAILED');
    const report = await client.createReport(DAY);
    fake.dropReports();
    const gone = await rejection(client.readPage(report.id, { size: 10 }));
    assert.deepEqual([gone.code, gone.status, gone.transient], ['SB_PULL_CC_REPORT_GONE', 404, false]);
  } finally {
    await fake.close();
  }
});

test('cc analytics: the region picks the documented base path; the token URL defaults to XCaaS OAuth', async () => {
  const urls: string[] = [];
  const fetchStub = (async (input: string | URL | Request) => {
    urls.push(String(input));
    return String(input).endsWith('/token')
      ? new Response(JSON.stringify({ access_token: 't', expires_in: '1799', issued_at: String(NOW) }), { status: 200 })
      : new Response(JSON.stringify({ id: 'r1', status: 'DONE' }), { status: 200 });
  }) as typeof fetch;
  const client = new CcAnalyticsClient({ region: 'eu', clientId: 'k', clientSecret: 's', now: () => NOW, fetch: fetchStub });
  await client.createReport(DAY);
  assert.deepEqual(urls, ['https://api.8x8.com/oauth/v2/token', `${CC_REGION_BASE_URLS.eu}detailed-reports`]);
  assert.equal(CC_REGION_BASE_URLS.eu, 'https://api.8x8.com/eu/analytics/cc/v8/historical-metrics/');
});

test('cc records: a row lands flattened to {key: value}, values kept, labels dropped; no interactionId is invalid', () => {
  const row = {
    total: null,
    items: [
      { key: 'interactionId', label: 'Interaction ID', value: 'int-42' },
      { key: 'creationTime', label: 'Creation Time', value: '2023-07-03T16:02:27.576+03:00' },
      { key: 'queueWaitDuration', label: 'Queue Wait Time', value: { value: 5320, ongoing: false } },
      { key: 'recordingFileNames', label: 'Recordings', value: [] },
    ],
  };
  const event = ccInteractionEvent(row);
  assert.equal(event.dedupeKey, 'pull:cc:int-42');
  assert.equal(event.eventType, 'CC_INTERACTION');
  assert.deepEqual(JSON.parse(event.body), {
    interactionId: 'int-42',
    creationTime: '2023-07-03T16:02:27.576+03:00',
    queueWaitDuration: { value: 5320, ongoing: false },
    recordingFileNames: [],
  });
  const invalid = (() => {
    try {
      ccInteractionEvent({ total: null, items: [{ key: 'mediaType', label: 'Media Type', value: 'Chat' }] });
    } catch (error) {
      return error;
    }
    return null;
  })();
  assert.ok(invalid instanceof CcAnalyticsError);
  assert.equal(invalid.code, 'SB_PULL_CC_RECORD_INVALID');
});
