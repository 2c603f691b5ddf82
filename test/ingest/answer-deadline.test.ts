/**
 * 8x8's WhatsApp webhooks page asks for an answer within 5 s
 * (8x8Cloud/public-developer-docs docs/connect/docs/whatsapp/whatsapp-webhooks.md); the
 * canonical pages document no timeout (8x8.md §1.7). Switchboard answers 503 (retry) when an
 * event is not durable within server.durableDeadlineMs, which defaults below that window,
 * while Node's receive deadline (server.requestTimeoutMs, 408) stays a separate key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { parseConfig } from '../../server/config.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { mockClock, tickUntilSettled } from '../helpers/clock.js';

describe('answer deadline', () => {
  test('by default an event that cannot be made durable is answered before 8x8 stops waiting (5 s)', () => {
    const server = parseConfig({}).server as { durableDeadlineMs?: number; requestTimeoutMs: number };
    assert.ok(server.durableDeadlineMs !== undefined && server.durableDeadlineMs < 5_000, `durableDeadlineMs is ${server.durableDeadlineMs}`);
  });

  test('a durable deadline at or above 5 s is refused by config validation', () => {
    assert.throws(() => parseConfig({ server: { durableDeadlineMs: 5_000 } }));
  });

  describe('with a stalled spool', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ config: { server: { durableDeadlineMs: 100, requestTimeoutMs: 30_000 } } });
    });
    after(() => h.close());

    test('the answer is 503 SB_INGEST_TIMEOUT naming server.durableDeadlineMs, not the receive deadline', async (t) => {
      const handle = await open(new URL(import.meta.url), 'r');
      const proto = Object.getPrototypeOf(handle) as { datasync: (this: unknown) => Promise<void> };
      await handle.close();
      const original = proto.datasync;
      let release = (): void => {};
      const stalled = new Promise<void>((resolve) => {
        release = resolve;
      });
      proto.datasync = async function (this: unknown) {
        await stalled;
        return original.call(this);
      };
      try {
        const answer = await tickUntilSettled(mockClock(t, ['setTimeout']), h.send('meetings', { sample: 'participant-joined' }), { stepMs: 20 });
        assert.equal(answer.statusCode, 503);
        assert.equal(answer.json.error?.code, 'SB_INGEST_TIMEOUT');
        assert.match(answer.json.error?.message ?? '', /server\.durableDeadlineMs/);
      } finally {
        release();
        proto.datasync = original;
      }
    });
  });
});
