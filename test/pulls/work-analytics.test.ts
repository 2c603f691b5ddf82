import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkAnalyticsClient, WORK_ANALYTICS_ENV, type Page } from '../../ingest/pulls/work-analytics/client.js';
import { WorkAnalyticsError } from '../../ingest/pulls/work-analytics/errors.js';
import { callLegEvent, callRecordEvent } from '../../ingest/pulls/work-analytics/records.js';
import { planWindows } from '../../ingest/pulls/work-analytics/windows.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { mockClock, tickUntilSettled } from '../helpers/clock.js';

const NY = 'America/New_York';
/** 2026-03-08 00:00 EST; DST starts at 02:00 that day. */
const MARCH_8_NY = new Date('2026-03-08T05:00:00Z');
const NOW = Date.parse('2026-06-01T12:00:00Z');

async function setup(seed = seedWorkCalls({ count: 25, start: MARCH_8_NY, timeZone: NY })): Promise<{
  fake: FakeWorkAnalytics;
  client: WorkAnalyticsClient;
  clock: { now: number };
}> {
  const clock = { now: NOW };
  const fake = await startFakeWorkAnalytics({ now: () => clock.now, records: seed.records, legs: seed.legs });
  const client = new WorkAnalyticsClient({
    baseUrl: fake.baseUrl,
    apiKey: 'test-api-key',
    username: 'analyst@example.com',
    password: 'correct horse',
    now: () => clock.now,
  });
  return { fake, client, clock };
}

const DAY = { from: '2026-03-08 00:00:00', to: '2026-03-09 00:00:00', timeZone: NY, pageSize: 10 };

async function rejection(promise: Promise<unknown>): Promise<WorkAnalyticsError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkAnalyticsError, String(error));
  return error;
}

test('work analytics: a token is fetched once with the api key and form credentials, then reused', async () => {
  const { fake, client } = await setup();
  try {
    await client.callRecords(DAY);
    await client.callLegs(DAY);
    assert.equal(fake.tokensIssued(), 1);
    const tokenRequest = fake.requests.find((r) => r.path === '/v1/oauth/token');
    assert.equal(tokenRequest?.headers['8x8-apikey'], 'test-api-key');
    const data = fake.requests.filter((r) => r.path.startsWith('/v2/'));
    assert.equal(data.length, 2);
    for (const request of data) {
      assert.match(String(request.headers.authorization), /^Bearer eyJ/);
      assert.equal(request.headers['8x8-apikey'], 'test-api-key');
      assert.equal(request.status, 200);
    }
  } finally {
    await fake.close();
  }
});

test('work analytics: the token is refreshed shortly before it expires, without a 401', async () => {
  const { fake, client, clock } = await setup();
  try {
    await client.callRecords(DAY);
    clock.now += 1800_000 - 30_000; // 30 s before expiry: inside the 60 s margin
    await client.callRecords(DAY);
    assert.equal(fake.tokensIssued(), 2);
    assert.deepEqual(fake.requests.filter((r) => r.status === 401), []);
    const [first, second] = fake.requests.filter((r) => r.path === '/v2/call-records').map((r) => r.headers.authorization);
    assert.notEqual(first, second);
  } finally {
    await fake.close();
  }
});

test('work analytics: a 401 on a data call refreshes the token once and retries', async () => {
  const { fake, client } = await setup();
  try {
    await client.callRecords(DAY);
    fake.expireTokens();
    const page = await client.callRecords(DAY);
    assert.equal(page.records.length, 10);
    assert.equal(fake.tokensIssued(), 2);
    assert.deepEqual(
      fake.requests.map((r) => `${r.path} ${r.status}`),
      ['/v1/oauth/token 200', '/v2/call-records 200', '/v2/call-records 401', '/v1/oauth/token 200', '/v2/call-records 200'],
    );
  } finally {
    await fake.close();
  }
});

test('work analytics: a 401 with a fresh token is a permanent auth error naming the credentials', async () => {
  const { fake, client } = await setup();
  try {
    fake.refuseAllTokens = true;
    const error = await rejection(client.callRecords(DAY));
    assert.equal(error.code, 'SB_PULL_WORK_AUTH');
    assert.equal(error.transient, false);
    for (const name of Object.values(WORK_ANALYTICS_ENV)) assert.ok(error.message.includes(name), error.message);
    assert.equal(fake.requests.filter((r) => r.status === 401).length, 2);
  } finally {
    await fake.close();
  }
});

