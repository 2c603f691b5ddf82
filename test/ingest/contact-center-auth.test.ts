import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyChecksum, signDetached, signedPayload } from '../../ingest/families/contact-center/signature.js';
import { CONTACT_CENTER_SAMPLES } from '../../ingest/families/contact-center/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { signedContactCenterHeaders } from '../helpers/contact-center.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';

describe('Contact Center signatures', () => {
  test('computes the documented CRC32 of the raw body as an unsigned decimal', () => {
    assert.equal(bodyChecksum(Buffer.from(CONTACT_CENTER_SAMPLES['legacy-agent-joined'])), 1564621066);
  });

  test('builds the detached payload with keys in the documented order', () => {
    const payload = signedPayload(Buffer.from(CONTACT_CENTER_SAMPLES['legacy-agent-joined']), {
      'x-8x8-customer-id': 'vccC8ProdChecksUS',
      'x-8x8-event-id': 'g4nqGuj8TpCa6tiZ3DeeNw',
      'x-8x8-retry': '0',
      'x-8x8-tenant-id': 'vccC8ProdChecksUS',
      'x-8x8-transmission-time': '1629804577296',
    });
    assert.equal(
      payload,
      '{"checksum":1564621066,"cid":"vccC8ProdChecksUS","eid":"g4nqGuj8TpCa6tiZ3DeeNw","retry":0,"tid":"vccC8ProdChecksUS","tt":1629804577296}',
    );
  });

  describe('the route, with keys fetched by kid from a local JWK endpoint', () => {
    let h: Harness;
    let jwks: JwkServer;
    let key1: Awaited<ReturnType<JwkServer['addKey']>>;

    before(async () => {
      jwks = await startJwkServer();
      key1 = await jwks.addKey('key1');
      h = await startHarness({ config: { families: { contactCenter: { jwkUrls: [jwks.urlTemplate], jwkFetchTimeoutMs: 2000 } } } });
    });
    after(async () => {
      await h.close();
      await jwks.close();
    });

    const post = async (
      body: string,
      key: { privateKey: Parameters<typeof signDetached>[1]; kid: string },
      overrides: Record<string, string> = {},
      eventId = `evt-${Math.random().toString(36).slice(2)}`,
    ) => {
      const headers = { ...(await signedContactCenterHeaders(body, key, { eventId })), ...overrides };
      const res = await h.server.app.inject({ method: 'POST', url: '/webhooks/8x8/contact-center', headers, payload: body });
      return { status: res.statusCode, json: res.json() as { dedupeKey?: string; error?: { code: string } }, eventId };
    };

    test('accepts a correctly signed event, keyed by x-8x8-event-id', async () => {
      const res = await post(CONTACT_CENTER_SAMPLES['chat-message'], key1);
      assert.equal(res.status, 200);
      assert.equal(res.json.dedupeKey, `cc:${res.eventId}`);
      await h.drain();
      const rows = await h.query<{ verified_by: string; headers: string }>(
        `SELECT verified_by, headers FROM ${h.raw('contact_center_events')}`,
      );
      assert.equal(rows[0]?.verified_by, 'jws-rs256');
      assert.equal((JSON.parse(rows[0]?.headers ?? '{}') as Record<string, string>)['x-8x8-event-id'], res.eventId);
    });

    test('caches a fetched key: many events, one fetch per kid', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await post(CONTACT_CENTER_SAMPLES['conversation-update'], key1)).status, 200);
      assert.equal(jwks.hits.get('key1'), 1);
    });

    test('fetches a new kid when 8x8 rotates keys', async () => {
      const key2 = await jwks.addKey('key2');
      assert.equal((await post(CONTACT_CENTER_SAMPLES['chat-message'], key2)).status, 200);
      assert.equal(jwks.hits.get('key2'), 1);
    });

    test('answers WEB_HOOK_VERIFY with a 2xx', async () => {
      assert.equal((await post(CONTACT_CENTER_SAMPLES['web-hook-verify'], key1)).status, 200);
    });

    test('rejects a body changed after signing', async () => {
      const res = await post(CONTACT_CENTER_SAMPLES['chat-message'], key1);
      assert.equal(res.status, 200);
      const headers: Record<string, string> = {
        'x-8x8-customer-id': 'acme', 'x-8x8-tenant-id': 'acme', 'x-8x8-event-id': 'tampered', 'x-8x8-retry': '0',
        'x-8x8-transmission-time': String(Date.now()), 'content-type': 'application/json',
      };
      headers['x-8x8-signature'] = await signDetached(signedPayload(Buffer.from('{"eventType":"MESSAGE"}'), headers), key1.privateKey, 'key1');
      const tampered = await h.server.app.inject({
        method: 'POST', url: '/webhooks/8x8/contact-center', headers, payload: '{"eventType":"MESSAGE","x":1}',
      });
      assert.equal(tampered.statusCode, 401);
      assert.equal((tampered.json() as { error: { code: string } }).error.code, 'SB_INGEST_SIGNATURE_INVALID');
    });

    test('rejects a signature whose headers were changed (a replayed retry number)', async () => {
      const res = await post(CONTACT_CENTER_SAMPLES['chat-message'], key1, { 'x-8x8-retry': '3' });
      assert.equal(res.status, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_SIGNATURE_INVALID');
    });

    test('rejects an unknown kid, and remembers it instead of refetching on every request', async () => {
      const elsewhere = await startJwkServer();
      const stranger = await elsewhere.addKey('ghost');
      await elsewhere.close();
      const first = await post(CONTACT_CENTER_SAMPLES['chat-message'], stranger);
      const second = await post(CONTACT_CENTER_SAMPLES['chat-message'], stranger);
      assert.equal(first.json.error?.code, 'SB_INGEST_SIGNATURE_UNKNOWN_KEY');
      assert.equal(second.json.error?.code, 'SB_INGEST_SIGNATURE_UNKNOWN_KEY');
      assert.equal(jwks.hits.get('ghost'), 1);
    });

    test('rejects missing signature headers and a malformed JWS', async () => {
      const missing = await post(CONTACT_CENTER_SAMPLES['chat-message'], key1, { 'x-8x8-event-id': '' });
      assert.equal(missing.json.error?.code, 'SB_INGEST_AUTH_MISSING');
      const malformed = await post(CONTACT_CENTER_SAMPLES['chat-message'], key1, { 'x-8x8-signature': 'not.a.jws' });
      assert.equal(malformed.json.error?.code, 'SB_INGEST_SIGNATURE_MALFORMED');
    });

    test('answers 503 with Retry-After when the key endpoint is down, so 8x8 retries', async () => {
      const key3 = await jwks.addKey('key3');
      jwks.down = true;
      try {
        const res = await post(CONTACT_CENTER_SAMPLES['chat-message'], key3);
        assert.equal(res.status, 503);
        assert.equal(res.json.error?.code, 'SB_INGEST_KEY_UNAVAILABLE');
      } finally {
        jwks.down = false;
      }
      assert.equal((await post(CONTACT_CENTER_SAMPLES['chat-message'], key3)).status, 200);
    });
  });
});
