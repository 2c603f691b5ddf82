/**
 * Issue 11, Contact Center Historical Analytics in the models, on real DuckDB and real
 * Postgres: interactions rendered by the fake in the documented shapes
 * (docs/analytics/docs/cc-historical-analytics-detailed-report.md in
 * 8x8Cloud/public-developer-docs), landed as the pull lands them, built into
 * stg_cc_interactions, stg_cc_participants and calls. Covers the documented outcomes
 * (voicemail and IVR endings are not missed calls), a transfer between two agents (the
 * interaction's agent and answer time come from its participant rows), the documented
 * shapes of labels and recordings, and times and durations as 8x8 defines them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { uniqueSchema } from '../helpers/postgres.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { landPage, preparePull, type PullTarget } from '../../ingest/pulls/land.js';
import { ccRowEvents } from '../../ingest/pulls/contact-center/records.js';
import type { SqlRow } from '../../sql/warehouse.js';
import { ccReportRow, type CcInteraction } from '../../fakes/cc-analytics/index.js';

const duration = (ms: number) => ({ value: ms, ongoing: false });
const at = (seconds: number) => new Date(Date.parse('2025-03-04T11:00:00.000Z') + seconds * 1000).toISOString();

const BASE: CcInteraction = {
  mediaType: 'Phone', direction: 'InboundDir', origination: '16693335004', destination: '16693335195',
  creationTime: at(0), queueName: 'Support EN', participants: [],
};

/**
 * A blind transfer from agent A to agent B: 20 s of IVR, 30 s in queue, A offered at 47 s and
 * accepting at 50 s, handling 60 s; B receives the transfer at 110 s, accepts at 112 s,
 * handles 90 s (to 202 s) and wraps up 15 s. interactionDuration = IVR + queue + handling
 * = 202 s; finishedTime comes after the wrap-up.
 */
