/**
 * Finding 1 of the hardening issue: one request once stopped all landing for good.
 * - Postgres: an unauthenticated body holding a raw NUL was refused (401), and its rejection
 *   row, written in the same transaction as the verified events, failed every batch after it.
 * - DuckDB: once the key-fetch budget was spent, a JWS kid "\ud800x" went into the
 *   rejection's reason, which DuckDB refused, with the same result.
 * - A verified event may carry `\u0000` or unpaired surrogate escapes (legal JSON), which
 *   jsonb and DuckDB's JSON functions refuse, so every model build failed.
 * Each is sent through the real server (createSwitchboardServer, inject) on both warehouses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { contactCenterHeaders, unverifiableSignature } from '../helpers/contact-center.js';

const WAREHOUSES = ['duckdb', 'postgres'] as const;

/** A meetings event (participant joined) with its own idempotency key and `name` spliced in as raw JSON text. */
function meetingsBody(key: string, nameJson: string): string {
  const event = JSON.parse(MEETINGS_SAMPLES['participant-joined']) as { idempotencyKey: string; data: { name: string } };
  event.idempotencyKey = key;
  event.data.name = '@@NAME@@';
  return JSON.stringify(event).replace('"@@NAME@@"', nameJson);
}

/** Contact Center signature headers with an invented kid: verifiable by nobody. */
function forgedContactCenter(kid: string): Record<string, string> {
  return contactCenterHeaders(unverifiableSignature(JSON.stringify({ alg: 'RS256', b64: false, crit: ['b64'], kid })));
}

async function landedKeys(h: Harness): Promise<string[]> {
  const rows = await h.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${h.raw('meetings_events')} ORDER BY dedupe_key`);
  return rows.map((r) => r.dedupe_key);
}

for (const warehouse of WAREHOUSES) {
  describe(`[${warehouse}] one hostile request never stops landing`, () => {
    let jwks: JwkServer;
    before(async () => {
      jwks = await startJwkServer(); // knows no kid: every invented one is a 404
    });
    after(() => jwks.close());

    test('an unauthenticated body with a raw NUL byte is refused, and verified events keep landing, also after a restart', async () => {
      const h = await startHarness({ warehouse });
      try {
        const poison = await h.server.app.inject({
          method: 'POST',
          url: '/webhooks/8x8/meetings',
          headers: { 'content-type': 'application/json' },
          payload: Buffer.from('{"x":"\u0000"}', 'utf8'),
          remoteAddress: '127.0.0.1',
        });
        assert.equal(poison.statusCode, 401);
        assert.equal((await h.send('meetings', { body: meetingsBody('after-nul-1', '"A"') })).statusCode, 200);
        await h.drain();
        assert.deepEqual(await landedKeys(h), ['jaas:after-nul-1']);
        // The refusal is recorded too, its body kept byte for byte (as base64: text cannot hold a NUL everywhere).
        const [rejection] = await h.query<{ body: string; error_code: string }>(`SELECT body, error_code FROM ${h.raw('rejections')}`);
        assert.equal(rejection?.error_code, 'SB_INGEST_AUTH_MISSING');
        assert.equal(Buffer.from((rejection?.body ?? '').replace(/^base64:/, ''), 'base64').toString('utf8'), '{"x":"\u0000"}');

        await h.restart();
        assert.equal((await h.send('meetings', { body: meetingsBody('after-nul-2', '"B"') })).statusCode, 200);
        await h.drain();
        assert.deepEqual(await landedKeys(h), ['jaas:after-nul-1', 'jaas:after-nul-2']);
      } finally {
        await h.close();
      }
    });

    test('a lone-surrogate kid, sent once the key-fetch budget is spent, is refused and verified events keep landing', async () => {
      const h = await startHarness({ warehouse, config: { families: { contactCenter: { jwkUrls: [jwks.urlTemplate] } } } });
      try {
        for (let i = 0; i < 12; i++) {
          const response = await h.server.app.inject({
            method: 'POST',
            url: '/webhooks/8x8/contact-center',
            headers: forgedContactCenter(`invented-${i}`),
            payload: '{"eventType":"MESSAGE"}',
            remoteAddress: '127.0.0.1',
          });
          assert.equal(response.statusCode, 401);
        }
        const surrogate = await h.server.app.inject({
          method: 'POST',
          url: '/webhooks/8x8/contact-center',
          headers: forgedContactCenter('\ud800x'),
          payload: '{"eventType":"MESSAGE"}',
          remoteAddress: '127.0.0.1',
        });
        assert.equal(surrogate.statusCode, 401);
        assert.match((surrogate.json() as { error: { code: string } }).error.code, /^SB_INGEST_/);
        assert.equal((await h.send('meetings', { body: meetingsBody('after-kid', '"C"') })).statusCode, 200);
        await h.drain();
        assert.deepEqual(await landedKeys(h), ['jaas:after-kid']);
        const [{ n } = { n: 0 }] = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('rejections')}`);
        assert.equal(Number(n), 13, 'every refusal is recorded');
      } finally {
        await h.close();
      }
    });

    test('verified events holding \\u0000, unpaired surrogate escapes and other escapes land byte for byte, and the models build', async () => {
      // Its own analytics schema on Postgres (dropped below): tables another run left in a shared
      // `analytics` could have other columns, and an incremental model would insert into them.
      const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
      const h = await startHarness({ warehouse, config: { models: { schedule: 'off', schema: analytics } } });
      try {
        const names: Record<string, string> = {
          nul: '"a\\u0000b"',
          high: '"\\ud800"',
          low: '"\\udc00x"',
          pair: '"\\ud83d\\ude00 ok"',
          controls: '"\\u0001\\uffff"',
          escapedBackslash: '"\\\\u0000"',
        };
        const sent = new Map<string, string>();
        for (const [key, name] of Object.entries(names)) {
          const body = meetingsBody(`escape-${key}`, name);
          sent.set(`jaas:escape-${key}`, body);
          assert.equal((await h.send('meetings', { body })).statusCode, 200, key);
        }
        await h.drain();
        const rows = await h.query<{ dedupe_key: string; body: string; body_json: string | null }>(
          `SELECT dedupe_key, body, body_json FROM ${h.raw('meetings_events')}`,
        );
        assert.equal(rows.length, sent.size);
        for (const row of rows) {
          assert.equal(row.body, sent.get(row.dedupe_key), `${row.dedupe_key} is stored exactly`);
          const needsCopy = /escape-(nul|high|low)$/.test(row.dedupe_key);
          assert.equal(row.body_json !== null, needsCopy, `${row.dedupe_key}: a parseable copy only where needed`);
        }

        const results = await (await h.server.builds.prepare('build', {})).execute();
        const failed = results.results.filter((r) => r.status === 'error' || r.status === 'fail');
        assert.deepEqual(failed.map((r) => `${r.node}: ${r.message}`), []);
        const participants = await h.query<{ name: string }>(`SELECT name FROM ${analytics}.meeting_participants ORDER BY name`);
        assert.equal(participants.length, 1, 'one participant (every event is the same join)');
      } finally {
        if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${analytics} CASCADE`);
        await h.close();
      }
    });
  });
}
