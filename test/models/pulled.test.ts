/**
 * Pulled records in the curated tables, on real DuckDB and real Postgres: Work Analytics
 * call records become `calls` rows with their messy fields tidied (numbers with and without
 * "+", "CallQueue", "Missed"/"-", epoch-ms times with 0 for "never"), and a record pulled
 * again with new content replaces the old version.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { mockClock } from '../helpers/clock.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { landPage, preparePull, type PulledEvent, type PullTarget } from '../../ingest/pulls/land.js';
import { callLegEvent, callRecordEvent } from '../../ingest/pulls/work-analytics/records.js';
import type { SqlRow } from '../../sql/warehouse.js';
import { ccInteractionEvent } from '../../ingest/pulls/contact-center/records.js';
import { exportRowEvent } from '../../ingest/pulls/connect/records.js';
import { smsRow, voiceRow } from '../../fakes/connect-exports/index.js';

/** The documented call record (8x8.md §4.2), verbatim. */
const DOCUMENTED = {
  callId: '1741090012345', sipCallId: '8f21c7a0-4b1e@203.0.113.10', pbxId: 'acmecorp',
  startTimeUTC: 1741090012345, startTime: '2025-03-04T07:06:52.345-0500',
  connectTimeUTC: 1741090019120, connectTime: '2025-03-04T07:06:59.120-0500',
  disconnectedTimeUTC: 1741090311902, disconnectedTime: '2025-03-04T07:11:51.902-0500',
  talkTimeMS: 292782, talkTime: '00:04:52', callTime: 299557,
  caller: '+16175550123', callerName: 'JOHN DOE', callerId: 'JOHN DOE,+16175550123',
  callee: '1042', calleeName: 'Priya Patel', dnis: '16175550100',
  direction: 'Incoming', missed: '-', abandoned: '-', answered: 'Answered',
  answeredTime: 6775, ringDuration: 7, abandonedTime: 0,
  waitTimeMS: 0, waitTime: '00:00:00', calleeHoldDurationMS: 0, calleeHoldDuration: '00:00:00',
  lastLegDisposition: 'Answered', callLegCount: '2', aaDestination: null,
  departments: ['Support'], branches: ['Boston'],
};

/** A queue call nobody answered: no "+", connect times 0 / "0", "Missed". */
const MISSED_QUEUE = {
  ...DOCUMENTED, callId: '1741090099999', startTimeUTC: 1741093200000, startTime: '2025-03-04T08:00:00.000-0500',
  connectTimeUTC: 0, connectTime: '0', disconnectedTimeUTC: 1741093245000, disconnectedTime: '2025-03-04T08:00:45.000-0500',
  talkTimeMS: 0, talkTime: '00:00:00', callTime: 45000, caller: '6175550188', callerName: '6175550188', callerId: '6175550188,6175550188',
  callee: 'CallQueue', calleeName: 'Support Queue', answered: '-', missed: 'Missed', lastLegDisposition: 'Missed', callLegCount: 1,
};

