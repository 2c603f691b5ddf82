/**
 * The Slack destination through @slack/web-api against the fake Slack server: alerts are
 * posted once and then edited in place, crash replays edit instead of reposting, rate
 * limits and outages come back at once as the engine's retries, bad credentials and
 * channels stop the run, and records Slack refuses are rejected with Slack's code.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentDestinationError, TransientDestinationError, type ChangeRecord, type Destination, type SendContext } from '../../sync/destination.js';
import { createSlackDestination, parseRef, type SlackClock, type SlackSettings } from '../../sync/destinations/slack/index.js';
import { SwitchboardError } from '../../core/errors.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../../fakes/slack/index.js';

const CHANNEL = 'C0ALERTS';
/** Bounds every test: a call that waited out Slack's Retry-After or the client's retry policy would fail here instead of hanging. */
const BOUNDED = { timeout: 20_000 };

let fake: FakeSlack;
let slack: Destination;

/**
 * A virtual clock shared by the fake's rate limiter and the destination's pacing: a wait
 * moves it forward at once, so Slack's documented limits apply without real waiting, and
 * `waited` tells how much the destination paced.
 */
let clock: SlackClock & { t: number; waited: number[] };

function virtualClock(): typeof clock {
  const c = {
    t: 1_700_000_000_000,
    waited: [] as number[],
    now: () => c.t,
    sleep: async (ms: number, signal: AbortSignal) => {
      signal.throwIfAborted();
      c.waited.push(ms);
      c.t += ms;
    },
  };
  return c;
}

async function setUp(options: FakeSlackOptions = {}, settings: Partial<SlackSettings> = {}): Promise<void> {
  await fake?.close();
  clock = virtualClock();
  fake = await startFakeSlack({ now: clock.now, ...options });
  slack = createSlackDestination({ apiUrl: fake.url, ...settings }, { SWITCHBOARD_SLACK_BOT_TOKEN: fake.token }, { clock });
}

const context = (overrides: Partial<SendContext> = {}): SendContext => ({ sync: 'escalations_to_slack', object: CHANNEL, signal: new AbortController().signal, ...overrides });

let counter = 0;
function record(key: string, fields: ChangeRecord['fields'], overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  counter += 1;
  return { key, action: 'create', fields, externalRef: null, idempotencyKey: `idem-${counter}`, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('expected send() to throw'), (error: unknown) => error);
}

