import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { IpAllowlist } from '../../ingest/auth/ip-allowlist.js';

/** A directory holding one file, removed when the test that makes it ends. */
function dirWith(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, name), content);
  return dir;
}

function errorOf(fn: () => unknown): SwitchboardError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SwitchboardError, `expected a SwitchboardError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

describe('configuration', () => {
  test('with no file, runs locally on DuckDB under ./data with development secrets, and says so', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
    after(() => rmSync(cwd, { recursive: true, force: true }));
    const config = loadConfig({ cwd, env: {} });
    assert.equal(config.source, null);
    assert.deepEqual(config.file.warehouse, { type: 'duckdb', path: './data/switchboard.duckdb', rawSchema: 'raw', memoryLimit: '1GB', checkpointThreshold: '256MB' });
    assert.equal(config.file.server.host, '127.0.0.1');
    assert.equal(config.file.server.port, 8080);
    assert.equal(config.file.spool.dir, './data/spool');
    assert.ok(config.secrets.messagingAuthorization !== null);
    assert.ok(config.warnings.some((w) => w.includes('SWITCHBOARD_MESSAGING_AUTHORIZATION')));
  });

  test('reads YAML, fills defaults, and takes secrets from the environment', () => {
    // Only meetings: setting one secret ends the development fallback for the others.
    const cwd = dirWith(
      'switchboard.yaml',
      'server:\n  port: 9090\nfamilies:\n  messaging:\n    enabled: false\n  voice:\n    enabled: false\n  meetings:\n    toleranceSeconds: 60\n',
    );
    const config = loadConfig({ cwd, env: { SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_a, whsec_b' } });
    assert.equal(config.file.server.port, 9090);
    assert.equal(config.file.families.meetings.toleranceSeconds, 60);
    assert.deepEqual(config.secrets.meetingsWebhookSecrets, ['whsec_a', 'whsec_b']);
    assert.ok(Object.isFrozen(config.file.server));
  });

  test('names the key to fix for a wrong value', () => {
    const cwd = dirWith('switchboard.yaml', 'server:\n  port: "eighty"\n');
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.equal(error.code, 'SB_CONFIG_INVALID');
    assert.equal(error.configKey, 'server.port');
    assert.match(error.message, /server\.port/);
  });

  test('names an unknown key (a typo) instead of ignoring it', () => {
    const cwd = dirWith('switchboard.json', JSON.stringify({ spool: { maxbytes: 10 } }));
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.match(error.message, /spool\.maxbytes: unknown key/);
  });

  test('names the warehouse key for a bad Postgres URL', () => {
    const cwd = dirWith('switchboard.yaml', 'warehouse:\n  type: postgres\n  url: mysql://x\n');
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.match(error.message, /warehouse\.url: must start with postgres:\/\//);
  });

  test('reports a syntax error with the file name', () => {
    const cwd = dirWith('switchboard.yaml', 'server: [unclosed\n');
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.equal(error.code, 'SB_CONFIG_PARSE');
    assert.match(error.message, /switchboard\.yaml/);
  });

  test('refuses to start reachable from other machines without a secret, naming the variable and key', () => {
    const cwd = dirWith('switchboard.yaml', 'server:\n  host: 0.0.0.0\n');
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
    assert.match(error.message, /SWITCHBOARD_MESSAGING_AUTHORIZATION/);
    assert.equal(error.configKey, 'families.messaging.auth.mode');
  });

  test('an explicit path that does not exist is an error, not a silent fallback', () => {
    const error = errorOf(() => loadConfig({ path: '/nonexistent/switchboard.yaml', env: {} }));
    assert.equal(error.code, 'SB_CONFIG_NOT_FOUND');
  });

  test('an allowlist entry that is not an address, range or preset names its key', () => {
    const error = errorOf(() => new IpAllowlist(['loopback', '10.0.0.0/99'], 'families.voice.allow'));
    assert.equal(error.configKey, 'families.voice.allow');
    assert.match(error.message, /10\.0\.0\.0\/99/);
  });

  test('IPv4-mapped IPv6 addresses match IPv4 ranges', () => {
    const allow = new IpAllowlist(['8x8-voice'], 'families.voice.allow');
    assert.equal(allow.allows('::ffff:18.140.80.2'), true);
    assert.equal(allow.allows('18.140.80.3'), false);
    assert.equal(allow.allows('not an ip'), false);
  });
});
