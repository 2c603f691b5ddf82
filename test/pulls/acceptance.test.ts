/**
 * Issue 5's acceptance, as an operator would do it: a real `serve` on embedded DuckDB, the
 * documented webhooks landed through the signed routes, then `switchboard pull` backfills
 * from local 8x8 servers (Connect SMS and Voice exports, Work Analytics, Contact Center),
 * `switchboard build` merges push and pull, and `reconciliation_daily` shows the planted
 * missing webhooks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startFakeConnectExports, type FakeConnectExports } from '../../fakes/connect-exports/index.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { seedCcInteractions, startFakeCcAnalytics, type FakeCcAnalytics } from '../../fakes/cc-analytics/index.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const SESSION = '9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61'; // the documented session summary
const LEG_A = '9f7e2c11-0a4b-11f0-8d3a-1c2b3a4d5e6f';
const LEG_B = 'a3c5d7e9-0a4b-11f0-8d3a-1c2b3a4d5e6f';
const SMS_RECEIPT = '0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33'; // the documented SMS delivery receipt
const MISSED_SMS = ['sms-missed-1', 'sms-missed-2', 'sms-missed-3'];
const MISSED_SESSIONS = ['sess-missed-1', 'sess-missed-2'];

let dir: string;
let server: ServerProcess;
let connect: FakeConnectExports;
let work: FakeWorkAnalytics;
let cc: FakeCcAnalytics;
let env: Record<string, string>;
let workDay: Date;

async function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  const admin = args[0] === 'send-test-event' ? [] : ['--admin-url', server.adminUrl];
  const child = spawn(process.execPath, [CLI, ...args, '--config', join(dir, 'switchboard.json'), ...admin], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

async function sql(query: string): Promise<string> {
  const result = await cli('sql', query, '--format', 'csv');
  assert.equal(result.code, 0, result.out);
  return result.out.replace(/^Running in the server.*\n/m, '').trim();
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pull-acceptance-'));
  const voiceRow = (SessionId: string, CallId: string, InitiatedAt: string, extra: Record<string, string> = {}) => ({ SessionId, CallId, InitiatedAt, ...extra });
  connect = await startFakeConnectExports({
    polls: 2,
    sms: [
      // The documented receipt, as the export lists it: msisdn and body masked.
      { umid: SMS_RECEIPT, direction: '1', source: 'ACME', status_value: 'delivered', createdat: '2025-03-04T09:16:00.120Z', status_timestamp: '2025-03-04T09:16:02.370Z' },
      ...MISSED_SMS.map((umid, i) => ({ umid, direction: '1', source: 'ACME', status_value: 'delivered', createdat: `2025-03-04T1${i}:00:00.000Z` })),
    ],
    voice: [
      voiceRow(SESSION, LEG_A, '2025-03-04T11:20:05.000Z', { Direction: 'inbound', SourceEndpoint: '+6591234567', DestinationEndpoint: '+6568001234', ConnectedAt: '2025-03-04T11:20:06.000Z', DisconnectedAt: '2025-03-04T11:23:41.000Z', DurationInSec: '215', SessionStatus: 'COMPLETED', CallStatus: 'COMPLETED' }),
      voiceRow(SESSION, LEG_B, '2025-03-04T11:20:20.000Z', { Direction: 'outbound', SourceEndpoint: '+6568001234', DestinationEndpoint: '+6598765432', ConnectedAt: '2025-03-04T11:20:31.000Z', DisconnectedAt: '2025-03-04T11:23:41.000Z', DurationInSec: '190', SessionStatus: 'COMPLETED', CallStatus: 'COMPLETED' }),
      ...MISSED_SESSIONS.map((id, i) => voiceRow(id, `${id}-leg`, `2025-03-04T1${4 + i}:00:00.000Z`)),
    ],
  });
  // Work Analytics keeps two years: a recent day.
  workDay = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000);
  const seeded = seedWorkCalls({ count: 12, start: new Date(workDay.getTime() + 3_600_000), timeZone: 'UTC', spacingMs: 30 * 60_000 });
  work = await startFakeWorkAnalytics({ records: seeded.records, legs: seeded.legs });
  cc = await startFakeCcAnalytics({ interactions: seedCcInteractions({ count: 8, start: new Date(workDay.getTime() + 7_200_000), spacingMs: 20 * 60_000 }) });
  env = {
    PATH: process.env.PATH ?? '',
    SWITCHBOARD_CONNECT_API_KEY: 'test-connect-key',
    SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
    SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
    SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
    SWITCHBOARD_CC_ANALYTICS_CLIENT_ID: 'cc-app-key',
    SWITCHBOARD_CC_ANALYTICS_CLIENT_SECRET: 'cc-app-secret',
  };
  writeFileSync(
    join(dir, 'switchboard.json'),
    JSON.stringify({
      warehouse: { type: 'duckdb', path: join(dir, 'data', 'switchboard.duckdb') },
      spool: { dir: join(dir, 'data', 'spool') },
      log: { level: 'warn' },
      models: { schedule: 'off', regions: { work: 'US' } },
      pulls: {
        connect: {
          subAccountId: 'acme_sub', products: ['sms', 'voice'], smsUrl: connect.baseUrl('sms'), chatappsUrl: connect.baseUrl('chatapps'), voiceUrl: connect.baseUrl('voice'),
          pollIntervalMs: 20, schedule: 'off',
        },
        workAnalytics: { baseUrl: work.baseUrl, timeZone: 'UTC', pageSize: 5, schedule: 'off' },
        ccInteractions: { baseUrl: cc.baseUrl, tokenUrl: cc.tokenUrl, schedule: 'off' },
      },
    }),
  );
  server = await startServerProcess(join(dir, 'switchboard.json'), env, dir);
});

after(async () => {
  await server?.kill('SIGTERM');
  await connect?.close();
  await work?.close();
  await cc?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('webhooks land, backfills land history, build merges them, reconciliation shows the missing webhooks', { timeout: 300_000 }, async () => {
  for (const [family, sample] of [['voice', 'session-summary'], ['messaging', 'sms-receipt']] as const) {
    const sent = await cli('send-test-event', family, '--sample', sample, '--url', server.url);
    assert.equal(sent.code, 0, sent.out);
  }

  const list = await cli('pull', '--list');
  assert.match(list.out, /connect-sms .*pulls\.connect/);
  assert.match(list.out, /work-analytics/);
  assert.match(list.out, /cc-interactions/);

  for (const source of ['connect-sms', 'connect-voice']) {
    const pulled = await cli('pull', source, '--from', '2025-03-04', '--to', '2025-03-05');
    assert.equal(pulled.code, 0, pulled.out);
    assert.match(pulled.out, /Running in the server/, 'it ran in serve, which holds the DuckDB file');
    assert.match(pulled.out, new RegExp(`${source}: OK: ${source === 'connect-sms' ? 4 : 4} records`));
  }
  const workFrom = workDay.toISOString().slice(0, 10);
  const workTo = new Date(workDay.getTime() + 86_400_000).toISOString().slice(0, 10);
  const workPull = await cli('pull', 'work-analytics', '--from', workFrom, '--to', workTo);
  assert.equal(workPull.code, 0, workPull.out);
  assert.match(workPull.out, /work-analytics: OK: 36 records/);
  const ccPull = await cli('pull', 'cc-interactions', '--from', workFrom, '--to', workTo);
  assert.equal(ccPull.code, 0, ccPull.out);
  // 8 interactions plus one participant row for each of the 4 handled ones (includeParticipants, docs/conformance.md §2).
  assert.match(ccPull.out, /cc-interactions: OK: 12 records/);

  const again = await cli('pull', 'connect-sms', '--from', '2025-03-04', '--to', '2025-03-05');
  assert.match(again.out, /nothing to do/, 'a finished backfill is not read again');

  // Webhooks drain into the warehouse asynchronously: build until they are there.
  let calls = '';
  for (let i = 0; i < 50; i++) {
    const build = await cli('build');
    assert.equal(build.code, 0, build.out);
    calls = await sql(`SELECT COUNT(*) AS n FROM analytics.calls WHERE call_id = '${SESSION}'`);
    if (/\n1$/.test(calls) && /\n1$/.test(await sql(`SELECT COUNT(*) FROM analytics.messages WHERE message_id = '${SMS_RECEIPT}'`))) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  // Push and pull of the same call and the same SMS: one row each, legs merged.
  assert.equal(await sql(`SELECT COUNT(*) AS n, MAX(leg_count) AS legs, MAX(outcome) AS outcome FROM analytics.calls WHERE call_id = '${SESSION}'`), 'n,legs,outcome\n1,2,answered');
  assert.equal(await sql(`SELECT COUNT(*) AS n FROM analytics.call_legs WHERE call_id = '${SESSION}'`), 'n\n2');
  assert.equal(
    await sql(`SELECT COUNT(*) AS n, MAX(status) AS status, MAX(to_raw) AS to_raw FROM analytics.messages WHERE message_id = '${SMS_RECEIPT}'`),
    'n,status,to_raw\n1,delivered,+447700900123',
    "one row, and the export's masked msisdn did not replace the webhook's number",
  );
  // History only the pulls saw is there too.
  assert.equal(await sql(`SELECT source, COUNT(*) AS n FROM analytics.calls GROUP BY source ORDER BY source`), 'source,n\nconnect_voice,3\ncontact_center,4\nwork,12');

  // The planted missing webhooks, per source and day, and by id.
  assert.equal(
    await sql(`SELECT source, day, push_events, pull_events, both_events, missed_webhooks, ROUND(missed_share, 2) AS share FROM analytics.reconciliation_daily ORDER BY source`),
    'source,day,push_events,pull_events,both_events,missed_webhooks,share\nconnect_sms,2025-03-04,1,4,1,3,0.75\nconnect_voice,2025-03-04,1,3,1,2,0.67',
  );
  assert.equal(
    await sql(`SELECT source, item_id FROM analytics.reconciliation_missed_webhooks ORDER BY item_id`),
    `source,item_id\n${MISSED_SESSIONS.map((id) => `connect_voice,${id}`).join('\n')}\n${MISSED_SMS.map((id) => `connect_sms,${id}`).join('\n')}`,
  );
});
