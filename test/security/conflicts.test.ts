/**
 * Finding 3 of the hardening issue: a Contact Center body forged to the CRC32 that a genuine
 * delivery's signature covers got 200 and landed as `jws-rs256`; when the genuine body came,
 * it only raised `delivery_count`, and the forged body stayed, silently. Now, in every family,
 * a second body under a landed dedupe key is kept as its own version (`conflict_of`), counted
 * in switchboard_dedupe_conflicts and logged as an error; the first body stays the one models read.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { startHarness, type Harness } from '../helpers/harness.js';
import { captureLogger, type LogLine } from '../helpers/logs.js';
import { buildTestRequest } from '../../ingest/test-events.js';
import { SAMPLES } from '../../ingest/test-events.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { forgeCrc32 } from '../helpers/crc32-forge.js';

interface Row {
  dedupe_key: string;
  body: string;
  conflict_of: string | null;
  delivery_count: number;
}

async function rows(h: Harness, table: string): Promise<Row[]> {
  return h.query<Row & Record<string, never>>(`SELECT dedupe_key, body, conflict_of, delivery_count FROM ${h.raw(table)} ORDER BY dedupe_key`) as Promise<Row[]>;
}

async function conflictsMetric(h: Harness): Promise<number> {
  const text = (await h.admin({ method: 'GET', url: '/metrics' })).body;
  return Number(/^switchboard_dedupe_conflicts (\d+)$/m.exec(text)?.[1] ?? 'NaN');
}

const CASES: ReadonlyArray<{ family: FamilyName; sample: string; table: string }> = [
  { family: 'messaging', sample: 'sms-inbound', table: 'messaging_events' },
  { family: 'voice', sample: 'session-summary', table: 'voice_events' },
  { family: 'contact-center', sample: 'chat-message', table: 'contact_center_events' },
  { family: 'meetings', sample: 'participant-joined', table: 'meetings_events' },
];

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`[${warehouse}] a second body under one dedupe key is kept and shown, never dropped`, () => {
    test('in every family: both versions land, the conflict is marked, counted and logged, and retries of each merge', async () => {
      const { logger, lines } = captureLogger('info');
      const h = await startHarness({ warehouse, logger, config: { models: { schedule: 'off' } } });
      try {
        for (const { family, sample, table } of CASES) {
          const original = SAMPLES[family][sample] as string;
          const altered = JSON.stringify({ ...(JSON.parse(original) as object), altered: true });
          const eventId = `conflict-${family}`;
          assert.equal((await h.send(family, { sample, eventId })).statusCode, 200);
          await h.drain();
          assert.equal((await h.send(family, { body: altered, eventId })).statusCode, 200);
          assert.equal((await h.send(family, { body: altered, eventId })).statusCode, 200, 'a retry of the second version');
          assert.equal((await h.send(family, { sample, eventId })).statusCode, 200, 'a retry of the first');
          await h.drain();
          const landed = await rows(h, table);
          assert.equal(landed.length, 2, `${family}: two versions`);
          const [first, second] = landed[0]?.conflict_of === null ? [landed[0], landed[1]] : [landed[1], landed[0]];
          assert.equal(first?.body, original, `${family}: the first body stays under the key`);
          assert.equal(Number(first?.delivery_count), 2);
          assert.equal(second?.body, altered, `${family}: the second body is kept`);
          assert.equal(second?.conflict_of, first?.dedupe_key);
          assert.match(second?.dedupe_key ?? '', /#conflict:[0-9a-f]{16}$/);
          assert.equal(Number(second?.delivery_count), 2);
        }
        assert.equal(await conflictsMetric(h), 8, 'each arrival of a conflicting body is counted');
        const errors = lines.filter((l: LogLine) => l.level === 50 && /different body/.test(l.msg ?? ''));
        // One error per conflicting version per landed batch: 4 versions, in 4 or more batches.
        assert.ok(errors.length >= 4 && errors.length <= 8, `errors logged: ${errors.length}`);
        assert.ok(errors.every((l) => !JSON.stringify(l).includes('altered')), 'bodies are never logged');
      } finally {
        await h.close();
      }
    });

    test('Contact Center: a body forged to the signed CRC32 no longer replaces or hides the genuine one', async () => {
      const { logger, lines } = captureLogger('info');
      const h = await startHarness({ warehouse, logger, config: { models: { schedule: 'off' } } });
      try {
        const genuine = await buildTestRequest('contact-center', h.config, { cwd: h.dir, sample: 'chat-message', eventId: 'forged-event' });
        const forged = forgeCrc32('{"eventType":"MESSAGE","data":{"text":"refund $10000"},"pad":"{pad}"}', crc32(Buffer.from(genuine.body)) >>> 0);
        const post = (body: string | Buffer) =>
          h.server.app.inject({ method: 'POST', url: genuine.path, headers: genuine.headers, payload: body, remoteAddress: '127.0.0.1' });

        // The forgery arrives first (the attacker races the genuine delivery with its headers).
        assert.equal((await post(forged)).statusCode, 200, '8x8\'s scheme cannot tell: the signature covers only the CRC32');
        await h.drain();
        assert.equal((await post(genuine.body)).statusCode, 200);
        await h.drain();
        const landed = await rows(h, 'contact_center_events');
        assert.deepEqual(
          landed.map((r) => [r.body, r.conflict_of]),
          [
            [forged, null],
            [genuine.body, 'cc:forged-event'],
          ].sort((a, b) => (a[1] === null ? -1 : 1) - (b[1] === null ? -1 : 1)),
          'the genuine body is kept beside the forged one, not folded into it',
        );
        assert.equal(await conflictsMetric(h), 1);
        assert.ok(lines.some((l) => l.level === 50 && l.dedupeKey === 'cc:forged-event'), 'the conflict is logged as an error');
      } finally {
        await h.close();
      }
    });
  });
}
