/**
 * The bundled models, end to end, on one warehouse: events go in through the landing route
 * (signed, verified, spooled, drained), `build` runs the models and their data tests, and the
 * five curated tables hold the right rows. Covers the tricky cases of the models issue:
 * out-of-order and duplicate deliveries, receipts before their message, extensions and
 * alphanumeric senders, time formats, incremental runs matching a full rebuild, and the PII
 * policy. Run on DuckDB and Postgres by test/models/curated.test.ts, and on a real BigQuery
 * project by test/live/bigquery-models.live.ts (`npm run test:live -- bigquery`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Harness } from '../helpers/harness.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings, type RunResults } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import type { FamilyName } from '../../ingest/families/family.js';
import type { SqlRow } from '../../sql/warehouse.js';
import { SAMPLES } from '../../ingest/test-events.js';

const CURATED = ['calls', 'call_legs', 'messages', 'meetings', 'meeting_participants'] as const;

// ---- events beyond the documented samples ------------------------------------------------

const leg = (callId: string, direction: string, source: string, destination: string, extra: Record<string, unknown> = {}) => ({
  callId, callDirection: direction, callType: 'PSTN', source, destination, sourceFormat: 'MSISDN', destinationFormat: 'MSISDN',
  callStatus: 'COMPLETED', ...extra,
});

/** Legs out of order, "CallA" capitalised (8x8.md §2.2), an extension, a US caller. */
const REVERSED_LEGS = JSON.stringify({
  namespace: 'VOICE', eventType: 'SESSION_SUMMARY', description: 'Summary of a completed call session',
  payload: {
    sessionId: 'sess-reversed', subAccountId: 'acme_voice', sessionStatus: 'COMPLETED',
    startTime: '2025-03-04T15:00:00Z', endTime: '2025-03-04T16:02:05Z', callCount: 2,
    details: {
      callB: leg('leg-b', 'OUTBOUND', '+12015550123', '1042', {
        initiatedTimestamp: '2025-03-04T15:00:09Z', connectedTimestamp: '2025-03-04T15:00:12Z', disconnectedTimestamp: '2025-03-04T16:02:05Z', callDuration: 3713,
      }),
      CallA: leg('leg-a', 'INBOUND', '2015550199', '+12015550123', {
        sourceCountryCode: 'US', initiatedTimestamp: '2025-03-04T15:00:00Z', connectedTimestamp: '2025-03-04T15:00:02Z',
        disconnectedTimestamp: '2025-03-04T16:02:05Z', callDuration: 3723,
      }),
    },
  },
});

const NO_ANSWER = JSON.stringify({
  namespace: 'VOICE', eventType: 'SESSION_SUMMARY',
  payload: {
    sessionId: 'sess-missed', sessionStatus: 'NO_ANSWER', startTime: '2025-03-04T17:00:00Z', endTime: '2025-03-04T17:00:30Z',
    details: { callA: leg('leg-m', 'INBOUND', '+6591234567', '68001234', { destinationCountryCode: 'SG', initiatedTimestamp: '2025-03-04T17:00:00Z', disconnectedTimestamp: '2025-03-04T17:00:30Z', callStatus: 'NO_ANSWER', callDuration: 0 }) },
  },
});

const callStatus = (eventId: string, status: string, timestamp: string) =>
  JSON.stringify({
    namespace: 'VOICE', eventType: 'CALL_STATUS',
    payload: {
      eventId, callId: 'leg-masked', sessionId: 'sess-masked', callStatus: status, callDirection: 'OUTBOUND', callType: 'PSTN',
      source: '+6568001234', destination: '+6598765432', sourceCountryCode: 'SG', destinationCountryCode: 'SG', callDuration: status === 'CALL_DISCONNECTED' ? 40 : 0, timestamp,
    },
  });

const chatReceipt = (umid: string, state: string, timestamp: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 9, namespace: 'ChatApps', eventType: 'outbound_message_status_changed',
    payload: { umid, subAccountId: 'acme_wa_prod', channel: 'whatsapp', user: { msisdn: '+5511987654321' }, status: { state, timestamp, ...extra } },
  });