describe('Slack destination', () => {
  beforeEach(() => setUp());
  afterEach(() => fake.close());

  test('a create posts one message with metadata and returns channel:ts; a later update edits that same message', BOUNDED, async () => {
    const [created] = await slack.send([record('call-1', { text: ':rotating_light: Missed call from +6591234567 — not called back yet' })], context());
    assert.equal(created?.status, 'sent');
    const ref = parseRef(created?.externalRef ?? null);
    assert.ok(ref !== null, `externalRef is channel:ts, got ${created?.externalRef}`);
    assert.equal(ref.channel, CHANNEL);
    const [message] = fake.messages(CHANNEL);
    assert.equal(message?.ts, ref.ts, 'the ts is kept as the exact string Slack returned');
    assert.deepEqual(message?.metadata, { event_type: 'switchboard_alert', event_payload: { sync: 'escalations_to_slack', key: 'call-1' } });

    const [updated] = await slack.send(
      [record('call-1', { text: ':rotating_light: Missed call from +6591234567 — :white_check_mark: called back' }, { action: 'update', externalRef: created?.externalRef ?? null })],
      context(),
    );
    assert.deepEqual(updated, { key: 'call-1', status: 'sent', externalRef: created?.externalRef });
    assert.equal(fake.messages(CHANNEL).length, 1, 'edited, not posted again');
    assert.match(fake.messages(CHANNEL)[0]?.text ?? '', /called back/);
    assert.equal(fake.calls('chat.postMessage'), 1);
    assert.equal(fake.calls('chat.update'), 1);
    assert.equal(fake.calls('conversations.history'), 1, 'only the record without an externalRef was looked up');
  });

  test('a create that comes with an externalRef (a change of the row after its first send) edits too', BOUNDED, async () => {
    const [first] = await slack.send([record('call-2', { text: 'v1' })], context());
    const [again] = await slack.send([record('call-2', { text: 'v2' }, { externalRef: first?.externalRef ?? null })], context());
    assert.equal(again?.externalRef, first?.externalRef);
    assert.deepEqual(fake.messages(CHANNEL).map((m) => m.text), ['v2']);
  });

  test('crash replay: the same change again without an externalRef edits the alert found by its metadata instead of posting twice', BOUNDED, async () => {
    const change = record('call-3', { text: 'Missed call from +6598765432' });
    const [first] = await slack.send([change], context());
    // The engine crashed before its checkpoint: it sends the same change, same idempotency key, no externalRef.
    const [replayed] = await slack.send([{ ...change }], context());
    assert.equal(replayed?.status, 'sent');
    assert.equal(replayed?.externalRef, first?.externalRef, 'the stored reference is the original message');
    assert.equal(fake.messages(CHANNEL).length, 1);
    assert.equal(fake.calls('chat.postMessage'), 1);
    assert.equal(fake.calls('chat.update'), 1);
    const history = fake.requests.filter((r) => r.method === 'conversations.history');
    assert.equal(history.at(-1)?.args.include_all_metadata, 'true', 'metadata is asked for');
    assert.ok(Number(history.at(-1)?.args.oldest) > 0, 'the search is bounded in time');
  });

  test('crash replay only matches this sync and key: another sync\'s alert for the same key is left alone', BOUNDED, async () => {
    fake.workspace.seed(CHANNEL, { text: 'other sync', metadata: { event_type: 'switchboard_alert', event_payload: { sync: 'another_sync', key: 'call-4' } } });
    const [sent] = await slack.send([record('call-4', { text: 'mine' })], context());
    assert.equal(fake.calls('chat.postMessage'), 1);
    assert.deepEqual(fake.messages(CHANNEL).map((m) => m.text), ['other sync', 'mine']);
    assert.notEqual(parseRef(sent?.externalRef ?? null)?.ts, fake.messages(CHANNEL)[0]?.ts);
  });

  test('the crash-replay search is bounded: not older than lookupWindowSeconds, at most lookupMaxPages pages', BOUNDED, async () => {
    await setUp({}, { lookupWindowSeconds: 3600, lookupMaxPages: 1 });
    const metadata = (key: string) => ({ event_type: 'switchboard_alert', event_payload: { sync: 'escalations_to_slack', key } });
    fake.workspace.seed(CHANNEL, { text: 'two hours old', metadata: metadata('old'), ageSeconds: 7200 });
    fake.workspace.seed(CHANNEL, { text: 'buried', metadata: metadata('buried'), ageSeconds: 600 });
    for (let i = 0; i < 250; i++) fake.workspace.seed(CHANNEL, { text: `chatter ${i}`, author: 'person', ageSeconds: 300 });
    const outcomes = await slack.send([record('old', { text: 'old again' }), record('buried', { text: 'buried again' })], context());
    assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent']);
    assert.equal(fake.calls('conversations.history'), 1, 'one page of 200, then it gives up');
    assert.equal(fake.calls('chat.postMessage'), 2, 'neither was found within the bounds, so both are posted');
  });

  test('a rate limit on the first call throws TransientDestinationError with Retry-After in ms, without the client waiting or retrying', BOUNDED, async () => {
    fake.failNext('chat.postMessage', { rateLimited: true, retryAfter: 7 });
    const error = await rejection(slack.send([record('call-5', { text: 'x' })], context()));
    assert.ok(error instanceof TransientDestinationError, String(error));
    assert.equal(error.retryAfterMs, 7000);
    assert.equal(fake.calls('chat.postMessage'), 1, 'no retry inside the client');
    assert.equal(fake.messages(CHANNEL).length, 0);
  });

  test('a rate limit part-way through a batch keeps what was sent and asks to retry the rest after Retry-After', BOUNDED, async () => {
    await setUp({ rateLimits: { 'chat.postMessage': { limit: 2, windowSeconds: 30 } } });
    const outcomes = await slack.send([record('a', { text: 'a' }), record('b', { text: 'b' }), record('c', { text: 'c' }), record('d', { text: 'd' })], context());
    assert.deepEqual(outcomes.map((o) => [o.key, o.status]), [['a', 'sent'], ['b', 'sent'], ['c', 'retry'], ['d', 'retry']]);
    for (const retry of outcomes.slice(2)) {
      assert.equal(retry.code, 'ratelimited');
      assert.ok(retry.retryAfterMs !== undefined && retry.retryAfterMs >= 1000 && retry.retryAfterMs <= 30_000, `retryAfterMs ${retry.retryAfterMs}`);
    }
    assert.equal(fake.calls('chat.postMessage'), 3, 'd was not tried against a limit that c had just hit');
  });

  test('posts to one channel are paced to about one a second, so a batch stays within Slack\'s per-channel limit (no 429)', BOUNDED, async () => {
    // Six new alerts: one history look-up for the batch, then six posts to one channel.
    const fresh = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => record(`pace-${k}`, { text: k }));
    const outcomes = await slack.send(fresh, context());
    assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent', 'sent', 'sent', 'sent', 'sent']);
    assert.equal(fake.calls('chat.postMessage'), 6, 'none refused and retried');
    assert.ok(clock.waited.length >= 5, 'the destination waited between posts');

    // The same batch with pacing turned off meets the documented limit, as production would.
    await setUp({}, { postIntervalMs: 0 });
    const unpaced = await slack.send(fresh.map((r) => ({ ...r, key: `${r.key}-2` })), context());
    assert.ok(unpaced.some((o) => o.status === 'retry' && o.code === 'ratelimited'), JSON.stringify(unpaced));
  });

  test('the crash-replay search reads conversations.history in pages of 15, at most one call a minute, and finds an alert behind 20 newer messages', BOUNDED, async () => {
    await setUp({}, { lookupMaxPages: 2 });
    fake.workspace.seed(CHANNEL, { text: 'posted before the crash', metadata: { event_type: 'switchboard_alert', event_payload: { sync: 'escalations_to_slack', key: 'call-x' } }, ageSeconds: 600 });
    for (let i = 0; i < 20; i++) fake.workspace.seed(CHANNEL, { text: `chatter ${i}`, author: 'person', ageSeconds: 500 - i });
    const [outcome] = await slack.send([record('call-x', { text: 'edited, not posted again' })], context());
    assert.equal(outcome?.status, 'sent');
    assert.equal(fake.calls('chat.postMessage'), 0);
    assert.equal(fake.calls('chat.update'), 1);
    const history = fake.requests.filter((r) => r.method === 'conversations.history');
    assert.deepEqual(history.map((r) => r.args.limit), ['15', '15']);
    assert.equal(fake.calls('conversations.history'), 2, 'no call was refused');
    assert.ok(clock.waited.some((ms) => ms >= 59_000), 'the second page waited for the next minute');
  });

  test('a Marketplace app can raise the page size and the history pace (destinations.slack.historyPageSize, historyIntervalSeconds)', BOUNDED, async () => {
    await setUp({ historyTier: 'marketplace' }, { historyPageSize: 200, historyIntervalSeconds: 1.2 });
    await slack.send([record('call-m', { text: 'm' })], context());
    await slack.send([record('call-n', { text: 'n' })], context());
    assert.deepEqual(fake.requests.filter((r) => r.method === 'conversations.history').map((r) => r.args.limit), ['200', '200']);
    assert.ok(clock.waited.every((ms) => ms <= 1200), String(clock.waited));
  });

  test('a 5xx or a timeout is transient and not retried by the client', BOUNDED, async () => {
    fake.failNext('chat.postMessage', { status: 503, retryAfter: 3 });
    const unavailable = await rejection(slack.send([record('call-6', { text: 'x' })], context()));
    assert.ok(unavailable instanceof TransientDestinationError);
    assert.equal(unavailable.retryAfterMs, 3000);
    assert.equal(fake.calls('chat.postMessage'), 1);

    await setUp({}, { timeoutMs: 200 });
    fake.failNext('chat.postMessage', { delayMs: 5000 });
    const slow = await rejection(slack.send([record('call-6', { text: 'x' })], context()));
    assert.ok(slow instanceof TransientDestinationError, String(slow));
    assert.match(slow.message, /no answer from Slack/);
  });

  test('invalid_auth and not_authed stop the run with PermanentDestinationError naming the variable, never the token', BOUNDED, async () => {
    const wrong = createSlackDestination({ apiUrl: fake.url }, { SWITCHBOARD_SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' });
    const error = await rejection(wrong.send([record('call-7', { text: 'x' }, { externalRef: `${CHANNEL}:1700000000.000100` })], context()));
    assert.ok(error instanceof PermanentDestinationError, String(error));
    assert.equal(error.code, 'invalid_auth');
    assert.match(error.message, /SWITCHBOARD_SLACK_BOT_TOKEN/);
    assert.doesNotMatch(error.message, /xoxb-not-the-right-one/);
    fake.failNext('conversations.history', { error: 'not_authed' });
    const unauthenticated = await rejection(slack.send([record('call-7', { text: 'x' })], context()));
    assert.equal((unauthenticated as PermanentDestinationError).code, 'not_authed');
  });

  test('channel_not_found and not_in_channel stop the run, saying what to fix', BOUNDED, async () => {
    const missing = await rejection(slack.send([record('call-8', { text: 'x' })], context({ object: 'C0GONE' })));
    assert.ok(missing instanceof PermanentDestinationError);
    assert.equal(missing.code, 'channel_not_found');
    assert.match(missing.message, /channel ID/);
    fake.workspace.addChannel({ id: 'C0PRIVATE', name: 'private', member: false });
    const outside = await rejection(slack.send([record('call-8', { text: 'x' }, { externalRef: null })], context({ object: 'C0PRIVATE' })));
    assert.equal((outside as PermanentDestinationError).code, 'not_in_channel');
    assert.match((outside as Error).message, /invite/i);
  });

  test('records Slack refuses are rejected with Slack\'s error code, and the rest of the batch is still sent', BOUNDED, async () => {
    const theirs = fake.workspace.seed(CHANNEL, { text: 'a person wrote this', author: 'person' });
    const outcomes = await slack.send(
      [
        record('ok-1', { text: 'fine' }),
        record('long', { text: 'x'.repeat(40_001) }),
        record('empty', { text: '' }),
        record('not-json', { text: 't', blocks: '[{"type":' }),
        record('bad-blocks', { text: 't', blocks: '[{"text":"no type"}]' }),
        record('theirs', { text: 'edit?' }, { action: 'update', externalRef: `${CHANNEL}:${theirs}` }),
        record('gone', { text: 'edit?' }, { action: 'update', externalRef: `${CHANNEL}:1600000000.000001` }),
        record('ok-2', { text: 'fine too' }),
      ],
      context(),
    );
    const byKey = Object.fromEntries(outcomes.map((o) => [o.key, o.status === 'rejected' ? o.code : o.status]));
    assert.deepEqual(byKey, {
      'ok-1': 'sent', long: 'msg_too_long', empty: 'no_text', 'not-json': 'invalid_blocks', 'bad-blocks': 'invalid_blocks',
      theirs: 'cant_update_message', gone: 'message_not_found', 'ok-2': 'sent',
    });
    for (const rejected of outcomes.filter((o) => o.status === 'rejected')) assert.ok(rejected.reason !== undefined && rejected.reason.length > 0);
    assert.equal(fake.messages(CHANNEL).find((m) => m.ts === theirs)?.text, 'a person wrote this');
  });

  test('blocks are posted as Block Kit with text as the fallback; null on an edit removes them', BOUNDED, async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Missed call* from +6591234567' } }];
    const [sent] = await slack.send([record('call-9', { text: 'Missed call', blocks: JSON.stringify(blocks) })], context());
    assert.deepEqual(fake.messages(CHANNEL)[0]?.blocks, blocks);
    await slack.send([record('call-9', { text: 'Called back', blocks: null }, { action: 'update', externalRef: sent?.externalRef ?? null })], context());
    assert.equal(fake.messages(CHANNEL)[0]?.blocks, undefined);
    assert.equal(fake.messages(CHANNEL)[0]?.text, 'Called back');
  });

  test('mirror deletes remove the message; one already gone, or never posted, counts as sent', BOUNDED, async () => {
    const [sent] = await slack.send([record('call-10', { text: 'x' }), record('call-11', { text: 'y' })], context());
    const remove = (key: string, externalRef: string | null) => record(key, {}, { action: 'delete', externalRef });
    assert.deepEqual(await slack.send([remove('call-10', sent?.externalRef ?? null)], context()), [{ key: 'call-10', status: 'sent', externalRef: null }]);
    assert.deepEqual(fake.messages(CHANNEL).map((m) => m.text), ['y']);
    assert.deepEqual(await slack.send([remove('call-10', sent?.externalRef ?? null)], context()), [{ key: 'call-10', status: 'sent', externalRef: null }], 'message_not_found is done');
    // A delete without a reference (its post was never checkpointed) finds the alert by its metadata.
    assert.deepEqual(await slack.send([remove('call-11', null), remove('never-posted', null)], context()), [
      { key: 'call-11', status: 'sent', externalRef: null },
      { key: 'never-posted', status: 'sent', externalRef: null },
    ]);
    assert.deepEqual(fake.messages(CHANNEL), []);
    assert.equal(fake.calls('chat.delete'), 3);
  });

  test('an aborted run stops between calls and cuts a call short, with the signal\'s reason', BOUNDED, async () => {
    const before = new AbortController();
    before.abort(new Error('shutting down'));
    await assert.rejects(slack.send([record('call-12', { text: 'x' })], context({ signal: before.signal })), /shutting down/);
    assert.equal(fake.requests.length, 0);

    const during = new AbortController();
    fake.failNext('chat.postMessage', { delayMs: 10_000 });
    fake.onRequest = (method) => {
      if (method === 'chat.postMessage') during.abort(new Error('run deadline'));
    };
    await assert.rejects(slack.send([record('call-13', { text: 'x' }), record('call-14', { text: 'y' })], context({ signal: during.signal })), /run deadline/);
    assert.equal(fake.calls('chat.postMessage'), 1, 'nothing after the abort');
  });

  test('createSlackDestination needs SWITCHBOARD_SLACK_BOT_TOKEN and says so', () => {
    for (const env of [{}, { SWITCHBOARD_SLACK_BOT_TOKEN: '  ' }]) {
      assert.throws(
        () => createSlackDestination({ apiUrl: fake.url }, env),
        (error: unknown) => error instanceof SwitchboardError && error.code === 'SB_SYNC_SLACK_SECRET_MISSING' && error.configKey === 'destinations.slack' && /SWITCHBOARD_SLACK_BOT_TOKEN/.test(error.message),
      );
    }
    const defaults = createSlackDestination(undefined, { SWITCHBOARD_SLACK_BOT_TOKEN: 'xoxb-x' });
    assert.equal(defaults.type, 'slack');
    assert.equal(defaults.batchSize, 20);
  });
});
