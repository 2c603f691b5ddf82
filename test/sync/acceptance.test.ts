/**
 * Issue 4's acceptance, as an operator would do it: a real `serve` on embedded DuckDB, the
 * sample events landed through the signed webhook routes, then the CLI: `build`,
 * `sync --dry-run`, `sync --all` against local Salesforce, Zendesk and Slack, a second sync
 * that sends nothing, and a change to one call that sends exactly one update.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_SECRETS } from '../../core/secrets.js';
import { VOICE_SAMPLES } from '../../ingest/families/voice/samples.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startSalesforceServer, type SalesforceServer } from '../../fakes/salesforce/index.js';
import { startFakeZendesk, type FakeZendesk } from '../../fakes/zendesk/index.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const VIP = '+6591234567';

let dir: string;
let server: ServerProcess;
let sf: SalesforceServer;
let zendesk: FakeZendesk;
let slack: FakeSlack;
let env: Record<string, string>;

async function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CLI, ...args, '--config', join(dir, 'switchboard.json')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

async function postVoice(body: string): Promise<void> {
  const response = await fetch(`${server.url}/webhooks/8x8/voice`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: DEV_SECRETS.voiceAuthHeader },
    body,
  });
  assert.equal(response.status, 200, await response.text());
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sync-acceptance-'));
  sf = await startSalesforceServer();
  zendesk = await startFakeZendesk();
  slack = await startFakeSlack();
  sf.org.addContact({ LastName: 'Tan', Phone: VIP });
  env = {
    PATH: process.env.PATH ?? '',
    SWITCHBOARD_SALESFORCE_CLIENT_SECRET: sf.clientSecret,
    SWITCHBOARD_ZENDESK_API_TOKEN: zendesk.token,
    SWITCHBOARD_SLACK_BOT_TOKEN: slack.token,
  };
  writeFileSync(
    join(dir, 'switchboard.json'),
    JSON.stringify({
      warehouse: { type: 'duckdb', path: join(dir, 'data', 'switchboard.duckdb') },
      spool: { dir: join(dir, 'data', 'spool') },
      log: { level: 'warn' },
      models: { schedule: 'off', vars: { priority_callers: [VIP] } },
      destinations: {
        salesforce: { loginUrl: sf.url, clientId: sf.clientId },
        zendesk: { url: zendesk.url, email: zendesk.email },
        slack: { apiUrl: slack.url },
      },
      syncs: [
        {
          name: 'calls_to_salesforce', model: 'salesforce_call_tasks', key: 'call_id', destination: 'salesforce', object: 'Task', schedule: 'off',
          mapping: { Subject: 'subject', CallType: 'call_type', CallDurationInSeconds: 'call_duration_seconds', CallObject: 'call_object', ActivityDate: 'activity_date', Status: 'status', Description: 'description', WhoId: 'who_id' },
        },
        { name: 'missed_calls_to_zendesk', model: 'zendesk_missed_call_tickets', key: 'call_id', destination: 'zendesk', object: 'tickets', schedule: 'off', mapping: { subject: 'subject', comment_body: 'comment_body', priority: 'priority', tags: 'tags' } },
        { name: 'escalations_to_slack', model: 'slack_escalations', key: 'call_id', destination: 'slack', object: 'C0ALERTS', schedule: 'off', priority: 'alert', mapping: { text: 'text' } },
      ],
    }),
  );
  server = await startServerProcess(join(dir, 'switchboard.json'), env, dir);
});

after(async () => {
  await server?.kill('SIGTERM');
  await sf?.close();
  await zendesk?.close();
  await slack?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const admin = () => ['--admin-url', server.adminUrl];

test('land, build, dry-run, sync, sync again, change one call', { timeout: 300_000 }, async () => {
  // The documented samples, plus a missed call from a VIP (for Zendesk and Slack).
  for (const sample of ['session-summary', 'call-status']) {
    const sent = await cli('send-test-event', 'voice', '--sample', sample, '--url', server.url);
    assert.equal(sent.code, 0, sent.out);
  }
  await postVoice(JSON.stringify({
    namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
    payload: {
      sessionId: 'vip-missed', sessionStatus: 'NO_ANSWER', startTime: '2025-03-04T17:00:00Z', endTime: '2025-03-04T17:00:40Z',
      details: { callA: { callId: 'vip-leg', callDirection: 'INBOUND', callType: 'PSTN', source: VIP, destination: '+6568001234', sourceCountryCode: 'SG', initiatedTimestamp: '2025-03-04T17:00:00Z', disconnectedTimestamp: '2025-03-04T17:00:40Z', callStatus: 'NO_ANSWER', callDuration: 0 } },
    },
  }));

  // Events drain into the warehouse asynchronously: build until the calls are there.
  let built = '';
  for (let i = 0; i < 50; i++) {
    const build = await cli('build', ...admin());
    assert.equal(build.code, 0, build.out);
    const rows = await cli('sql', 'SELECT COUNT(*) AS n FROM analytics.calls', '--format', 'csv', ...admin());
    built = rows.out;
    if (/\n3\n/.test(rows.out)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(built, /\n3\n/, 'three calls built');

  const dry = await cli('sync', '--all', '--dry-run', ...admin());
  assert.equal(dry.code, 0, dry.out);
  assert.match(dry.out, /calls_to_salesforce: 3 changes: 3 to create/);
  assert.match(dry.out, /missed_calls_to_zendesk: 1 changes: 1 to create/);
  assert.match(dry.out, /escalations_to_slack: 1 changes: 1 to create/);
  assert.match(dry.out, /create +vip-missed/, 'samples show what would be sent');
  assert.equal(sf.org.live('Task').length + zendesk.tickets.size + slack.messages('C0ALERTS').length, 0, 'a dry run sends nothing');

  const first = await cli('sync', '--all', ...admin());
  assert.equal(first.code, 0, first.out);
  assert.equal(sf.org.live('Task').length, 3);
  const vipTask = sf.org.taskByExternalId('vip-missed');
  assert.equal(vipTask?.CallType, 'Inbound');
  assert.ok(typeof vipTask?.WhoId === 'string' && vipTask.WhoId !== '', 'the VIP call is linked to the Contact by E.164 phone');
  assert.equal(zendesk.byExternalId('vip-missed').length, 1);
  assert.equal(slack.messages('C0ALERTS').length, 1);

  sf.resetStats();
  const zendeskRequests = zendesk.requests.length;
  const second = await cli('sync', '--all', ...admin());
  assert.equal(second.code, 0, second.out);
  assert.match(second.out, /calls_to_salesforce: 0 changes/);
  assert.match(second.out, /missed_calls_to_zendesk: 0 changes/);
  assert.match(second.out, /escalations_to_slack: 0 changes/);
  assert.equal(sf.stats.byKind['collections:upsert'] ?? 0, 0, 'nothing sent to Salesforce');
  assert.equal(zendesk.requests.filter((r) => r.method !== 'GET').length, zendesk.requests.slice(0, zendeskRequests).filter((r) => r.method !== 'GET').length, 'nothing written to Zendesk');

  // The masked call had only a status event; its session summary now completes it.
  const summary = JSON.parse(VOICE_SAMPLES['session-summary']) as { payload: Record<string, unknown> & { details: Record<string, Record<string, unknown>> } };
  summary.payload.sessionId = 'a4fad4b3-b388-12ee-b217-2fb8260fcf59';
  summary.payload.details = { callA: { ...summary.payload.details.callA, callId: '627e25f1-133a-11ef-b08c-e33c09483244' } };
  await postVoice(JSON.stringify(summary));
  for (let i = 0; i < 50; i++) {
    await cli('build', ...admin());
    const dryAgain = await cli('sync', 'calls_to_salesforce', '--dry-run', ...admin());
    if (/1 changes: 0 to create, 1 to update/.test(dryAgain.out)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  sf.resetStats();
  const third = await cli('sync', '--all', ...admin());
  assert.equal(third.code, 0, third.out);
  assert.match(third.out, /calls_to_salesforce: 1 changes: 0 to create, 1 to update/);
  assert.match(third.out, /calls_to_salesforce: OK: sent 1,/);
  assert.equal(sf.org.live('Task').length, 3, 'updated, not created');
  assert.equal(sf.stats.byKind['collections:upsert'], 1, 'one call to Salesforce');
  assert.match(third.out, /missed_calls_to_zendesk: 0 changes/);
  assert.match(third.out, /escalations_to_slack: 0 changes/);
});