const smsReceipt = (umid: string, state: string, timestamp: string, errorCode?: number) =>
  JSON.stringify({
    namespace: 'SMS', eventType: 'outbound_message_status_changed',
    payload: { umid, source: 'ACME', destination: '+6598765432', status: { state, timestamp, ...(errorCode === undefined ? {} : { errorCode }) }, smsCount: 2 },
  });

const echo = (umid: string, text: string) =>
  JSON.stringify({
    version: 9, namespace: 'ChatApps', eventType: 'external_app_message',
    payload: { umid, subAccountId: 'acme_wa_prod', channel: 'whatsapp', user: { msisdn: '+5511987654321' }, timestamp: '2025-03-04T12:00:00.1234567Z', type: 'Text', content: { text } },
  });

const jaas = (key: string, eventType: string, timestamp: number, data: Record<string, unknown> = {}) =>
  JSON.stringify({
    idempotencyKey: key, customerId: 'c0ffee', appId: 'vpaas-magic-cookie-c0ffee', eventType, sessionId: 'meet-1',
    timestamp, fqn: 'vpaas-magic-cookie-c0ffee/board-review', data,
  });

const T0 = Date.parse('2025-03-05T09:00:00Z');

/** First wave: every documented sample, plus the tricky cases, some twice, in awkward orders. */
export const FIRST_WAVE: Array<[FamilyName, string]> = [
  ['voice', REVERSED_LEGS],
  ['voice', REVERSED_LEGS], // a retried delivery
  ['voice', NO_ANSWER],
  // Number-masking status events, newest first.
  ['voice', callStatus('st-3', 'CALL_DISCONNECTED', '2025-03-04T18:01:00.000Z')],
  ['voice', callStatus('st-2', 'CALL_CONNECTED', '2025-03-04T18:00:20.000Z')],
  ['voice', callStatus('st-1', 'CALL_INITIATED', '2025-03-04T18:00:00.000Z')],
  // WhatsApp receipts out of order: read, then sent, then delivered.
  ['messaging', chatReceipt('wa-1', 'read', '2025-03-04T12:05:00.00Z')],
  ['messaging', chatReceipt('wa-1', 'sent', '2025-03-04T12:00:01.5Z')],
  ['messaging', chatReceipt('wa-1', 'delivered', '2025-03-04T12:00:03.6030893Z')],
  // A receipt that arrives before its message (the Business App echo).
  ['messaging', chatReceipt('wa-2', 'delivered', '2025-03-04T12:00:02Z')],
  ['messaging', echo('wa-2', 'Your parcel is out for delivery')],
  // SMS that failed: undelivered is terminal even when a late 'queued' arrives after it.
  ['messaging', smsReceipt('sms-9', 'undelivered', '2025-03-04T13:00:05Z', 4001)],
  ['messaging', smsReceipt('sms-9', 'queued', '2025-03-04T13:00:00Z')],
  // JaaS in reverse: the room ends, the participant leaves, then everything else.
  ['meetings', jaas('k-destroyed', 'ROOM_DESTROYED', T0 + 3_600_000)],
  ['meetings', jaas('k-left', 'PARTICIPANT_LEFT', T0 + 3_000_000, { id: 'user-1', participantJid: 'p1@x', participantId: 'p-1', disconnectReason: 'left' })],
  ['meetings', jaas('k-joined', 'PARTICIPANT_JOINED', T0 + 60_000, { id: 'user-1', participantJid: 'p1@x', participantId: 'p-1', name: 'Ana', email: 'ana@example.com', moderator: 'true' })],
  ['meetings', jaas('k-joined', 'PARTICIPANT_JOINED', T0 + 60_000, { id: 'user-1', participantJid: 'p1@x', participantId: 'p-1', name: 'Ana', email: 'ana@example.com', moderator: 'true' })],
  ['meetings', jaas('k-joined-2', 'PARTICIPANT_JOINED', T0 + 120_000, { id: 'user-2', participantId: 'p-2', name: 'Bo', moderator: false })],
  ['meetings', jaas('k-dial', 'DIAL_IN_STARTED', T0 + 180_000, { direction: 'in', nick: '40364630871 (+40364630871)', participantJid: 'dial@x', participantId: 'p-dial' })],
  ['meetings', jaas('k-created', 'ROOM_CREATED', T0, { conference: 'board-review@conference.x' })],
  ['meetings', jaas('k-transcript', 'TRANSCRIPTION_UPLOADED', T0 + 3_700_000, { preAuthenticatedLink: 'https://example.com/t.txt' })],
  // A national number: the messaging family's configured region (SG) makes it E.164.
  ['messaging', JSON.stringify({ namespace: 'SMS', eventType: 'inbound_message_received', payload: { umid: 'sms-national', timestamp: '2025-03-04T09:00:00Z', source: '91234567', destination: '+6568001234', body: 'hi' } })],
];

