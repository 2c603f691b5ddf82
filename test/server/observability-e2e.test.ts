/**
 * The observability story of issue 15, end to end, as an operator lives it: the real
 * `switchboard serve` in a child process on DuckDB, with the PagerDuty fake and a Slack fake
 * as alert routes, and a second Slack fake as a sync destination.
 *
 * 1. A burst of meetings webhooks with bad signatures pages (authFailures:meetings: one
 *    PagerDuty trigger, one Slack message) and, once the burst is older than the rule's
 *    window, resolves (one PagerDuty resolve, the Slack message edited).
 * 2. A meetings payload with a field never seen before records one drift (GET /drift) and
 *    sends one schemaDrift alert, also after later evaluations.
 * 3. A sync whose destination refuses its rows leaves them as dead letters (GET /dlq), and
 *    `switchboard dlq replay` sends each once when the destination accepts; a second replay
 *    sends nothing.
 *
 * The alerts and drift schedules run every second and the auth window is 6 s so that this
 * takes seconds; nothing else differs from a production setup. Waits are bounded polls
 * (test/helpers/wait-for.ts); no duration is asserted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePagerDuty, type FakePagerDuty } from '../../fakes/pagerduty/index.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import { signJaas } from '../../ingest/families/meetings/index.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import type { DriftRow } from '../../ingest/drift/store.js';
import type { DeadLetter, DeadLetterOutcome } from '../../server/dlq/dead-letter.js';
import { newTokenValue } from '../../server/admin-tokens.js';
import { runCli } from '../helpers/cli-process.js';
import { TEST_SECRETS, withTestSecrets } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

const MEETINGS_SECRET = TEST_SECRETS.SWITCHBOARD_MEETINGS_WEBHOOK_SECRET as string;
const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
/** The alerts' channel, on the ops Slack fake. */
const OPS_CHANNEL = 'C0OPS';
/** The sync's channel, on the destination Slack fake. */
const SYNC_CHANNEL = 'C0CALLBACKS';
const SYNC = 'callbacks_to_slack';
const ROWS: Record<string, string> = {
  'cb-1': 'Call back Ana Lima: waited 12 minutes',
  'cb-2': 'Call back Bo Chen: hung up after 9 minutes',
  'cb-3': 'Call back Cy Okafor: voicemail left',
};
/** A meetings event with a field 8x8 has not sent before. */
const NEW_FIELD = 'breakoutRoomId';
const AUTH_KEY = 'authFailures:meetings';
const DRIFT_KEY = 'schemaDrift:meetings';

