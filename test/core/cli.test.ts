import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { withTestSecrets } from '../helpers/harness.js';
import { runCli } from '../helpers/cli-process.js';


const cli = runCli;

describe('the switchboard command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--help lists the commands, and each command has its own help', async () => {
    const top = await cli(['--help'], dir);
    assert.equal(top.code, 0);
    for (const command of ['serve', 'send-test-event', 'status']) assert.match(top.stdout, new RegExp(command));
    const serve = await cli(['serve', '--help'], dir);
    assert.match(serve.stdout, /POST \/webhooks\/8x8\/meetings/);
    const send = await cli(['send-test-event', '--help'], dir);
    assert.match(send.stdout, /Examples:/);
  });

  test('an invalid config stops serve with exit 2 and a message naming the key', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'server:\n  port: -1\n');
    const res = await cli(['serve', '--config', 'bad.yaml'], dir);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /SB_CONFIG_INVALID/);
    assert.match(res.stderr, /server\.port/);
  });

  test('send-test-event names the valid families when given another', async () => {
    const res = await cli(['send-test-event', 'fax'], dir);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /SB_CLI_UNKNOWN_FAMILY.*messaging, voice, contact-center, meetings/);
  });

  test('send-test-event --list shows the samples', async () => {
    const res = await cli(['send-test-event', 'voice', '--list'], dir);
    assert.match(res.stdout, /session-summary\ncall-status/);
  });

  describe('against a running server on the local defaults (scheduled builds off)', () => {
    let server: ServerProcess;
    const home = mkdtempSync(join(tmpdir(), 'switchboard-cli-serve-'));
    before(async () => {
      // Scheduled builds off: a build on the default */5 schedule would land whenever the suite
      // crosses a five-minute mark, and the status test below checks the state before any build.
      writeFileSync(join(home, 'switchboard.yaml'), 'log:\n  level: warn\nmodels:\n  schedule: "off"\n');
      server = await startServerProcess(join(home, 'switchboard.yaml'), {}, home);
    });
    after(async () => {
      await server.kill('SIGTERM');
      // With the server stopped, sql opens the warehouse itself.
      const res = await cli(['sql', 'SELECT count(*) AS n FROM raw.contact_center_events', '--admin-url', 'http://127.0.0.1:9', '--format', 'csv'], home);
      assert.equal(res.stdout, 'n\n1\n', res.stderr);
      rmSync(home, { recursive: true, force: true }); // the warehouse, the spool and the admin token files
    });

    test('send-test-event lands a signed sample for every family (the end-to-end check)', async () => {
      for (const family of ['messaging', 'voice', 'contact-center', 'meetings']) {
        const res = await cli(['send-test-event', family, '--url', server.url], home);
        assert.equal(res.code, 0, `${family}: ${res.stdout}${res.stderr}`);
        assert.match(res.stdout, /→ 200/);
        assert.match(res.stdout, /"status":"accepted"/);
      }
    });

    test('send-test-event exits 1 and prints the refusal when the secret does not match', async () => {
      const res = await cli(['send-test-event', 'meetings', '--url', server.url], home, withTestSecrets({
        // Setting one secret ends the development fallback, so the others get test values.
        SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_not_the_servers',
      }));
      assert.equal(res.code, 1);
      assert.match(res.stdout, /→ 401/);
      assert.match(res.stdout, /SB_INGEST_SIGNATURE_INVALID/);
    });

    test('replay lists recorded rejections and replays them through the running server', async () => {
      await cli(['send-test-event', 'meetings', '--url', server.url], home, withTestSecrets({ SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: 'whsec_not_the_servers' }));
      let listed = { code: 0, stdout: '', stderr: '' };
      for (let i = 0; i < 50 && !/SB_INGEST_SIGNATURE_INVALID/.test(listed.stdout); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // the drainer lands rejections in the background
        listed = await cli(['replay', '--list', '--admin-url', server.adminUrl], home);
      }
      assert.match(listed.stdout, /meetings\s+401 SB_INGEST_SIGNATURE_INVALID/);
      const unscoped = await cli(['replay', '--admin-url', server.adminUrl], home);
      assert.equal(unscoped.code, 1);
      assert.match(unscoped.stderr, /SB_CLI_REPLAY_UNSCOPED/);
      const dry = await cli(['replay', '--all', '--dry-run', '--admin-url', server.adminUrl], home);
      assert.match(dry.stdout, /\(dry run\) 0 landed, \d+ rejected again, 0 skipped/);
      assert.equal(dry.code, 1);
    });

    test('sql queries the warehouse through the running server, which holds the DuckDB file', async () => {
      const res = await cli(['sql', 'SELECT count(*) AS n FROM raw.meetings_events', '--admin-url', server.adminUrl, '--format', 'json'], home);
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), [{ n: 1 }]);
      const table = await cli(['sql', "SELECT family, event_type FROM raw.voice_events", '--admin-url', server.adminUrl], home);
      assert.match(table.stdout, /family\s+event_type\n-+\s+-+\nvoice\s+SESSION_SUMMARY\n\(1 row\)/);
      const bad = await cli(['sql', 'SELECT * FROM nowhere', '--admin-url', server.adminUrl], home);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /SB_ADMIN_QUERY_FAILED.*nowhere/);
      const write = await cli(['sql', 'DELETE FROM raw.voice_events RETURNING 1 AS gone', '--admin-url', server.adminUrl, '--format', 'csv'], home);
      assert.equal(write.code, 1);
      assert.match(write.stderr, /SB_SQL_NOT_READ_ONLY/);
      const still = await cli(['sql', 'SELECT count(*) AS n FROM raw.voice_events', '--admin-url', server.adminUrl, '--format', 'csv'], home);
      assert.equal(still.stdout, 'n\n1\n', 'switchboard sql refuses writes');
    });

    test('admin-token issues a read token that may query but not build; revoked or wrong tokens get a 401 naming SWITCHBOARD_ADMIN_TOKEN', async () => {
      const created = await cli(['admin-token', 'create', '--role', 'read', '--name', 'analyst'], home);
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^sbat_[A-Za-z0-9_-]{43}$/);
      const id = /Token (t_[0-9a-f]+)/.exec(created.stderr)?.[1] ?? '';
      const listed = await cli(['admin-token', 'list'], home);
      assert.match(listed.stdout, new RegExp(`${id}\\tread\\tanalyst\\tcreated \\S+\\tactive`));
      assert.ok(!listed.stdout.includes(token), 'list never shows values');
      const env = { SWITCHBOARD_ADMIN_TOKEN: token };
      const read = await cli(['sql', 'SELECT 1 AS one', '--admin-url', server.adminUrl, '--format', 'csv'], home, env);
      assert.equal(read.stdout, 'one\n1\n', read.stderr);
      const build = await cli(['build', '--admin-url', server.adminUrl], home, env);
      assert.equal(build.code, 1);
      assert.match(build.stderr, /SB_ADMIN_FORBIDDEN.*--role operate/);
      assert.equal((await cli(['admin-token', 'revoke', id], home)).code, 0);
      const revoked = await cli(['sql', 'SELECT 1 AS one', '--admin-url', server.adminUrl], home, env);
      assert.equal(revoked.code, 1);
      assert.match(revoked.stderr, /SB_CLI_ADMIN_UNAUTHORIZED.*SWITCHBOARD_ADMIN_TOKEN/);
    });

    test('status prints a readable summary of readiness and what has landed, and the whole report with --json', async () => {
      const res = await cli(['status', '--admin-url', server.adminUrl, '--url', server.url], home);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /^Switchboard is ready \(node /);
      assert.match(res.stdout, /\n {2}voice +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(.+\) +0 +-\n/, 'voice: 1 event, when, no rejection');
      assert.match(res.stdout, /\nSpool and drain\n {2}backlog +.+ waiting of 1\.0 GiB \(spool\.maxBytes\); accepting webhooks\n {2}warehouse +reachable\n/);
      assert.match(res.stdout, /\nLast build\n {2}none yet \(models\.schedule off; run one with switchboard build\)/);
      assert.match(res.stdout, /\nJobs +schedule +next run +now +last run\n {2}models +off +- +idle +-\n/);
      const json = await cli(['status', '--json', '--admin-url', server.adminUrl, '--url', server.url], home);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { status: string; spool: { writable: boolean }; landing: Array<{ family: string; events: number }>; historyError: string | null };
      assert.equal(report.status, 'ready');
      assert.equal(report.spool.writable, true);
      assert.equal(report.landing.find((f) => f.family === 'voice')?.events, 1);
      assert.equal(report.historyError, null);
    });
  });

  test('status explains how to start a server when none answers', async () => {
    const res = await cli(['status', '--url', 'http://127.0.0.1:9', '--admin-url', 'http://127.0.0.1:9'], dir);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /switchboard serve/);
  });
});
