import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`landing on ${warehouse}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ warehouse, config: { server: { bodyLimitBytes: 64 * 1024 } } });
    });
    after(() => h.close());

    test('stores the exact body text, kept headers, type, key, source and verification', async () => {
      const res = await h.send('meetings', { sample: 'recording-uploaded', ip: '127.0.0.1' });
      assert.equal(res.statusCode, 200);
      await h.drain();
      const rows = await h.query(
        `SELECT dedupe_key, family, event_type, body, source_ip, verified_by, delivery_count, headers FROM ${h.raw('meetings_events')}`,
      );
      assert.equal(rows.length, 1);
      const row = rows[0] as Record<string, unknown>;
      assert.equal(row.dedupe_key, 'jaas:2b7c1e4a-9d3f-4b6e-8a21-5c0d9e7f3a14');
      assert.equal(row.family, 'meetings');
      assert.equal(row.event_type, 'RECORDING_UPLOADED');
      assert.equal(row.body, MEETINGS_SAMPLES['recording-uploaded']);
      assert.equal(row.source_ip, '127.0.0.1');
      assert.equal(row.verified_by, 'hmac-sha256');
      assert.equal(row.delivery_count, 1);
      const headers = JSON.parse(String(row.headers)) as Record<string, string>;
      assert.match(headers['x-jaas-signature'] ?? '', /^t=\d+,v1=/);
    });

    test('a retried delivery stays one event, and the raw row shows it was retried', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await h.send('meetings', { sample: 'dial-in-started' })).statusCode, 200);
      await h.drain();
      // One more retry after the first ones have landed: counted across batches too.
      assert.equal((await h.send('meetings', { sample: 'dial-in-started' })).statusCode, 200);
      await h.drain();
      const rows = await h.query<{ delivery_count: number; first_received_at: string; last_received_at: string }>(
        `SELECT delivery_count, first_received_at, last_received_at FROM ${h.raw('meetings_events')} WHERE event_type = 'DIAL_IN_STARTED'`,
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.delivery_count, 4);
      assert.ok((rows[0]?.last_received_at ?? '') >= (rows[0]?.first_received_at ?? ''));
    });

    test('keeps the body byte for byte: a byte-order mark, escapes and non-ASCII text survive', async () => {
      const body = '\ufeff{"idempotencyKey":"bom-1","eventType":"CHAT_UPLOADED","data":{"name":"Zoë \u00e9 日本 🎉","esc":"\\u00e9\\n"}}';
      const res = await h.send('meetings', { body });
      assert.equal(res.statusCode, 200);
      await h.drain();
      const rows = await h.query<{ body: string }>(`SELECT body FROM ${h.raw('meetings_events')} WHERE dedupe_key = 'jaas:bom-1'`);
      assert.equal(Buffer.from(rows[0]?.body ?? '').equals(Buffer.from(body)), true);
    });

    test('answers a non-JSON body with 400 and records it, with its body, for an operator', async () => {
      const res = await h.send('meetings', { body: '<root><namespace>SMS</namespace></root>' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json.error?.code, 'SB_INGEST_BODY_NOT_JSON');
      const array = await h.send('meetings', { body: '[1,2,3]' });
      assert.equal(array.json.error?.code, 'SB_INGEST_BODY_NOT_OBJECT');
      await h.drain();
      const rows = await h.query<{ body: string; verified: boolean; status_code: number }>(
        `SELECT body, verified, status_code FROM ${h.raw('rejections')} WHERE error_code = 'SB_INGEST_BODY_NOT_JSON'`,
      );
      assert.deepEqual(rows, [{ body: '<root><namespace>SMS</namespace></root>', verified: true, status_code: 400 }]);
    });

    test('answers an oversized body with 413 without reading it, and records the refusal', async () => {
      const big = JSON.stringify({ eventType: 'X', pad: 'x'.repeat(100 * 1024) });
      const res = await h.send('meetings', { body: big });
      assert.equal(res.statusCode, 413);
      assert.equal(res.json.error?.code, 'SB_INGEST_BODY_TOO_LARGE');
      assert.match(res.json.error?.message ?? '', /server\.bodyLimitBytes/);
      await h.drain();
      const rows = await h.query<{ body: string | null; body_bytes: number }>(
        `SELECT body, body_bytes FROM ${h.raw('rejections')} WHERE error_code = 'SB_INGEST_BODY_TOO_LARGE'`,
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.body, null);
      assert.equal(rows[0]?.body_bytes, Buffer.byteLength(big));
    });

    test('the operator API exports Prometheus metrics: answers by status, refusals by code, the backlog', async () => {
      const res = await h.admin({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /switchboard_webhook_responses_total\{family="meetings",status="200"\} \d+/);
      assert.match(res.body, /switchboard_rejections_total\{family="meetings",code="SB_INGEST_BODY_TOO_LARGE"\} 1/);
      assert.match(res.body, /switchboard_spool_backlog_bytes 0/);
      assert.match(res.body, /switchboard_warehouse_up 1/);
      assert.match(res.body, /switchboard_webhook_duration_seconds_bucket/);
    });

    test('readyz says only ready; the operator API\'s /status reports the spool and the warehouse', async () => {
      const ready = await h.server.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready' });
      const res = await h.admin({ method: 'GET', url: '/status' });
      assert.equal(res.statusCode, 200);
      const body = res.json() as { status: string; spool: { writable: boolean }; warehouse: { reachable: boolean } };
      assert.equal(body.status, 'ready');
      assert.equal(body.spool.writable, true);
      assert.equal(body.warehouse.reachable, true);
    });
  });
}

describe('back-pressure', () => {
  let h: Harness;
  before(async () => {
    // A budget smaller than one event: the second event finds the spool "full".
    h = await startHarness({ config: { spool: { maxBytes: 200, retryAfterSeconds: 30 } } });
    await h.server.drainer.stop(); // the warehouse "falls behind": nothing drains
  });
  after(() => h.close());

  test('answers 503 with Retry-After once the undrained spool passes spool.maxBytes, and recovers after draining', async () => {
    assert.equal((await h.send('meetings', { sample: 'participant-joined' })).statusCode, 200);
    const full = await h.send('meetings', { sample: 'recording-uploaded' });
    assert.equal(full.statusCode, 503);
    assert.equal(full.json.error?.code, 'SB_INGEST_SPOOL_FULL');
    assert.equal(full.headers['retry-after'], '30');
    const ready = await h.admin({ method: 'GET', url: '/status' });
    assert.equal((ready.json() as { spool: { writable: boolean } }).spool.writable, false);
    await h.drain();
    assert.equal((await h.send('meetings', { sample: 'recording-uploaded' })).statusCode, 200);
  });
});

describe('per-IP rate limit', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config: { server: { rateLimit: { max: 3, windowMs: 60_000 } } } });
  });
  after(() => h.close());

  test('answers 429 with Retry-After past server.rateLimit.max, per source address, without recording it', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await h.send('meetings', { ip: '127.0.0.2' })).statusCode, 200);
    const limited = await h.send('meetings', { ip: '127.0.0.2' });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json.error?.code, 'SB_INGEST_RATE_LIMITED');
    assert.match(limited.json.error?.message ?? '', /server\.rateLimit\.max/);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await h.send('meetings', { ip: '127.0.0.3' })).statusCode, 200, 'another address has its own budget');
    await h.drain();
    const rows = await h.query(`SELECT * FROM ${h.raw('rejections')}`);
    assert.equal(rows.length, 0);
  });
});