/** Second wave, after a build: late events for rows that exist, and new rows. */
export const SECOND_WAVE: Array<[FamilyName, string]> = [
  ['messaging', smsReceipt('sms-10', 'sent', '2025-03-04T14:00:00Z')],
  ['meetings', jaas('k-left-2', 'PARTICIPANT_LEFT', T0 + 3_100_000, { id: 'user-2', participantId: 'p-2', disconnectReason: 'kicked' })],
  ['meetings', jaas('k-dial-end', 'DIAL_IN_ENDED', T0 + 1_800_000, { direction: 'in', nick: '40364630871 (+40364630871)', participantJid: 'dial@x', participantId: 'p-dial' })],
  ['voice', JSON.stringify({ namespace: 'VOICE', eventType: 'SESSION_SUMMARY', payload: { sessionId: 'sess-masked', sessionStatus: 'COMPLETED', startTime: '2025-03-04T18:00:00Z', endTime: '2025-03-04T18:01:00Z', details: { callA: leg('leg-masked', 'OUTBOUND', '+6568001234', '+6598765432', { sourceCountryCode: 'SG', initiatedTimestamp: '2025-03-04T18:00:00Z', connectedTimestamp: '2025-03-04T18:00:20Z', disconnectedTimestamp: '2025-03-04T18:01:00Z', callDuration: 40 }) } } })],
];

// ---- the suite, once per warehouse --------------------------------------------------------

/** A warehouse to run the suite on. */
export interface CuratedModelsTarget {
  /** Names the suite: `bundled models on <name>`, e.g. `postgres`. */
  name: string;
  /** Starts the landing server on this warehouse (test/helpers/harness.ts). */
  start(): Promise<Harness>;
  /** The schema the models build into, as the config names it (the dialect adds any prefix), e.g. `analytics`. */
  analytics: string;
  /** True when the analytics schema outlives the harness (a shared server) and must be dropped at the end. */
  dropAnalytics: boolean;
}