/** An outgoing call from an extension, first pulled while 8x8 still showed it ringing. */
const OUTGOING_EARLY = {
  ...DOCUMENTED, callId: '1741090077777', startTimeUTC: 1741096800000, startTime: '2025-03-04T09:00:00.000-0500',
  connectTimeUTC: 0, connectTime: '0', disconnectedTimeUTC: 0, disconnectedTime: '0', talkTimeMS: 0, callTime: 0,
  caller: '1042', callerName: 'Priya Patel', callee: '+442071838750', calleeName: '', dnis: '442071838750', direction: 'Outgoing', answered: '-', lastLegDisposition: '-',
};
const OUTGOING_FINAL = {
  ...OUTGOING_EARLY, connectTimeUTC: 1741096805000, connectTime: '2025-03-04T09:00:05.000-0500', disconnectedTimeUTC: 1741096865000,
  disconnectedTime: '2025-03-04T09:01:05.000-0500', talkTimeMS: 60000, callTime: 65000, answered: 'Answered', lastLegDisposition: 'Answered',
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`pulled Work calls in the curated tables on ${warehouse}`, () => {
    let h: Harness;
    let settings: ProjectSettings;
    let rawSchema: string;
    const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const target = (): PullTarget => ({ rawSchema, table: 'work_events', family: 'work', source: 'work-analytics', runId: 'run-test' });
    const land = async (events: PulledEvent[]): Promise<void> => {
      await preparePull(h.server.warehouse, target());
      await landPage(h.server.warehouse, target(), events, { test: true });
    };
    const runBuild = async (fullRefresh = false): Promise<void> => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings, fullRefresh });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass'), [], 'every model builds and every data test passes');
    };
    const call = async (id: string): Promise<SqlRow> => {
      const found = await h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName(analytics, 'calls')} WHERE call_id = '${id}'`);
      assert.equal(found.length, 1, `one calls row for ${id}`);
      return found[0] as SqlRow;
    };

    before(async () => {
      h = await startHarness({ warehouse });
      rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      settings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: '', region_work: 'US' }, lookbackSeconds: 3600 };
    });
    after(async () => {
      if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${h.server.warehouse.dialect.quoteIdent(analytics)} CASCADE`);
      await h.close();
    });

    test('the documented record: E.164 from "+" and "+"-less numbers, the extension kept, UTC times, rounded durations', async () => {
      await land([DOCUMENTED, MISSED_QUEUE, OUTGOING_EARLY].map(callRecordEvent));
      await runBuild();
      assert.deepEqual(pick(await call('work:1741090012345'), ['source', 'direction', 'from_e164', 'to_e164', 'from_raw', 'to_raw', 'to_extension', 'started_at', 'answered_at', 'ended_at', 'ring_seconds', 'talk_seconds', 'duration_seconds', 'duration_hhmmss', 'outcome', 'is_missed', 'leg_count', 'queue_name']), {
        source: 'work', direction: 'inbound', from_e164: '+16175550123', to_e164: '+16175550100', from_raw: '+16175550123', to_raw: '16175550100', to_extension: '1042',
        started_at: '2025-03-04T12:06:52.345Z', answered_at: '2025-03-04T12:06:59.120Z', ended_at: '2025-03-04T12:11:51.902Z',
        ring_seconds: 7, talk_seconds: 293, duration_seconds: 300, duration_hhmmss: '00:05:00', outcome: 'answered', is_missed: false, leg_count: 2, queue_name: null,
      });
    });

    test('a missed queue call: connect time 0 is "never", "Missed" is missed, the queue named', async () => {
      assert.deepEqual(pick(await call('work:1741090099999'), ['from_e164', 'answered_at', 'ring_seconds', 'talk_seconds', 'duration_seconds', 'outcome', 'is_missed', 'queue_name', 'leg_count']), {
        from_e164: '+16175550188', answered_at: null, ring_seconds: null, talk_seconds: 0, duration_seconds: 45, outcome: 'missed', is_missed: true, queue_name: 'Support Queue', leg_count: 1,
      });
    });

    test('a record pulled again with new content: the newer version wins, still one row', async (t) => {
      const early = await call('work:1741090077777');
      assert.deepEqual(pick(early, ['direction', 'from_extension', 'to_e164', 'outcome', 'ended_at']), { direction: 'outbound', from_extension: '1042', to_e164: '+442071838750', outcome: 'in_progress', ended_at: null });
      mockClock(t, ['Date']).tick(1000); // a later landed_at
      await land([callRecordEvent(OUTGOING_FINAL)]);
      await runBuild();
      assert.deepEqual(pick(await call('work:1741090077777'), ['outcome', 'answered_at', 'talk_seconds', 'duration_seconds']), {
        outcome: 'answered', answered_at: '2025-03-04T14:00:05.000Z', talk_seconds: 60, duration_seconds: 65,
      });
    });

    test('legs: a Work leg lands in call_legs once its call record is there too', async () => {
      const leg = (callId: string, legId: string, callee: string, extra: Record<string, unknown> = {}) => ({
        callId, legId, parentCallId: callId, startTimeUTC: 1741090012345, connectTimeUTC: 1741090019120, disconnectedTimeUTC: 1741090311902,
        caller: '+16175550123', callee, status: 'Completed', cause: 'Normal Clearing', talkTimeMS: 292782, ...extra,
      });
      await land([
        callLegEvent(leg('1741090012345', '1', 'CallQueue', { connectTimeUTC: 0, talkTimeMS: 0, disconnectedTimeUTC: 1741090019120 })),
        callLegEvent(leg('1741090012345', '2', '1042')),
        callLegEvent(leg('1741090055555', '1', '1042')), // its call record has not been pulled
      ]);
      await runBuild();
      const legs = await h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName(analytics, 'call_legs')} WHERE call_id LIKE 'work:%' ORDER BY call_id, leg_id`);
      assert.deepEqual(legs.map((l) => pick(l, ['call_id', 'leg_id', 'direction', 'from_e164', 'to_raw', 'to_extension', 'answered_at', 'status', 'talk_seconds', 'duration_seconds'])), [
        { call_id: 'work:1741090012345', leg_id: '1', direction: 'inbound', from_e164: '+16175550123', to_raw: 'CallQueue', to_extension: null, answered_at: null, status: 'completed', talk_seconds: 0, duration_seconds: 7 },
        { call_id: 'work:1741090012345', leg_id: '2', direction: 'inbound', from_e164: '+16175550123', to_raw: '1042', to_extension: '1042', answered_at: '2025-03-04T12:06:59.120Z', status: 'completed', talk_seconds: 293, duration_seconds: 300 },
      ]);
      await land([callRecordEvent({ ...DOCUMENTED, callId: '1741090055555' })]);
      await runBuild();
      const [late] = await h.query(`SELECT COUNT(*) AS n FROM ${h.server.warehouse.dialect.tableName(analytics, 'call_legs')} WHERE call_id = 'work:1741090055555'`);
      assert.equal(Number(late?.n), 1, 'the leg appears with its call');
    });

    test('incremental builds over pulled records end where a full rebuild does', async () => {
      const tables = ['calls', 'call_legs', 'phone_numbers'];
      const snapshot = async (): Promise<Record<string, unknown[]>> => {
        const out: Record<string, unknown[]> = {};
        for (const table of tables) {
          const rows = await h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName(analytics, table)}`);
          out[table] = rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'landed_at')), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).sort();
        }
        return out;
      };
      const incremental = await snapshot();
      await runBuild(true);
      assert.deepEqual(await snapshot(), incremental);
    });
  });
}

