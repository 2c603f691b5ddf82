/**
 * `switchboard source freshness`'s check against real tables, on DuckDB and Postgres: raw
 * tables with controlled landed_at, a fixed clock for the time of the check. Each status at
 * its boundary, a table's own thresholds, freshness: null, an empty table, a missing one (a
 * runtime error, not a crash), a filter; then what is saved (sources.json in dbt's shape,
 * sb_source_freshness) and read back as the latest per table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { ensureRawEventTable, rawEventTable } from '../../ingest/raw-tables.js';
import { loadSources, selectSources, type SourceTable } from '../../sql/engine/sources.js';
import { checkFreshness, type FreshnessResults } from '../../sql/engine/freshness.js';
import { latestFreshness, saveFreshnessResults } from '../../sql/engine/freshness-results.js';
import { migrated } from '../helpers/migrate.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const NOW = new Date('2026-03-04T12:00:00.000Z');
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);
const HOUR = 3_600_000;

const SOURCES = `sources:
  - name: raw
    loaded_at_field: landed_at
    freshness:
      warn_after: { count: 1, period: hour }
      error_after: { count: 2, period: hour }
    tables:
      - name: voice_events          # exactly 1 h old: pass
      - name: messaging_events      # 1 h + 1 ms: warn
      - name: contact_center_events # exactly 2 h: still warn
      - name: meetings_events       # 2 h + 1 ms: error
      - name: work_events           # empty: warn
      - name: ghost_events          # missing: runtime error
      - name: pulled_events         # 3 h old, but its own error_after is a day: pass
        freshness:
          error_after: { count: 1, period: day }
      - name: quiet_events          # not checked
        freshness: null
      - name: filtered_events       # the newest row is filtered out: the one left is 90 min old
        freshness:
          warn_after: { count: 1, period: hour }
          error_after: { count: 2, period: hour }
          filter: "event_type <> 'late'"
`;

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`source freshness on ${kind}`, () => {
    let wh: Warehouse;
    const raw = kind === 'postgres' ? uniqueSchema('raw') : 'raw';
    const models = kind === 'postgres' ? uniqueSchema('an') : 'analytics';
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-freshness-'));
    const target = join(dir, 'target');
    let tables: SourceTable[];
    let n = 0;

    const land = async (table: string, landedAt: Date, eventType = 'e'): Promise<void> => {
      n += 1;
      await wh.writeRows(rawEventTable(raw, table), [
        {
          dedupe_key: `k${n}`, family: 'f', event_type: eventType, body: '{}', headers: {}, source_ip: '127.0.0.1', verified_by: 'test', first_delivery_id: `d${n}`,
          first_received_at: landedAt, last_received_at: landedAt, delivery_count: 1, landed_at: landedAt,
        },
      ]);
    };

    before(async () => {
      wh = await migrated(await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : { type: 'postgres', url: TEST_POSTGRES_URL }), { rawSchema: raw, modelsSchema: models });
      for (const table of ['voice_events', 'messaging_events', 'contact_center_events', 'meetings_events', 'work_events', 'pulled_events', 'quiet_events', 'filtered_events']) {
        await ensureRawEventTable(wh, wh.dialect, raw, table);
      }
      await land('voice_events', ago(5 * HOUR));
      await land('voice_events', ago(HOUR));
      await land('messaging_events', ago(HOUR + 1));
      await land('contact_center_events', ago(2 * HOUR));
      await land('meetings_events', ago(2 * HOUR + 1));
      await land('pulled_events', ago(3 * HOUR));
      await land('quiet_events', ago(100 * HOUR));
      await land('filtered_events', ago(1.5 * HOUR));
      await land('filtered_events', ago(60_000), 'late');
      writeFileSync(join(dir, 'sources.yml'), SOURCES);
      tables = await loadSources([{ dir, package: 'switchboard' }], { schemas: { raw } });
    });
    after(async () => {
      if (kind === 'postgres') for (const schema of [raw, models]) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
      await wh.close();
      rmSync(dir, { recursive: true, force: true });
    });

    let results: FreshnessResults;
    test('each table gets its status against its thresholds, with the age at the time of the check', async () => {
      const seen: string[] = [];
      results = await checkFreshness(wh, tables, { now: () => NOW, onResult: (r, i, total) => seen.push(`${i}/${total} ${r.table}`) });
      const by = new Map(results.results.map((r) => [r.table, r]));
      assert.deepEqual(
        results.results.map((r) => [r.table, r.status, r.ageSeconds]),
        [
          ['voice_events', 'pass', 3600],
          ['messaging_events', 'warn', 3600.001],
          ['contact_center_events', 'warn', 7200],
          ['meetings_events', 'error', 7200.001],
          ['work_events', 'warn', null],
          ['ghost_events', 'runtime error', null],
          ['pulled_events', 'pass', 10_800],
          ['filtered_events', 'warn', 5400],
        ],
      );
      assert.deepEqual(seen, ['1/8 voice_events', '2/8 messaging_events', '3/8 contact_center_events', '4/8 meetings_events', '5/8 work_events', '6/8 ghost_events', '7/8 pulled_events', '8/8 filtered_events']);
      assert.ok(!by.has('quiet_events'), 'freshness: null is not checked');
      assert.equal(by.get('voice_events')?.maxLoadedAt, ago(HOUR).toISOString());
      assert.equal(by.get('voice_events')?.snapshottedAt, NOW.toISOString());
      assert.equal(by.get('voice_events')?.message, '');
      assert.equal(by.get('meetings_events')?.message, '2 hours since the last row was loaded (error after 2 hours)');
      assert.equal(by.get('messaging_events')?.message, '1 hour since the last row was loaded (warn after 1 hour)');
      assert.match(by.get('work_events')?.message ?? '', /^no rows yet: nothing has been loaded; if nothing ever will be \(a source you do not use\), switch its check off \(freshness: null for it in your YAML, or models\.freshness: \{ "raw\.work_events": off \}\)$/);
      assert.match(by.get('ghost_events')?.message ?? '', /^could not be checked: .*ghost_events/);
      assert.equal(results.selection, null);
      assert.equal(results.startedAt, NOW.toISOString());
    });

    test('saves sources.json in dbt\'s shape and one row per table in sb_source_freshness', async () => {
      await saveFreshnessResults(wh, results, { targetDir: target, schema: models });
      const artifact = JSON.parse(readFileSync(join(target, 'sources.json'), 'utf8')) as {
        metadata: Record<string, unknown>;
        results: Array<Record<string, unknown>>;
        elapsed_time: number;
      };
      assert.equal(artifact.metadata.dbt_schema_version, 'https://schemas.getdbt.com/dbt/sources/v3.json');
      assert.equal(artifact.metadata.invocation_id, results.checkId);
      assert.equal(typeof artifact.elapsed_time, 'number');
      const meetings = artifact.results.find((r) => r.unique_id === 'source.switchboard.raw.meetings_events');
      assert.deepEqual(
        { ...meetings, timing: undefined, execution_time: undefined },
        {
          unique_id: 'source.switchboard.raw.meetings_events',
          max_loaded_at: ago(2 * HOUR + 1).toISOString(),
          snapshotted_at: NOW.toISOString(),
          max_loaded_at_time_ago_in_s: 7200.001,
          status: 'error',
          criteria: { warn_after: { count: 1, period: 'hour' }, error_after: { count: 2, period: 'hour' }, filter: null },
          adapter_response: {},
          thread_id: 'main',
          timing: undefined,
          execution_time: undefined,
        },
      );
      assert.deepEqual((artifact.results.find((r) => r.unique_id === 'source.switchboard.raw.pulled_events') as { criteria: unknown }).criteria, {
        warn_after: { count: null, period: null },
        error_after: { count: 1, period: 'day' },
        filter: null,
      });
      const ghost = artifact.results.find((r) => r.unique_id === 'source.switchboard.raw.ghost_events');
      assert.equal(ghost?.status, 'runtime error');
      assert.match(String(ghost?.error), /could not be checked/);
      assert.equal('max_loaded_at' in (ghost ?? {}), false, 'a runtime error has no max_loaded_at, as in dbt');

      const rows = await wh.all(
        `SELECT table_name, status, max_loaded_at, age_seconds, warn_after_seconds, error_after_seconds, selection FROM ${wh.dialect.tableName(models, 'sb_source_freshness')} WHERE check_id = ${wh.dialect.param(1)} ORDER BY table_name`,
        [results.checkId],
      );
      assert.equal(rows.length, 8);
      const meetingsRow = rows.find((r) => r.table_name === 'meetings_events');
      assert.deepEqual(
        { ...meetingsRow, age_seconds: Number(meetingsRow?.age_seconds) },
        { table_name: 'meetings_events', status: 'error', max_loaded_at: ago(2 * HOUR + 1).toISOString(), age_seconds: 7200.001, warn_after_seconds: 3600, error_after_seconds: 7200, selection: null },
      );
    });

    test('the latest per table, worst first; a later --select check of a table counts, and a table no longer declared drops out at the next full check', async () => {
      let latest = await latestFreshness(wh, models);
      assert.deepEqual(
        latest.map((f) => [f.name, f.status]),
        [
          ['raw.ghost_events', 'runtime error'],
          ['raw.meetings_events', 'error'],
          ['raw.contact_center_events', 'warn'],
          ['raw.filtered_events', 'warn'],
          ['raw.messaging_events', 'warn'],
          ['raw.work_events', 'warn'],
          ['raw.pulled_events', 'pass'],
          ['raw.voice_events', 'pass'],
        ],
      );
      assert.deepEqual(latest[1], {
        name: 'raw.meetings_events', status: 'error', maxLoadedAt: ago(2 * HOUR + 1).toISOString(), snapshottedAt: NOW.toISOString(), ageSeconds: 7200.001,
        warnAfterSeconds: 3600, errorAfterSeconds: 7200, message: '2 hours since the last row was loaded (error after 2 hours)',
      });

      // Meetings land again; a selected check ten minutes later sees it.
      const later = new Date(NOW.getTime() + 10 * 60_000);
      await land('meetings_events', NOW);
      const selected = await checkFreshness(wh, selectSources(tables, ['source:raw.meetings_events']), { now: () => later, selection: ['source:raw.meetings_events'] });
      await saveFreshnessResults(wh, selected, { targetDir: target, schema: models });
      latest = await latestFreshness(wh, models);
      assert.equal(latest.length, 8, 'every table of the last full check stays');
      assert.deepEqual(latest.find((f) => f.name === 'raw.meetings_events')?.status, 'pass');
      assert.equal(latest.find((f) => f.name === 'raw.voice_events')?.snapshottedAt, NOW.toISOString(), 'the others: from the full check');

      // The missing table is switched off: the next full check no longer has it.
      const declared = tables.filter((t) => t.table !== 'ghost_events');
      const full = await checkFreshness(wh, declared, { now: () => new Date(later.getTime() + 60_000) });
      await saveFreshnessResults(wh, full, { targetDir: target, schema: models });
      latest = await latestFreshness(wh, models);
      assert.deepEqual(latest.map((f) => f.name).includes('raw.ghost_events'), false);
      assert.equal(latest.length, 7);
    });
  });
}
