/**
 * Upgrading a warehouse made by the last release (before numbered migrations): the fixtures in
 * test/fixtures/upgrade/ were made by that release's own serve (make-release-db.sh), on
 * DuckDB (the file) and Postgres (a pg_dump). Today's server starts on a copy of each and
 * must migrate it: every migration recorded, the old rows still there and readable, the
 * changed tables shaped as today's code writes them, new writes working, and a second start
 * applying nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startHarness, type Harness } from '../helpers/harness.js';
import { captureLogger, type LogLine } from '../helpers/logs.js';
import { TEST_POSTGRES_URL } from '../helpers/postgres.js';
import { MemoryDestination } from '../sync/memory-destination.js';
import { migrateWarehouse, SWITCHBOARD_MIGRATIONS } from '../../server/migrations.js';
import { migrationsTable } from '../../sql/migrations/migrator.js';
import { switchboardVersion } from '../../core/version.js';
import type { TableSpec } from '../../sql/table-spec.js';
import { checkpointTable, quarantineTable, rawEventTable, rejectionsTable } from '../../ingest/raw-tables.js';
import { pullCursorsTable } from '../../ingest/pulls/land.js';
import { pullRunsTable, runPull } from '../../ingest/pulls/runner.js';
import { pullFailuresTable } from '../../ingest/pulls/failures.js';
import type { PullSource } from '../../ingest/pulls/source.js';
import { outcomesTable, rejectionsTable as syncRejectionsTable, runsTable, snapshotsTable } from '../../sync/state.js';
import { runSync, type SyncDefinition } from '../../sync/engine.js';
import { runResultsTable } from '../../sql/engine/run.js';
import { jobRunsTable } from '../../server/jobs/history.js';
import { jobLeasesTable } from '../../server/jobs/leases.js';
import { auditTable } from '../../server/admin-audit.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/upgrade/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { version: string; rows: Record<'duckdb' | 'postgres', Record<string, number>> };

/** Every table the migrations own, as today's code writes it. */
const CONTROL_TABLES: TableSpec[] = [
  ...['messaging_events', 'voice_events', 'meetings_events', 'contact_center_events', 'work_events'].map((name) => rawEventTable('raw', name)),
  rejectionsTable('raw'),
  checkpointTable('raw'),
  quarantineTable('raw'),
  pullCursorsTable('raw'),
  pullRunsTable('raw'),
  pullFailuresTable('raw'),
  jobRunsTable('raw'),
  jobLeasesTable('raw'),
  auditTable('raw'),
  snapshotsTable,
  syncRejectionsTable,
  outcomesTable,
  runsTable,
  runResultsTable('analytics'),
];

