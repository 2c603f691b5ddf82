import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VOICE_SAMPLES } from '../../ingest/families/voice/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';

describe('voice', () => {
  let h: Harness;
  const value = 'Bearer voice-secret-1';
  before(async () => {
    h = await startHarness({ env: { SWITCHBOARD_VOICE_AUTH_HEADER: value } });
  });
  after(() => h.close());

  test('accepts the registered auth header and lands VSS, VCS, VRU and VNU with their keys', async () => {
    const keys: string[] = [];
    for (const sample of ['session-summary', 'call-status', 'recording-status', 'virtual-number-update']) {
      const res = await h.send('voice', { sample });
      assert.equal(res.statusCode, 200, sample);
      keys.push(res.json.dedupeKey ?? '');
    }
    assert.equal(keys[0], 'SESSION_SUMMARY:9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61');
    assert.equal(keys[1], 'CALL_STATUS:66d5f556-133a-11ef-9dd4-e911cc6fc82f');
    assert.equal(keys[2], 'CALL_RECORDING_STATUS:rec-7f1e2d3c:UPLOAD_COMPLETED');
    assert.match(keys[3] ?? '', /^sha256:[0-9a-f]{64}$/);
    await h.drain();
    const rows = await h.query<{ body: string }>(`SELECT body FROM ${h.raw('voice_events')} WHERE event_type = 'SESSION_SUMMARY'`);
    assert.equal(rows[0]?.body, VOICE_SAMPLES['session-summary']);
  });

  test('rejects a wrong or missing header', async () => {
    const wrong = await h.send('voice', { headers: { authorization: 'Bearer guess' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json.error?.code, 'SB_INGEST_AUTH_INVALID');
    const missing = await h.send('voice', { headers: { authorization: '' } });
    assert.equal(missing.json.error?.code, 'SB_INGEST_AUTH_MISSING');
  });

  test('answers a CALL_ACTION with a clear error and records it as verified', async () => {
    const res = await h.send('voice', { sample: 'call-action' });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json.error?.code, 'SB_INGEST_VOICE_CALL_ACTION');
    assert.match(res.json.error?.message ?? '', /callflow/);
    await h.drain();
    const rows = await h.query<{ verified: boolean; body: string }>(
      `SELECT verified, body FROM ${h.raw('rejections')} WHERE error_code = 'SB_INGEST_VOICE_CALL_ACTION'`,
    );
    assert.deepEqual(rows, [{ verified: true, body: VOICE_SAMPLES['call-action'] }]);
    const landed = await h.query(`SELECT * FROM ${h.raw('voice_events')} WHERE event_type = 'CALL_ACTION'`);
    assert.equal(landed.length, 0);
  });

  test("refuses addresses outside 8x8's voice ranges and loopback", async () => {
    assert.equal((await h.send('voice', { ip: '52.220.253.234' })).statusCode, 200);
    assert.equal((await h.send('voice', { ip: '203.0.113.9' })).statusCode, 403);
  });
});
