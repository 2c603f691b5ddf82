import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGING_SAMPLES } from '../../ingest/families/messaging/samples.js';
import { OAuthTokens } from '../../ingest/families/messaging/oauth-tokens.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const AUTH = 'Basic dXNlcjpwYXNzd29yZA=='; // the documented httpAuthorization example

describe('messaging with a static Authorization value', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { SWITCHBOARD_MESSAGING_AUTHORIZATION: AUTH } });
  });
  after(() => h.close());

  test('accepts the registered value and lands every documented event type with its dedupe key', async () => {
    const expected: Record<string, string> = {
      'sms-inbound': 'SMS:inbound_message_received:3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10',
      'sms-receipt': 'SMS:receipt:0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33:delivered:delivered_to_recipient:2025-03-04T09:16:02.37Z',
      'chatapps-inbound-v3': 'ChatApps:inbound_message_received:c8a1e0d4-2f3b-4a5c-9d6e-7f8091a2b3c4',
      'chatapps-inbound-v2': 'ChatApps:inbound_message_received:d9b2f1e5-3a4c-4b6d-8e7f-8091a2b3c4d5',
      'chatapps-receipt-v9': 'ChatApps:receipt:5d2c9b7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d:read::2025-03-04T10:05:40.18Z',
      'chatapps-receipt-v8': 'ChatApps:receipt:5d2c9b7a-1e3f-4a6b-8c9d-0e1f2a3b4c5d:delivered:delivered_to_recipient:2025-03-04T10:04:58.90Z',
      'external-app-message': 'ChatApps:external_app_message:e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7',
      'short-url-clicked': 'SMS:click:4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0',
      'whatsapp-template-status': 'WhatsApp:event:7c6b5a49-3827-4160-95f4-e3d2c1b0a998',
    };
    for (const sample of Object.keys(MESSAGING_SAMPLES)) {
      const res = await h.send('messaging', { sample });
      assert.equal(res.statusCode, 200, sample);
      assert.equal(res.json.dedupeKey, expected[sample], sample);
    }
    await h.drain();
    const rows = await h.query<{ event_type: string; verified_by: string }>(
      `SELECT event_type, verified_by FROM ${h.raw('messaging_events')} ORDER BY event_type`,
    );
    assert.equal(rows.length, Object.keys(MESSAGING_SAMPLES).length);
    assert.ok(rows.every((r) => r.verified_by === 'static-authorization'));
    assert.ok(rows.some((r) => r.event_type === 'WhatsApp.template_status_update'));
  });

  test('rejects a wrong or missing Authorization value, naming the variable to set', async () => {
    const wrong = await h.send('messaging', { headers: { authorization: 'Basic bm9wZQ==' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json.error?.code, 'SB_INGEST_AUTH_INVALID');
    assert.match(wrong.json.error?.message ?? '', /SWITCHBOARD_MESSAGING_AUTHORIZATION/);
    const missing = await h.send('messaging', { headers: { authorization: '' } });
    assert.equal(missing.json.error?.code, 'SB_INGEST_AUTH_MISSING');
  });

  test('refuses addresses outside the allowlist before reading the body', async () => {
    const res = await h.send('messaging', { ip: '198.51.100.7' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json.error?.code, 'SB_INGEST_IP_NOT_ALLOWED');
    assert.match(res.json.error?.message ?? '', /families\.messaging\.allow/);
  });

  test("accepts 8x8's published messaging addresses (the preset)", async () => {
    for (const ip of ['52.220.117.120', '34.101.109.67', '34.39.114.155', '52.10.10.63']) {
      const res = await h.send('messaging', { ip });
      assert.equal(res.statusCode, 200, ip);
    }
  });

  test('stores credentials in rejections only as a fixed-width [redacted] (not even the length)', async () => {
    await h.drain();
    const rows = await h.query<{ headers: string }>(
      `SELECT headers FROM ${h.raw('rejections')} WHERE error_code = 'SB_INGEST_AUTH_INVALID'`,
    );
    assert.equal(rows.length, 1);
    const headers = JSON.parse(rows[0]?.headers ?? '{}') as Record<string, string>;
    assert.equal(headers.authorization, '[redacted]');
  });
});

describe('messaging with OAuth client credentials', () => {
  let h: Harness;
  const secret = 'oauth-secret-for-tests';
  before(async () => {
    h = await startHarness({
      env: { SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET: secret },
      config: { families: { messaging: { auth: { mode: 'oauth', clientId: 'eightbyeight', tokenTtlSeconds: 60 } } } },
    });
  });
  after(() => h.close());

  const tokenRequest = (headers: Record<string, string>, payload: string) =>
    h.server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload,
      remoteAddress: '127.0.0.1',
    });

  test('issues a bearer token for credentials in a Basic header or in the body', async () => {
    const basic = Buffer.from(`eightbyeight:${secret}`).toString('base64');
    const viaHeader = await tokenRequest({ authorization: `Basic ${basic}` }, 'grant_type=client_credentials');
    assert.equal(viaHeader.statusCode, 200);
    const body = viaHeader.json() as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 60);
    const viaBody = await tokenRequest({}, `grant_type=client_credentials&client_id=eightbyeight&client_secret=${secret}`);
    assert.equal(viaBody.statusCode, 200);

    const res = await h.send('messaging', { bearerToken: body.access_token });
    assert.equal(res.statusCode, 200);
  });

  test('answers RFC 6749 errors for a wrong secret or grant type', async () => {
    const wrong = await tokenRequest({}, 'grant_type=client_credentials&client_id=eightbyeight&client_secret=nope');
    assert.equal(wrong.statusCode, 401);
    assert.equal((wrong.json() as { error: string }).error, 'invalid_client');
    const grant = await tokenRequest({}, 'grant_type=password&username=a&password=b');
    assert.equal(grant.statusCode, 400);
    assert.equal((grant.json() as { error: string }).error, 'unsupported_grant_type');
  });

  test('rejects expired, forged and missing bearer tokens', async () => {
    const tokens = new OAuthTokens('eightbyeight', secret, 60);
    const expired = tokens.issue(Date.now() - 120_000);
    const res1 = await h.send('messaging', { bearerToken: expired });
    assert.equal(res1.statusCode, 401);
    assert.match(res1.json.error?.message ?? '', /expired/);
    const forged = new OAuthTokens('eightbyeight', 'another-secret', 60).issue(Date.now());
    const res2 = await h.send('messaging', { bearerToken: forged });
    assert.equal(res2.json.error?.code, 'SB_INGEST_AUTH_INVALID');
    const res3 = await h.send('messaging', {});
    assert.equal(res3.json.error?.code, 'SB_INGEST_AUTH_MISSING');
  });
});

describe('X-Forwarded-For', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { SWITCHBOARD_MESSAGING_AUTHORIZATION: AUTH },
      config: { server: { trustProxy: ['10.0.0.5'] }, families: { messaging: { allow: ['8x8-messaging'] } } },
    });
  });
  after(() => h.close());

  test('is trusted from a proxy named in server.trustProxy', async () => {
    const res = await h.send('messaging', { ip: '10.0.0.5', headers: { 'x-forwarded-for': '52.220.117.120' } });
    assert.equal(res.statusCode, 200);
  });

  test('is ignored from anyone else, so it cannot forge an allowed address', async () => {
    const res = await h.send('messaging', { ip: '198.51.100.7', headers: { 'x-forwarded-for': '52.220.117.120' } });
    assert.equal(res.statusCode, 403);
  });
});