/** A pull source of one page that reports a note (what ingest/0003 keeps in `_pull_runs.notes`). */
const notingSource: PullSource<string> = {
  name: 'upgrade-fixture',
  description: 'one page',
  table: 'work_events',
  family: 'work',
  pull: async (_range, _position, io) => {
    await io.land([{ dedupeKey: 'work:call:upgrade', eventType: 'WORK_CALL_RECORD', body: '{"callId":"upgrade"}' }], 'done', { step: 'one', stepIndex: 1, steps: 1 });
    return { skipped: [], notes: [{ code: 'SB_PULL_CONNECT_ROW_DIGEST_KEY', message: 'a note for the operator' }] };
  },
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`a ${warehouse} warehouse made by Switchboard ${manifest.version}, started by today's server`, () => {
    let h: Harness;
    const database = `sb_upgrade_${randomBytes(4).toString('hex')}`;
    const { logger, lines } = captureLogger('info');
    const applied = (from: LogLine[]): string[] => from.filter((l) => /^applied migration /.test(String(l.msg))).map((l) => String(l['migration']));
    const count = async (table: string): Promise<number> => Number((await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

    before(async () => {
      const config: Record<string, unknown> = { models: { schema: 'analytics', schedule: 'off' } };
      if (warehouse === 'postgres') {
        const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${database}`);
        await admin.end();
        const url = TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`);
        const loader = new pg.Client({ connectionString: url });
        await loader.connect();
        await loader.query(readFileSync(join(FIXTURES, 'release-postgres.sql'), 'utf8')); // plain statements, run as one simple query
        await loader.end();
        config['warehouse'] = { type: 'postgres', url, rawSchema: 'raw' };
      }
      h = await startHarness({
        warehouse,
        rawSchema: 'raw',
        config,
        logger,
        beforeStart: async (dir) => {
          if (warehouse === 'duckdb') writeFileSync(join(dir, 'warehouse.duckdb'), gunzipSync(readFileSync(join(FIXTURES, 'release-duckdb.duckdb.gz'))));
        },
      });
    });
    after(async () => {
      await h?.close();
      if (warehouse === 'postgres') {
        const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      }
    });

    test('every migration is applied, logged and recorded with this version', async () => {
      const ids = SWITCHBOARD_MIGRATIONS.map((m) => m.id);
      assert.deepEqual(applied(lines), ids);
      const t = migrationsTable('raw');
      const rows = await h.query<{ id: string; switchboard_version: string }>(`SELECT id, switchboard_version FROM ${h.raw(t.name)} ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.id), [...ids].sort());
      assert.deepEqual([...new Set(rows.map((r) => r.switchboard_version))], [switchboardVersion()]);
    });

    test("the release's rows are all still there, and every table has today's columns", async () => {
      const d = h.server.warehouse.dialect;
      for (const [table, n] of Object.entries(manifest.rows[warehouse])) {
        const [schema = '', name = ''] = table.split('.');
        assert.equal(await count(d.tableName(schema, name)), n, table);
      }
      for (const table of CONTROL_TABLES) {
        const columns = await h.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = '${table.schema}' AND table_name = '${table.name}' ORDER BY ordinal_position`,
        );
        assert.deepEqual(columns.map((c) => c.column_name), table.columns.map((c) => c.name), `${table.schema}.${table.name}`);
      }
      const [voice] = await h.query<{ body: string; delivery_count: number }>(`SELECT body, delivery_count FROM ${h.raw('voice_events')}`);
      assert.equal(typeof JSON.parse(String(voice?.body)), 'object');
      const [pulled] = await h.query<{ status: string; landed: number; notes: string | null }>(`SELECT status, landed, notes FROM ${h.raw('_pull_runs')}`);
      assert.deepEqual([pulled?.status, Number(pulled?.landed), pulled?.notes], ['success', manifest.rows[warehouse]['raw.work_events'], null]);
      const [run] = await h.query<{ status: string; sent: number; rejected: number }>(`SELECT status, sent, rejected FROM ${d.tableName('switchboard_sync', 'runs')}`);
      assert.deepEqual([run?.status, Number(run?.sent), Number(run?.rejected)], ['partial', 1, 1]);
    });

    test('new writes land: a webhook, a pull with a note, a sync, and the audit of an operator request', async () => {
      const d = h.server.warehouse.dialect;
      const deliveries = async (): Promise<number> => Number((await h.query<{ n: number }>(`SELECT sum(delivery_count) AS n FROM ${h.raw('voice_events')}`))[0]?.n);
      const before = await deliveries();
      assert.equal((await h.send('voice')).statusCode, 200);
      await h.drain();
      assert.equal(await deliveries(), before + 1);

      const pulled = await runPull(h.server.warehouse, notingSource, { rawSchema: 'raw', range: { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') } });
      assert.equal(pulled.status, 'success');
      const [row] = await h.query<{ notes: string }>(`SELECT notes FROM ${h.raw('_pull_runs')} WHERE source = 'upgrade-fixture'`);
      assert.equal(row?.notes, 'SB_PULL_CONNECT_ROW_DIGEST_KEY: a note for the operator');

      // The release's sync again: its refused row stays refused, nothing changed, nothing is sent.
      const sync: SyncDefinition = { name: 'people_to_memory', model: 'people', key: 'id', destination: 'memory' as SyncDefinition['destination'], object: 'Person', mapping: { Name: 'name' }, mode: 'upsert', schedule: 'off', priority: 'bulk' };
      const destination = new MemoryDestination();
      await h.server.warehouse.run(`CREATE OR REPLACE VIEW ${d.tableName('analytics', 'people')} AS SELECT 1 AS id, 'Ana' AS name UNION ALL SELECT 2, 'Bo' UNION ALL SELECT 3, 'Cy'`);
      const result = await runSync(h.server.warehouse, sync, destination, { modelsSchema: 'analytics', sleep: async () => undefined });
      assert.deepEqual([result.status, result.sent, result.error], ['success', 1, null]);
      assert.deepEqual(destination.calls.flat().map((r) => r.key), ['3'], 'only the new row: the snapshots the release wrote are read');
      const [last] = await h.query<{ n: number }>(`SELECT count(*) AS n FROM ${d.tableName('switchboard_sync', 'runs')} WHERE error_code IS NULL`);
      assert.equal(Number(last?.n), 2);

      const audited = await count(h.raw('_admin_audit'));
      assert.equal((await h.admin({ method: 'GET', url: '/status' })).statusCode, 200);
      await h.server.audit.flush();
      assert.equal(await count(h.raw('_admin_audit')), audited + 1);
    });

    test('a second start applies nothing', async () => {
      const seen = lines.length;
      await h.restart();
      assert.deepEqual(applied(lines.slice(seen)), []);
      const again = await migrateWarehouse(h.server.warehouse, { rawSchema: 'raw', modelsSchema: 'analytics' }, logger);
      assert.deepEqual(again.applied, []);
    });
  });
}
