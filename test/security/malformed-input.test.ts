/**
 * Finding E: refusals that were 500s, and kids that were not checked.
 * - A JWS `kid` holding a lone surrogate ("\ud800") made encodeURIComponent throw: a 500.
 * - `.` and `..` as kid changed the fetched key path; any kid went into the URL and, verbatim,
 *   into the stored rejection reason (NUL and lone surrogates break Postgres and DuckDB text).
 * - Odd bytes in headers (Node hands header values over as latin1 strings) must never be a 500.
 * Each case asserts the status and stable SB_ code, and that a valid event still lands.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACT_CENTER_SAMPLES } from '../../ingest/families/contact-center/samples.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { contactCenterHeaders, signedContactCenterHeaders, unverifiableSignature } from '../helpers/contact-center.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';

const ROUTE = '/webhooks/8x8/contact-center';

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`malformed input is refused with a 4xx and an SB_ code (${warehouse})`, () => {
    let h: Harness;
    let jwks: JwkServer;
    let key1: Awaited<ReturnType<JwkServer['addKey']>>;
    let n = 0;

    const ccHeaders = (signature: string): Record<string, string> => contactCenterHeaders(signature, { eventId: `evt-${(n += 1)}` });
    const withProtectedHeader = unverifiableSignature;
    const postCc = async (signature: string) => {
      const res = await h.server.app.inject({ method: 'POST', url: ROUTE, headers: ccHeaders(signature), payload: CONTACT_CENTER_SAMPLES['chat-message'] });
      return { status: res.statusCode, code: (res.json() as { error?: { code: string } }).error?.code };
    };
    const landsValidCcEvent = async () => {
      const body = CONTACT_CENTER_SAMPLES['chat-message'];
      const headers = await signedContactCenterHeaders(body, key1, { eventId: `evt-${(n += 1)}` });
      const res = await h.server.app.inject({ method: 'POST', url: ROUTE, headers, payload: body });
      assert.equal(res.statusCode, 200, res.body);
    };
    const totalKeyFetches = (): number => [...jwks.hits.values()].reduce((a, b) => a + b, 0);

    before(async () => {
      jwks = await startJwkServer();
      key1 = await jwks.addKey('key1');
      h = await startHarness({ warehouse, config: { families: { contactCenter: { jwkUrls: [jwks.urlTemplate] } } } });
    });
    after(async () => {
      await h.close();
      await jwks.close();
    });

    test('a kid holding a lone surrogate is a 401 SB_INGEST_SIGNATURE_MALFORMED, not a 500', async () => {
      const res = await postCc(withProtectedHeader('{"b64":false,"crit":["b64"],"kid":"\\ud800","alg":"RS256"}'));
      assert.equal(res.status, 401);
      assert.equal(res.code, 'SB_INGEST_SIGNATURE_MALFORMED');
      await landsValidCcEvent();
    });

    test('kids "." and ".." never change the fetched path: refused before any fetch', async () => {
      const before = totalKeyFetches();
      for (const kid of ['.', '..', '../key1', 'a/b', 'a%2fb', 'x'.repeat(200), 'nul\\u0000kid']) {
        const res = await postCc(withProtectedHeader(`{"b64":false,"crit":["b64"],"kid":"${kid}","alg":"RS256"}`));
        assert.equal(res.status, 401, kid);
        assert.equal(res.code, 'SB_INGEST_SIGNATURE_MALFORMED', kid);
      }
      assert.equal(totalKeyFetches(), before);
      await landsValidCcEvent();
    });

    test('stored rejection reasons hold only printable ASCII, whatever the kid', async () => {
      await h.drain();
      const rows = await h.query<{ reason: string }>(`SELECT reason FROM ${h.raw('rejections')}`);
      assert.ok(rows.length >= 8);
      for (const { reason } of rows) assert.match(reason, /^[\x20-\x7e]*$/, reason);
    });

    test('an event whose type and ids hold a NUL or a lone surrogate lands, and does not stop the drainer', async () => {
      const bad = 'x\u0000y\ud800';
      const bodies: Array<[FamilyName, string]> = [
        ['messaging', JSON.stringify({ namespace: 'SMS', eventType: bad, payload: { umid: bad } })],
        ['voice', JSON.stringify({ eventType: bad, payload: { eventId: bad, sessionId: bad } })],
        ['meetings', JSON.stringify({ eventType: bad, idempotencyKey: bad })],
        ['contact-center', JSON.stringify({ eventType: bad })],
      ];
      for (const [family, body] of bodies) assert.equal((await h.send(family, { body })).statusCode, 200, family);
      for (const family of ['messaging', 'voice', 'meetings', 'contact-center'] as const) assert.equal((await h.send(family)).statusCode, 200);
      await h.drain();
      const health = (await h.admin({ method: 'GET', url: '/status' })).json() as { warehouse: { reachable: boolean; error: string | null } };
      assert.equal(health.warehouse.error, null);
      const stored = await h.query<{ event_type: string }>(`SELECT event_type FROM ${h.raw('voice_events')}`);
      assert.ok(stored.length >= 2, 'both voice events landed');
      for (const { event_type: type } of stored) assert.doesNotMatch(type, /\u0000/);
    });

    test('odd bytes in every header, on every route, are never a 500', async () => {
      const odd = '\u00ff\u00fe\u0080\u00e9 \u007f';
      const families: FamilyName[] = ['messaging', 'voice', 'contact-center', 'meetings'];
      for (const family of families) {
        for (const name of ['authorization', 'x-8x8-signature', 'x-8x8-event-id', 'x-8x8-transmission-time', 'x-8x8-retry', 'x-jaas-signature', 'user-agent', 'content-type', 'x-forwarded-for']) {
          const res = await h.send(family, { headers: { [name]: odd } });
          assert.ok(res.statusCode < 500, `${family} ${name}: ${res.statusCode} ${JSON.stringify(res.json)}`);
          if (res.statusCode >= 400) assert.match(res.json.error?.code ?? '', /^SB_[A-Z_]+$/, `${family} ${name}`);
        }
        assert.equal((await h.send(family)).statusCode, 200, `${family} still lands`);
      }
      await h.drain();
      const health = await h.admin({ method: 'GET', url: '/status' });
      assert.equal((health.json() as { warehouse: { reachable: boolean } }).warehouse.reachable, true, 'the drainer stored every rejection');
    });
  });
}