test('work analytics: a wrong password is answered 400 invalid_grant, as documented, and is SB_PULL_WORK_AUTH naming the user variables', async () => {
  const { fake } = await setup();
  try {
    const client = new WorkAnalyticsClient({ baseUrl: fake.baseUrl, apiKey: 'test-api-key', username: 'analyst@example.com', password: 'wrong' });
    const error = await rejection(client.callRecords(DAY));
    assert.equal(error.code, 'SB_PULL_WORK_AUTH');
    assert.equal(error.status, 400);
    assert.equal(error.transient, false);
    assert.match(error.message, new RegExp(`${WORK_ANALYTICS_ENV.username} and ${WORK_ANALYTICS_ENV.password}`));
    assert.doesNotMatch(error.message, new RegExp(WORK_ANALYTICS_ENV.apiKey), 'the API key is not blamed for a wrong password');
  } finally {
    await fake.close();
  }
});

test('work analytics: a wrong API key is answered 400 SHA001, as documented, and is SB_PULL_WORK_AUTH naming SWITCHBOARD_WORK_ANALYTICS_API_KEY', async () => {
  const { fake } = await setup();
  try {
    const client = new WorkAnalyticsClient({ baseUrl: fake.baseUrl, apiKey: 'not-the-key', username: 'analyst@example.com', password: 'correct horse' });
    const error = await rejection(client.callRecords(DAY));
    assert.equal(fake.requests[0]?.status, 400);
    assert.deepEqual([error.code, error.status, error.transient, error.configKey], ['SB_PULL_WORK_AUTH', 400, false, 'pulls.workAnalytics']);
    assert.match(error.message, /SHA001/);
    assert.match(error.message, new RegExp(WORK_ANALYTICS_ENV.apiKey));
    assert.doesNotMatch(error.message, new RegExp(WORK_ANALYTICS_ENV.password), 'the password is not blamed for a wrong key');
  } finally {
    await fake.close();
  }
});

test('work analytics: a PBX the user may not see is 403, SB_PULL_WORK_AUTH naming pulls.workAnalytics.pbxId', async () => {
  const { fake, client } = await setup();
  try {
    const error = await rejection(client.callRecords({ ...DAY, pbxId: 'othercorp' }));
    assert.deepEqual([error.code, error.status, error.configKey], ['SB_PULL_WORK_AUTH', 403, 'pulls.workAnalytics.pbxId']);
    assert.match(error.message, /does not have access to pbxId\(othercorp\)/);
  } finally {
    await fake.close();
  }
});

test('work analytics: request fields are sent within their documented forms (IANA spelling of timeZone, a comma list of PBX names)', async () => {
  const { fake, client } = await setup();
  try {
    // Intl reads zone names in any case, and the config accepts what Intl reads; the API wants the tz database's spelling.
    const page = await client.callRecords({ ...DAY, timeZone: 'america/new_york', pbxId: ' acmecorp , acmecorp ' });
    assert.equal(page.records.length, 10);
    const sent = fake.requests.find((r) => r.path === '/v2/call-records');
    assert.deepEqual([sent?.status, sent?.query.get('timeZone'), sent?.query.get('pbxId')], [200, NY, 'acmecorp,acmecorp']);
  } finally {
    await fake.close();
  }
});

test('work analytics: scrollId paging ends at "No Data" with every record of the window once', async () => {
  // 25 calls every 10 minutes from local midnight; the window holds the first 24 (00:00–04:00 local, across the DST jump).
  const { fake, client } = await setup();
  try {
    const window = { from: '2026-03-08 00:00:00', to: '2026-03-08 05:00:00', timeZone: NY, pageSize: 10 };
    const pages: Page[] = [];
    let scrollId: string | null = null;
    do {
      const page: Page = await client.callRecords({ ...window, scrollId });
      pages.push(page);
      scrollId = page.scrollId;
    } while (scrollId !== null);
    // 00:00–05:00 local on the DST day is 4 real hours: 24 calls.
    assert.deepEqual(pages.map((p) => p.records.length), [10, 10, 4, 0]);
    const ids = pages.flatMap((p) => p.records.map((r) => r['callId']));
    assert.equal(new Set(ids).size, 24);
    assert.deepEqual(ids, fake.records.slice(0, 24).map((r) => r['callId']));
    const first = fake.requests.find((r) => r.path === '/v2/call-records');
    assert.equal(first?.query.get('pbxId'), 'allpbxes');
    assert.equal(first?.query.get('startTime'), '2026-03-08 00:00:00');
    assert.equal(first?.query.get('timeZone'), NY);
    assert.equal(first?.query.get('pageSize'), '10');
    assert.equal(first?.query.get('scrollId'), null);
    assert.equal(fake.requests.filter((r) => r.query.get('scrollId')).length, 3);
  } finally {
    await fake.close();
  }
});

