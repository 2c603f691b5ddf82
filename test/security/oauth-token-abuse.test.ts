/**
 * Findings D and E on POST /oauth/token (the client-credentials endpoint 8x8 calls in
 * messaging `oauth` mode; https://developer.8x8.com/connect/reference/add-webhooks-2):
 * - no rate limit: 2,000 wrong secrets got 2,000 401s in under a second;
 * - a token was not tied to the clientId it was issued for;
 * - a Basic header decoding to `%:x`, or an object as client_secret, gave a 500.
 */
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';

const SECRET = 'oauth-secret-for-abuse-tests';
const OAUTH = (clientId: string) => ({ families: { messaging: { auth: { mode: 'oauth', clientId, tokenTtlSeconds: 600 } } } });
const ENV = { SWITCHBOARD_MESSAGING_OAUTH_CLIENT_SECRET: SECRET };

type OAuthBody = { access_token?: string; error?: string; error_description?: string };

function tokenRequest(h: Harness, options: { payload: string; ip: string; headers?: Record<string, string>; contentType?: string }) {
  return h.server.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', ...options.headers },
    payload: options.payload,
    remoteAddress: options.ip,
  });
}

const good = (clientId = 'eightbyeight') => `grant_type=client_credentials&client_id=${clientId}&client_secret=${SECRET}`;

async function landsWithToken(h: Harness, ip: string, clientId = 'eightbyeight'): Promise<void> {
  const res = await tokenRequest(h, { payload: good(clientId), ip });
  assert.equal(res.statusCode, 200, res.body);
  const token = (res.json() as OAuthBody).access_token ?? '';
  assert.equal((await h.send('messaging', { bearerToken: token })).statusCode, 200);
}

describe('/oauth/token under attack', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: ENV, config: OAUTH('eightbyeight') });
  });
  after(async () => {
    mock.timers.reset();
    await h.close();
  });

  test('failed attempts are limited per source address: 429 with Retry-After and an OAuth error, even for the right secret', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await tokenRequest(h, { payload: `grant_type=client_credentials&client_id=eightbyeight&client_secret=guess-${i}`, ip: '127.0.0.5' });
      statuses.push(res.statusCode);
    }
    assert.ok(statuses.filter((s) => s === 401).length <= 10, `${statuses.filter((s) => s === 401).length} guesses were checked`);
    const blocked = await tokenRequest(h, { payload: good(), ip: '127.0.0.5' });
    assert.equal(blocked.statusCode, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    assert.equal((blocked.json() as OAuthBody).error, 'temporarily_unavailable');
    assert.equal(typeof (blocked.json() as OAuthBody).error_description, 'string');

    // Another address is not affected, and the blocked one may try again after the window.
    await landsWithToken(h, '127.0.0.6');
    mock.timers.tick(61_000);
    await landsWithToken(h, '127.0.0.5');
    mock.timers.reset();
  });

  test('a Basic header that decodes to "%:x" is a 400 invalid_request, not a 500', async () => {
    const res = await tokenRequest(h, {
      payload: 'grant_type=client_credentials',
      ip: '127.0.0.7',
      headers: { authorization: `Basic ${Buffer.from('%:x').toString('base64')}` },
    });
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as OAuthBody).error, 'invalid_request');
    assert.doesNotMatch(res.body, /URI malformed|at .*\.js/);
    await landsWithToken(h, '127.0.0.7');
  });

  test('an object as client_secret (JSON body) is a 400 invalid_request, not a 500', async () => {
    const res = await tokenRequest(h, {
      payload: JSON.stringify({ grant_type: 'client_credentials', client_id: 'eightbyeight', client_secret: { a: 1 } }),
      contentType: 'application/json',
      ip: '127.0.0.8',
    });
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as OAuthBody).error, 'invalid_request');
    const broken = await tokenRequest(h, { payload: '{"grant_type":', contentType: 'application/json', ip: '127.0.0.8' });
    assert.equal(broken.statusCode, 400);
    assert.equal((broken.json() as OAuthBody).error, 'invalid_request');
    await landsWithToken(h, '127.0.0.8');
  });
});

describe('/oauth/token: a token is bound to the clientId it was issued for', () => {
  test('a token issued for one clientId is refused once families.messaging.auth.clientId changes', async () => {
    const before = await startHarness({ env: ENV, config: OAUTH('eightbyeight') });
    let token = '';
    try {
      const res = await tokenRequest(before, { payload: good('eightbyeight'), ip: '127.0.0.1' });
      token = (res.json() as OAuthBody).access_token ?? '';
      assert.equal((await before.send('messaging', { bearerToken: token })).statusCode, 200);
    } finally {
      await before.close();
    }
    // Same secret, another clientId.
    const after = await startHarness({ env: ENV, config: OAUTH('renamed-client') });
    try {
      const res = await after.send('messaging', { bearerToken: token });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json.error?.code, 'SB_INGEST_AUTH_INVALID');
      await landsWithToken(after, '127.0.0.1', 'renamed-client');
    } finally {
      await after.close();
    }
  });
});
