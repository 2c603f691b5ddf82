import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig, parseConfig } from '../../server/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { IpAllowlist } from '../../ingest/auth/ip-allowlist.js';
import { loadServeConfig } from '../../server/serve-config.js';

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

  test('names an unknown key (a typo) instead of ignoring it, and suggests the nearest valid key', () => {
    const cwd = dirWith('switchboard.json', JSON.stringify({ spool: { maxbytes: 10 } }));
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.match(error.message, /spool\.maxbytes: unknown key; did you mean spool\.maxBytes\?/);
    assert.equal(error.configKey, 'spool.maxbytes');
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

  test('a warehouse section without type is DuckDB, the default, as every key has one', () => {
    const cwd = dirWith('switchboard.yaml', 'warehouse:\n  path: ./elsewhere.duckdb\n');
    const config = loadConfig({ cwd, env: {} });
    assert.deepEqual(config.file.warehouse, { type: 'duckdb', path: './elsewhere.duckdb', rawSchema: 'raw', memoryLimit: '1GB', checkpointThreshold: '256MB' });
  });

  test('a typo in warehouse.type names the key as written and the key meant, and why url does not apply', () => {
    const cwd = dirWith('switchboard.yaml', 'warehouse:\n  tpye: postgres\n  url: postgres://switchboard@db/analytics\n');
    const error = errorOf(() => loadConfig({ cwd, env: {} }));
    assert.equal(error.code, 'SB_CONFIG_INVALID');
    assert.equal(error.configKey, 'warehouse.tpye');
    assert.match(error.message, /warehouse\.tpye: unknown key; did you mean warehouse\.type\?/);
    assert.match(error.message, /warehouse\.url: applies only when warehouse\.type is postgres, and warehouse\.type is not set, so it is duckdb \(the default\)/);
    assert.doesNotMatch(error.message, /discriminator/i);
  });

  test('a warehouse this release does not open says which ones it does, and that Snowflake is not supported yet', () => {
    for (const type of ['snowflake', 'redshift']) {
      const error = errorOf(() => parseConfig({ warehouse: { type } }));
      assert.equal(error.configKey, 'warehouse.type');
      assert.match(error.message, new RegExp(`warehouse\\.type: "${type}" is not a warehouse this release supports: use duckdb \\(the default\\), postgres or bigquery`));
      assert.doesNotMatch(error.message, /Invalid discriminator|Expected 'duckdb'/);
    }
    assert.match(errorOf(() => parseConfig({ warehouse: { type: 'snowflake' } })).message, /Snowflake is not supported yet/);
    assert.match(errorOf(() => parseConfig({ warehouse: { type: 'duckbd' } })).message, /did you mean duckdb\?/);
    assert.match(errorOf(() => parseConfig({ warehouse: { type: 'bigqeury', projectId: 'acme-analytics' } })).message, /did you mean bigquery\?/);
  });

  test('every kind of wrong value names its key, says what is allowed and shows what was given', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ server: { port: 'eighty' } }, /^ {2}- server\.port: must be a number, not "eighty"$/m],
      [{ server: { port: 1.5 } }, /^ {2}- server\.port: must be a whole number, not 1\.5$/m],
      [{ server: { port: 70000 } }, /^ {2}- server\.port: must be at most 65535 \(got 70000\)$/m],
      [{ server: { bodyLimitBytes: 0 } }, /^ {2}- server\.bodyLimitBytes: must be more than 0 \(got 0\)$/m],
      [{ jobs: { leaseSeconds: 1 } }, /^ {2}- jobs\.leaseSeconds: must be at least 3 \(got 1\)$/m],
      [{ families: { voice: { allow: [] } } }, /^ {2}- families\.voice\.allow: must list at least 1 entry$/m],
      [{ log: { level: 'debgu' } }, /^ {2}- log\.level: "debgu" is not allowed: use fatal, error, warn, info, debug, trace or silent \(did you mean debug\?\)$/m],
      [{ models: { defaultRegion: 'us' } }, /^ {2}- models\.defaultRegion: must be an ISO 3166 alpha-2 code such as "US" \(got "us"\)$/m],
      [{ warehouse: { rawSchema: 'Raw-Events' } }, /^ {2}- warehouse\.rawSchema: must be a lower-case SQL name such as raw .*\(got "Raw-Events"\)$/m],
      [{ destinations: { zendesk: { url: 'acme', email: 'a@b.c' } } }, /^ {2}- destinations\.zendesk\.url: must be a URL such as https:\/\/example\.com \(got "acme"\)$/m],
      [{ destinations: { zendesk: { url: 'https://acme.zendesk.com' } } }, /^ {2}- destinations\.zendesk\.email: is required: give a text value$/m],
      [{ spool: 7 }, /^ {2}- spool: must be a section of keys, not 7$/m],
      [{ server: { trustProxy: '10.0.0.1' } }, /^ {2}- server\.trustProxy: must be a list, not "10\.0\.0\.1"$/m],
      [{ syncs: [{ name: 'a', model: 'calls', key: 'id', destination: 'hubspot', object: 'x', mapping: { a: 'b' } }] }, /^ {2}- syncs\[0\]\.destination: "hubspot" is not allowed: use salesforce, zendesk or slack$/m],
      [{ servr: {} }, /^ {2}- servr: unknown key; did you mean server\?$/m],
      [{ server: { maxBytes: 1 } }, /^ {2}- server\.maxBytes: unknown key; spool\.maxBytes is elsewhere\. The keys of server are: host, port, /m],
    ];
    for (const [raw, expected] of cases) {
      const error = errorOf(() => parseConfig(raw));
      assert.equal(error.code, 'SB_CONFIG_INVALID');
      assert.match(error.message, expected, JSON.stringify(raw));
      assert.doesNotMatch(error.message, /Invalid input|Too (big|small)|Invalid option|Unrecognized key/, JSON.stringify(raw));
    }
  });

  test('every problem is listed at once, the first one named as the key to fix', () => {
    const error = errorOf(() => parseConfig({ server: { port: -1, hots: 'x' }, log: { level: 'loud' } }));
    assert.equal(error.configKey, 'server.port');
    assert.match(error.message, /server\.port: must be at least 0 \(got -1\)/);
    assert.match(error.message, /server\.hots: unknown key; did you mean server\.host\?/);
    assert.match(error.message, /log\.level: "loud" is not allowed/);
  });

  test('a key left empty (YAML null) takes its default', () => {
    const cwd = dirWith('switchboard.yaml', 'server:\n  port:\nspool:\n');
    const config = loadConfig({ cwd, env: {} });
    assert.equal(config.file.server.port, 8080);
    assert.equal(config.file.spool.dir, './data/spool');
  });

  test('an explicit path that does not exist is an error, not a silent fallback', () => {
    const error = errorOf(() => loadConfig({ path: '/nonexistent/switchboard.yaml', env: {} }));
    assert.equal(error.code, 'SB_CONFIG_NOT_FOUND');
  });

  test('three missing secrets are reported in one message, each with its variable and key', () => {
    const cwd = dirWith('switchboard.yaml', 'server:\n  host: 0.0.0.0\n');
    const error = errorOf(() => loadServeConfig({ cwd, env: {} }));
    assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
    assert.match(error.message, /^3 secrets are not set, and server\.host \(0\.0\.0\.0\) is reachable from other machines/);
    assert.match(error.message, /^ {2}- SWITCHBOARD_MESSAGING_AUTHORIZATION: .*\(families\.messaging\.auth\.mode\)$/m);
    assert.match(error.message, /^ {2}- SWITCHBOARD_VOICE_AUTH_HEADER: .*\(families\.voice\.auth\.mode\)$/m);
    assert.match(error.message, /^ {2}- SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: .*\(families\.meetings\)$/m);
  });

  describe('with syncs and pulls configured', () => {
    const features = [
      'families:\n  messaging:\n    enabled: false\n  voice:\n    enabled: false\n  meetings:\n    enabled: false',
      'destinations:\n  salesforce:\n    clientId: app\n    auth: password\n    username: sync@acme.com\n  zendesk:\n    url: https://acme.zendesk.com\n    email: agent@acme.com\n  slack: {}',
      'syncs:',
      '  - { name: calls_to_salesforce, model: salesforce_call_tasks, key: call_id, destination: salesforce, object: Task, mapping: { Subject: subject } }',
      '  - { name: missed_calls_to_zendesk, model: zendesk_missed_calls, key: call_id, destination: zendesk, object: tickets, mapping: { subject: subject } }',
      '  - { name: escalations_to_slack, model: slack_escalations, key: call_id, destination: slack, object: C0123ABCD, mapping: { text: text } }',
      '  - { name: more_escalations, model: slack_escalations, key: call_id, destination: slack, object: C0456, mapping: { text: text } }',
      'pulls:\n  connect:\n    subAccountId: acme-main\n  ccInteractions: {}',
      'models:\n  pii:\n    phone: hash',
    ].join('\n');
    const needed = [
      'SWITCHBOARD_SALESFORCE_CLIENT_SECRET',
      'SWITCHBOARD_SALESFORCE_PASSWORD',
      'SWITCHBOARD_ZENDESK_API_TOKEN',
      'SWITCHBOARD_SLACK_BOT_TOKEN',
      'SWITCHBOARD_CONNECT_API_KEY',
      'SWITCHBOARD_CC_ANALYTICS_CLIENT_ID',
      'SWITCHBOARD_CC_ANALYTICS_CLIENT_SECRET',
      'SWITCHBOARD_PII_HASH_SALT',
    ];

    test('on 0.0.0.0 without their secrets, serve refuses to start, naming every variable and what needs it', () => {
      const cwd = dirWith('switchboard.yaml', `server:\n  host: 0.0.0.0\n${features}\n`);
      const error = errorOf(() => loadServeConfig({ cwd, env: {} }));
      assert.equal(error.code, 'SB_CONFIG_SECRET_MISSING');
      assert.match(error.message, /^8 secrets are not set/);
      for (const name of needed) assert.match(error.message, new RegExp(`^  - ${name}: `, 'm'), name);
      assert.match(error.message, /SWITCHBOARD_SLACK_BOT_TOKEN: syncs escalations_to_slack, more_escalations send to Slack/);
      assert.match(error.message, /SWITCHBOARD_SALESFORCE_PASSWORD: sync calls_to_salesforce sends to Salesforce: auth is password.*\(destinations\.salesforce\.auth\)/);
      assert.match(error.message, /SWITCHBOARD_CONNECT_API_KEY: .*\(pulls\.connect\)/);
      assert.equal(error.configKey, 'destinations.salesforce');
    });

    test('the same on --host 0.0.0.0 given on the command line', () => {
      const cwd = dirWith('switchboard.yaml', `${features}\n`);
      const error = errorOf(() => loadServeConfig({ cwd, env: {}, overrides: { host: '0.0.0.0' } }));
      for (const name of needed) assert.match(error.message, new RegExp(name), name);
    });

    test('with every secret set, serve starts on 0.0.0.0', () => {
      const cwd = dirWith('switchboard.yaml', `server:\n  host: 0.0.0.0\n${features}\n`);
      const env = Object.fromEntries(needed.map((name) => [name, 'set']));
      const config = loadServeConfig({ cwd, env });
      assert.deepEqual(config.warnings, []);
    });

    test('in the loopback try-out, serve starts and warns once, naming every missing variable', () => {
      const cwd = dirWith('switchboard.yaml', `${features}\n`);
      const config = loadServeConfig({ cwd, env: {} });
      const warnings = config.warnings.filter((w) => /secrets are not set/.test(w));
      assert.equal(warnings.length, 1);
      for (const name of needed) assert.match(warnings[0] ?? '', new RegExp(name), name);
    });

    test('the serve command itself stops with exit 2 before opening anything, naming every variable', async () => {
      const cwd = dirWith('switchboard.yaml', `${features}\n`);
      const cli = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
      const failure = await promisify(execFile)(process.execPath, [cli, 'serve', '--host', '0.0.0.0'], { cwd, env: { PATH: process.env.PATH ?? '' } }).then(
        () => assert.fail('serve started'),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(failure.code, 2);
      assert.match(failure.stderr, /^error SB_CONFIG_SECRET_MISSING: 8 secrets are not set, and server\.host \(0\.0\.0\.0\) is reachable from other machines/);
      for (const name of needed) assert.match(failure.stderr, new RegExp(name), name);
      assert.doesNotMatch(failure.stderr, /listening/);
    });

    test('commands other than serve do not ask for them', () => {
      const cwd = dirWith('switchboard.yaml', `server:\n  host: 0.0.0.0\n${features}\n`);
      assert.equal(loadConfig({ cwd, env: {} }).file.syncs.length, 4);
    });
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
