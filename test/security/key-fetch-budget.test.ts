/**
 * Finding D (Contact Center keys): the key-fetch budget was one global bucket (10, refilled
 * 10/min), so about ten invented kids a minute kept it empty and a real new kid was never
 * fetched. Now: per kid (an unknown kid is fetched once, then backs off), per source address
 * for first fetches of new kids, and a larger global ceiling.
 *
 * Time is frozen with mock.timers (Date only): nothing refills during the test, so "accepted"
 * means fetched at once, not after a minute.
 */
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { signDetached } from '../../ingest/families/contact-center/signature.js';
import { CONTACT_CENTER_SAMPLES } from '../../ingest/families/contact-center/samples.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { signedContactCenterHeaders } from '../helpers/contact-center.js';
import { startJwkServer, type JwkServer } from '../helpers/jwk-server.js';

const ROUTE = '/webhooks/8x8/contact-center';
type Key = { privateKey: Parameters<typeof signDetached>[1]; kid: string };

describe('Contact Center key fetches under a flood of invented kids', () => {
  let h: Harness;
  let jwks: JwkServer;
  let forger: Key;
  let n = 0;

  const post = async (key: Key, remoteAddress: string) => {
    const body = CONTACT_CENTER_SAMPLES['chat-message'];
    const headers = await signedContactCenterHeaders(body, key, { eventId: `evt-${(n += 1)}` });
    const res = await h.server.app.inject({ method: 'POST', url: ROUTE, headers, payload: body, remoteAddress });
    return { status: res.statusCode, code: (res.json() as { error?: { code: string } }).error?.code };
  };
  const invented = (i: number): Key => ({ ...forger, kid: `invented-${i}` });
  const inventedHits = (): number => [...jwks.hits].filter(([kid]) => kid.startsWith('invented-')).reduce((sum, [, hits]) => sum + hits, 0);

  before(async () => {
    jwks = await startJwkServer();
    forger = await jwks.addKey('forger-only'); // any RSA key: the kids it claims are not published
    h = await startHarness({ config: { families: { contactCenter: { jwkUrls: [jwks.urlTemplate] } } } });
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
  });
  after(async () => {
    mock.timers.reset();
    await h.close();
    await jwks.close();
  });

  test('a real new kid is fetched at once after a flood of invented kids from one address', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await post(invented(i), '198.51.100.1')).code, 'SB_INGEST_SIGNATURE_UNKNOWN_KEY');
    assert.ok(inventedHits() <= 5, `one address caused ${inventedHits()} fetches`);

    const real = await jwks.addKey('rotated-1');
    assert.equal((await post(real, '192.0.2.10')).status, 200);
    assert.equal(jwks.hits.get('rotated-1'), 1);
  });

  test('…and after a flood from several addresses', async () => {
    for (let ip = 2; ip <= 8; ip++) {
      for (let i = 0; i < 15; i++) await post(invented(ip * 100 + i), `198.51.100.${ip}`);
    }
    const before = inventedHits();
    assert.ok(before <= 5 * 8, `eight addresses caused ${before} fetches`);

    const real = await jwks.addKey('rotated-2');
    assert.equal((await post(real, '192.0.2.10')).status, 200);
    assert.equal(jwks.hits.get('rotated-2'), 1);
  });

  test('an unknown kid is fetched once, whoever repeats it', async () => {
    for (let ip = 20; ip < 30; ip++) await post(invented(9999), `198.51.100.${ip}`);
    assert.equal(jwks.hits.get('invented-9999'), 1);
  });

  test('an unknown kid is fetched again only after a growing backoff', async () => {
    const kid = 'published-late';
    const late = { ...forger, kid };
    await post(late, '198.51.100.50');
    assert.equal(jwks.hits.get(kid), 1);
    mock.timers.tick(61_000); // past the first backoff (1 min)
    await post(late, '198.51.100.50');
    assert.equal(jwks.hits.get(kid), 2);
    mock.timers.tick(61_000); // the second backoff is 2 min: not yet
    await post(late, '198.51.100.50');
    assert.equal(jwks.hits.get(kid), 2);
  });
});
