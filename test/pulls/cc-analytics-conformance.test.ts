/**
 * Issue 11, Contact Center Historical Analytics: what Switchboard sends to and reads from
 * the detailed-reports API, against a fake that refuses what 8x8's docs refuse and answers
 * in the documented shapes (docs/analytics/docs/cc-historical-analytics-detailed-report.md
 * in 8x8Cloud/public-developer-docs; docs/conformance.md says what is still open).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CcAnalyticsClient, CC_REPORT_TITLE_PATTERN } from '../../ingest/pulls/contact-center/client.js';
import { CcAnalyticsError } from '../../ingest/pulls/contact-center/errors.js';
import { ccRowEvents, flattenCcRow } from '../../ingest/pulls/contact-center/records.js';
import { seedCcInteractions, startFakeCcAnalytics, type CcInteraction } from '../../fakes/cc-analytics/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = { start: new Date('2026-03-08T00:00:00Z'), end: new Date('2026-03-09T00:00:00Z') };

async function setup(interactions: CcInteraction[]) {
  const fake = await startFakeCcAnalytics({ now: () => NOW, interactions });
  const client = new CcAnalyticsClient({ baseUrl: fake.baseUrl, tokenUrl: fake.tokenUrl, clientId: 'cc-app-key', clientSecret: 'cc-app-secret', now: () => NOW });
  return { fake, client };
}

const seed = () => seedCcInteractions({ count: 6, start: new Date('2026-03-08T01:00:00Z'), spacingMs: 60 * 60_000 });

test('cc conformance: the default report title keeps to the documented characters, so 8x8 creates the report', async () => {
  const { fake, client } = await setup(seed());
  try {
    const report = await client.createReport(DAY);
    assert.equal(report.status, 'DONE');
    const title = String(fake.reportRequests[0]?.['title']);
    assert.match(title, /^[A-Za-z0-9\s!\-_.*'()]+$/, 'letters, digits, whitespace and ! - _ . * \' ( ) only');
    assert.match(title, /2026-03-08/, 'the title still names the window');
    assert.deepEqual(fake.requests.filter((r) => r.status === 400), []);
  } finally {
    await fake.close();
  }
});

test('cc conformance: a title outside the documented characters is refused before any request, naming the rule', async () => {
  const { fake, client } = await setup(seed());
  try {
    const error = await client.createReport({ ...DAY, title: 'calls 2026-03-08T00:00' }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CcAnalyticsError);
    assert.equal(error.code, 'SB_PULL_CC_REQUEST');
    assert.match(error.message, /title/);
    assert.deepEqual(fake.requests.filter((r) => r.path === '/detailed-reports'), []);
    assert.equal(CC_REPORT_TITLE_PATTERN.test("Switchboard (CC) report_1 - ok!*'."), true);
  } finally {
    await fake.close();
  }
});

test('cc conformance: the fake refuses an undocumented title as 8x8 does, with a 400 "Bad request" the client reports as SB_PULL_CC_REQUEST', async () => {
  const { fake } = await setup(seed());
  try {
    const token = await (await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('cc-app-key:cc-app-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }).then((r) => r.json()) as { access_token: string }).access_token;
    const answer = await fetch(`${fake.baseUrl}detailed-reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'detailed-reports-interaction-details', title: 'a:b…c', dateRange: { start: '2026-03-08T00:00:00.000Z', end: '2026-03-08T23:59:59.999Z' } }),
    });
    assert.equal(answer.status, 400);
    assert.match(String(((await answer.json()) as { message?: unknown }).message), /^Bad request: title/);
  } finally {
    await fake.close();
  }
});

test('cc conformance: windows do not overlap although dateRange.end is inclusive: an interaction created on a boundary is in one report only', async () => {
  const boundary = seedCcInteractions({ count: 1, start: new Date('2026-03-09T00:00:00.000Z') });
  const { fake, client } = await setup(boundary);
  try {
    const first = await client.createReport(DAY);
    const second = await client.createReport({ start: DAY.end, end: new Date('2026-03-10T00:00:00Z') });
    const rows = [(await client.readPage(first.id, { size: 10 })).rows.length, (await client.readPage(second.id, { size: 10 })).rows.length];
    assert.deepEqual(rows, [0, 1]);
    assert.deepEqual(fake.reportRequests[0]?.['dateRange'], { start: '2026-03-08T00:00:00.000Z', end: '2026-03-08T23:59:59.999Z' });
  } finally {
    await fake.close();
  }
});

test('cc conformance: the report asks for participants, and its integer id reads back', async () => {
  const { fake, client } = await setup(seed());
  try {
    const report = await client.createReport(DAY);
    assert.match(report.id, /^\d+$/, '8x8 answers an integer id; the client keeps its decimal text');
    assert.equal(fake.reportRequests[0]?.['includeParticipants'], true);
    const page = await client.readPage(report.id, { size: 10 });
    const handled = page.rows.map(flattenCcRow).find((r) => r['outcome'] === 'Handled');
    assert.ok(Array.isArray(handled?.['participants']) && handled['participants'].length === 1, 'a participants item with the participant rows');
  } finally {
    await fake.close();
  }
});

test('cc conformance: a row lands as its interaction plus one event per participant row (a transfer: two)', () => {
  const row = {
    total: null,
    items: [
      { key: 'participants', label: 'Participants', value: [
        { participantAssignNumber: 1, participantType: 'Agent', participantId: 'agA', participantOfferAction: 'Accepted' },
        { participantAssignNumber: 2, participantType: 'Agent', participantId: 'agB', participantAssignReason: 'TransferReceived', participantOfferAction: 'Accepted' },
      ] },
      { key: 'interactionId', label: 'Interaction ID', value: 'int-7' },
      { key: 'participantId', label: 'Participant ID', value: ['agA', 'agB'] },
      { key: 'interactionLabels', label: 'Labels', value: ['Queued', 'Handled'] },
      { key: 'recordingFileNames', label: 'Recordings', value: 'a.wav,b.wav' },
    ],
  };
  const events = ccRowEvents(row);
  assert.deepEqual(events.map((e) => [e.dedupeKey, e.eventType]), [
    ['pull:cc:int-7', 'CC_INTERACTION'],
    ['pull:cc:int-7:p1', 'CC_PARTICIPANT'],
    ['pull:cc:int-7:p2', 'CC_PARTICIPANT'],
  ]);
  assert.deepEqual(JSON.parse(events[2]?.body ?? '{}'), {
    interactionId: 'int-7', participantAssignNumber: 2, participantType: 'Agent', participantId: 'agB', participantAssignReason: 'TransferReceived', participantOfferAction: 'Accepted',
  });
  const interaction = JSON.parse(events[0]?.body ?? '{}') as Record<string, unknown>;
  assert.deepEqual([interaction['interactionLabels'], interaction['recordingFileNames']], [['Queued', 'Handled'], 'a.wav,b.wav'], 'documented shapes are landed as given');
});
