/**
 * Finding 7 of the hardening issue: the rejections table stored `request.url`, query string
 * included, so whatever a sender put there (a token pasted into a URL, junk, a lone
 * surrogate percent-encoded) was kept. Now only the route's path is stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../helpers/harness.js';

test('a refused request stores its route without the query string, on a known and an unknown route', async () => {
  const h = await startHarness();
  try {
    const secretish = 'access_token=sk_live_should_not_be_kept&x=%ED%A0%80';
    const known = await h.server.app.inject({ method: 'POST', url: `/webhooks/8x8/meetings?${secretish}`, payload: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(known.statusCode, 401);
    const wrongMethod = await h.server.app.inject({ method: 'POST', url: `/webhooks/8x8/voice?${secretish}`, payload: 'not json', headers: { 'content-type': 'text/plain' } });
    assert.equal(wrongMethod.statusCode, 401);
    await h.drain();
    const rows = await h.query<{ route: string }>(`SELECT route FROM ${h.raw('rejections')} ORDER BY route`);
    assert.deepEqual(rows.map((r) => r.route), ['/webhooks/8x8/meetings', '/webhooks/8x8/voice']);
    const all = JSON.stringify(await h.query(`SELECT * FROM ${h.raw('rejections')}`));
    assert.ok(!all.includes('sk_live_should_not_be_kept'), 'the query string is kept nowhere in the row');
  } finally {
    await h.close();
  }
});
