/**
 * `switchboard dlq` as an operator uses it: the real `serve` on DuckDB, the real CLI, the
 * Slack fake. A webhook signed with a rotated secret and an alert Slack refuses show up as
 * dead letters; a dry run sends nothing; the alert is replayed once the destination accepts
 * it and a second replay sends nothing; the webhook lands once serve has the new secret; and
 * with no server running the CLI reads the warehouse itself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import { signJaas } from '../../ingest/families/meetings/index.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import type { DeadLetter } from '../../server/dlq/dead-letter.js';
import { runCli } from '../helpers/cli-process.js';
import { withTestSecrets } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

const OLD = 'whsec_old_secret';
const NEW = 'whsec_rotated_secret';
const SYNC = 'alerts_to_slack';

describe('switchboard dlq, through the real CLI and serve', () => {
  let dir: string;
  let slack: FakeSlack;
  let serve: ServerProcess | null = null;
  const env = (secret: string): Record<string, string> => ({ ...withTestSecrets({ SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: secret }), SWITCHBOARD_SLACK_BOT_TOKEN: slack.token });
  /** A command as the operator runs it, at the running server's operator API when there is one. */
  const run = (args: string[], secret = OLD) => runCli([...args, '--config', 'switchboard.json', ...(serve === null ? [] : ['--admin-url', serve.adminUrl])], dir, env(secret));
  const cli = (args: string[], secret = OLD) => run(['dlq', ...args], secret);
  const start = async (secret: string): Promise<ServerProcess> => (serve = await startServerProcess(join(dir, 'switchboard.json'), env(secret), dir));
  const stop = async (): Promise<void> => {
    await serve?.kill('SIGTERM');
    serve = null;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-dlq-cli-'));
    // Marketplace limits: the lookup of earlier alerts (conversations.history) may run once per send.
    slack = await startFakeSlack({ historyTier: 'marketplace' });
    const config = {
      log: { level: 'warn' },
      models: { schedule: 'off' },
      destinations: { slack: { apiUrl: slack.url, historyIntervalSeconds: 0, postIntervalMs: 0 } },
      syncs: [
        {
          name: SYNC,
          sql: "SELECT 'a-1' AS id, 'Caller waited 12 minutes' AS text UNION ALL SELECT 'a-2', 'Caller hung up after 9 minutes'",
          key: 'id',
          destination: 'slack',
          object: 'C0ALERTS',
          mapping: { text: 'text' },
          schedule: 'off',
        },
      ],
    };
    writeFileSync(join(dir, 'switchboard.json'), JSON.stringify(config));
    await start(OLD);
  });

  after(async () => {
    await stop();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a refused webhook and a refused alert are listed together, and a dry run sends nothing', async () => {
    const body = MEETINGS_SAMPLES['recording-uploaded'];
    const refused = await fetch(`${serve?.url}/webhooks/8x8/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jaas-signature': signJaas(NEW, Math.floor(Date.now() / 1000), body) },
      body,
    });
    assert.equal(refused.status, 401);
    slack.failNext('chat.postMessage', { error: 'msg_too_long' });
    const sync = await run(['sync', SYNC]);
    assert.equal(sync.code, 1, sync.stderr);
    assert.equal(slack.messages('C0ALERTS').length, 1, 'a-2 was posted, a-1 refused');

    let entries: DeadLetter[] = [];
    await waitFor(async () => {
      const listed = await cli(['list', '--json']);
      entries = (JSON.parse(listed.stdout) as { entries: DeadLetter[] }).entries;
      return entries.length === 2; // the rejection lands through the drainer
    }, 'both dead letters listed');
    assert.deepEqual(entries.map((e) => [e.source, e.pipeline, e.code]).sort(), [['landing', 'meetings', 'SB_INGEST_SIGNATURE_INVALID'], ['sync', SYNC, 'msg_too_long']]);

    const table = await cli(['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +SOURCE +PIPELINE +CODE +COUNT +AGE +REASON$/m);
    assert.match(table.stdout, new RegExp(`^sync:${SYNC}:a-1 +sync +${SYNC} +msg_too_long +1 +\\d+s +chat\\.postMessage in C0ALERTS: msg_too_long`, 'm'));
    assert.match(table.stdout, /^rejection:\S+ +landing +meetings +SB_INGEST_SIGNATURE_INVALID +1 /m);
    assert.match(table.stdout, /2 dead letter\(s\): 1 landing, 1 sync\./);

    const shown = await cli(['show', `sync:${SYNC}:a-1`]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /source +sync \(alerts_to_slack\)/);
    assert.match(shown.stdout, /attempts:/);
    const missing = await cli(['show', 'sync:alerts_to_slack:nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error SB_DLQ_NOT_FOUND: /);

    const posts = slack.calls('chat.postMessage');
    const dry = await cli(['replay', '--sync', SYNC, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^sync:${SYNC}:a-1 +would-replay +dry run of ${SYNC}: 1 change\\(s\\) planned`, 'm'));
    assert.match(dry.stdout, /\(dry run: nothing was sent\) 1 would-replay/);
    assert.equal(slack.calls('chat.postMessage'), posts, 'nothing sent');

    const unscoped = await cli(['replay']);
    assert.equal(unscoped.code, 1);
    assert.match(unscoped.stderr, /^error SB_DLQ_REPLAY_UNSCOPED: .*--all/);
  });

  test('the refused alert is sent once after a replay; a second replay sends nothing', async () => {
    const posts = slack.calls('chat.postMessage');
    const replay = await cli(['replay', '--source', 'sync']);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, new RegExp(`^sync:${SYNC}:a-1 +replayed +sent by run`, 'm'));
    assert.equal(slack.calls('chat.postMessage'), posts + 1, 'one post');
    assert.deepEqual(slack.messages('C0ALERTS').map((m) => m.text).sort(), ['Caller hung up after 9 minutes', 'Caller waited 12 minutes']);

    const again = await cli(['replay', '--source', 'sync']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /No dead letters match: nothing to replay\./);
    const sync = await run(['sync', SYNC]);
    assert.equal(sync.code, 0, sync.stderr);
    assert.equal(slack.calls('chat.postMessage'), posts + 1, 'neither the second replay nor the next run posts again');
  });

  test('once serve has the rotated secret, the webhook replays and lands once', async () => {
    const before = await cli(['replay', '--source', 'landing']);
    assert.equal(before.code, 1, 'refused again with the old secret');
    assert.match(before.stdout, /failed +SB_INGEST_SIGNATURE_INVALID: /);

    await stop();
    await start(NEW);
    const replay = await cli(['replay', '--source', 'landing', '--code', 'SB_INGEST_SIGNATURE_INVALID'], NEW);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /^rejection:\S+ +replayed +accepted into the spool; it lands as jaas:2b7c1e4a-9d3f-4b6e-8a21-5c0d9e7f3a14/m);
    const landed = async (): Promise<number> => {
      const res = await run(['sql', 'SELECT count(*) AS n FROM raw.meetings_events', '--format', 'json'], NEW);
      return Number((JSON.parse(res.stdout) as Array<{ n: number }>)[0]?.n);
    };
    await waitFor(async () => (await landed()) === 1, 'the replayed webhook lands');
    const again = await cli(['replay', '--source', 'landing'], NEW);
    assert.match(again.stdout, /No dead letters match/);
    assert.equal(await landed(), 1, 'once');
  });

  test('with no server running, the CLI reads the warehouse itself', async () => {
    await stop();
    const listed = await cli(['list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /No dead letters match: everything went through\./);
  });
});
