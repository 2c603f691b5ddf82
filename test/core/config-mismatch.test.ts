/**
 * The CLI and the server must not disagree about the config in silence. Found as a new user
 * would: syncs added to switchboard.yaml while `serve` ran; `sync --list` showed them (it
 * reads the file), then `sync` answered SB_SYNC_UNKNOWN "(configured: none)" from the server,
 * which still ran the old file. Now the server refuses what the CLI asks with another config,
 * and the CLI says to restart serve.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { adminRefusal } from '../../cli/admin-client.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { runCli } from '../helpers/cli-process.js';


const cli = runCli;

describe('the config fingerprint', () => {
  test('is the same for the same settings however written, and differs when a setting changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-fingerprint-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a.yaml'), '# comment\nserver:\n  port: 9090\n  host: 127.0.0.1\nlog:\n  level: warn\n');
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ log: { level: 'warn' }, server: { host: '127.0.0.1', port: 9090 } }));
    writeFileSync(join(dir, 'c.yaml'), 'server:\n  port: 9091\n  host: 127.0.0.1\nlog:\n  level: warn\n');
    const [a, b, c] = ['a.yaml', 'b.json', 'c.yaml'].map((path) => loadConfig({ cwd: dir, path, env: {} }).fingerprint);
    assert.match(a ?? '', /^[0-9a-f]{64}$/);
    assert.equal(a, b);
    assert.notEqual(a, c);
    // Command-line overrides are not the file: `serve --port 0` and the CLI still agree.
    assert.equal(loadConfig({ cwd: dir, path: 'a.yaml', env: {}, overrides: { port: 0, host: '0.0.0.0' }, skipSecrets: true }).fingerprint, a);
  });
});

describe('the operator API and a CLI that read another config', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config: { models: { schedule: 'off' } } });
  });
  after(() => h.close());

  test('GET /status names the config the server runs, and every authenticated answer carries its fingerprint', async () => {
    const res = await h.admin({ method: 'GET', url: '/status' });
    const body = res.json() as { config: { source: string; fingerprint: string } };
    assert.deepEqual(body.config, { source: h.config.source, fingerprint: h.config.fingerprint });
    assert.equal(res.headers['switchboard-config'], h.config.fingerprint);
    assert.equal(decodeURIComponent(String(res.headers['switchboard-config-source'])), h.config.source);
    const anonymous = await h.admin({ method: 'GET', url: '/status', token: null });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers['switchboard-config'], undefined, 'nothing about the config without a token');
  });

  test('a run asked with another fingerprint is refused with 409 before it starts; the same fingerprint, or none, goes through', async () => {
    const other = await h.admin({ method: 'POST', url: '/sync', payload: { names: ['calls_to_salesforce'] }, headers: { 'switchboard-config': 'f'.repeat(64) } });
    assert.equal(other.statusCode, 409);
    const body = other.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'SB_ADMIN_CONFIG_MISMATCH');
    assert.match(body.error.message, new RegExp(`runs the config it loaded at start \\(${h.config.source ?? ''}, fingerprint ${h.config.fingerprint.slice(0, 12)}\\)`));
    assert.match(body.error.message, /fingerprint ffffffffffff\); nothing was run\. Restart serve/);

    for (const headers of [{ 'switchboard-config': h.config.fingerprint }, {}]) {
      const same = await h.admin({ method: 'POST', url: '/sync', payload: { names: ['calls_to_salesforce'] }, headers });
      assert.equal(same.statusCode, 404, 'it reaches the route, which knows no such sync');
      assert.equal((same.json() as { error: { code: string } }).error.code, 'SB_SYNC_UNKNOWN');
    }
    // Reading is not running: a read route answers whatever config the caller read.
    const sql = await h.admin({ method: 'POST', url: '/sql', payload: { query: 'SELECT 1 AS one' }, headers: { 'switchboard-config': 'f'.repeat(64) } });
    assert.equal(sql.statusCode, 200, sql.body);
  });

  test('the CLI turns the refusal into SB_CLI_CONFIG_MISMATCH, naming the config it read and how to restart', async () => {
    const other = await h.admin({ method: 'POST', url: '/rejections/replay', payload: { dryRun: true }, headers: { 'switchboard-config': 'f'.repeat(64) } });
    const cliConfig = { ...h.config, source: '/elsewhere/switchboard.yaml', fingerprint: 'f'.repeat(64) };
    const error = adminRefusal(cliConfig, other.statusCode, other.json() as { error: { code: string; message: string } }, 'HTTP 409');
    assert.equal(error.code, 'SB_CLI_CONFIG_MISMATCH');
    assert.match(error.message, /This command read \/elsewhere\/switchboard\.yaml\. Restart serve to load the new config \(systemctl restart switchboard \/ Ctrl-C and serve again\)/);
  });
});

describe('syncs added to the file while serve runs', () => {
  let server: ServerProcess;
  const home = mkdtempSync(join(tmpdir(), 'switchboard-config-mismatch-'));
  const configPath = join(home, 'switchboard.yaml');
  const before_ = 'log:\n  level: warn\nmodels:\n  schedule: "off"\n';
  before(async () => {
    writeFileSync(configPath, before_);
    server = await startServerProcess(configPath, {}, home);
  });
  after(async () => {
    await server.kill('SIGTERM');
    rmSync(home, { recursive: true, force: true });
  });

  test('while the file is unchanged, the CLI and the server agree', async () => {
    const status = await cli(['status', '--admin-url', server.adminUrl], home);
    assert.equal(status.code, 0, status.stderr);
    assert.doesNotMatch(status.stderr, /CONFIG_MISMATCH/);
  });

  test('sync --list shows the new syncs, and running one says the server runs the old config and to restart serve', async () => {
    writeFileSync(
      configPath,
      `${before_}destinations:\n  slack: {}\nsyncs:\n` +
        ['escalations', 'missed_calls', 'vip_calls']
          .map((name) => `  - { name: ${name}, model: slack_escalations, key: call_id, destination: slack, object: C0123ABCD, mapping: { text: text } }\n`)
          .join(''),
    );
    const list = await cli(['sync', '--list'], home);
    assert.equal(list.stdout.trim().split('\n').length, 3, list.stdout);

    const res = await cli(['sync', 'escalations', '--dry-run', '--admin-url', server.adminUrl], home);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^error SB_CLI_CONFIG_MISMATCH: The server at http:\/\/127\.0\.0\.1:\d+ runs another config than this command read/);
    assert.match(res.stderr, new RegExp(`serve loaded ${configPath.replaceAll('.', '\\.')} when it started \\(fingerprint [0-9a-f]{12}\\), this command read ${configPath.replaceAll('.', '\\.')} \\(fingerprint [0-9a-f]{12}\\); ${configPath.replaceAll('.', '\\.')} has changed since serve started`));
    assert.match(res.stderr, /Restart serve to load the new config \(systemctl restart switchboard \/ Ctrl-C and serve again\)/);
    assert.doesNotMatch(res.stderr, /SB_SYNC_UNKNOWN/);

    const status = await cli(['status', '--admin-url', server.adminUrl], home);
    assert.match(status.stderr, /^warning SB_CLI_CONFIG_MISMATCH: /m, 'status warns');
    assert.notEqual(status.stdout, '', 'and still reports');
  });
});
