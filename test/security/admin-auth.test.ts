/**
 * The operator API is not an open door: every route wants a bearer token whose role allows
 * it, the Host header must name the listener (DNS rebinding), tokens live hashed in files
 * only the owner can read, a revocation applies at once, and every request is audited.
 * Through the real server in-process (the harness), on DuckDB.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { adminDataDir, AdminTokenRegistry, bootstrapToken, bootstrapTokenPath, registryPath } from '../../server/admin-tokens.js';

const ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; url: string; payload?: object; role: 'read' | 'operate' }> = [
  { method: 'GET', url: '/status', role: 'read' },
  { method: 'GET', url: '/metrics', role: 'read' },
  { method: 'GET', url: '/rejections', role: 'read' },
  { method: 'GET', url: '/signals', role: 'read' },
  { method: 'POST', url: '/sql', payload: { query: 'SELECT 1 AS one' }, role: 'read' },
  { method: 'POST', url: '/docs/catalog', payload: { relations: [{ schema: 'raw', name: 'voice_events' }] }, role: 'read' },
  { method: 'POST', url: '/rejections/replay', payload: { dryRun: true }, role: 'operate' },
  { method: 'POST', url: '/build', payload: { select: ['calls'] }, role: 'operate' },
  { method: 'POST', url: '/test', payload: { select: ['calls'] }, role: 'operate' },
  { method: 'POST', url: '/source-freshness', payload: { select: ['source:raw.voice_events'] }, role: 'operate' },
  { method: 'POST', url: '/sync', payload: { names: ['nothing'] }, role: 'operate' },
  { method: 'POST', url: '/pull', payload: { source: 'nothing' }, role: 'operate' },
  { method: 'GET', url: '/alerts?status=all', role: 'read' },
  { method: 'POST', url: '/alerts/test', payload: { route: 'pagerduty' }, role: 'operate' },
  { method: 'GET', url: '/dlq', role: 'read' },
  { method: 'POST', url: '/dlq/replay', payload: { all: true, dryRun: true }, role: 'operate' },
];

describe('operator API authentication, roles and audit', () => {
  let h: Harness;
  let registry: AdminTokenRegistry;
  before(async () => {
    h = await startHarness();
    await h.drain(); // the raw tables exist (GET /rejections reads one)
    registry = new AdminTokenRegistry(adminDataDir(h.config, h.dir));
  });
  after(async () => {
    await h.close();
    rmSync(h.dir, { recursive: true, force: true });
  });

  test('without a token, or with a wrong one, every operator route answers 401 SB_ADMIN_UNAUTHORIZED and says where the token is', async () => {
    for (const route of ROUTES) {
      for (const token of [null, 'sbat_not-a-token']) {
        const res = await h.admin({ method: route.method, url: route.url, ...(route.payload ? { payload: route.payload } : {}), token });
        assert.equal(res.statusCode, 401, `${route.method} ${route.url} with ${token ?? 'no token'}`);
        const body = res.json() as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'SB_ADMIN_UNAUTHORIZED');
        assert.match(body.error.message, /SWITCHBOARD_ADMIN_TOKEN/);
        assert.match(body.error.message, /admin-token/);
      }
    }
    const unknownPath = await h.admin({ method: 'GET', url: '/anything', token: null });
    assert.equal(unknownPath.statusCode, 401, 'unknown paths too: nothing is answered without a token');
  });

  test('a read token may read status, metrics, rejections and SQL, but build, test, sync, pull and replay answer 403 SB_ADMIN_FORBIDDEN', async () => {
    const { value } = registry.create('read', 'dashboards');
    for (const route of ROUTES) {
      const res = await h.admin({ method: route.method, url: route.url, ...(route.payload ? { payload: route.payload } : {}), token: value });
      if (route.role === 'read') {
        assert.equal(res.statusCode, 200, `${route.method} ${route.url}: ${res.body}`);
      } else {
        assert.equal(res.statusCode, 403, `${route.method} ${route.url}`);
        const body = res.json() as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'SB_ADMIN_FORBIDDEN');
        assert.match(body.error.message, /admin-token create --role operate/);
      }
    }
    const operate = await h.admin({ method: 'POST', url: '/pull', payload: { source: 'nothing' } });
    assert.equal(operate.statusCode, 404, 'the bootstrap token (operate) reaches the route itself');
  });

  test('a Host header that does not name the operator listener is refused, even with a valid token (DNS rebinding)', async () => {
    for (const host of ['evil.example', 'evil.example:8081', '127.0.0.1.evil.example:8081']) {
      const res = await h.admin({ method: 'POST', url: '/sql', payload: { query: 'SELECT 1 AS one' }, headers: { host } });
      assert.equal(res.statusCode, 421, host);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'SB_ADMIN_HOST_REFUSED');
    }
    for (const host of ['127.0.0.1:8081', 'localhost:8081', '[::1]:8081', 'LOCALHOST']) {
      const res = await h.admin({ method: 'GET', url: '/status', headers: { host } });
      assert.equal(res.statusCode, 200, host);
    }
  });

  test('the generated bootstrap token and the token registry are readable by their owner only, and the registry holds no token value', async () => {
    const dataDir = adminDataDir(h.config, h.dir);
    assert.equal(statSync(bootstrapTokenPath(dataDir)).mode & 0o777, 0o600);
    const { value } = registry.create('operate', 'ci');
    assert.equal(statSync(registryPath(dataDir)).mode & 0o777, 0o600);
    const stored = readFileSync(registryPath(dataDir), 'utf8');
    assert.ok(!stored.includes(value), 'the value is not stored');
    assert.ok(!stored.includes(h.adminToken), 'nor the bootstrap token');
    assert.match(stored, /"sha256": "[0-9a-f]{64}"/);
  });

  test('SWITCHBOARD_ADMIN_TOKEN, when set, is the bootstrap token and no file is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-admin-token-'));
    try {
      assert.equal(bootstrapToken(dir, { SWITCHBOARD_ADMIN_TOKEN: 'sbat_from-env' }).id, 'env');
      assert.equal(existsSync(bootstrapTokenPath(dir)), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a revoked token is refused from the next request, without a restart', async () => {
    const { record, value } = registry.create('read', 'temporary');
    assert.equal((await h.admin({ method: 'GET', url: '/status', token: value })).statusCode, 200);
    assert.equal(registry.revoke(record.id), true);
    const res = await h.admin({ method: 'GET', url: '/status', token: value });
    assert.equal(res.statusCode, 401);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'SB_ADMIN_UNAUTHORIZED');
  });

  test('every request, allowed or refused, leaves an audit row with the token id, never its value; the rows are readable through /sql', async () => {
    const { record, value } = registry.create('read', 'auditor');
    const marker = `SELECT 'audit-marker' AS m`;
    assert.equal((await h.admin({ method: 'POST', url: '/sql?x=1', payload: { query: marker }, token: value })).statusCode, 200);
    assert.equal((await h.admin({ method: 'POST', url: '/build', payload: {}, token: value })).statusCode, 403);
    assert.equal((await h.admin({ method: 'GET', url: '/status', token: 'sbat_wrong' })).statusCode, 401);
    assert.equal((await h.admin({ method: 'GET', url: '/status', headers: { host: 'evil.example' } })).statusCode, 421);
    await h.server.audit.flush();
    const res = await h.admin({ method: 'POST', url: '/sql', payload: { query: `SELECT token_id, role, method, route, summary, source_ip, status, outcome FROM ${h.raw('_admin_audit')} ORDER BY requested_at` }, token: value });
    assert.equal(res.statusCode, 200, res.body);
    const rows = (res.json() as { rows: Array<Record<string, unknown>> }).rows;
    const row = (route: string, status: number) => rows.findLast((r) => r.route === route && r.status === status);
    assert.deepEqual(row('/sql', 200), { token_id: record.id, role: 'read', method: 'POST', route: '/sql', summary: marker, source_ip: '127.0.0.1', status: 200, outcome: 'ok' });
    assert.deepEqual(
      [row('/build', 403)?.token_id, row('/build', 403)?.outcome],
      [record.id, 'SB_ADMIN_FORBIDDEN'],
    );
    assert.deepEqual([row('/status', 401)?.token_id, row('/status', 401)?.outcome], ['none', 'SB_ADMIN_UNAUTHORIZED']);
    assert.deepEqual([row('/status', 421)?.outcome], ['SB_ADMIN_HOST_REFUSED']);
    const everything = JSON.stringify(await h.query(`SELECT * FROM ${h.raw('_admin_audit')}`));
    for (const secret of [value, h.adminToken, 'sbat_wrong']) assert.ok(!everything.includes(secret), 'no token value in the audit');
  });

  test('the public /readyz says only ready or not; the details are at GET /status', async () => {
    const ready = await h.server.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
    const status = (await h.admin({ method: 'GET', url: '/status' })).json() as { warehouse: { reachable: boolean } };
    assert.equal(status.warehouse.reachable, true);
  });
});