describe('observability end to end: the real serve on DuckDB, alerts to PagerDuty and Slack, drift, dead letters and replay', () => {
  let dir: string;
  let pd: FakePagerDuty;
  /** Where the alerts go. */
  let ops: FakeSlack;
  /** Where the sync posts. */
  let dest: FakeSlack;
  let serve: ServerProcess;
  const adminToken = newTokenValue();
  let env: Record<string, string>;

  const admin = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string; json: () => T }> => {
    const response = await fetch(`${serve.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as T };
  };
  const sql = async (query: string): Promise<Array<Record<string, unknown>>> => {
    const answer = await admin<{ rows: Array<Record<string, unknown>> }>('POST', '/sql', { query });
    assert.equal(answer.status, 200, answer.text);
    return answer.json().rows;
  };
  const dlqCli = (args: string[]) => runCli(['dlq', ...args, '--config', 'switchboard.json', '--admin-url', serve.adminUrl], dir, env);
  const meetings = async (body: string, secret = MEETINGS_SECRET): Promise<number> => {
    const response = await fetch(`${serve.url}/webhooks/8x8/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jaas-signature': signJaas(secret, Math.floor(Date.now() / 1000), body) },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  /** The alerts' Slack posts (fires and thread notices) about `key`. */
  const opsPosts = (key: string) => ops.requests.filter((r) => r.method === 'chat.postMessage' && String(r.args.text).includes(`alert key ${key};`));
  const opsUpdates = (key: string) => ops.requests.filter((r) => r.method === 'chat.update' && String(r.args.text).includes(`alert key ${key};`));
  const pdActions = (key: string): string[] => pd.events.filter((e) => e.dedup_key === key).map((e) => e.event_action);
  /** Finished alert evaluations so far. */
  const evaluations = async (): Promise<number> => Number((await sql("SELECT count(*) AS n FROM raw._job_runs WHERE job = 'alerts' AND finished_at IS NOT NULL"))[0]?.n);
  const said = (): string => `\nthe server said:\n${serve.output()}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-observability-'));
    pd = await startFakePagerDuty();
    ops = await startFakeSlack({ channels: [{ id: OPS_CHANNEL, name: 'ops' }], historyTier: 'marketplace' });
    // Room for the replay's posts at once (the destination would otherwise wait out a 429).
    dest = await startFakeSlack({ channels: [{ id: SYNC_CHANNEL, name: 'callbacks' }], historyTier: 'marketplace', rateLimits: { 'chat.postMessage': { limit: 50, windowSeconds: 1 } } });
    env = {
      ...withTestSecrets({ SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: MEETINGS_SECRET }),
      SWITCHBOARD_SLACK_BOT_TOKEN: ops.token, // one Slack app: the sync's and the alerts' (both fakes take the same token)
      SWITCHBOARD_ALERTS_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      SWITCHBOARD_ADMIN_TOKEN: adminToken,
    };
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'duckdb', path: join(dir, 'wh.duckdb') },
        spool: { dir: join(dir, 'data', 'spool') },
        models: { schedule: 'off' },
        log: { level: 'info' },
        drift: { schedule: '* * * * * *', warmupEvents: 1, settleSeconds: 0 },
        destinations: { slack: { apiUrl: dest.url, historyIntervalSeconds: 0, postIntervalMs: 0 } },
        syncs: [
          {
            name: SYNC,
            sql: Object.entries(ROWS).map(([id, text]) => `SELECT '${id}' AS id, '${text}' AS text`).join(' UNION ALL '),
            key: 'id',
            destination: 'slack',
            object: SYNC_CHANNEL,
            mapping: { text: 'text' },
            schedule: 'off',
          },
        ],
        alerts: {
          schedule: '* * * * * *', // every second
          routes: { pagerduty: { url: pd.url }, slack: { channel: OPS_CHANNEL, apiUrl: ops.url } },
          rules: { authFailures: { windowMinutes: 0.1, minCount: 5 } }, // 6 s
        },
      }),
    );
    serve = await startServerProcess(join(dir, 'switchboard.json'), env, dir);
  });

  after(async () => {
    await serve?.kill('SIGTERM');
    await pd?.close();
    await ops?.close();
    await dest?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an authentication-failure spike on meetings pages PagerDuty and Slack once, and resolves once the window passes', async () => {
    const body = JSON.stringify({ eventType: 'PARTICIPANT_JOINED', fqn: 'acme/room', idempotencyKey: 'e2e-auth-1', timestamp: Date.now(), data: {} });
    for (let i = 0; i < 8; i++) assert.equal(await meetings(body, 'whsec_an_expired_secret'), 401);

    await waitFor(() => pdActions(AUTH_KEY).includes('trigger') && opsPosts(AUTH_KEY).length > 0, `the page${said()}`);
    const trigger = pd.events.find((e) => e.dedup_key === AUTH_KEY);
    assert.equal(trigger?.routing_key, ROUTING_KEY);
    assert.equal(trigger?.payload?.severity, 'error');
    // The rule may see the burst before all of it has landed: at least minCount of the 8.
    assert.match(trigger?.payload?.summary ?? '', /^meetings: [5-8] authentication failures in 6 s \(SB_INGEST_SIGNATURE_INVALID ×[5-8]/);
    assert.match(String(opsPosts(AUTH_KEY)[0]?.args.text), /^:rotating_light: \*FIRING \(error\): authFailures on meetings\*/);

    await waitFor(() => pd.alerts.get(AUTH_KEY)?.status === 'resolved' && opsUpdates(AUTH_KEY).length > 0, `the resolve${said()}`);
    assert.deepEqual(pdActions(AUTH_KEY), ['trigger', 'resolve'], 'paged once, resolved once, with the same dedup_key');
    assert.equal(opsPosts(AUTH_KEY).length, 1, 'one Slack message');
    assert.equal(opsUpdates(AUTH_KEY).length, 1, '…edited once to say it resolved');
    const [message] = ops.messages(OPS_CHANNEL).filter((m) => m.text.includes(`alert key ${AUTH_KEY};`));
    assert.match(message?.text ?? '', /^:white_check_mark: \*RESOLVED \(error\): authFailures on meetings\*/);

    const alerts = (await admin<{ alerts: Array<{ alert_key: string; status: string; notify_count: number }> }>('GET', '/alerts?status=resolved')).json().alerts;
    assert.deepEqual(alerts.filter((a) => a.alert_key === AUTH_KEY).map((a) => [a.status, a.notify_count]), [['resolved', 1]]);
  });

  test('a new field in a meetings payload records exactly one drift row and sends exactly one schemaDrift alert', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const baseline = MEETINGS_SAMPLES['participant-joined'];
    assert.equal(await meetings(baseline), 200);
    // The baseline must be learned before the new field arrives (drift.warmupEvents: 1).
    await waitFor(
      async () => Number((await sql("SELECT max(seen_count) AS n FROM raw._schema_paths WHERE family = 'meetings' AND path = '$'"))[0]?.n ?? 0) >= 1,
      `the drift job learns the baseline${said()}`,
    );

    const event = JSON.parse(baseline) as { idempotencyKey: string; data: Record<string, unknown> };
    event.idempotencyKey = 'e2e-drift-0000-4000-8000-000000000002';
    event.data[NEW_FIELD] = 'br-7f3a';
    assert.equal(await meetings(JSON.stringify(event)), 200);

    const drift = async (): Promise<DriftRow[]> => {
      const answer = await admin<{ drift: DriftRow[] }>('GET', `/drift?since=${encodeURIComponent(since)}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.json().drift.filter((r) => r.family === 'meetings');
    };
    await waitFor(async () => (await drift()).length > 0, `a drift row${said()}`);
    await waitFor(() => pdActions(DRIFT_KEY).length > 0 && opsPosts(DRIFT_KEY).length > 0, `the schemaDrift alert${said()}`);
    // Later evaluations, with the drift still in the rule's window, must not announce it again.
    const seen = await evaluations();
    await waitFor(async () => (await evaluations()) >= seen + 2, `two more alert evaluations${said()}`);

    const rows = await drift();
    assert.deepEqual(
      rows.map((r) => [r.kind, r.event_type, r.path, r.new_type, r.count]),
      [['path_added', 'PARTICIPANT_JOINED', `$.data.${NEW_FIELD}`, 'string', 1]],
      'exactly one drift row',
    );
    assert.deepEqual(pdActions(DRIFT_KEY), ['trigger'], 'one PagerDuty trigger');
    assert.match(pd.events.find((e) => e.dedup_key === DRIFT_KEY)?.payload?.summary ?? '', new RegExp(`^meetings: 1 schema drift in .*new path \\$\\.data\\.${NEW_FIELD} \\(PARTICIPANT_JOINED\\)`));
    assert.equal(opsPosts(DRIFT_KEY).length, 1, 'one Slack message');
    const alerts = (await admin<{ alerts: Array<{ alert_key: string; status: string; notify_count: number }> }>('GET', '/alerts?status=firing')).json().alerts;
    assert.deepEqual(alerts.filter((a) => a.alert_key === DRIFT_KEY).map((a) => [a.status, a.notify_count]), [['firing', 1]]);
  });

  test('rows a sync destination refuses become dead letters, and a replay sends each once the destination accepts; a second replay sends nothing', async () => {
    const keys = Object.keys(ROWS).sort();
    // Slack refuses every post of this run (an `ok:false` answer that rejects the one record).
    dest.failNext('chat.postMessage', { error: 'msg_too_long' }, keys.length);
    const run = await admin('POST', '/sync', { names: [SYNC] });
    assert.equal(run.status, 200, run.text);
    const result = run.text.trim().split('\n').map((line) => JSON.parse(line) as { result?: { sent: number; rejected: number } }).find((l) => l.result !== undefined)?.result;
    assert.deepEqual([result?.sent, result?.rejected], [0, keys.length], run.text);
    assert.equal(dest.messages(SYNC_CHANNEL).length, 0);

    const listed = await admin<{ entries: DeadLetter[] }>('GET', `/dlq?source=sync&pipeline=${SYNC}`);
    assert.equal(listed.status, 200, listed.text);
    const entries = listed.json().entries;
    assert.deepEqual(entries.map((e) => e.id).sort(), keys.map((k) => `sync:${SYNC}:${k}`));
    for (const e of entries) assert.deepEqual([e.source, e.pipeline, e.code, e.count], ['sync', SYNC, 'msg_too_long', 1], JSON.stringify(e));

    // The fake accepts again (its forced failures are used up).
    const replay = await dlqCli(['replay', '--sync', SYNC, '--json']);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    const { outcomes } = JSON.parse(replay.stdout) as { outcomes: DeadLetterOutcome[] };
    assert.deepEqual(outcomes.map((o) => [o.id, o.status]).sort(), keys.map((k) => [`sync:${SYNC}:${k}`, 'replayed']));
    const texts = () => dest.messages(SYNC_CHANNEL).map((m) => m.text).sort();
    assert.deepEqual(texts(), Object.values(ROWS).sort(), 'each refused row posted exactly once');

    const posts = dest.calls('chat.postMessage');
    const again = await dlqCli(['replay', '--sync', SYNC, '--json']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { outcomes: DeadLetterOutcome[] }).outcomes, []);
    assert.equal(dest.calls('chat.postMessage'), posts, 'a second replay sends nothing');
    assert.deepEqual(texts(), Object.values(ROWS).sort());
    assert.deepEqual((await admin<{ entries: DeadLetter[] }>('GET', '/dlq?source=sync')).json().entries, [], 'no dead letters left');
  });
});
