/**
 * Finding A: Contact Center signs only a JSON of headers plus the CRC32 of the body
 * (https://developer.8x8.com/actions-events/docs/validating-webhook-events). Anyone holding
 * one signed delivery's headers could post another body with the same CRC32 and have it land
 * as `jws-rs256`. Freshness bounds that window, and no usable signature is ever stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bodyChecksum, signDetached } from '../../ingest/families/contact-center/signature.js';
import { CONTACT_CENTER_SAMPLES } from '../../ingest/families/contact-center/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { signedContactCenterHeaders } from '../helpers/contact-center.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';
import { forgeCrc32 } from '../helpers/crc32-forge.js';

/** The operator API's headers (a bearer token once the admin API requires one). */
const ROUTE = '/webhooks/8x8/contact-center';
type Key = { privateKey: Parameters<typeof signDetached>[1]; kid: string };

async function signedHeaders(body: string, key: Key, transmittedAt: number, eventId: string): Promise<Record<string, string>> {
  return signedContactCenterHeaders(body, key, { transmittedAt, eventId });
}

describe('Contact Center: a CRC32-forged body and stored signatures', () => {
  let h: Harness;
  let jwks: JwkServer;
  let key1: Key;
  const post = async (headers: Record<string, string>, payload: string, remoteAddress = '203.0.113.7') => {
    const res = await h.server.app.inject({ method: 'POST', url: ROUTE, headers, payload, remoteAddress });
    return { status: res.statusCode, json: res.json() as { dedupeKey?: string; error?: { code: string; message: string } } };
  };

  before(async () => {
    jwks = await startJwkServer();
    key1 = await jwks.addKey('key1');
    h = await startHarness({ config: { families: { contactCenter: { jwkUrls: [jwks.urlTemplate] } } } });
  });
  after(async () => {
    await h.close();
    await jwks.close();
  });

  test('a forged body with the CRC32 of a captured delivery is refused once its signed transmission time is past families.contactCenter.toleranceSeconds', async () => {
    const original = CONTACT_CENTER_SAMPLES['chat-message'];
    // Captured ten minutes ago (tolerance: 300 s by default).
    const captured = await signedHeaders(original, key1, Date.now() - 600_000, 'evt-captured');
    const forged = forgeCrc32('{"eventType":"MESSAGE","conversationId":"c1","data":{"text":"refund $10000"},"pad":"{pad}"}', bodyChecksum(Buffer.from(original)));
    assert.equal(bodyChecksum(Buffer.from(forged)), bodyChecksum(Buffer.from(original)), 'the forgery matches the CRC32');

    const res = await post(captured, forged);
    assert.equal(res.status, 401);
    assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_EXPIRED');
    assert.match(res.json.error?.message ?? '', /families\.contactCenter\.toleranceSeconds/);
    assert.match(res.json.error?.message ?? '', /clock/);

    // A fresh delivery still lands, and nothing of the forgery did.
    const fresh = await post(await signedHeaders(original, key1, Date.now(), 'evt-fresh'), original);
    assert.equal(fresh.status, 200);
    await h.drain();
    const rows = await h.query<{ body: string }>(`SELECT body FROM ${h.raw('contact_center_events')}`);
    assert.ok(!rows.some((r) => r.body.includes('refund')), 'the forged body did not land');
  });

  test('a transmission time too far in the future is refused the same way', async () => {
    const body = CONTACT_CENTER_SAMPLES['conversation-update'];
    const res = await post(await signedHeaders(body, key1, Date.now() + 600_000, 'evt-future'), body);
    assert.equal(res.status, 401);
    assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_EXPIRED');
  });

  test('x-8x8-signature is stored only as sha256:<hex>, in raw events and in rejections', async () => {
    const body = CONTACT_CENTER_SAMPLES['chat-message'];
    const accepted = await signedHeaders(body, key1, Date.now(), 'evt-stored');
    assert.equal((await post(accepted, body)).status, 200);
    const refused = await signedHeaders(body, key1, Date.now(), 'evt-refused');
    assert.equal((await post(refused, `${body} `)).status, 401); // body changed after signing
    await h.drain();

    const events = await h.query<{ headers: string }>(`SELECT headers FROM ${h.raw('contact_center_events')}`);
    const rejections = await h.query<{ headers: string }>(`SELECT headers FROM ${h.raw('rejections')} WHERE family = 'contact-center'`);
    const stored = [...events, ...rejections].map((r) => r.headers).join('\n');
    for (const signature of [accepted['x-8x8-signature'] ?? '', refused['x-8x8-signature'] ?? '']) {
      const mac = signature.split('.')[2] ?? '';
      assert.ok(mac.length > 20 && !stored.includes(mac), 'no stored header holds the signature');
    }
    const storedEvent = events
      .map((r) => JSON.parse(r.headers) as Record<string, string>)
      .find((headers) => headers['x-8x8-event-id'] === 'evt-stored');
    const digest = `sha256:${createHash('sha256').update(accepted['x-8x8-signature'] ?? '').digest('hex')}`;
    assert.equal(storedEvent?.['x-8x8-signature'], digest);
  });

  test('replays judge the transmission time against the original arrival time (a rejection stored before signatures were digested)', async () => {
    const arrival = Date.now() - 2 * 3600_000;
    const body = CONTACT_CENTER_SAMPLES['chat-message'];
    const legacy = async (id: string, transmittedAt: number) => {
      const headers = await signedHeaders(body, key1, transmittedAt, id);
      h.server.landing.record({
        k: 'rejection', rejectionId: id, family: 'contact-center', route: ROUTE, receivedAt: arrival, ip: '203.0.113.9',
        statusCode: 503, errorCode: 'SB_INGEST_KEY_UNAVAILABLE', reason: 'legacy', verified: false,
        headers, body, bodyBytes: Buffer.byteLength(body), bodyTruncated: false,
      });
    };
    await legacy('legacy-fresh', arrival + 1000); // fresh when it arrived, two hours ago
    await legacy('legacy-stale', arrival - 3600_000); // already an hour old when it arrived
    await h.drain();
    const res = await h.admin({
      method: 'POST', url: '/rejections/replay', payload: { ids: ['legacy-fresh', 'legacy-stale'] },
    });
    const outcomes = (res.json() as { outcomes: Array<{ rejectionId: string; outcome: string; code?: string }> }).outcomes;
    const byId = new Map(outcomes.map((o) => [o.rejectionId, o]));
    assert.equal(byId.get('legacy-fresh')?.outcome, 'landed');
    assert.equal(byId.get('legacy-stale')?.outcome, 'rejected');
    assert.equal(byId.get('legacy-stale')?.code, 'SB_INGEST_SIGNATURE_EXPIRED');
  });

  test('a Contact Center rejection replays only with trust, and the refusal says so', async () => {
    const key2 = await jwks.addKey('key2');
    const body = CONTACT_CENTER_SAMPLES['conversation-update'];
    // Signed by a kid whose key is not published yet.
    const headers = await signedHeaders(body, { ...key2, kid: 'key-not-yet' }, Date.now(), 'evt-replay');
    const res = await post(headers, body);
    assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_UNKNOWN_KEY');
    await h.drain();

    const replay = async (payload: Record<string, unknown>) =>
      (await h.admin({ method: 'POST', url: '/rejections/replay', payload })).json() as {
        outcomes: Array<{ outcome: string; code?: string; message?: string }>;
      };
    const plain = await replay({ family: 'contact-center', code: 'SB_INGEST_SIGNATURE_UNKNOWN_KEY' });
    assert.equal(plain.outcomes.length, 1);
    assert.equal(plain.outcomes[0]?.outcome, 'rejected');
    assert.match(plain.outcomes[0]?.message ?? '', /--trust/);
    assert.match(plain.outcomes[0]?.message ?? '', /x-8x8-signature/);

    const trusted = await replay({ family: 'contact-center', code: 'SB_INGEST_SIGNATURE_UNKNOWN_KEY', trust: true });
    assert.equal(trusted.outcomes[0]?.outcome, 'landed');
    await h.drain();
    const rows = await h.query<{ verified_by: string }>(
      `SELECT verified_by FROM ${h.raw('contact_center_events')} WHERE dedupe_key = 'cc:evt-replay'`,
    );
    assert.deepEqual(rows, [{ verified_by: 'replay:operator' }]);
  });
});

describe('Contact Center: families.contactCenter.toleranceSeconds', () => {
  test('widens the accepted gap between the signed transmission time and the arrival', async () => {
    const jwks = await startJwkServer();
    const key = await jwks.addKey('key1');
    const h = await startHarness({ config: { families: { contactCenter: { jwkUrls: [jwks.urlTemplate], toleranceSeconds: 900 } } } });
    try {
      const body = CONTACT_CENTER_SAMPLES['chat-message'];
      const post = async (transmittedAt: number, id: string) =>
        (await h.server.app.inject({ method: 'POST', url: ROUTE, headers: await signedHeaders(body, key, transmittedAt, id), payload: body })).statusCode;
      assert.equal(await post(Date.now() - 600_000, 'ten-minutes-old'), 200);
      assert.equal(await post(Date.now() - 1_200_000, 'twenty-minutes-old'), 401);
    } finally {
      await h.close();
      await jwks.close();
    }
  });
});