const TRANSFER: CcInteraction = {
  ...BASE, interactionId: 'int-transfer', outcome: 'Handled', interactionLabels: ['Queued', 'Handled', 'BlindTransfer'],
  recordingFileNames: 'rec-1.wav,rec-2.wav', queueTime: at(20),
  ivrTreatmentDuration: duration(20_000), queueWaitDuration: duration(30_000), interactionDuration: duration(202_000),
  finishedTime: { value: at(217), ongoing: false },
  participants: [
    { participantAssignNumber: 1, participantAssignReason: 'Offered', participantType: 'Agent', participantId: 'agA', participantName: 'Priya Patel',
      participantOfferTime: at(47), participantOfferAction: 'Accepted', participantOfferActionTime: at(50), participantOfferDuration: duration(3_000),
      participantHandlingEndTime: at(110), participantHandlingDuration: duration(60_000), participantHandlingOutcome: 'Finished' },
    { participantAssignNumber: 2, participantAssignReason: 'TransferReceived', participantType: 'Agent', participantId: 'agB', participantName: 'John Doe',
      participantOfferTime: at(110), participantOfferAction: 'Accepted', participantOfferActionTime: at(112), participantOfferDuration: duration(2_000),
      participantHandlingEndTime: at(202), participantHandlingDuration: duration(90_000), participantWrapUpEndTime: at(217), participantWrapUpDuration: duration(15_000),
      participantHandlingOutcome: 'WrapUp' },
  ],
};
const VOICEMAIL: CcInteraction = {
  ...BASE, interactionId: 'int-voicemail', outcome: 'ForwardedToVoicemail', interactionLabels: ['Queued', 'ForwardedToVoicemail'], recordingFileNames: '',
  ivrTreatmentDuration: duration(10_000), queueWaitDuration: duration(40_000), interactionDuration: duration(50_000), finishedTime: { value: at(95), ongoing: false },
};
const IVR: CcInteraction = {
  ...BASE, interactionId: 'int-ivr', outcome: 'EndedInIvr', interactionLabels: ['EndedInIvr'], recordingFileNames: '', queueName: null,
  ivrTreatmentDuration: duration(15_000), queueWaitDuration: null, interactionDuration: duration(15_000), finishedTime: { value: at(15), ongoing: false },
};
const ABANDONED: CcInteraction = {
  ...BASE, interactionId: 'int-abandoned', outcome: 'Abandoned', interactionLabels: ['Queued', 'Abandoned'], recordingFileNames: '',
  ivrTreatmentDuration: duration(10_000), queueWaitDuration: duration(25_000), interactionDuration: duration(35_000), finishedTime: { value: at(35), ongoing: false },
};
/** An agent who let the offer time out, then no one: the interaction's outcome is OfferingTimeout, a missed call waiting in queue. */
const TIMED_OUT: CcInteraction = {
  ...BASE, interactionId: 'int-timeout', outcome: 'OfferingTimeout', interactionLabels: ['Queued', 'OfferingTimeout'], recordingFileNames: '',
  ivrTreatmentDuration: duration(5_000), queueWaitDuration: duration(60_000), interactionDuration: duration(65_000), finishedTime: { value: at(65), ongoing: false },
  participants: [
    { participantAssignNumber: 1, participantAssignReason: 'Offered', participantType: 'Agent', participantId: 'agA', participantName: 'Priya Patel',
      participantOfferTime: at(20), participantOfferAction: 'OfferTimeout', participantOfferActionTime: at(50), participantOfferDuration: duration(30_000) },
  ],
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`Contact Center interactions as 8x8 documents them, in the models, on ${warehouse}`, () => {
    let h: Harness;
    let settings: ProjectSettings;
    let target: PullTarget;
    const runBuild = async (fullRefresh = false): Promise<void> => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings, fullRefresh });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass'), [], 'every model builds and every data test passes');
    };
    const analytics = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const select = (sql: string): Promise<SqlRow[]> => h.query(sql.replaceAll('analytics.', `${analytics}.`));

    before(async () => {
      h = await startHarness({ warehouse });
      // Let the server finish creating its raw tables before the pull writes beside them.
      await h.drain();
      const rawSchema = (h.raw('x').split('.')[0] as string).replaceAll('"', '');
      settings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: '', region_contact_center: 'US' }, lookbackSeconds: 3600 };
      target = { rawSchema, table: 'contact_center_events', family: 'contact-center', source: 'test-cc', runId: 'run-test' };
      await preparePull(h.server.warehouse, target);
      const rows = [TRANSFER, VOICEMAIL, IVR, ABANDONED, TIMED_OUT].map((i) => ccReportRow(i, { tenantOffset: '+03:00', includeParticipants: true }));
      await landPage(h.server.warehouse, target, rows.flatMap(ccRowEvents), { test: true });
      await runBuild();
    });
    after(async () => {
      if (warehouse === 'postgres') await h.server.warehouse.run(`DROP SCHEMA IF EXISTS ${h.server.warehouse.dialect.quoteIdent(analytics)} CASCADE`);
      await h.close();
    });

    test('documented outcomes: voicemail and IVR endings are told apart from missed calls', async () => {
      const rows = await select(`SELECT call_id, outcome, ended_in, is_missed FROM analytics.calls WHERE source = 'contact_center' ORDER BY call_id`);
      assert.deepEqual(rows.map((r) => ({ ...r, is_missed: Boolean(r['is_missed']) })), [
        { call_id: 'cc:int-abandoned', outcome: 'abandoned', ended_in: 'queue', is_missed: true },
        { call_id: 'cc:int-ivr', outcome: 'ivr', ended_in: 'ivr', is_missed: false },
        { call_id: 'cc:int-timeout', outcome: 'missed', ended_in: 'queue', is_missed: true },
        { call_id: 'cc:int-transfer', outcome: 'answered', ended_in: 'agent', is_missed: false },
        { call_id: 'cc:int-voicemail', outcome: 'voicemail', ended_in: 'voicemail', is_missed: true },
      ]);
    });

    test('a transfer between two agents: two participant rows; the call is answered by the first acceptance and belongs to the last agent who accepted', async () => {
      const participants = await select(`SELECT call_id, assign_number, assign_reason, participant_id, offer_action, handling_ms FROM analytics.stg_cc_participants WHERE call_id = 'cc:int-transfer' ORDER BY assign_number`);
      assert.deepEqual(participants.map((r) => ({ ...r, assign_number: Number(r['assign_number']), handling_ms: Number(r['handling_ms']) })), [
        { call_id: 'cc:int-transfer', assign_number: 1, assign_reason: 'Offered', participant_id: 'agA', offer_action: 'Accepted', handling_ms: 60_000 },
        { call_id: 'cc:int-transfer', assign_number: 2, assign_reason: 'TransferReceived', participant_id: 'agB', offer_action: 'Accepted', handling_ms: 90_000 },
      ]);
      const [call] = await select(`SELECT agent_id, answered_at FROM analytics.calls WHERE call_id = 'cc:int-transfer'`);
      assert.deepEqual(call, { agent_id: 'agB', answered_at: at(50) });
      const [timeout] = await select(`SELECT agent_id, answered_at FROM analytics.calls WHERE call_id = 'cc:int-timeout'`);
      assert.deepEqual(timeout, { agent_id: null, answered_at: null }, 'an agent who only let the offer time out neither answered nor owns the call');
    });

    test('times and durations follow 8x8\'s definitions: answered at the first acceptance, talk = handling, duration = interactionDuration, ended before wrap-up', async () => {
      const rows = await select(`SELECT call_id, started_at, answered_at, ended_at, ring_seconds, talk_seconds, duration_seconds FROM analytics.calls WHERE source = 'contact_center' ORDER BY call_id`);
      const num = (v: unknown) => (v === null ? null : Number(v));
      assert.deepEqual(rows.map((r) => ({ ...r, ring_seconds: num(r['ring_seconds']), talk_seconds: num(r['talk_seconds']), duration_seconds: num(r['duration_seconds']) })), [
        { call_id: 'cc:int-abandoned', started_at: at(0), answered_at: null, ended_at: at(35), ring_seconds: 35, talk_seconds: null, duration_seconds: 35 },
        { call_id: 'cc:int-ivr', started_at: at(0), answered_at: null, ended_at: at(15), ring_seconds: 15, talk_seconds: null, duration_seconds: 15 },
        { call_id: 'cc:int-timeout', started_at: at(0), answered_at: null, ended_at: at(65), ring_seconds: 65, talk_seconds: null, duration_seconds: 65 },
        { call_id: 'cc:int-transfer', started_at: at(0), answered_at: at(50), ended_at: at(202), ring_seconds: 50, talk_seconds: 150, duration_seconds: 202 },
        { call_id: 'cc:int-voicemail', started_at: at(0), answered_at: null, ended_at: at(50), ring_seconds: 50, talk_seconds: null, duration_seconds: 50 },
      ]);
    });

    test('labels arrive as an array and recordings as a comma-separated string; staging reads both as comma lists', async () => {
      const rows = await select(`SELECT interaction_id, interaction_labels, recording_file_names, agent_id FROM analytics.stg_cc_interactions WHERE interaction_id IN ('int-transfer', 'int-ivr') ORDER BY interaction_id`);
      assert.deepEqual(rows, [
        { interaction_id: 'int-ivr', interaction_labels: 'EndedInIvr', recording_file_names: null, agent_id: null },
        { interaction_id: 'int-transfer', interaction_labels: 'Queued,Handled,BlindTransfer', recording_file_names: 'rec-1.wav,rec-2.wav', agent_id: null },
      ]);
    });

    test('an interaction pulled again after a transfer: incremental builds end where a full rebuild does, with the new agent', async () => {
      const [first, second] = TRANSFER['participants'] as Record<string, unknown>[];
      const before = { ...TRANSFER, interactionId: 'int-late', participants: [first], interactionLabels: ['Queued', 'Handled'], interactionDuration: duration(110_000) };
      const after = { ...TRANSFER, interactionId: 'int-late', participants: [first, second] };
      await landPage(h.server.warehouse, target, ccRowEvents(ccReportRow(before)), { test: true });
      await runBuild();
      const [early] = await select(`SELECT agent_id, talk_seconds FROM analytics.calls WHERE call_id = 'cc:int-late'`);
      assert.deepEqual([early?.['agent_id'], Number(early?.['talk_seconds'])], ['agA', 60]);
      await landPage(h.server.warehouse, target, ccRowEvents(ccReportRow(after)), { test: true });
      await runBuild();
      const snapshot = async () => (await select(`SELECT * FROM analytics.calls WHERE source = 'contact_center'`)).map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).sort();
      const incremental = await snapshot();
      const [late] = await select(`SELECT agent_id, talk_seconds, duration_seconds FROM analytics.calls WHERE call_id = 'cc:int-late'`);
      assert.deepEqual([late?.['agent_id'], Number(late?.['talk_seconds']), Number(late?.['duration_seconds'])], ['agB', 150, 202]);
      await runBuild(true);
      assert.deepEqual(incremental.map((r) => r.replace(/"(first_seen_at|last_updated_at)":"[^"]*"/g, '')), (await snapshot()).map((r) => r.replace(/"(first_seen_at|last_updated_at)":"[^"]*"/g, '')));
    });
  });
}