test('work analytics: as documented, each page has a new scrollId, and asking again with one answers the same next page (a stateless cursor)', async () => {
  const { fake, client } = await setup();
  try {
    const first = await client.callRecords(DAY);
    const second = await client.callRecords({ ...DAY, scrollId: first.scrollId });
    const again = await client.callRecords({ ...DAY, scrollId: first.scrollId });
    assert.notEqual(second.scrollId, first.scrollId);
    assert.deepEqual(again, second);
    // The docs' scrollIds decode to <tenant>_<callId>_<startTimeUTC> of the page's last record.
    const last = first.records[first.records.length - 1];
    assert.equal(Buffer.from(first.scrollId ?? '', 'base64').toString('utf8'), `acmetenant_${String(last?.['callId'])}_${String(last?.['startTimeUTC'])}`);
  } finally {
    await fake.close();
  }
});

test('work analytics: an empty window answers "No Data" on the first page', async () => {
  const { fake, client } = await setup();
  try {
    const page = await client.callLegs({ from: '2026-01-01 00:00:00', to: '2026-01-02 00:00:00', timeZone: NY, pageSize: 100 });
    assert.deepEqual(page, { records: [], scrollId: null, totalRecordCount: 0 });
  } finally {
    await fake.close();
  }
});

test('work analytics: 429 with Retry-After and 5xx are transient errors; other 4xx are not', async () => {
  const { fake, client } = await setup();
  try {
    fake.fail({ status: 429, retryAfter: '7', match: (r) => r.path === '/v2/call-records' });
    const limited = await rejection(client.callRecords(DAY));
    assert.equal(limited.code, 'SB_PULL_WORK_UNAVAILABLE');
    assert.equal(limited.transient, true);
    assert.equal(limited.retryAfterMs, 7000);
    assert.equal(limited.status, 429);

    fake.fail({ status: 503, match: (r) => r.path === '/v2/call-records' });
    const down = await rejection(client.callRecords(DAY));
    assert.equal(down.transient, true);
    assert.equal(down.retryAfterMs, undefined);

    const bad = await rejection(client.callRecords({ ...DAY, pageSize: 8000 }));
    assert.equal(bad.code, 'SB_PULL_WORK_REQUEST');
    assert.equal(bad.transient, false);
    assert.equal(bad.status, 400);

    assert.equal((await client.callRecords(DAY)).records.length, 10);
  } finally {
    await fake.close();
  }
});