/** A CC report row as 8x8 sends it: items of {key, label, value}. */
const ccRow = (values: Record<string, unknown>) => ({ total: null, items: Object.entries(values).map(([key, value]) => ({ key, label: key, value })) });

const CC_HANDLED = {
  interactionId: 'int-1', mediaType: 'Phone', direction: 'InboundDir', origination: '16693335004', destination: '16693335195',
  creationTime: '2025-03-04T14:00:00.000+03:00', finishedTime: '2025-03-04T14:05:10.000+03:00',
  queueName: 'Support EN', queueWaitDuration: { value: 10_400, ongoing: false }, interactionDuration: { value: 310_000, ongoing: false },
  participantId: 'ag1', participantName: 'Priya Patel', participantType: 'Agent', outcome: 'Handled',
};
const CC_ABANDONED = { ...CC_HANDLED, interactionId: 'int-2', participantId: '', participantType: '', outcome: 'Abandoned', interactionDuration: { value: 10_400, ongoing: false } };
const CC_CHAT = { ...CC_HANDLED, interactionId: 'int-3', mediaType: 'Chat' };

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`pulled Contact Center and Connect export rows, with webhooks, on ${warehouse}`, () => {
    let h: Harness;
    let settings: ProjectSettings;
    const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const land = async (table: string, family: string, events: PulledEvent[]): Promise<void> => {
      const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      const target: PullTarget = { rawSchema, table, family, source: `test-${table}`, runId: 'run-test' };
      await preparePull(h.server.warehouse, target);
      await landPage(h.server.warehouse, target, events, { test: true });
    };
    const runBuild = async (fullRefresh = false): Promise<void> => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings, fullRefresh });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass'), [], 'every model builds and every data test passes');
    };
    const select = (sql: string): Promise<SqlRow[]> => h.query(sql.replaceAll('analytics.', `${analytics}.`));

    before(async () => {
      h = await startHarness({ warehouse });
      const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      settings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: '', region_contact_center: 'US' }, lookbackSeconds: 3600 };
      for (const sample of ['session-summary'] as const) assert.equal((await h.send('voice', { sample })).statusCode, 200);
      assert.equal((await h.send('messaging', { sample: 'sms-receipt' })).statusCode, 200);
      await h.drain();
    });
    after(async () => {
      if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${h.server.warehouse.dialect.quoteIdent(analytics)} CASCADE`);
      await h.close();
    });

    test('CC voice interactions become calls with queue, wait and agent; chats do not', async () => {
      await land('contact_center_events', 'contact-center', [CC_HANDLED, CC_ABANDONED, CC_CHAT].map((v) => ccInteractionEvent(ccRow(v))));
      await runBuild();
      const rows = await select(`SELECT * FROM analytics.calls WHERE source = 'contact_center' ORDER BY call_id`);
      assert.deepEqual(rows.map((r) => pick(r, ['call_id', 'direction', 'from_e164', 'to_e164', 'started_at', 'answered_at', 'ended_at', 'ring_seconds', 'talk_seconds', 'duration_seconds', 'outcome', 'is_missed', 'queue_name', 'agent_id'])), [
        { call_id: 'cc:int-1', direction: 'inbound', from_e164: '+16693335004', to_e164: '+16693335195', started_at: '2025-03-04T11:00:00.000Z', answered_at: '2025-03-04T11:00:10.400Z', ended_at: '2025-03-04T11:05:10.000Z', ring_seconds: 10, talk_seconds: 300, duration_seconds: 310, outcome: 'answered', is_missed: false, queue_name: 'Support EN', agent_id: 'ag1' },
        // ended_at = creationTime + interactionDuration (10.4 s), not the finishedTime the fixture copied from int-1 (docs/conformance.md §5)
        { call_id: 'cc:int-2', direction: 'inbound', from_e164: '+16693335004', to_e164: '+16693335195', started_at: '2025-03-04T11:00:00.000Z', answered_at: null, ended_at: '2025-03-04T11:00:10.400Z', ring_seconds: 10, talk_seconds: null, duration_seconds: 10, outcome: 'abandoned', is_missed: true, queue_name: 'Support EN', agent_id: null },
      ]);
    });

    test('export rows merge with their webhooks; the ones without a webhook are listed as missed', async () => {
      const session = '9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61';
      await land('voice_events', 'voice', [
        exportRowEvent('voice', voiceRow({ SessionId: session, CallId: '9f7e2c11-0a4b-11f0-8d3a-1c2b3a4d5e6f', InitiatedAt: '2025-03-04T11:20:05.000Z' }, 0)),
        exportRowEvent('voice', voiceRow({ SessionId: 'sess-only-pulled', CallId: 'leg-only-pulled', InitiatedAt: '2025-03-04T15:00:00.000Z' }, 1)),
      ]);
      await land('messaging_events', 'messaging', [
        exportRowEvent('sms', { ...smsRow({ umid: '0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33', direction: '1', source: 'ACME', status_value: 'delivered', createdat: '2025-03-04T09:16:00.120Z' }, 0), msisdn: '+44770090xxxx', body: '**MASKED**' }),
        exportRowEvent('sms', smsRow({ umid: 'sms-only-pulled', direction: '1', createdat: '2025-03-04T10:00:00.000Z' }, 1)),
      ]);
      await runBuild();
      const [call] = await select(`SELECT COUNT(*) AS n, MAX(leg_count) AS legs FROM analytics.calls WHERE call_id = '${session}'`);
      assert.deepEqual([Number(call?.['n']), Number(call?.['legs'])], [1, 2], 'the exported leg folded into the webhook\'s session');
      const [message] = await select(`SELECT COUNT(*) AS n, MAX(to_raw) AS to_raw, MAX(body) AS body FROM analytics.messages WHERE message_id = '0b7f6e0c-93a4-4c61-8f0e-2b8f5d1e9c33'`);
      assert.deepEqual([Number(message?.['n']), message?.['to_raw'], message?.['body']], [1, '+447700900123', null], 'masked export values never replace what the webhook said');
      const daily = await select(`SELECT source, CAST(day AS ${h.server.warehouse.dialect.typeName('text')}) AS day, push_events, pull_events, both_events, missed_webhooks, missed_share FROM analytics.reconciliation_daily ORDER BY source`);
      assert.deepEqual(daily.map((r) => pick(r, ['source', 'day', 'push_events', 'pull_events', 'both_events', 'missed_webhooks', 'missed_share'])), [
        { source: 'connect_sms', day: '2025-03-04', push_events: 1, pull_events: 2, both_events: 1, missed_webhooks: 1, missed_share: 0.5 },
        { source: 'connect_voice', day: '2025-03-04', push_events: 1, pull_events: 2, both_events: 1, missed_webhooks: 1, missed_share: 0.5 },
      ]);
      const missed = await select(`SELECT source, item_id FROM analytics.reconciliation_missed_webhooks ORDER BY source`);
      assert.deepEqual(missed.map((r) => [r['source'], r['item_id']]), [['connect_sms', 'sms-only-pulled'], ['connect_voice', 'sess-only-pulled']]);
    });

    test('a webhook that arrives after the pull moves its item from missed to both, incrementally as in a full rebuild', async () => {
      const late = JSON.stringify({ namespace: 'SMS', eventType: 'outbound_message_status_changed', payload: { umid: 'sms-only-pulled', source: 'ACME', destination: '+6598765432', status: { state: 'delivered', timestamp: '2025-03-04T10:00:03Z' } } });
      assert.equal((await h.send('messaging', { body: late })).statusCode, 200);
      await h.drain();
      await runBuild();
      const snapshot = async (): Promise<unknown[]> => {
        const out: unknown[] = [];
        for (const table of ['calls', 'call_legs', 'messages', 'reconciliation_items', 'reconciliation_daily']) {
          const rows = await select(`SELECT * FROM analytics.${table}`);
          out.push(rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).sort());
        }
        return out;
      };
      const [sms] = await select(`SELECT missed_webhooks, both_events FROM analytics.reconciliation_daily WHERE source = 'connect_sms'`);
      assert.deepEqual([Number(sms?.['missed_webhooks']), Number(sms?.['both_events'])], [0, 2]);
      const incremental = await snapshot();
      await runBuild(true);
      assert.deepEqual(await snapshot(), incremental);
    });
  });
}

function pick(row: SqlRow, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = row[key];
    out[key] = (value as unknown) instanceof Date ? (value as unknown as Date).toISOString() : typeof value === 'bigint' ? Number(value) : value;
  }
  return out;
}
