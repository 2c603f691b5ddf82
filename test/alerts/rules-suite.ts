/**
 * Each default alert rule's condition, against the tables it reads, on one warehouse: the
 * same suite runs on DuckDB and on Postgres (rules.test.ts). Facts are written the way the
 * components write them (writeRows on their table specs); each rule is checked with its
 * default settings (parseConfig({})), at a fixed `now`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/config.js';
import { ALERT_RULES } from '../../server/alerts/rules/index.js';
import type { DrainFacts, RuleContext } from '../../server/alerts/rule.js';
import { listRelations } from '../../sql/introspect.js';
import { ensureCreated } from '../../sql/ensure-table.js';
import type { TableSpec } from '../../sql/table-spec.js';
import type { Warehouse, WriteRow } from '../../sql/warehouse.js';
import { ensureRawEventTable, quarantineTable, rawEventTable, rejectionsTable } from '../../ingest/raw-tables.js';
import { jobRunsTable } from '../../server/jobs/history.js';
import { runResultsTable } from '../../sql/engine/run.js';
import { pullRunsTable } from '../../ingest/pulls/runner.js';
import { pullFailuresTable } from '../../ingest/pulls/failures.js';
import { rejectionsTable as syncRejectionsTable, SYNC_SCHEMA } from '../../sync/state.js';
import { migrated } from '../helpers/migrate.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const ago = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000);
const DEFAULTS = parseConfig({}).alerts.rules;

/** `analytics.schema_drift` as issue 15's contract has it (ingest/drift/ creates it). */
function schemaDriftTable(schema: string): TableSpec {
  const text = (name: string, nullable = true) => ({ name, type: 'text' as const, nullable });
  return {
    schema,
    name: 'schema_drift',
    columns: [
      text('drift_id', false), text('family', false), text('event_type'), text('kind', false), text('path'), text('old_type'), text('new_type'), text('renamed_from'),
      { name: 'first_seen_at', type: 'timestamp', nullable: false }, { name: 'last_seen_at', type: 'timestamp', nullable: false },
      { name: 'count', type: 'bigint', nullable: false }, text('sample'), text('destination'),
    ],
    primaryKey: ['drift_id'],
  };
}

export interface RuleSuiteTarget {
  name: string;
  open(): Promise<Warehouse>;
  rawSchema: string;
  modelsSchema: string;
  /** Drops what the suite made (Postgres: its schemas, its rows in the shared switchboard_sync). */
  cleanup(warehouse: Warehouse, syncs: readonly string[]): Promise<void>;
}