test('work analytics: a request that never answers times out as transient; the caller\'s abort stays an abort', async (t) => {
  const hanging: typeof fetch = (_url, init) =>
    new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
  const client = new WorkAnalyticsClient({ baseUrl: 'http://127.0.0.1:9/analytics/work', apiKey: 'k', username: 'u', password: 'p', timeoutMs: 20, fetch: hanging });
  const timedOut = await tickUntilSettled(mockClock(t, ['setTimeout']), rejection(client.callRecords(DAY)), { stepMs: 20 });
  assert.equal(timedOut.code, 'SB_PULL_WORK_UNAVAILABLE');
  assert.equal(timedOut.transient, true);

  const patient = new WorkAnalyticsClient({ baseUrl: 'http://127.0.0.1:9/analytics/work', apiKey: 'k', username: 'u', password: 'p', fetch: hanging });
  const controller = new AbortController();
  const pending = patient.callRecords({ ...DAY, signal: controller.signal });
  controller.abort(new Error('stop'));
  await assert.rejects(pending, { message: 'stop' });
  await assert.rejects(patient.callRecords({ ...DAY, signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('work analytics: windows are clamped to the last 2 years, and what was skipped is reported', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const plan = planWindows({ from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-06-03T12:00:00Z'), timeZone: 'UTC', now });
  assert.deepEqual(
    plan.windows.map((w) => [w.startTime, w.endTime]),
    [
      ['2024-06-01 12:00:00', '2024-06-02 12:00:00'],
      ['2024-06-02 12:00:00', '2024-06-03 12:00:00'],
    ],
  );
  assert.equal(plan.skipped.length, 1);
  assert.equal(plan.skipped[0]?.reason, 'before-retention');
  assert.deepEqual([plan.skipped[0]?.from, plan.skipped[0]?.to], [new Date('2024-01-01T00:00:00Z'), new Date('2024-06-01T12:00:00Z')]);
  assert.match(plan.skipped[0]?.message ?? '', /last 2 years/);

  const gone = planWindows({ from: new Date('2023-01-01T00:00:00Z'), to: new Date('2023-02-01T00:00:00Z'), timeZone: 'UTC', now });
  assert.deepEqual(gone.windows, []);
  assert.deepEqual(gone.skipped.map((s) => [s.reason, s.to]), [['before-retention', new Date('2023-02-01T00:00:00Z')]]);

  const ahead = planWindows({ from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-03T00:00:00Z'), timeZone: 'UTC', now });
  assert.deepEqual(ahead.windows.map((w) => [w.startTime, w.endTime]), [['2026-06-01 00:00:00', '2026-06-01 12:00:00']]);
  assert.deepEqual(ahead.skipped.map((s) => s.reason), ['in-future']);
});

test('work analytics: day windows follow local days across the DST change in America/New_York', () => {
  const plan = planWindows({ from: new Date('2026-03-07T05:00:00Z'), to: new Date('2026-03-10T04:00:00Z'), timeZone: NY, now: new Date(NOW) });
  assert.deepEqual(plan.skipped, []);
  assert.deepEqual(
    plan.windows.map((w) => [w.startTime, w.endTime, (w.end.getTime() - w.start.getTime()) / 3_600_000]),
    [
      ['2026-03-07 00:00:00', '2026-03-08 00:00:00', 24],
      ['2026-03-08 00:00:00', '2026-03-09 00:00:00', 23],
      ['2026-03-09 00:00:00', '2026-03-10 00:00:00', 24],
    ],
  );
  const autumn = planWindows({ from: new Date('2026-10-31T04:00:00Z'), to: new Date('2026-11-02T05:00:00Z'), timeZone: NY, now: new Date('2026-11-27T00:00:00Z') });
  assert.deepEqual(
    autumn.windows.map((w) => [w.startTime, w.endTime, (w.end.getTime() - w.start.getTime()) / 3_600_000]),
    [
      ['2026-10-31 00:00:00', '2026-11-01 00:00:00', 24],
      ['2026-11-01 00:00:00', '2026-11-02 00:00:00', 25],
    ],
  );
  assert.throws(() => planWindows({ from: new Date(NOW), to: new Date(NOW), timeZone: 'Mars/Olympus' }), { code: 'SB_PULL_WORK_TIME_ZONE' });
});

test('work analytics: pulling every window across DST returns each seeded call exactly once', async () => {
  const seed = seedWorkCalls({ count: 600, start: new Date('2026-03-07T03:00:00Z'), timeZone: NY, spacingMs: 11 * 60_000 });
  const { fake, client } = await setup(seed);
  try {
    const from = new Date('2026-03-07T05:00:00Z');
    const to = new Date('2026-03-10T04:00:00Z');
    const { windows } = planWindows({ from, to, timeZone: NY, now: new Date(NOW) });
    const ids: unknown[] = [];
    for (const window of windows) {
      let scrollId: string | null = null;
      do {
        const page: Page = await client.callRecords({ from: window.start, to: window.end, timeZone: NY, pageSize: 50, scrollId });
        ids.push(...page.records.map((r) => r['callId']));
        scrollId = page.scrollId;
      } while (scrollId !== null);
    }
    const expected = seed.records.filter((r) => (r['startTimeUTC'] as number) >= from.getTime() && (r['startTimeUTC'] as number) < to.getTime()).map((r) => r['callId']);
    assert.ok(expected.length > 300);
    assert.deepEqual(ids, expected);
  } finally {
    await fake.close();
  }
});

test('work analytics: a record lands with its dedupe key, event type, exact JSON and start time', () => {
  const { records, legs } = seedWorkCalls({ count: 4, start: MARCH_8_NY, timeZone: NY });
  const record = records[3] as Record<string, unknown>;
  assert.equal(record['missed'], 'Missed');
  assert.match(String(record['startTime']), /^2026-03-08T00:30:0\d\.\d{3}-0500$/);
  const event = callRecordEvent(record);
  assert.deepEqual(event, {
    dedupeKey: `work:call:${record['callId']}`,
    eventType: 'WORK_CALL_RECORD',
    body: JSON.stringify(record),
    occurredAt: new Date(record['startTimeUTC'] as number),
  });
  assert.deepEqual(JSON.parse(event.body), record);

  const leg = legs[1] as Record<string, unknown>;
  assert.deepEqual(
    { ...callLegEvent(leg), body: undefined },
    { dedupeKey: `work:leg:${leg['callId']}:2`, eventType: 'WORK_CALL_LEG', body: undefined, occurredAt: new Date(leg['startTimeUTC'] as number) },
  );

  const numericId = callRecordEvent({ callId: 1635571048351, startTimeUTC: 0, startTime: '2022-02-03T09:27:27.493-0500' });
  assert.equal(numericId.dedupeKey, 'work:call:1635571048351');
  assert.deepEqual(numericId.occurredAt, new Date('2022-02-03T14:27:27.493Z'));
  assert.equal(callRecordEvent({ callId: '1' }).occurredAt, null);
  assert.throws(() => callRecordEvent({ sipCallId: 'x' }), { code: 'SB_PULL_WORK_RECORD_INVALID' });
  assert.throws(() => callLegEvent({ callId: '1' }), { code: 'SB_PULL_WORK_RECORD_INVALID' });
});
