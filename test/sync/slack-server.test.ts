/**
 * The fake Slack server (fakes/slack/) answers as Slack documents, checked through
 * the real @slack/web-api client: the destination tests rely on it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, WebClient, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as never, setName() {} };

describe('the fake Slack Web API', () => {
  let fake: FakeSlack;
  let web: WebClient;

  before(async () => {
    // The documented per-channel posting and history limits have their own tests below.
    fake = await startFakeSlack({ historyTier: 'marketplace', rateLimits: { 'chat.delete': { limit: 1, windowSeconds: 45 }, 'chat.postMessage': { limit: 100, windowSeconds: 60 } } });
    web = new WebClient(fake.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quiet });
  });
  after(() => fake.close());

  test('chat.postMessage reads the form body the client sends and answers a string ts and the channel ID', async () => {
    const posted = await web.chat.postMessage({ channel: '#alerts', text: 'hello', metadata: { event_type: 'probe', event_payload: { n: 1 } } });
    assert.equal(posted.ok, true);
    assert.equal(posted.channel, 'C0ALERTS', 'a name in, the ID out');
    assert.equal(typeof posted.ts, 'string');
    assert.match(posted.ts as string, /^[0-9]+\.[0-9]{6}$/);
    const request = fake.requests.at(-1);
    assert.equal(request?.contentType, 'application/x-www-form-urlencoded');
    assert.equal(request?.args.metadata, '{"event_type":"probe","event_payload":{"n":1}}', 'non-scalars arrive as JSON text');
    assert.deepEqual(fake.messages('C0ALERTS').at(-1)?.metadata, { event_type: 'probe', event_payload: { n: 1 } });
  });

  test('a JSON body with a Bearer header works too', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0ALERTS', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    const body = (await response.json()) as { ok: boolean; ts: string };
    assert.equal(body.ok, true);
    assert.deepEqual(fake.messages('C0ALERTS').find((m) => m.ts === body.ts)?.blocks, [{ type: 'divider' }]);
  });

  test('errors are HTTP 200 ok:false: not_authed, invalid_auth, channel_not_found, no_text, message_not_found', async () => {
    const platform = async (promise: Promise<unknown>): Promise<string> => {
      const error = (await promise.then(() => assert.fail('should fail'), (e: unknown) => e)) as WebAPIPlatformError;
      assert.equal(error.code, ErrorCode.PlatformError);
      return error.data.error as string;
    };
    const anonymous = await fetch(`${fake.url}auth.test`, { method: 'POST' });
    assert.equal(anonymous.status, 200);
    assert.deepEqual(await anonymous.json(), { ok: false, error: 'not_authed' });
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quiet });
    assert.equal(await platform(wrong.auth.test()), 'invalid_auth');
    assert.equal(await platform(web.chat.postMessage({ channel: 'C0NOPE', text: 'x' })), 'channel_not_found');
    assert.equal(await platform(web.chat.postMessage({ channel: 'C0ALERTS', text: '' })), 'no_text');
    assert.equal(await platform(web.chat.update({ channel: 'C0ALERTS', ts: '1.000001', text: 'x' })), 'message_not_found');
    assert.equal(await platform(web.chat.postMessage({ channel: 'C0ALERTS', text: 'x', blocks: [{ text: 'no type' }] as never })), 'invalid_blocks');
  });

  test('chat.update edits in place: omitted blocks are kept, an empty list removes them', async () => {
    const { ts } = await web.chat.postMessage({ channel: 'C0ALERTS', text: 'v1', blocks: [{ type: 'divider' }] });
    await web.chat.update({ channel: 'C0ALERTS', ts: ts as string, text: 'v2' });
    let stored = fake.messages('C0ALERTS').find((m) => m.ts === ts);
    assert.equal(stored?.text, 'v2');
    assert.deepEqual(stored?.blocks, [{ type: 'divider' }]);
    await web.chat.update({ channel: 'C0ALERTS', ts: ts as string, text: 'v3', blocks: [] });
    stored = fake.messages('C0ALERTS').find((m) => m.ts === ts);
    assert.equal(stored?.blocks, undefined);
    assert.ok(stored?.edited);
  });

  test('conversations.history: newest first, cursor paging, oldest, and metadata only with include_all_metadata', async () => {
    const channel = 'C0HISTORY';
    fake.workspace.addChannel({ id: channel, name: 'history' });
    fake.workspace.seed(channel, { text: 'ancient', ageSeconds: 10 * 86_400 });
    for (let i = 0; i < 5; i++) await web.chat.postMessage({ channel, text: `m${i}`, metadata: { event_type: 'probe', event_payload: { i } } });
    const oldest = String(Math.floor(Date.now() / 1000) - 86_400);
    const first = await web.conversations.history({ channel, limit: 2, oldest });
    assert.deepEqual(first.messages?.map((m) => m.text), ['m4', 'm3']);
    assert.equal(first.has_more, true);
    assert.equal(first.messages?.[0]?.metadata, undefined, 'no metadata unless asked');
    const texts: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await web.conversations.history({ channel, limit: 2, oldest, include_all_metadata: true, ...(cursor === undefined ? {} : { cursor }) });
      for (const m of page.messages ?? []) {
        texts.push(m.text as string);
        assert.equal(m.metadata?.event_type, 'probe');
      }
      cursor = page.has_more === true ? page.response_metadata?.next_cursor : undefined;
    } while (cursor !== undefined);
    assert.deepEqual(texts, ['m4', 'm3', 'm2', 'm1', 'm0'], 'every page once; the message older than `oldest` is left out');
    fake.workspace.addChannel({ id: 'C0OUTSIDE', name: 'outside', member: false });
    await assert.rejects(web.conversations.history({ channel: 'C0OUTSIDE' }), (e: WebAPIPlatformError) => e.data.error === 'not_in_channel');
  });

  test('a method over its tier limit answers HTTP 429 with Retry-After in seconds', async () => {
    const { ts } = await web.chat.postMessage({ channel: 'C0ALERTS', text: 'to delete' });
    const { ts: other } = await web.chat.postMessage({ channel: 'C0ALERTS', text: 'to delete too' });
    await web.chat.delete({ channel: 'C0ALERTS', ts: ts as string });
    const error = (await web.chat.delete({ channel: 'C0ALERTS', ts: other as string }).then(() => assert.fail('should be limited'), (e: unknown) => e)) as WebAPIRateLimitedError;
    assert.equal(error.code, ErrorCode.RateLimitedError);
    assert.ok(error.retryAfter >= 1 && error.retryAfter <= 45, `retryAfter ${error.retryAfter}`);
    assert.ok(fake.messages('C0ALERTS').some((m) => m.ts === other), 'a limited call changes nothing');
  });

  test('forced failures: a 503 from the edge, an ok:false error, a 429', async () => {
    fake.failNext('auth.test', { status: 503 });
    await assert.rejects(web.auth.test(), (e: { code?: string; statusCode?: number }) => e.code === ErrorCode.HTTPError && e.statusCode === 503);
    fake.failNext('auth.test', { error: 'fatal_error' });
    await assert.rejects(web.auth.test(), (e: WebAPIPlatformError) => e.data.error === 'fatal_error');
    fake.failNext('auth.test', { rateLimited: true, retryAfter: 9 });
    await assert.rejects(web.auth.test(), (e: WebAPIRateLimitedError) => e.retryAfter === 9);
    assert.equal((await web.auth.test()).ok, true);
  });
});

describe('the fake Slack Web API: the documented posting and history limits', () => {
  test('chat.postMessage: about one a second per channel with a short burst, then 429 with Retry-After; another channel is not affected', async () => {
    let now = 1_700_000_000_000;
    const fake = await startFakeSlack({ now: () => now, channels: [{ id: 'C0ALERTS', name: 'alerts' }, { id: 'C0OTHER', name: 'other' }] });
    try {
      const web = new WebClient(fake.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quiet });
      for (let i = 0; i < 3; i++) await web.chat.postMessage({ channel: 'C0ALERTS', text: `burst ${i}` });
      const error = (await web.chat.postMessage({ channel: 'C0ALERTS', text: 'one too many' }).then(() => assert.fail('should be limited'), (e: unknown) => e)) as WebAPIRateLimitedError;
      assert.equal(error.code, ErrorCode.RateLimitedError);
      assert.ok(error.retryAfter >= 1 && error.retryAfter <= 3, `retryAfter ${error.retryAfter}`);
      assert.equal((await web.chat.postMessage({ channel: 'C0OTHER', text: 'elsewhere' })).ok, true);
      now += 1000;
      assert.equal((await web.chat.postMessage({ channel: 'C0ALERTS', text: 'a second later' })).ok, true);
    } finally {
      await fake.close();
    }
  });

  test('conversations.history for a non-Marketplace app: 1 request a minute, and at most 15 messages a page', async () => {
    let now = 1_700_000_000_000;
    const fake = await startFakeSlack({ now: () => now });
    try {
      const web = new WebClient(fake.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quiet });
      for (let i = 0; i < 40; i++) fake.workspace.seed('C0ALERTS', { text: `m${i}`, ageSeconds: 100 + i });
      const first = await web.conversations.history({ channel: 'C0ALERTS', limit: 200 });
      assert.equal(first.messages?.length, 15);
      assert.equal(first.has_more, true);
      const error = (await web.conversations.history({ channel: 'C0ALERTS', limit: 15 }).then(() => assert.fail('should be limited'), (e: unknown) => e)) as WebAPIRateLimitedError;
      assert.equal(error.code, ErrorCode.RateLimitedError);
      assert.ok(error.retryAfter >= 1 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
      now += 60_000;
      const next = await web.conversations.history({ channel: 'C0ALERTS', cursor: first.response_metadata?.next_cursor as string });
      assert.equal(next.messages?.length, 15, 'the default is 15 too');
    } finally {
      await fake.close();
    }
  });
});
