/**
 * The marts (models/marts/, tag:marts), row for row, on real DuckDB and real Postgres: the
 * controlled events of marts-fixtures.ts land as the pulls land them, every bundled model
 * builds with a project layer whose seed sets the queue targets, and each mart holds exactly
 * the rows the definitions in its header give. Covers the interval boundary (10:14:59.999 and
 * 10:15:00.000), answered, abandoned (short and late) and flowed-out calls, a queue without a
 * seed row (the '*' row, then none), a transfer between two agents, UTC days, meetings across
 * midnight and still open, and calls rolled up to Salesforce accounts (Leads and private
 * Contacts have none).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { landPage, preparePull, type PulledEvent } from '../../ingest/pulls/land.js';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { build, type ProjectSettings } from '../../sql/engine/run.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { salesforcePeopleTable } from '../../sync/destinations/salesforce/people.js';
import { migrated } from '../helpers/migrate.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { ccEvents, CC_INTERACTIONS, MEETING_EVENTS, PEOPLE, utc, VOICE_EVENTS } from './marts-fixtures.js';
import { ccReportRow, type CcInteraction } from '../../fakes/cc-analytics/index.js';
import { ccRowEvents } from '../../ingest/pulls/contact-center/records.js';

const TARGETS = 'queue_name,target_answer_seconds,target_service_level\nSupport EN,30,0.9\n*,20,0.8\n';

/** Numbers as numbers, dates as `YYYY-MM-DD`, the rest as the warehouse returns it. */
function plain(row: SqlRow, dates: readonly string[] = []): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => {
      if (dates.includes(key)) return [key, value === null ? null : String(value).slice(0, 10)];
      if (typeof value === 'bigint') return [key, Number(value)];
      if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return [key, Number(value)];
      return [key, value];
    }),
  );
}

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`marts from controlled events on ${kind}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'marts-'));
    const layer = join(dir, 'project');
    const rawSchema = kind === 'postgres' ? uniqueSchema('raw') : 'raw';
    const analytics = kind === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    const settings: ProjectSettings = { targetSchema: analytics, sources: { raw: rawSchema }, vars: { default_region: 'US' } };
    let wh: Warehouse;

    const land = async (table: string, family: string, events: readonly PulledEvent[]): Promise<void> => {
      const target = { rawSchema, table, family, source: `test-${family}`, runId: 'run-test' };
      await preparePull(wh, target);
      await landPage(wh, target, events, { test: true });
    };
    const runBuild = async (options: { fullRefresh?: boolean; select?: string[] } = {}): Promise<void> => {
      const project = await loadProject([BUNDLED_MODELS_DIR, { dir: layer, package: 'project' }], wh.dialect);
      const results = await build(wh, project, { settings, ...options });
      assert.deepEqual(results.results.filter((r) => r.status !== 'success' && r.status !== 'pass').map((r) => `${r.node}: ${r.message}`), [], 'every model builds and every data test passes');
    };
    const rows = async (model: string, order: string, dates: readonly string[] = []): Promise<Array<Record<string, unknown>>> =>
      (await wh.all(`SELECT * FROM ${wh.dialect.tableName(analytics, model)} ORDER BY ${order}`)).map((r) => plain(r, dates));
    const writeTargets = (csv: string): void => {
      mkdirSync(join(layer, 'seeds'), { recursive: true });
      writeFileSync(join(layer, 'seeds', 'queue_sla_targets.csv'), csv);
    };

    before(async () => {
      writeTargets(TARGETS);
      wh = await migrated(
        await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL }),
        { rawSchema, modelsSchema: analytics },
      );
      for (const table of ['messaging_events', 'work_events']) await preparePull(wh, { rawSchema, table, family: 'x', source: 'x', runId: 'x' });
      await land('contact_center_events', 'contact-center', ccEvents());
      await land('meetings_events', 'meetings', MEETING_EVENTS);
      await land('voice_events', 'voice', VOICE_EVENTS);
      const people = salesforcePeopleTable(analytics);
      await wh.run(wh.dialect.createSchema(analytics));
      await wh.run(wh.dialect.createTable(people));
      await wh.writeRows(people, PEOPLE.map((p) => ({ ...p, pulled_at: new Date('2025-03-06T00:00:00Z') })), { mode: 'append' });
      await runBuild();
    });
    after(async () => {
      if (kind === 'postgres') {
        for (const schema of [rawSchema, analytics]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
      }
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('queue_calls: one row per finished queued call, waits from queueWaitDuration, bands, handle time and SLA status against the queue\'s target', async () => {
      const got = await rows('queue_calls', 'call_id');
      const pick = ({ call_id, queue_name, offered_at, interval_start, outcome, agent_id, wait_seconds, wait_band, talk_seconds, wrap_up_seconds, handle_seconds, duration_bucket, target_answer_seconds, target_service_level, sla_status }: Record<string, unknown>) =>
        ({ call_id, queue_name, offered_at, interval_start, outcome, agent_id, wait_seconds, wait_band, talk_seconds, wrap_up_seconds, handle_seconds, duration_bucket, target_answer_seconds, target_service_level, sla_status });
      const support = { queue_name: 'Support EN', target_answer_seconds: 30, target_service_level: 0.9 };
      const billing = { queue_name: 'Billing', target_answer_seconds: 20, target_service_level: 0.8 };
      assert.deepEqual(got.map(pick), [
        { call_id: 'cc:a', ...support, offered_at: utc('10:14:59.999'), interval_start: utc('10:00:00'), outcome: 'answered', agent_id: 'agA', wait_seconds: 25, wait_band: '20-30s', talk_seconds: 120, wrap_up_seconds: 30, handle_seconds: 150, duration_bucket: '2-5m', sla_status: 'met' },
        { call_id: 'cc:b', ...support, offered_at: utc('10:15:00'), interval_start: utc('10:15:00'), outcome: 'answered', agent_id: 'agB', wait_seconds: 45, wait_band: '30-60s', talk_seconds: 150, wrap_up_seconds: 15, handle_seconds: 165, duration_bucket: '2-5m', sla_status: 'missed' },
        { call_id: 'cc:c', ...support, offered_at: utc('10:15:30'), interval_start: utc('10:15:00'), outcome: 'abandoned', agent_id: null, wait_seconds: 8, wait_band: '<10s', talk_seconds: null, wrap_up_seconds: null, handle_seconds: null, duration_bucket: '<30s', sla_status: 'short_abandon' },
        { call_id: 'cc:d', ...support, offered_at: utc('10:20:05'), interval_start: utc('10:15:00'), outcome: 'abandoned', agent_id: null, wait_seconds: 50, wait_band: '30-60s', talk_seconds: null, wrap_up_seconds: null, handle_seconds: null, duration_bucket: '30s-2m', sla_status: 'missed' },
        { call_id: 'cc:e', ...support, offered_at: utc('10:25:05'), interval_start: utc('10:15:00'), outcome: 'voicemail', agent_id: null, wait_seconds: 12, wait_band: '10-20s', talk_seconds: null, wrap_up_seconds: null, handle_seconds: null, duration_bucket: '30s-2m', sla_status: 'flow_out' },
        { call_id: 'cc:g', ...billing, offered_at: utc('11:00:05'), interval_start: utc('11:00:00'), outcome: 'answered', agent_id: 'agC', wait_seconds: 20, wait_band: '20-30s', talk_seconds: 100, wrap_up_seconds: null, handle_seconds: 100, duration_bucket: '2-5m', sla_status: 'met' },
        { call_id: 'cc:h', ...billing, offered_at: utc('11:05:05'), interval_start: utc('11:00:00'), outcome: 'answered', agent_id: 'agA', wait_seconds: 25, wait_band: '20-30s', talk_seconds: 200, wrap_up_seconds: 10, handle_seconds: 210, duration_bucket: '2-5m', sla_status: 'missed' },
        { call_id: 'cc:i', ...support, offered_at: utc('23:59:50'), interval_start: utc('23:45:00'), outcome: 'answered', agent_id: 'agB', wait_seconds: 10, wait_band: '10-20s', talk_seconds: 30, wrap_up_seconds: null, handle_seconds: 30, duration_bucket: '30s-2m', sla_status: 'met' },
      ]);
    });

    test('queue_intervals: per queue and 15-minute UTC interval; 10:14:59.999 and 10:15:00 fall on either side; service level = met / (met + missed)', async () => {
      const support = { queue_name: 'Support EN', target_answer_seconds: 30, target_service_level: 0.9 };
      assert.deepEqual(await rows('queue_intervals', 'queue_name, interval_start'), [
        {
          queue_name: 'Billing', interval_start: utc('11:00:00'), offered: 2, answered: 2, abandoned: 0, short_abandoned: 0, answered_within_target: 1, service_level_calls: 2,
          avg_wait_seconds: 22.5, max_wait_seconds: 25, avg_answer_seconds: 22.5, avg_handle_seconds: 155, target_answer_seconds: 20, target_service_level: 0.8, service_level: 0.5, meets_target: false,
        },
        {
          ...support, interval_start: utc('10:00:00'), offered: 1, answered: 1, abandoned: 0, short_abandoned: 0, answered_within_target: 1, service_level_calls: 1,
          avg_wait_seconds: 25, max_wait_seconds: 25, avg_answer_seconds: 25, avg_handle_seconds: 150, service_level: 1, meets_target: true,
        },
        {
          // b answered late and d abandoned late count against; c abandoned within 30 s and e went to voicemail within it: neither counts.
          ...support, interval_start: utc('10:15:00'), offered: 4, answered: 1, abandoned: 2, short_abandoned: 1, answered_within_target: 0, service_level_calls: 2,
          avg_wait_seconds: 28.75, max_wait_seconds: 50, avg_answer_seconds: 45, avg_handle_seconds: 165, service_level: 0, meets_target: false,
        },
        {
          ...support, interval_start: utc('23:45:00'), offered: 1, answered: 1, abandoned: 0, short_abandoned: 0, answered_within_target: 1, service_level_calls: 1,
          avg_wait_seconds: 10, max_wait_seconds: 10, avg_answer_seconds: 10, avg_handle_seconds: 30, service_level: 1, meets_target: true,
        },
      ]);
    });

    test('agent_daily: each accepting agent per UTC day, a transfer counting for both; a call without participant rows for its agent', async () => {
      assert.deepEqual(await rows('agent_daily', 'agent_id, day', ['day']), [
        { agent_id: 'agA', day: '2025-03-04', agent_name: 'Priya Patel', calls_handled: 3, talk_seconds: 380, wrap_up_seconds: 40, handle_seconds: 420, avg_handle_seconds: 140 },
        { agent_id: 'agB', day: '2025-03-04', agent_name: 'John Doe', calls_handled: 1, talk_seconds: 90, wrap_up_seconds: 15, handle_seconds: 105, avg_handle_seconds: 105 },
        { agent_id: 'agB', day: '2025-03-05', agent_name: 'John Doe', calls_handled: 1, talk_seconds: 30, wrap_up_seconds: null, handle_seconds: 30, avg_handle_seconds: 30 },
        { agent_id: 'agC', day: '2025-03-04', agent_name: null, calls_handled: 1, talk_seconds: 100, wrap_up_seconds: null, handle_seconds: 100, avg_handle_seconds: 100 },
      ]);
    });

    test('meetings_daily: meetings, participants, minutes and dial-ins per UTC start day; an open meeting adds no minutes', async () => {
      assert.deepEqual(await rows('meetings_daily', 'day', ['day']), [
        { day: '2025-03-05', meetings: 2, participants: 4, peak_participants: 3, dial_ins: 1, meetings_with_dial_in: 1, meeting_minutes: 90, participant_minutes: 150 },
        { day: '2025-03-06', meetings: 1, participants: 2, peak_participants: 2, dial_ins: 0, meetings_with_dial_in: 0, meeting_minutes: 0, participant_minutes: 10 },
      ]);
    });

    test('account_call_rollup: calls of an account\'s Contacts rolled up; Leads, private Contacts and unknown callers have no account', async () => {
      assert.deepEqual(await rows('account_call_rollup', 'account_id'), [
        {
          account_id: '001000000000001AAA', calls: 3, inbound_calls: 2, outbound_calls: 1, answered_calls: 1, missed_calls: 2, talk_seconds: 180, people_called: 2,
          first_call_at: utc('09:00:00'), last_call_at: utc('08:00:00', 0, '2025-03-05'), last_call_outcome: 'missed',
        },
        {
          account_id: '001000000000002AAA', calls: 1, inbound_calls: 1, outbound_calls: 0, answered_calls: 1, missed_calls: 0, talk_seconds: 60, people_called: 1,
          first_call_at: utc('08:00:00', 0, '2025-03-03'), last_call_at: utc('08:00:00', 0, '2025-03-03'), last_call_outcome: 'answered',
        },
      ]);
      // The same person as each call's Task names (salesforce_call_tasks.who_id), rolled up by their account.
      const viaTasks = await wh.all(
        `SELECT p.account_id, COUNT(*) AS calls FROM ${wh.dialect.tableName(analytics, 'salesforce_call_tasks')} AS t ` +
          `JOIN (SELECT DISTINCT id, account_id FROM ${wh.dialect.tableName(analytics, 'salesforce_people')} WHERE account_id IS NOT NULL) AS p ON p.id = t.who_id ` +
          'GROUP BY p.account_id ORDER BY p.account_id',
      );
      assert.deepEqual(viaTasks.map((r) => plain(r)), [{ account_id: '001000000000001AAA', calls: 3 }, { account_id: '001000000000002AAA', calls: 1 }]);
    });

    test('a call that ends after a build joins its interval at the next incremental build, as a full rebuild has it', async () => {
      const f = CC_INTERACTIONS.find((i) => i['interactionId'] === 'f') as CcInteraction;
      const ended = { ...f, outcome: 'Handled', queueWaitDuration: { value: 40_000, ongoing: false }, interactionDuration: { value: 105_000, ongoing: false }, participants: [
        { participantAssignNumber: 1, participantAssignReason: 'Offered', participantType: 'Agent', participantId: 'agA', participantName: 'Priya Patel', participantOfferTime: utc('10:40:45'),
          participantOfferAction: 'Accepted', participantOfferActionTime: utc('10:40:45'), participantHandlingDuration: { value: 60_000, ongoing: false } },
      ] };
      await land('contact_center_events', 'contact-center', ccRowEvents(ccReportRow(ended)));
      await runBuild();
      const incremental = await rows('queue_intervals', 'queue_name, interval_start');
      const late = incremental.find((r) => r['queue_name'] === 'Support EN' && r['interval_start'] === utc('10:30:00'));
      assert.deepEqual([late?.['offered'], late?.['answered'], late?.['answered_within_target'], late?.['service_level_calls'], late?.['max_wait_seconds']], [1, 1, 0, 1, 40]);
      const agents = await rows('agent_daily', 'agent_id, day', ['day']);
      assert.equal(agents[0]?.['calls_handled'], 4, 'agA handled f too');
      await runBuild({ fullRefresh: true });
      assert.deepEqual(await rows('queue_intervals', 'queue_name, interval_start'), incremental);
    });

    test('a queue with neither its own row nor a \'*\' row in the seed has no target: no SLA status, no service level', async () => {
      writeTargets('queue_name,target_answer_seconds,target_service_level\nSupport EN,30,0.9\n');
      await runBuild({ select: ['queue_sla_targets+'] });
      const billing = (await rows('queue_calls', 'call_id')).filter((r) => r['queue_name'] === 'Billing');
      assert.deepEqual(billing.map((r) => [r['call_id'], r['target_answer_seconds'], r['sla_status']]), [['cc:g', null, null], ['cc:h', null, null]]);
      const [interval] = (await rows('queue_intervals', 'queue_name, interval_start')).filter((r) => r['queue_name'] === 'Billing');
      assert.deepEqual([interval?.['offered'], interval?.['service_level_calls'], interval?.['service_level'], interval?.['meets_target']], [2, 0, null, null]);
    });
  });
}

