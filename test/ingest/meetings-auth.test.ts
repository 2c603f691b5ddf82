import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJaasSignature, signJaas } from '../../ingest/families/meetings/index.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';

// The signing example of https://developer.8x8.com/jaas/docs/webhooks-signatures
const DOC_SECRET = 'whsec_9635df66714a4cf088ee9d0979dd3bf6';
const DOC_T = 1632490060;
const DOC_V1 = 'xlzqEojlh4qb21sQpXYsWgyK8x9HVpz+RQldsv18rV0=';
const DOC_BODY = MEETINGS_SAMPLES['participant-joined'];

describe('JaaS signatures (meetings)', () => {
  test('reproduces the documented signature, keyed with the whole whsec_ secret', () => {
    assert.equal(signJaas(DOC_SECRET, DOC_T, DOC_BODY), `t=${DOC_T},v1=${DOC_V1}`);
    assert.notEqual(signJaas(DOC_SECRET.slice('whsec_'.length), DOC_T, DOC_BODY), `t=${DOC_T},v1=${DOC_V1}`);
  });

  test('parses the header splitting on the first "=" only and ignores other schemes', () => {
    assert.deepEqual(parseJaasSignature(`t=${DOC_T},v0=old,v1=${DOC_V1},v1=b==`), { t: DOC_T, v1: [DOC_V1, 'b=='] });
    assert.equal(parseJaasSignature(`v1=${DOC_V1}`), null);
    assert.equal(parseJaasSignature(`t=abc,v1=${DOC_V1}`), null);
    assert.equal(parseJaasSignature(`t=${DOC_T}`), null);
  });

  describe('the route', () => {
    let h: Harness;
    const env = { SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: DOC_SECRET };
    before(async () => {
      h = await startHarness({ env, config: { families: { meetings: { toleranceSeconds: 300 } } } });
    });
    after(() => h.close());

    test('accepts the documented example body when signed now with the documented secret', async () => {
      const res = await h.send('meetings', { sample: 'participant-joined' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json.dedupeKey, 'jaas:9e9e7420-562d-4659-8e22-44b9b22aaa49');
      await h.drain();
      const rows = await h.query<{ body: string; verified_by: string; event_type: string }>(
        `SELECT body, verified_by, event_type FROM ${h.raw('meetings_events')}`,
      );
      assert.deepEqual(rows, [{ body: DOC_BODY, verified_by: 'hmac-sha256', event_type: 'PARTICIPANT_JOINED' }]);
    });

    test('accepts when any one of several v1 signatures matches (secret rotation)', async () => {
      const t = Math.floor(Date.now() / 1000);
      const good = signJaas(DOC_SECRET, t, MEETINGS_SAMPLES['dial-in-started']).split(',')[1];
      const res = await h.send('meetings', {
        sample: 'dial-in-started',
        headers: { 'x-jaas-signature': `t=${t},v1=AAAAbm90IHRoaXMgb25l,${good}` },
      });
      assert.equal(res.statusCode, 200);
    });

    test('rejects a signature made with another secret, with a code and a fix', async () => {
      const t = Math.floor(Date.now() / 1000);
      const res = await h.send('meetings', { headers: { 'x-jaas-signature': signJaas('whsec_other', t, DOC_BODY) } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_INVALID');
      assert.match(res.json.error?.message ?? '', /SWITCHBOARD_MEETINGS_WEBHOOK_SECRET/);
    });

    test('rejects the documented (2021) timestamp as outside the tolerance', async () => {
      const res = await h.send('meetings', { headers: { 'x-jaas-signature': `t=${DOC_T},v1=${DOC_V1}` } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_EXPIRED');
    });

    test('rejects a body re-serialised with different whitespace (raw bytes are what is signed)', async () => {
      const t = Math.floor(Date.now() / 1000);
      const pretty = JSON.stringify(JSON.parse(DOC_BODY), null, 2);
      const res = await h.send('meetings', { body: pretty, headers: { 'x-jaas-signature': signJaas(DOC_SECRET, t, DOC_BODY) } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_INVALID');
    });

    test('rejects a missing or malformed header', async () => {
      const missing = await h.send('meetings', { headers: { 'x-jaas-signature': '' } });
      assert.equal(missing.statusCode, 401);
      const malformed = await h.send('meetings', { headers: { 'x-jaas-signature': 'sha256=abc' } });
      assert.equal(malformed.json.error?.code, 'SB_INGEST_SIGNATURE_MALFORMED');
    });

    test('records every rejection, and lands none of their bodies in the raw table', async () => {
      await h.drain();
      const rejections = await h.query<{ error_code: string; verified: boolean }>(
        `SELECT error_code, verified FROM ${h.raw('rejections')} WHERE family = 'meetings' ORDER BY received_at`,
      );
      assert.deepEqual(
        rejections.map((r) => r.error_code).sort(),
        ['SB_INGEST_AUTH_MISSING', 'SB_INGEST_SIGNATURE_EXPIRED', 'SB_INGEST_SIGNATURE_INVALID', 'SB_INGEST_SIGNATURE_INVALID', 'SB_INGEST_SIGNATURE_MALFORMED'],
      );
      assert.ok(rejections.every((r) => r.verified === false));
      const landed = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${h.raw('meetings_events')}`);
      assert.equal(landed[0]?.n, 2);
    });
  });
});