export function ruleSuite(target: RuleSuiteTarget): void {
  describe(`alert rules on ${target.name}`, () => {
    let wh: Warehouse;
    const raw = target.rawSchema;
    // Unique per run: Postgres' switchboard_sync is shared by every test schema.
    const syncs = [`alerts_${raw}_a`, `alerts_${raw}_b`];
    const families = [
      { family: 'meetings', table: 'meetings_events' },
      { family: 'voice', table: 'voice_events' },
    ];
    let drain: DrainFacts = { stalled: false, stalledForSeconds: 0, stallAfterSeconds: 300, backlogBytes: 0, maxBytes: 1000, warehouseError: null };

    const context = async (): Promise<RuleContext> => {
      const present = new Set((await listRelations(wh, wh.dialect, [raw, target.modelsSchema, SYNC_SCHEMA])).map((r) => `${r.schema}.${r.name}`));
      return {
        now: NOW, warehouse: wh, rawSchema: raw, modelsSchema: target.modelsSchema, families, syncs, pullSources: ['work-analytics'],
        drain: () => drain, reconciliation: null, has: (s, n) => present.has(`${s}.${n}`), signal: new AbortController().signal,
      };
    };
    const write = (table: TableSpec, rows: WriteRow[]) => wh.writeRows(table, rows);
    let n = 0;
    const event = (family: string, receivedAt: Date, verifiedBy = 'hmac-sha256'): WriteRow => {
      n += 1;
      return {
        dedupe_key: `k${n}`, family, event_type: 'e', body: '{}', headers: {}, source_ip: '127.0.0.1', verified_by: verifiedBy, first_delivery_id: `d${n}`,
        first_received_at: receivedAt, last_received_at: receivedAt, delivery_count: 1, landed_at: receivedAt,
      };
    };
    const rejection = (family: string, status: number, code: string, receivedAt: Date, occurrences = 1): WriteRow => {
      n += 1;
      return {
        rejection_id: `r${n}`, family, route: `/webhooks/8x8/${family}`, received_at: receivedAt, source_ip: '203.0.113.9', status_code: status, error_code: code,
        reason: 'test', verified: false, headers: {}, body: null, body_bytes: 0, body_truncated: false, landed_at: receivedAt, occurrences,
      };
    };
    const run = (job: string, status: string, finishedAt: Date, summary: object = {}, error: [string, string] | null = null): WriteRow => {
      n += 1;
      return {
        run_id: `run${n}`, job, kind: job.split(':')[0] ?? job, trigger: 'schedule', node: 'test', lease_token: n, tick_at: null, started_at: new Date(finishedAt.getTime() - 1000),
        finished_at: finishedAt, status, summary, error_code: error?.[0] ?? null, error_message: error?.[1] ?? null,
      };
    };

    before(async () => {
      wh = await migrated(await target.open(), { rawSchema: raw, modelsSchema: target.modelsSchema });
    });
    after(async () => {
      await target.cleanup(wh, syncs);
      await wh.close();
    });

    test('drainStalled fires while the drainer reports a stall; backlogHigh above maxShare of spool.maxBytes', async () => {
      const ctx = await context();
      assert.deepEqual((await ALERT_RULES.drainStalled.check(ctx, DEFAULTS.drainStalled)).findings, []);
      drain = { ...drain, stalled: true, stalledForSeconds: 420, backlogBytes: 600, warehouseError: 'connection refused' };
      const [stalled] = (await ALERT_RULES.drainStalled.check(ctx, DEFAULTS.drainStalled)).findings;
      assert.equal(stalled?.pipeline, 'drain');
      assert.match(stalled?.summary ?? '', /7 min.*connection refused/);
      assert.equal((await ALERT_RULES.backlogHigh.check(ctx, DEFAULTS.backlogHigh)).findings[0]?.pipeline, 'spool', '600 of 1000 bytes is above 50 %');
      drain = { ...drain, stalled: false, backlogBytes: 400 };
      assert.deepEqual((await ALERT_RULES.backlogHigh.check(ctx, DEFAULTS.backlogHigh)).findings, []);
    });

    test('authFailures counts 401 and 403 refusals per family in its window, summary rows by their occurrences; rejectionSpike counts the others', async () => {
      await write(rejectionsTable(raw), [
        ...Array.from({ length: 6 }, () => rejection('meetings', 401, 'SB_INGEST_SIGNATURE_INVALID', ago(2))),
        rejection('meetings', 401, 'SB_INGEST_SIGNATURE_INVALID', ago(1), 5), // a summary row: 5 refusals
        rejection('voice', 403, 'SB_INGEST_IP_NOT_ALLOWED', ago(1)),
        ...Array.from({ length: 20 }, () => rejection('voice', 401, 'SB_INGEST_AUTH_INVALID', ago(30))), // outside the 5-minute window
        rejection('voice', 400, 'SB_INGEST_BODY_NOT_JSON', ago(3), 60),
      ]);
      const ctx = await context();
      const auth = (await ALERT_RULES.authFailures.check(ctx, DEFAULTS.authFailures)).findings;
      assert.deepEqual(auth.map((f) => f.pipeline), ['meetings']);
      assert.equal(auth[0]?.details.refusals, 11);
      assert.match(auth[0]?.summary ?? '', /11 authentication failures in 5 min \(SB_INGEST_SIGNATURE_INVALID ×11/);
      const spike = (await ALERT_RULES.rejectionSpike.check(ctx, DEFAULTS.rejectionSpike)).findings;
      assert.deepEqual(spike.map((f) => [f.pipeline, f.details.refusals]), [['voice', 60]]);
    });

    test('volumeDrop compares the last hour with the same hour of the previous weeks that had webhooks, pulled records left out', async () => {
      for (const { table } of families) await ensureRawEventTable(wh, wh.dialect, raw, table);
      const rows: WriteRow[] = [];
      for (const week of [1, 2]) for (let i = 0; i < 120; i++) rows.push(event('meetings', ago(week * 7 * 1440 + 30)));
      for (let i = 0; i < 20; i++) rows.push(event('meetings', ago(10)));
      for (let i = 0; i < 200; i++) rows.push(event('meetings', ago(12), 'pull:work-analytics')); // not webhooks
      for (let i = 0; i < 50; i++) rows.push(event('voice', ago(7 * 1440 + 30))); // a baseline under minBaseline (100)
      await write(rawEventTable(raw, 'meetings_events'), rows.filter((r) => r.family === 'meetings'));
      await write(rawEventTable(raw, 'voice_events'), rows.filter((r) => r.family === 'voice'));
      const found = (await ALERT_RULES.volumeDrop.check(await context(), DEFAULTS.volumeDrop)).findings;
      assert.deepEqual(found.map((f) => f.pipeline), ['meetings']);
      assert.equal(found[0]?.details.current, 20);
      assert.equal(found[0]?.details.baseline, 120, 'weeks 3 and 4 had none: left out of the average');
      assert.match(found[0]?.summary ?? '', /83 % below the 120 of the same window in the previous 2 weeks/);
    });

    test('sourceFreshness flags a family silent past maxSilenceMinutes, and cannot judge one silent past lookbackDays', async () => {
      // meetings: the newest webhook is 10 min old (the volume test's); voice: 7 days and 30 min old, past lookbackDays.
      const check = await ALERT_RULES.sourceFreshness.check(await context(), DEFAULTS.sourceFreshness);
      assert.deepEqual(check.findings, []);
      assert.deepEqual(check.unknown, ['voice']);
      const later = { ...(await context()), now: new Date(NOW.getTime() + 3 * 3_600_000) };
      const silent = await ALERT_RULES.sourceFreshness.check(later, DEFAULTS.sourceFreshness);
      assert.deepEqual(silent.findings.map((f) => f.pipeline), ['meetings']);
      assert.match(silent.findings[0]?.summary ?? '', /no webhook for 3\.2 h, since /);
    });

    test('schemaDrift: no table is no drift; then drift first seen in its window, per family, and a destination\'s per sync', async () => {
      assert.deepEqual((await ALERT_RULES.schemaDrift.check(await context(), DEFAULTS.schemaDrift)).findings, []);
      const table = schemaDriftTable(target.modelsSchema);
      await ensureCreated(wh, wh.dialect, table);
      const drift = (id: string, kind: string, firstSeen: Date, extra: Record<string, string> = {}): WriteRow => ({
        drift_id: id, family: 'meetings', event_type: 'meeting.ended', kind, path: 'payload.newField', old_type: null, new_type: 'string', renamed_from: null,
        first_seen_at: firstSeen, last_seen_at: firstSeen, count: 1, sample: '"x"', destination: null, ...extra,
      });
      await write(table, [drift('d1', 'path_added', ago(5)), drift('d2', 'path_missing', ago(600)), drift('d3', 'destination_field', ago(2), { family: 'salesforce', destination: syncs[0] as string })]);
      const found = (await ALERT_RULES.schemaDrift.check(await context(), DEFAULTS.schemaDrift)).findings;
      assert.deepEqual(found.map((f) => f.pipeline).sort(), ['meetings', `sync:${syncs[0]}`]);
      assert.match(found.find((f) => f.pipeline === 'meetings')?.summary ?? '', /1 schema drift in 1 h: new path payload.newField \(meeting.ended\)/);
    });

    test('syncFailures, pullFailures and buildFailures fire when a job\'s last runs failed, abandoned runs aside, with the failed models named', async () => {
      const [a, b] = syncs as [string, string];
      await write(runResultsTable(target.modelsSchema), [
        { run_id: 'build-2', command: 'build', node: 'model.calls', kind: 'model', status: 'error', rows_affected: null, seconds: 0.1, materialized: 'incremental', message: 'calls.sql: boom', run_started_at: ago(6), run_finished_at: ago(5) },
        { run_id: 'build-2', command: 'build', node: 'model.messages', kind: 'model', status: 'success', rows_affected: 3, seconds: 0.1, materialized: 'table', message: '', run_started_at: ago(6), run_finished_at: ago(5) },
      ]);
      await write(jobRunsTable(raw), [
        run(`sync:${a}`, 'failed', ago(20), {}, ['SB_SYNC_SLACK_SECRET_MISSING', 'no token']),
        run(`sync:${a}`, 'abandoned', ago(15)),
        run(`sync:${a}`, 'failed', ago(10), {}, ['SB_SYNC_SLACK_SECRET_MISSING', 'no token']),
        run(`sync:${b}`, 'failed', ago(20)),
        run(`sync:${b}`, 'success', ago(10)),
        run('pull:work-analytics', 'failed', ago(40)),
        run('pull:work-analytics', 'failed', ago(10), { pullRunId: 'p1' }),
        run('models', 'success', ago(30)),
        run('models', 'partial', ago(5), { command: 'build', modelsRunId: 'build-2' }),
      ]);
      await write(pullRunsTable(raw), [
        { run_id: 'p1', source: 'work-analytics', mode: 'scheduled', range_from: ago(100), range_to: ago(10), status: 'failed', pages: 0, landed: 0, skipped: null, error_code: 'SB_PULL_AUTH', error_message: '401 from 8x8', started_at: ago(11), finished_at: ago(10), notes: null },
      ]);
      const ctx = await context();
      const sync = (await ALERT_RULES.syncFailures.check(ctx, DEFAULTS.syncFailures)).findings;
      assert.deepEqual(sync.map((f) => f.pipeline), [`sync:${a}`]);
      assert.match(sync[0]?.summary ?? '', /the last 2 runs failed .*SB_SYNC_SLACK_SECRET_MISSING: no token/);
      const pull = (await ALERT_RULES.pullFailures.check(ctx, DEFAULTS.pullFailures)).findings;
      assert.deepEqual(pull.map((f) => f.pipeline), ['pull:work-analytics']);
      assert.match(pull[0]?.summary ?? '', /SB_PULL_AUTH: 401 from 8x8/);
      const build = (await ALERT_RULES.buildFailures.check(ctx, DEFAULTS.buildFailures)).findings;
      assert.deepEqual(build.map((f) => f.pipeline), ['models']);
      assert.match(build[0]?.summary ?? '', /model\.calls did not pass/);
      assert.deepEqual(build[0]?.details.failed, [{ node: 'model.calls', status: 'error', message: 'calls.sql: boom' }]);
    });

    test('deadLetters counts new sync rejections per sync and quarantined records per family in its window', async () => {
      const [a] = syncs as [string];
      await write(syncRejectionsTable, Array.from({ length: 12 }, (_, i) => ({ sync_name: a, key: `k${i}`, row_hash: 'h', action: 'create', code: 'REQUIRED_FIELD_MISSING', reason: 'no Subject', run_id: 'r', rejected_at: ago(i) })));
      await write(quarantineTable(raw), [
        ...Array.from({ length: 3 }, (_, i) => ({ quarantine_id: `q${i}`, kind: 'event', family: 'voice', target_table: 'voice_events', record_key: `k${i}`, received_at: ago(5), error: 'refused', file: `quarantine/q${i}.json`, bytes: 10, quarantined_at: ago(5), replayed_at: null, replayed_as: null })),
      ]);
      const found = (await ALERT_RULES.deadLetters.check(await context(), DEFAULTS.deadLetters)).findings;
      assert.deepEqual(found.map((f) => [f.pipeline, f.details.deadLetters]), [[`sync:${a}`, 12]], '3 quarantined records are under minCount (10)');
      const lower = (await ALERT_RULES.deadLetters.check(await context(), { ...DEFAULTS.deadLetters, minCount: 3 })).findings;
      assert.deepEqual(lower.map((f) => f.pipeline).sort(), [`sync:${a}`, 'voice']);
    });

    test('deadLetters counts failed pull pages no run has got past, per source', async () => {
      const failure = (id: string, resolved: Date | null) => ({
        failure_id: id, source: 'work-analytics', mode: 'scheduled', cursor_key: 'work-analytics', range_from: ago(120), range_to: ago(60), page: 2, step: null, position: null,
        error_code: 'SB_PULL_HTTP', error_message: '502 from the API', failures: 1, first_failed_at: ago(5), last_failed_at: ago(5), last_run_id: `r-${id}`, resolved_at: resolved, resolved_by: resolved === null ? null : 'r-later',
      });
      await write(pullFailuresTable(raw), [failure('f1:2', null), failure('f2:2', null), failure('f3:2', ago(1))]);
      const found = (await ALERT_RULES.deadLetters.check(await context(), { ...DEFAULTS.deadLetters, minCount: 2 })).findings;
      const pull = found.find((f) => f.pipeline === 'pull:work-analytics');
      assert.equal(pull?.details.deadLetters, 2, 'the resolved page is not counted');
      assert.match(pull?.summary ?? '', /switchboard dlq replay --source pull/);
    });
  });
}
