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
import { loadProject } from '../../sql/models/project.js';
import { build, type ProjectSettings } from '../../sql/models/run.js';
import { BUNDLED_MODELS_DIR } from '../../sql/models/from-config.js';
import { landPage, preparePull, type PulledEvent, type PullTarget } from '../../ingest/pulls/land.js';
import { callRecordEvent } from '../../ingest/pulls/work-analytics/records.js';
import type { SqlRow } from '../../sql/warehouse.js';

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
    const runBuild = async (): Promise<void> => {
      const project = await loadProject(BUNDLED_MODELS_DIR, h.server.warehouse.dialect);
      const results = await build(h.server.warehouse, project, { settings });
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

    test('a record pulled again with new content: the newer version wins, still one row', async () => {
      const early = await call('work:1741090077777');
      assert.deepEqual(pick(early, ['direction', 'from_extension', 'to_e164', 'outcome', 'ended_at']), { direction: 'outbound', from_extension: '1042', to_e164: '+442071838750', outcome: 'in_progress', ended_at: null });
      await new Promise((resolve) => setTimeout(resolve, 5)); // a later landed_at
      await land([callRecordEvent(OUTGOING_FINAL)]);
      await runBuild();
      assert.deepEqual(pick(await call('work:1741090077777'), ['outcome', 'answered_at', 'talk_seconds', 'duration_seconds']), {
        outcome: 'answered', answered_at: '2025-03-04T14:00:05.000Z', talk_seconds: 60, duration_seconds: 65,
      });
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