/** Declares `bundled models on <target.name>`: lands the events, builds every bundled model, checks the curated tables. */
export function curatedModelsSuite(target: CuratedModelsTarget): void {
  describe(`bundled models on ${target.name}`, () => {
    let h: Harness;
    let settings: ProjectSettings;
    const analytics = target.analytics;

    const send = async (events: ReadonlyArray<[FamilyName, string]>): Promise<void> => {
      for (const [family, body] of events) {
        const response = await h.send(family, { body });
        assert.equal(response.statusCode, 200, `${family} ${body.slice(0, 80)}: ${JSON.stringify(response.json)}`);
      }
      await h.drain();
    };
    const runBuild = async (extra: Partial<ProjectSettings> = {}, fullRefresh = false): Promise<RunResults> => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings: { ...settings, ...extra }, fullRefresh });
      const failures = results.results.filter((r) => r.status !== 'success' && r.status !== 'pass');
      assert.deepEqual(failures, [], 'every model builds and every data test passes');
      return results;
    };
    const rows = (table: string, order: string): Promise<SqlRow[]> =>
      h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName(analytics, table)} ORDER BY ${order}`);
    const one = async (table: string, where: string): Promise<SqlRow> => {
      const found = await h.query(`SELECT * FROM ${h.server.warehouse.dialect.tableName(analytics, table)} WHERE ${where}`);
      assert.equal(found.length, 1, `exactly one ${table} row where ${where}`);
      return found[0] as SqlRow;
    };

    before(async () => {
      h = await target.start();
      const rawSchema = h.config.file.warehouse.rawSchema;
      settings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: '', region_messaging: 'SG' }, lookbackSeconds: 3600 };
      // Every documented sample (the CALL_ACTION one is refused by design, 422).
      for (const [family, samples] of Object.entries(SAMPLES)) {
        for (const sample of Object.keys(samples)) {
          const response = await h.send(family as FamilyName, { sample });
          assert.equal(response.statusCode, sample === 'call-action' ? 422 : 200, `${family}/${sample}`);
        }
      }
      await send(FIRST_WAVE);
    });

    after(async () => {
      if (target.dropAnalytics) await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${h.server.warehouse.dialect.schemaName(analytics)} CASCADE`);
      await h.close();
    });

    test('the first build creates every model and passes every data test', async () => {
      const results = await runBuild();
      const models = results.results.filter((r) => r.kind === 'model').map((r) => r.node);
      for (const name of [...CURATED, 'phone_numbers']) assert.ok(models.includes(`model.${name}`), name);
      assert.ok(results.results.some((r) => r.kind === 'test'), 'data tests ran');
    });

    test('calls: one row per session, numbers in E.164 beside the raw value, extensions kept', async () => {
      const documented = await one('calls', `call_id = '9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61'`);
      assert.deepEqual(
        pick(documented, ['source', 'direction', 'from_e164', 'to_e164', 'from_raw', 'started_at', 'answered_at', 'ended_at', 'ring_seconds', 'talk_seconds', 'duration_seconds', 'duration_hhmmss', 'outcome', 'is_missed', 'leg_count']),
        {
          source: 'connect_voice', direction: 'inbound', from_e164: '+6591234567', to_e164: '+6568001234', from_raw: '+6591234567',
          started_at: '2025-03-04T11:20:05.000Z', answered_at: '2025-03-04T11:20:06.000Z', ended_at: '2025-03-04T11:23:41.000Z',
          ring_seconds: 1, talk_seconds: 215, duration_seconds: 216, duration_hhmmss: '00:03:36', outcome: 'answered', is_missed: false, leg_count: 2,
        },
      );
      // Legs listed callB first and spelled "CallA": the call still starts from CallA, the
      // national caller number gets the leg's country, and the retried delivery adds nothing.
      const reversed = await one('calls', `call_id = 'sess-reversed'`);
      assert.deepEqual(pick(reversed, ['direction', 'from_raw', 'from_e164', 'to_e164', 'leg_count', 'duration_seconds', 'duration_hhmmss']), {
        direction: 'inbound', from_raw: '2015550199', from_e164: '+12015550199', to_e164: '+12015550123', leg_count: 2, duration_seconds: 3725, duration_hhmmss: '01:02:05',
      });
      const missed = await one('calls', `call_id = 'sess-missed'`);
      assert.deepEqual(pick(missed, ['outcome', 'is_missed', 'to_e164', 'to_raw', 'answered_at', 'talk_seconds']), {
        outcome: 'missed', is_missed: true, to_e164: '+6568001234', to_raw: '68001234', answered_at: null, talk_seconds: null,
      });
      const [count] = await h.query(`SELECT COUNT(*) AS n FROM ${h.server.warehouse.dialect.tableName(analytics, 'calls')} WHERE call_id = 'sess-reversed'`);
      assert.equal(Number(count?.n), 1);
    });

    test('call_legs: one row per leg; an extension is kept as an extension, never forced into E.164', async () => {
      const legB = await one('call_legs', `leg_id = 'leg-b'`);
      assert.deepEqual(pick(legB, ['call_id', 'leg_name', 'to_raw', 'to_e164', 'to_extension', 'from_e164', 'talk_seconds', 'status']), {
        call_id: 'sess-reversed', leg_name: 'callB', to_raw: '1042', to_e164: null, to_extension: '1042', from_e164: '+12015550123', talk_seconds: 3713, status: 'completed',
      });
      // Status events that arrived newest first fold into one leg with the right moments.
      const masked = await one('call_legs', `leg_id = 'leg-masked'`);
      assert.deepEqual(pick(masked, ['started_at', 'answered_at', 'ended_at', 'status', 'talk_seconds', 'duration_seconds']), {
        started_at: '2025-03-04T18:00:00.000Z', answered_at: '2025-03-04T18:00:20.000Z', ended_at: '2025-03-04T18:01:00.000Z',
        status: 'call_disconnected', talk_seconds: 40, duration_seconds: 60,
      });
      const maskedCall = await one('calls', `call_id = 'sess-masked'`);
      assert.deepEqual(pick(maskedCall, ['direction', 'outcome', 'ring_seconds', 'talk_seconds']), { direction: 'outbound', outcome: 'answered', ring_seconds: 20, talk_seconds: 40 });
    });

    test('messages: furthest status whatever the receipt order; receipts before the message; terminal states', async () => {
      const wa1 = await one('messages', `message_id = 'wa-1'`);
      assert.deepEqual(pick(wa1, ['channel', 'direction', 'status', 'status_at', 'delivered_at', 'read_at', 'sent_at', 'to_e164']), {
        channel: 'whatsapp', direction: 'outbound', status: 'read', status_at: '2025-03-04T12:05:00.000Z',
        delivered_at: '2025-03-04T12:00:03.603Z', read_at: '2025-03-04T12:05:00.000Z', sent_at: '2025-03-04T12:00:01.500Z', to_e164: '+5511987654321',
      });
      const wa2 = await one('messages', `message_id = 'wa-2'`);
      assert.deepEqual(pick(wa2, ['body', 'status', 'sent_at', 'direction']), {
        body: 'Your parcel is out for delivery', status: 'delivered', sent_at: '2025-03-04T12:00:00.123Z', direction: 'outbound',
      });
      const sms9 = await one('messages', `message_id = 'sms-9'`);
      assert.deepEqual(pick(sms9, ['status', 'error_code', 'from_raw', 'from_e164', 'sender_id', 'segments', 'to_e164']), {
        status: 'undelivered', error_code: '4001', from_raw: 'ACME', from_e164: null, sender_id: 'ACME', segments: 2, to_e164: '+6598765432',
      });
      const inbound = await one('messages', `message_id = '3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10'`);
      assert.deepEqual(pick(inbound, ['channel', 'direction', 'status', 'body', 'from_e164', 'price_total', 'price_currency', 'sender_id']), {
        channel: 'sms', direction: 'inbound', status: 'received', body: 'STOP', from_e164: '+6591234567', price_total: 0.0061, price_currency: 'USD', sender_id: null,
      });
      const national = await one('messages', `message_id = 'sms-national'`);
      assert.deepEqual(pick(national, ['from_raw', 'from_e164']), { from_raw: '91234567', from_e164: '+6591234567' });
      const v3 = await one('messages', `message_id = 'c8a1e0d4-2f3b-4a5c-9d6e-7f8091a2b3c4'`);
      assert.equal(v3.channel_user_id, 'BR.48213377019284431', 'a BSUID is kept as the channel user id');
      // The agent's message goes to the conversation's customer: data.user.phone of its CONVERSATION_UPDATE.
      const chat = await one('messages', `channel = 'cc_chat'`);
      assert.deepEqual(pick(chat, ['direction', 'body', 'conversation_id', 'sent_at', 'from_e164', 'to_e164']), {
        direction: 'outbound', body: 'Your replacement ships today.', conversation_id: 'vXg39aMTRlq4xCBFaUCTlA', sent_at: '2025-03-04T11:22:00.514Z',
        from_e164: null, to_e164: '+5511987654321',
      });
    });

    test('meetings and participants: any arrival order, duplicates collapse, "true" is a boolean, dial-in number from the nick', async () => {
      const meeting = await one('meetings', `meeting_id = 'meet-1'`);
      assert.deepEqual(pick(meeting, ['room_name', 'started_at', 'ended_at', 'duration_seconds', 'participant_count', 'dial_in_count', 'has_recording', 'has_transcript']), {
        room_name: 'board-review', started_at: '2025-03-05T09:00:00.000Z', ended_at: '2025-03-05T10:00:00.000Z', duration_seconds: 3600,
        participant_count: 3, dial_in_count: 1, has_recording: false, has_transcript: true,
      });
      const ana = await one('meeting_participants', `participant_id = 'p-1'`);
      assert.deepEqual(pick(ana, ['meeting_id', 'name', 'email', 'is_moderator', 'joined_at', 'left_at', 'duration_seconds', 'disconnect_reason']), {
        meeting_id: 'meet-1', name: 'Ana', email: 'ana@example.com', is_moderator: true, joined_at: '2025-03-05T09:01:00.000Z', left_at: '2025-03-05T09:50:00.000Z',
        duration_seconds: 2940, disconnect_reason: 'left',
      });
      assert.equal((await one('meeting_participants', `participant_id = 'p-2'`)).is_moderator, false);
      const dial = await one('meeting_participants', `participant_id = 'p-dial'`);
      assert.equal(dial.phone_e164, '+40364630871');
      const documented = await one('meetings', `meeting_id = '7d0f3b2e-1a4c-4e8b-9f6d-2c5a8e1b7d90'`);
      assert.deepEqual(pick(documented, ['room_name', 'has_recording', 'recording_expires_at']), {
        room_name: 'weekly-standup', has_recording: true, recording_expires_at: '2025-03-05T12:30:05.512Z',
      });
      assert.equal((await one('meeting_participants', `meeting_id = '9a441d60-ceaf-4eba-b0a8-a7d940a76e1b'`)).is_moderator, true);
    });

    test('an incremental build merges late events and ends where a full rebuild does', async () => {
      await send(SECOND_WAVE);
      const results = await runBuild();
      const calls = results.results.find((r) => r.node === 'model.calls');
      assert.equal(calls?.materialized, 'incremental (delete+insert)', 'the bundled models keep the default strategy');
      assert.equal((await one('meeting_participants', `participant_id = 'p-2'`)).disconnect_reason, 'kicked');
      assert.equal((await one('meeting_participants', `participant_id = 'p-dial'`)).left_at, '2025-03-05T09:30:00.000Z');
      assert.equal((await one('calls', `call_id = 'sess-masked'`)).outcome, 'answered');
      assert.equal((await one('messages', `message_id = 'sms-10'`)).status, 'sent');

      const orders: Record<(typeof CURATED)[number], string> = {
        calls: 'call_id', call_legs: 'call_id, leg_id', messages: 'message_id', meetings: 'meeting_id', meeting_participants: 'meeting_id, participant_id',
      };
      const incremental = Object.fromEntries(await Promise.all(CURATED.map(async (t) => [t, await rows(t, orders[t])] as const)));
      const full = await runBuild({}, true);
      assert.equal(full.results.find((r) => r.node === 'model.calls')?.materialized, 'incremental (full)');
      for (const table of CURATED) assert.deepEqual(await rows(table, orders[table]), incremental[table], `${table}: incremental = full rebuild`);
    });

    test('the PII policy hashes or masks phone numbers and bodies in curated tables; raw keeps the originals', async () => {
      const policy = { hashSalt: 'pepper', piiPolicy: (model: string, column: string, kind: 'phone' | 'body') => (kind === 'body' ? 'mask' : model === 'calls' && column === 'from_raw' ? 'mask' : 'hash') } as const;
      await runBuild(policy, true);
      const inbound = await one('messages', `message_id = '3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10'`);
      const hashed = createHash('sha256').update('pepper+6591234567').digest('hex');
      assert.equal(inbound.body, '***');
      assert.equal(inbound.from_e164, hashed);
      const call = await one('calls', `call_id = '9f7e2c10-0a4b-11f0-9c1e-5b7d2e8a4c61'`);
      assert.equal(call.from_e164, hashed, 'the same number hashes the same in every table, so joins still work');
      assert.equal(call.from_raw, '*******4567', 'masked: all but the last 4 characters');
      const [raw] = await h.query(`SELECT body FROM ${h.raw('messaging_events')} WHERE dedupe_key LIKE '%3f1c2a9e-5b7d-4e8a-9c21-0d6e4b8f7a10'`);
      assert.match(String(raw?.body), /"body":"STOP"/);
      await runBuild({}, true); // back to keep, for any later test
    });
  });
}

function pick(row: SqlRow, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, row[k] === undefined ? '(missing column)' : row[k]]));
}
