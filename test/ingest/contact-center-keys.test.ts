/**
 * Contact Center signing keys live at two documented URLs: the Chat Gateway's and the legacy
 * Chat API's (https://api.8x8.com/vcc/{region}/chat/v2/jwk/{kid}/public, the URL of 8x8's own
 * samples in docs/actions-events/docs/validating-webhook-events.md). With the default config
 * both kinds of event must verify; otherwise a legacy event is refused, 8x8 retries, and the
 * event is lost. api.8x8.com is played by a local server (outbound fetches are redirected).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/config.js';
import { defaultJwkUrls } from '../../ingest/families/contact-center/jwk-urls.js';
import { CONTACT_CENTER_SAMPLES } from '../../ingest/families/contact-center/samples.js';
import { signedContactCenterHeaders, type SigningKey } from '../helpers/contact-center.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';

describe('Contact Center key URLs', () => {
  test('the default key URLs are the Chat Gateway one and the legacy Chat API one in families.contactCenter.region', () => {
    const cc = parseConfig({ families: { contactCenter: { region: 'eu' } } }).families.contactCenter;
    assert.equal(cc.jwkUrls, undefined);
    assert.deepEqual(defaultJwkUrls(cc.region), [
      'https://api.8x8.com/chat-gateway/v1/jwk/{kid}/public',
      'https://api.8x8.com/vcc/eu/chat/v2/jwk/{kid}/public',
    ]);
    assert.equal(parseConfig({}).families.contactCenter.region, 'us');
    assert.throws(() => parseConfig({ families: { contactCenter: { region: 'mars' } } }));
  });

  describe('with the default config', () => {
    let h: Harness;
    let jwks: JwkServer;
    let legacyKey: SigningKey;
    let gatewayKey: SigningKey;
    const realFetch = globalThis.fetch;

    before(async () => {
      jwks = await startJwkServer();
      legacyKey = await jwks.addKey('legacy-eu-1', { legacyRegion: 'eu' });
      gatewayKey = await jwks.addKey('gateway-1');
      // The key store fetches with the global fetch: send api.8x8.com to the local stand-in.
      globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) =>
        realFetch(String(input).replace('https://api.8x8.com', jwks.origin), init)) as typeof fetch;
      h = await startHarness({ config: { families: { contactCenter: { region: 'eu' } } } });
    });
    after(async () => {
      globalThis.fetch = realFetch;
      await h.close();
      await jwks.close();
    });

    const post = async (body: string, key: SigningKey) => {
      const headers = await signedContactCenterHeaders(body, key);
      const res = await h.server.app.inject({ method: 'POST', url: '/webhooks/8x8/contact-center', headers, payload: body });
      return { status: res.statusCode, json: res.json() as { error?: { code: string } } };
    };

    test('a legacy Chat API event signed with a key only the legacy endpoint serves is accepted', async () => {
      const res = await post(CONTACT_CENTER_SAMPLES['legacy-agent-joined'], legacyKey);
      assert.equal(res.status, 200, JSON.stringify(res.json));
    });

    test('a Chat Gateway event signed with a gateway key is still accepted', async () => {
      const res = await post(CONTACT_CENTER_SAMPLES['chat-message'], gatewayKey);
      assert.equal(res.status, 200, JSON.stringify(res.json));
    });

    test('both land', async () => {
      await h.drain();
      const rows = await h.query<{ event_type: string }>(`SELECT event_type FROM ${h.raw('contact_center_events')} ORDER BY event_type`);
      assert.deepEqual(rows.map((r) => r.event_type), ['AGENT_JOINED', 'MESSAGE']);
    });
  });
});
