/**
 * The web console is behind the operator tokens: signing in trades a token for a session
 * cookie (HttpOnly, SameSite=Strict, Path=/console, a random id, never the token); a page
 * without a live session sends you to the login page; POSTs must come from the console's own
 * origin; actions need role operate; revoking the token or logging out ends the session; the
 * listener's Host check and the audit apply as for the JSON API. Through the real server
 * in-process (the harness), on DuckDB.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CONSOLE_HOST, getPage, postForm, signIn } from '../helpers/console.js';
import { adminDataDir, AdminTokenRegistry } from '../../server/admin-tokens.js';
import { ConsoleSessions, SESSION_IDLE_MS, SESSION_MAX_MS } from '../../server/console/sessions.js';
import { safeNext } from '../../server/console/gate.js';

describe('console sign-in, sessions and CSRF', () => {
  let h: Harness;
  let registry: AdminTokenRegistry;
  before(async () => {
    h = await startHarness();
    await h.drain();
    registry = new AdminTokenRegistry(adminDataDir(h.config, h.dir));
  });
  after(() => h.close());

  test('a page without a session redirects to the login page, which returns to that page after sign-in', async () => {
    const res = await getPage(h, '/console/syncs?x=1');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/console/login?reason=signin&next=%2Fconsole%2Fsyncs%3Fx%3D1');
    const login = await getPage(h, res.headers.location as string);
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /<label for="token">Operator token<\/label>/);
    assert.match(login.body, /<input type="hidden" name="next" value="\/console\/syncs\?x=1">/);
    const signedIn = await postForm(h, '/console/login', { token: h.adminToken, next: '/console/syncs?x=1' });
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, '/console/syncs?x=1');
  });

  test('signing in sets an HttpOnly, SameSite=Strict cookie on /console holding a random id, never the token; the audit has no token either', async () => {
    const res = await postForm(h, '/console/login', { token: h.adminToken });
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^sb_console_session=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    assert.ok(!cookie.includes(h.adminToken));
    const page = await getPage(h, '/console/', cookie.split(';')[0]);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Signed in with token <strong>bootstrap<\/strong> \(role operate\)/);
    await h.server.audit.flush();
    const rows = await h.query(`SELECT token_id, route, status, summary FROM ${h.raw('_admin_audit')} WHERE route = '/console/login' ORDER BY requested_at`);
    assert.deepEqual(rows.at(-1), { token_id: 'bootstrap', route: '/console/login', status: 303, summary: '{"token":"[redacted]"}' });
    assert.ok(!JSON.stringify(await h.query(`SELECT * FROM ${h.raw('_admin_audit')}`)).includes(h.adminToken), 'no token value in the audit');
  });

  test('a wrong token gets the login page again, 401, and no cookie', async () => {
    const res = await postForm(h, '/console/login', { token: 'sbat_wrong' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.match(res.body, /unknown or revoked \(SB_ADMIN_UNAUTHORIZED\)/);
  });

  test('a POST from another origin, or with neither Origin nor Referer, is refused with 403 SB_CONSOLE_ORIGIN_REFUSED (sign-in included)', async () => {
    const cookie = await signIn(h);
    for (const headers of [{ origin: 'http://evil.example' }, { origin: 'null' }, { origin: undefined }, { origin: `http://${CONSOLE_HOST}.evil.example` }]) {
      const replay = await postForm(h, '/console/dead-letters/replay', { id: 'rejection:r_1' }, cookie, headers);
      assert.equal(replay.statusCode, 403, JSON.stringify(headers));
      assert.match(replay.body, /SB_CONSOLE_ORIGIN_REFUSED/);
      const login = await postForm(h, '/console/login', { token: h.adminToken }, undefined, headers);
      assert.equal(login.statusCode, 403);
      assert.equal(login.headers['set-cookie'], undefined);
    }
    const byReferer = await postForm(h, '/console/login', { token: h.adminToken }, undefined, { origin: undefined, referer: `http://${CONSOLE_HOST}/console/login` });
    assert.equal(byReferer.statusCode, 303, 'without Origin, a same-origin Referer will do');
  });

  test('the Host check still applies to the console: another host name gets 421, signed in or not', async () => {
    const cookie = await signIn(h);
    for (const url of ['/console/', '/console/login', '/console/assets/console.css']) {
      const res = await getPage(h, url, cookie, { host: 'evil.example' });
      assert.equal(res.statusCode, 421, url);
    }
  });

  test('a read token sees every page but no replay or preview button, and its POSTs answer 403 SB_ADMIN_FORBIDDEN', async () => {
    const { value } = registry.create('read', 'viewer');
    const cookie = await signIn(h, value);
    const page = await getPage(h, '/console/dead-letters', cookie);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /\(role read\)/);
    assert.doesNotMatch(page.body, /action="\/console\/dead-letters\/replay"/);
    for (const [url, fields] of [['/console/dead-letters/replay', { id: 'rejection:r_1' }], ['/console/dead-letters/replay', { id: 'rejection:r_1', back: 'entry', trust: 'vouched' }], ['/console/syncs/preview', { sync: 'anything' }]] as const) {
      const res = await postForm(h, url, fields, cookie);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /needs a token with role operate; token t_[0-9a-f]{8} has role read \(SB_ADMIN_FORBIDDEN\)/);
    }
  });

  test('revoking the token ends its console sessions at once; logging out ends a session', async () => {
    const { record, value } = registry.create('operate', 'laptop');
    const cookie = await signIn(h, value);
    assert.equal((await getPage(h, '/console/', cookie)).statusCode, 200);
    registry.revoke(record.id);
    const after = await getPage(h, '/console/', cookie);
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/console/login?reason=expired');

    const other = await signIn(h);
    const out = await postForm(h, '/console/logout', {}, other);
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/console/login?reason=signedout');
    assert.match(String(out.headers['set-cookie']), /^sb_console_session=; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=0$/);
    assert.equal((await getPage(h, '/console/', other)).statusCode, 303);
  });

  test('neither the session cookie nor its id opens the JSON API: it still wants a bearer token', async () => {
    const cookie = await signIn(h);
    const id = cookie.split('=')[1] as string;
    assert.equal((await h.admin({ method: 'GET', url: '/status', token: null, headers: { cookie } })).statusCode, 401);
    assert.equal((await h.admin({ method: 'GET', url: '/status', token: id })).statusCode, 401);
  });

  test('the assets are served from the package with their content type, an ETag (304 when unchanged) and a day of caching; pages carry a CSP of this origin only', async () => {
    for (const [name, type] of [['uplot.js', 'text/javascript'], ['uplot.css', 'text/css'], ['console.js', 'text/javascript'], ['console.css', 'text/css']] as const) {
      const res = await getPage(h, `/console/assets/${name}`);
      assert.equal(res.statusCode, 200, name);
      assert.equal(res.headers['content-type'], `${type}; charset=utf-8`);
      assert.equal(res.headers['cache-control'], 'public, max-age=86400');
      assert.ok(res.body.length > 500, name);
      const again = await getPage(h, `/console/assets/${name}`, undefined, { 'if-none-match': String(res.headers.etag) });
      assert.equal(again.statusCode, 304);
    }
    assert.equal((await getPage(h, '/console/assets/..%2Fpackage.json')).statusCode, 404);
    const page = await getPage(h, '/console/', await signIn(h));
    assert.match(String(page.headers['content-security-policy']), /^default-src 'self';/);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.doesNotMatch(page.body, /https?:\/\/(?!localhost)/, 'nothing loaded from elsewhere');
  });
});

describe('console sessions', () => {
  const verifier = (valid: Set<string>) => ({ verifyHash: (hash: string) => (valid.has(hash) ? { id: 'bootstrap', role: 'operate' as const } : null) });

  test('a session ends after 30 minutes without a request, and 12 hours after sign-in however busy', async () => {
    const { tokenHash } = await import('../../server/admin-tokens.js');
    let now = 1_000_000;
    const sessions = new ConsoleSessions(verifier(new Set([tokenHash('sbat_x')])), () => now);
    const idle = sessions.open('sbat_x');
    assert.ok(idle !== null);
    now += SESSION_IDLE_MS - 1;
    assert.ok(sessions.touch(idle.id) !== null, 'just inside the idle limit');
    now += SESSION_IDLE_MS + 1;
    assert.equal(sessions.touch(idle.id), null, 'idle too long');
    assert.equal(sessions.principalOfBearer(idle.bearer), null, 'its in-process bearer ends with it');

    const busy = sessions.open('sbat_x');
    assert.ok(busy !== null);
    const opened = now;
    while (now - opened < SESSION_MAX_MS - SESSION_IDLE_MS) {
      now += SESSION_IDLE_MS / 2;
      assert.ok(sessions.touch(busy.id) !== null);
    }
    now = opened + SESSION_MAX_MS + 1;
    assert.equal(sessions.touch(busy.id), null, 'too old');
    assert.equal(sessions.open('sbat_other'), null, 'an unknown token opens nothing');
  });

  test('after sign-in, only a console path is a place to return to (no open redirect)', () => {
    assert.equal(safeNext('/console/syncs?x=1'), '/console/syncs?x=1');
    for (const bad of ['https://evil.example/', '//evil.example/console/', '/status', '/console/login', '/console\\@evil', undefined, 42]) assert.equal(safeNext(bad), '/console/', String(bad));
  });
});
