/**
 * The Connect log-export client against the local fake: start, poll, download and parse;
 * what each kind of failure becomes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { CONNECT_ENV, ConnectExportsClient, type ConnectProduct } from '../../ingest/pulls/connect/client.js';
import { ConnectExportError } from '../../ingest/pulls/connect/errors.js';
import { exportRowEvent, readExportRows, type ExportRow } from '../../ingest/pulls/connect/records.js';
import { seedSmsRows, seedVoiceRows, startFakeConnectExports, SMS_COLUMNS, VOICE_COLUMNS, type FakeConnectExportsOptions } from '../../fakes/connect-exports/index.js';

const DAY = { from: new Date('2026-03-07T00:00:00Z'), to: new Date('2026-03-08T00:00:00Z') };

async function setup(product: ConnectProduct, options: FakeConnectExportsOptions = {}, apiKey = 'test-connect-key') {
  const fake = await startFakeConnectExports(options);
  const client = new ConnectExportsClient({ product, apiKey, subAccountId: 'acme_sub', baseUrl: fake.baseUrl(product) });
  return { fake, client };
}

async function rejection(promise: Promise<unknown>): Promise<ConnectExportError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConnectExportError, String(error));
  return error;
}

async function rows(product: ConnectProduct, csv: Readable): Promise<ExportRow[]> {
  const out: ExportRow[] = [];
  for await (const row of readExportRows(product, csv)) out.push(row);
  return out;
}

test('connect exports: a job is started with the bearer and UTC times, goes queued → running → succeeded, and its CSV downloads', async () => {
  const { fake, client } = await setup('sms', { sms: seedSmsRows({ count: 30, start: new Date('2026-03-06T22:00:00Z'), spacingMs: 3_600_000 }) });
  try {
    const jobId = await client.startExport(DAY);
    const start = fake.requests[0];
    assert.equal(start?.status, 202);
    assert.equal(start?.headers.authorization, 'Bearer test-connect-key');
    assert.deepEqual(start?.body, { from: '2026-03-07T00:00:00Z', to: '2026-03-08T00:00:00Z', limit: 0 });
    assert.equal(start?.path, '/sms/api/v1/subaccounts/acme_sub/messages/exports');

    const statuses = [];
    let job = await client.getExport(jobId);
    statuses.push(job.status);
    while (job.status === 'queued' || job.status === 'running') {
      job = await client.getExport(jobId);
      statuses.push(job.status);
    }
    assert.deepEqual(statuses, ['queued', 'running', 'succeeded']);
    assert.equal(job.data.length, 1);
    assert.ok(job.expires);

    const got = await rows('sms', await client.download(job.data[0] as string));
    assert.equal(got.length, 24, 'the rows created in [from, to)');
    assert.deepEqual(Object.keys(got[0] ?? {}), [...SMS_COLUMNS]);
    assert.ok(got.every((row) => row['createdat']! >= '2026-03-07T00:00:00' && row['createdat']! < '2026-03-08'));
    assert.match(got[0]?.['msisdn'] ?? '', /^\+63922110xxxx$/, 'msisdn masked by default');
    assert.equal(got[0]?.['body'], '**MASKED**');
  } finally {
    await fake.close();
  }
});

test('connect exports: quoted commas, quotes and newlines in bodies parse as one value', async () => {
  const body = 'Hi Ana, your code is "4829"\nReply STOP, or call us';
  const { fake, client } = await setup('chatapps', { unmasked: true, chatapps: [{ umid: 'u-1', createdat: '2026-03-07T05:00:00.123Z', body }] });
  try {
    const jobId = await client.startExport(DAY);
    for (let i = 0; i < 2; i++) await client.getExport(jobId);
    const job = await client.getExport(jobId);
    const [row] = await rows('chatapps', await client.download(job.data[0] as string));
    assert.equal(row?.['body'], body);
    assert.equal(row?.['createdat'], '2026-03-07T05:00:00.123Z');
    assert.deepEqual(exportRowEvent('chatapps', row as ExportRow), { dedupeKey: 'pull:chatapps:u-1', eventType: 'CHATAPPS_LOG_EXPORT', body: JSON.stringify(row) });
    assert.equal(fake.requests.at(-1)?.path.includes('/chatapps/api/v1/subaccounts/acme_sub/messages/download/'), true);
  } finally {
    await fake.close();
  }
});

test('connect exports: voice rows have the documented columns and key on SessionId and CallId (CallId may be empty)', async () => {
  const seeded = seedVoiceRows({ count: 8, start: new Date('2026-03-07T01:00:00Z') });
  const { fake, client } = await setup('voice', { voice: seeded, polls: 0 });
  try {
    const job = await client.getExport(await client.startExport(DAY));
    assert.equal(job.status, 'succeeded');
    const got = await rows('voice', await client.download(job.data[0] as string));
    assert.deepEqual(Object.keys(got[0] ?? {}), [...VOICE_COLUMNS]);
    assert.equal(fake.requests[0]?.path, '/voice/api/v1/subaccounts/acme_sub/messages/exports');
    const unanswered = got.find((row) => row['CallId'] === '');
    assert.ok(unanswered, 'the seed has an unanswered call');
    assert.equal(exportRowEvent('voice', unanswered).dedupeKey, `pull:voice:${unanswered['SessionId']}:`);
    assert.equal(exportRowEvent('voice', got[0] as ExportRow).dedupeKey, `pull:voice:${got[0]?.['SessionId']}:${got[0]?.['CallId']}`);
  } finally {
    await fake.close();
  }
});

test('connect exports: a wrong key is SB_PULL_CONNECT_AUTH naming the env var', async () => {
  const { fake, client } = await setup('sms', {}, 'wrong-key');
  try {
    const error = await rejection(client.startExport(DAY));
    assert.equal(error.code, 'SB_PULL_CONNECT_AUTH');
    assert.equal(error.status, 401);
    assert.match(error.message, new RegExp(CONNECT_ENV.apiKey));
    assert.equal(error.transient, false);
  } finally {
    await fake.close();
  }
});

test('connect exports: 429 with Retry-After and 500 are transient, carrying retryAfterMs', async () => {
  const { fake, client } = await setup('sms');
  try {
    fake.fail({ status: 429, retryAfter: '7' });
    const limited = await rejection(client.startExport(DAY));
    assert.deepEqual([limited.code, limited.transient, limited.retryAfterMs, limited.status], ['SB_PULL_CONNECT_UNAVAILABLE', true, 7000, 429]);
    fake.fail({ status: 500 });
    const broken = await rejection(client.startExport(DAY));
    assert.deepEqual([broken.code, broken.transient, broken.retryAfterMs], ['SB_PULL_CONNECT_UNAVAILABLE', true, undefined]);
  } finally {
    await fake.close();
  }
});

test('connect exports: an unreachable host is transient', async () => {
  const client = new ConnectExportsClient({ product: 'sms', apiKey: 'k', subAccountId: 'acme_sub', baseUrl: 'http://127.0.0.1:9/api/v1' });
  const error = await rejection(client.startExport(DAY));
  assert.deepEqual([error.code, error.transient], ['SB_PULL_CONNECT_UNAVAILABLE', true]);
});

test('connect exports: bad dates, an unknown subaccount and an unknown job are SB_PULL_CONNECT_REQUEST', async () => {
  const { fake, client } = await setup('sms');
  try {
    const backwards = await rejection(client.startExport({ from: DAY.to, to: DAY.from }));
    assert.deepEqual([backwards.code, backwards.status], ['SB_PULL_CONNECT_REQUEST', 400]);
    assert.match(backwards.message, /from must be before to/);
    const other = new ConnectExportsClient({ product: 'sms', apiKey: 'test-connect-key', subAccountId: 'nope', baseUrl: fake.baseUrl('sms') });
    const unknown = await rejection(other.startExport(DAY));
    assert.deepEqual([unknown.code, unknown.status, unknown.configKey], ['SB_PULL_CONNECT_REQUEST', 404, 'pulls.connect.subAccountId']);
    const job = await rejection(client.getExport('no-such-job'));
    assert.deepEqual([job.code, job.status], ['SB_PULL_CONNECT_REQUEST', 404]);
    assert.match(job.message, /Invalid jobId/);
  } finally {
    await fake.close();
  }
});

test('connect exports: a subaccount id outside the documented pattern is refused before anything is sent, naming pulls.connect.subAccountId', async () => {
  const { fake } = await setup('sms');
  try {
    for (const subAccountId of ['acme sub', 'ab', 'a'.repeat(51), 'acme/sub']) {
      const error = await rejection(
        (async () => new ConnectExportsClient({ product: 'sms', apiKey: 'test-connect-key', subAccountId, baseUrl: fake.baseUrl('sms') }).startExport(DAY))(),
      );
      assert.deepEqual([error.code, error.configKey], ['SB_PULL_CONNECT_REQUEST', 'pulls.connect.subAccountId'], subAccountId);
    }
    assert.deepEqual(fake.requests, [], '8x8 would refuse them (400): none is sent');
    // The documented characters all pass, & included.
    const fine = new ConnectExportsClient({ product: 'sms', apiKey: 'test-connect-key', subAccountId: 'A-b.c_d&9', baseUrl: fake.baseUrl('sms') });
    assert.equal((await rejection(fine.startExport(DAY))).status, 404, 'well-formed, only not this account\'s');
  } finally {
    await fake.close();
  }
});

test('connect exports: the start body has only documented fields in their documented forms: whole-second UTC times and limit 0', async () => {
  const { fake, client } = await setup('chatapps');
  try {
    await client.startExport({ from: new Date('2026-03-07T00:00:00.750Z'), to: new Date('2026-03-08T00:00:00.250Z') });
    const start = fake.requests[0];
    assert.equal(start?.status, 202);
    assert.deepEqual(start?.body, { from: '2026-03-07T00:00:00Z', to: '2026-03-08T00:00:00Z', limit: 0 });
  } finally {
    await fake.close();
  }
});

test('connect exports: the fake refuses what the docs do not allow (fractions of a second, unknown fields, a negative limit, a malformed channelUserId)', async () => {
  const { fake } = await setup('chatapps');
  try {
    const post = (body: unknown) =>
      fetch(`${fake.baseUrl('chatapps')}/subaccounts/acme_sub/messages/exports`, { method: 'POST', headers: { authorization: 'Bearer test-connect-key', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const day = { from: '2026-03-07', to: '2026-03-08T00:00:00+08:00' };
    assert.equal((await post({ ...day, limit: 500000, channelUserId: 'US.13491208655302741918' })).status, 202);
    for (const body of [{ from: '2026-03-07T00:00:00.5Z', to: '2026-03-08' }, { ...day, limit: -1 }, { ...day, limit: 1.5 }, { ...day, channelUserId: 'whatsapp:1349' }, { ...day, pageSize: 10 }]) {
      const answer = await post(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.deepEqual(Object.keys((await answer.json()) as object).sort(), ['code', 'errorId', 'message', 'timestamp'], 'the documented ErrorResponse shape');
    }
  } finally {
    await fake.close();
  }
});

test('connect exports: failed and empty jobs, and cancelling', async () => {
  const { fake, client } = await setup('sms', { polls: 0, sms: seedSmsRows({ count: 3, start: new Date('2026-03-07T01:00:00Z') }) });
  try {
    fake.scriptJobs({ end: 'failed' });
    assert.equal((await client.getExport(await client.startExport(DAY))).status, 'failed');
    const empty = await client.getExport(await client.startExport({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z') }));
    assert.deepEqual([empty.status, empty.data], ['empty', []]);
    fake.scriptJobs({ polls: 5 });
    const slow = await client.startExport(DAY);
    await client.cancelExport(slow);
    assert.equal((await client.getExport(slow)).status, 'cancelled');
  } finally {
    await fake.close();
  }
});

test('connect exports: the bearer is not sent to a download host other than the API', async () => {
  const { fake, client } = await setup('sms', { polls: 0, separateDownloadHost: true, sms: seedSmsRows({ count: 3, start: new Date('2026-03-07T01:00:00Z') }) });
  try {
    const job = await client.getExport(await client.startExport(DAY));
    assert.equal(new URL(job.data[0] as string).origin === new URL(fake.baseUrl('sms')).origin, false);
    assert.equal((await rows('sms', await client.download(job.data[0] as string))).length, 3);
    const download = fake.requests.find((r) => r.host === 'files');
    assert.equal(download?.status, 200);
    assert.equal(download?.headers.authorization, undefined);
  } finally {
    await fake.close();
  }
});

test('connect exports: an expired link is SB_PULL_CONNECT_REQUEST with its status', async () => {
  const { fake, client } = await setup('sms', { polls: 0, sms: seedSmsRows({ count: 3, start: new Date('2026-03-07T01:00:00Z') }) });
  try {
    const job = await client.getExport(await client.startExport(DAY));
    fake.expireLinks();
    const error = await rejection(client.download(job.data[0] as string));
    assert.deepEqual([error.code, error.status], ['SB_PULL_CONNECT_REQUEST', 404]);
  } finally {
    await fake.close();
  }
});

test('connect exports: a CSV without the id column is SB_PULL_CONNECT_CSV naming it; an empty id is SB_PULL_CONNECT_RECORD_INVALID', async () => {
  const { Readable } = await import('node:stream');
  const missing = await rejection(rows('sms', Readable.from(['"subaccountid","body"\r\n"acme","hi"\r\n'])));
  assert.equal(missing.code, 'SB_PULL_CONNECT_CSV');
  assert.match(missing.message, /"umid"/);
  const broken = await rejection(rows('sms', Readable.from(['"umid","body"\r\n"u1","unterminated\r\n'])));
  assert.equal(broken.code, 'SB_PULL_CONNECT_CSV');
  assert.throws(() => exportRowEvent('voice', { SessionId: ' ', CallId: 'c' }), (e: unknown) => e instanceof ConnectExportError && e.code === 'SB_PULL_CONNECT_RECORD_INVALID');
});
