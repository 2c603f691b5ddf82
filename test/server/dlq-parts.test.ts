/**
 * The small parts of dead letters: ids name their source (and nothing else is taken for one),
 * body samples mask credentials, e-mail addresses and phone numbers but keep what an operator
 * needs to recognise the event, ages print short, and a replay must name what it replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseId } from '../../server/dlq/dead-letter.js';
import { checkReplayScope } from '../../server/dlq/dead-letters.js';
import { redactedSample } from '../../server/dlq/sample.js';
import { formatAge, outcomeTally } from '../../cli/dlq-output.js';

test('an id names its source and its parts; anything else is SB_DLQ_BAD_ID', () => {
  assert.deepEqual(parseId('rejection:3f1c'), { source: 'landing', rejectionId: '3f1c' });
  assert.deepEqual(parseId('quarantine:q-abc-0-12'), { source: 'quarantine', quarantineId: 'q-abc-0-12' });
  assert.deepEqual(parseId('sync:calls_to_salesforce:c:42'), { source: 'sync', sync: 'calls_to_salesforce', key: 'c:42' }, 'a key may hold colons');
  assert.deepEqual(parseId('pull:1b9e:3'), { source: 'pull', failureId: '1b9e:3' });
  for (const bad of ['bogus', 'rejection:', 'sync:only_a_name', 'sync::key', 'mail:1']) {
    assert.throws(() => parseId(bad), { code: 'SB_DLQ_BAD_ID' }, bad);
  }
});

test('a body sample masks credentials, e-mail addresses and phone numbers, keeps the rest, and is cut short', () => {
  const body = JSON.stringify({
    eventType: 'SMS_RECEIVED',
    token: 'abc123',
    headers: { Authorization: 'Bearer xyz' },
    from: '+14155550123',
    to: '(415) 555-0199',
    email: 'jane.doe@example.com',
    text: 'call me at +44 20 7946 0958 or mail jane@example.org',
    timestamp: '2026-11-27T09:15:27Z',
    epochMs: 1741091405512,
    count: 3,
  });
  const sample = JSON.parse(redactedSample(body) as string) as Record<string, unknown>;
  assert.deepEqual(sample, {
    eventType: 'SMS_RECEIVED',
    token: '[redacted]',
    headers: { Authorization: '[redacted]' },
    from: '+***0123',
    to: '***0199',
    email: '***@example.com',
    text: 'call me at +***0958 or mail ***@example.org',
    timestamp: '2026-11-27T09:15:27Z',
    epochMs: 1741091405512,
    count: 3,
  });
  assert.equal(redactedSample('<xml from="+14155550123"/>'), '<xml from="+***0123"/>', 'text that is not JSON is masked too');
  const long = redactedSample(JSON.stringify({ text: 'x'.repeat(5000) })) as string;
  assert.ok(long.startsWith('{"text":"xxx'));
  assert.match(long, /… \(4011 more characters\)$/);
  assert.equal(redactedSample(null), null);
});

test('ages print short; a replay tally says what happened', () => {
  assert.deepEqual([formatAge(5), formatAge(125), formatAge(3 * 3600 + 300), formatAge(2 * 86_400 + 4 * 3600)], ['5s', '2m', '3h 5m', '2d 4h']);
  assert.equal(
    outcomeTally([{ id: 'a', status: 'replayed', message: '' }, { id: 'b', status: 'failed', message: '' }, { id: 'c', status: 'replayed', message: '' }], false),
    '2 replayed, 1 failed\n',
  );
  assert.equal(outcomeTally([{ id: 'a', status: 'would-replay', message: '' }], true), '(dry run: nothing was sent) 1 would-replay\n');
});

test('a replay names ids or a filter, or asks for all', () => {
  assert.throws(() => checkReplayScope({}), { code: 'SB_DLQ_REPLAY_UNSCOPED' });
  assert.throws(() => checkReplayScope({ limit: 5, ids: [] }), { code: 'SB_DLQ_REPLAY_UNSCOPED' }, 'a limit alone names nothing');
  assert.throws(() => checkReplayScope({ ids: ['nope'] }), { code: 'SB_DLQ_BAD_ID' });
  assert.doesNotThrow(() => checkReplayScope({ all: true }));
  assert.doesNotThrow(() => checkReplayScope({ source: 'sync' }));
  assert.doesNotThrow(() => checkReplayScope({ ids: ['pull:r:1'] }));
});
