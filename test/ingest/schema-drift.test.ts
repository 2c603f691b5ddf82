/**
 * Schema drift over a real warehouse (DuckDB and Postgres): what a run learns from raw rows
 * into `_schema_paths`, each kind of drift it records in `schema_drift` (added, type changed,
 * missing, possible rename, destination field), samples redacted under the PII policy, and
 * runs that record nothing twice (a second run, and a run that failed before its commit).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaDrift, type SchemaDriftOptions } from '../../ingest/drift/schema-drift.js';
import { schemaPathsTable } from '../../ingest/drift/tables.js';
import { listDrift, type DriftRow } from '../../ingest/drift/store.js';
import { ensureRawEventTable, rawEventTable } from '../../ingest/raw-tables.js';
import { ensureCreated } from '../../sql/ensure-table.js';
import type { Queryable, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { outcomesTable, runsTable } from '../../sync/state.js';
import { migrated } from '../helpers/migrate.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const TABLE = 'meetings_events';
const BASE = { eventType: 'X', idempotencyKey: '', data: { name: 'Ann', durationSec: 60, participants: [{ id: 'p1' }] } };
type Body = Record<string, unknown>;

/** `body` with `change` applied to its `data`. */
const withData = (type: string, change: Record<string, unknown>, drop: string[] = []): Body => {
  const data: Record<string, unknown> = { ...BASE.data, ...change };
  for (const key of drop) delete data[key];
  return { ...BASE, eventType: type, data };
};

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`schema drift on ${warehouse}`, () => {
    let wh: Warehouse;
    let dir: string;
    const raw = warehouse === 'postgres' ? uniqueSchema('raw') : 'raw';
    const models = warehouse === 'postgres' ? uniqueSchema('analytics') : 'analytics';
    // Landed an hour ago, a second apart: older than any settle time.
    let landedAt = Date.now() - 3_600_000;
    let n = 0;
    const syncs = { runs: { ...runsTable, schema: raw }, outcomes: { ...outcomesTable, schema: raw } };

    const options = (over: Partial<SchemaDriftOptions> = {}): SchemaDriftOptions => ({
      warehouse: wh,
      schemas: { rawSchema: raw, modelsSchema: models },
      tables: [TABLE, 'voice_events'], // voice_events does not exist: skipped
      settings: { batchRows: 4, sampleRate: 1, warmupEvents: 2, missingAfterEvents: 5, missingMinSeen: 3, settleSeconds: 0 },
      policy: { phone: 'mask', body: 'hash', hashSalt: 'test-salt' },
      destinations: { ...syncs, syncs: new Map([['calls_to_sf', { destination: 'salesforce', object: 'Task' }]]) },
      ...over,
    });
    const run = (over: Partial<SchemaDriftOptions> = {}) => new SchemaDrift(options(over)).run();

    async function land(bodies: Body[], sha: (i: number) => string | null = () => null): Promise<void> {
      await wh.writeRows(
        rawEventTable(raw, TABLE),
        bodies.map((body, i) => {
          n += 1;
          const at = new Date((landedAt += 1000));
          const text = JSON.stringify({ ...body, idempotencyKey: `k${n}` });
          return {
            dedupe_key: `jaas:k${String(n).padStart(4, '0')}`, family: 'meetings', event_type: String(body.eventType), body: text, headers: {}, source_ip: '127.0.0.1',
            verified_by: 'test', first_delivery_id: `d${n}`, first_received_at: at, last_received_at: at, delivery_count: 1, landed_at: at, body_sha256: sha(i), body_json: null, conflict_of: null,
          };
        }),
      );
    }
    const drift = (kind?: string): Promise<DriftRow[]> => listDrift(wh, wh.dialect, models, kind === undefined ? {} : { kind });
    const brief = (rows: DriftRow[]) => rows.map((r) => `${r.event_type} ${r.kind} ${r.path}${r.renamed_from === null ? '' : ` from ${r.renamed_from}`} ×${r.count}`).sort();

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'drift-test-'));
      wh = await migrated(
        await openWarehouse(warehouse === 'postgres' ? { type: 'postgres', url: TEST_POSTGRES_URL } : { type: 'duckdb', path: join(dir, 'wh.duckdb') }),
        { rawSchema: raw, modelsSchema: models },
      );
      await ensureRawEventTable(wh, wh.dialect, raw, TABLE);
      for (const table of Object.values(syncs)) await ensureCreated(wh, wh.dialect, table);
    });
    after(async () => {
      if (wh !== undefined && warehouse === 'postgres') {
        for (const schema of [raw, models]) await wh.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      }
      await wh?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('learns each path and type per family and event type; the warm-up records nothing', async () => {
      await land([BASE, withData('X', { extra: true }), BASE]);
      const result = await run();
      assert.deepEqual([result.rows, result.learned, result.found], [3, 3, {}]);
      const t = schemaPathsTable(raw);
      const rows = await wh.all<{ path: string; type: string; seen_count: number; first_event: number; last_event: number }>(
        `SELECT path, type, seen_count, first_event, last_event FROM ${wh.dialect.tableName(t.schema, t.name)} WHERE family = 'meetings' AND event_type = 'X' ORDER BY path, type`,
      );
      assert.deepEqual(
        rows.map((r) => `${r.path} ${r.type} ${r.seen_count} ${r.first_event}-${r.last_event}`),
        [
          '$ object 3 1-3',
          '$.data object 3 1-3',
          '$.data.durationSec number 3 1-3',
          '$.data.extra boolean 1 2-2',
          '$.data.name string 3 1-3',
          '$.data.participants array 3 1-3',
          '$.data.participants[] object 3 1-3',
          '$.data.participants[].id string 3 1-3',
          '$.eventType string 3 1-3',
          '$.idempotencyKey string 3 1-3',
        ],
      );
      assert.deepEqual(await drift(), [], 'a new path inside the warm-up (2 events) is baseline');
    });

    test('a new field after the warm-up is one path_added, its sample redacted; later events add to its count', async () => {
      await land([withData('X', { phone: '+14155550100', email: 'jane.doe@example.com' })]);
      const first = await run();
      assert.deepEqual(first.found, { path_added: 2 });
      const added = await drift('path_added');
      assert.deepEqual(brief(added), ['X path_added $.data.email ×1', 'X path_added $.data.phone ×1']);
      const phone = added.find((r) => r.path === '$.data.phone');
      assert.equal(phone?.sample, '********0100', 'the phone number masked (models.pii.phone: mask)');
      assert.equal(phone?.new_type, 'string');
      assert.equal(phone?.family, 'meetings');
      const email = added.find((r) => r.path === '$.data.email');
      assert.match(email?.sample ?? '', /^sha256:[0-9a-f]{64}$/, 'the address hashed (models.pii.body: hash)');
      const everything = JSON.stringify(await wh.all(`SELECT * FROM ${models}.schema_drift`));
      assert.ok(!everything.includes('5550100') && !everything.includes('jane.doe'), 'no personal value in the table');
      await land([withData('X', { phone: '+14155550101' }), withData('X', { phone: '+14155550102' })]);
      assert.deepEqual((await run()).found, {}, 'nothing new…');
      assert.deepEqual(brief(await drift('path_added')), ['X path_added $.data.email ×1', 'X path_added $.data.phone ×3'], '…the phone row counts 3 events');
    });

    test('a type change is recorded once; null is not a type change', async () => {
      await land([withData('T', {}), withData('T', {}), withData('T', { durationSec: null }), withData('T', { durationSec: '60s' }), withData('T', { durationSec: '61s' })]);
      assert.deepEqual((await run()).found, { type_changed: 1 });
      const [changed] = await drift('type_changed');
      assert.deepEqual([changed?.event_type, changed?.path, changed?.old_type, changed?.new_type, changed?.count], ['T', '$.data.durationSec', 'number', 'string', 2]);
      assert.match(changed?.sample ?? '', /^sha256:/);
    });

    test('a regular path that stops while events go on is missing; one replaced in the next event is a possible rename', async () => {
      await land(Array.from({ length: 4 }, () => withData('M', { email: 'a@x.io' })));
      await land(Array.from({ length: 4 }, () => withData('M', { mail: 'a@x.io' }, ['name'])));
      assert.deepEqual((await run()).found, { path_added: 1 }, 'the new $.data.mail at once');
      await land(Array.from({ length: 3 }, () => withData('M', { mail: 'a@x.io' }, ['name'])));
      const result = await run();
      assert.deepEqual(result.found, { path_missing: 1, possible_rename: 1 });
      assert.deepEqual(brief((await drift()).filter((r) => r.event_type === 'M')), [
        'M path_added $.data.mail ×7',
        'M path_missing $.data.name ×7',
        'M possible_rename $.data.mail from $.data.email ×7',
      ]);
      await land(Array.from({ length: 6 }, () => withData('M', { mail: 'a@x.io' }, ['name'])));
      assert.deepEqual((await run()).found, {}, 'recorded once');
    });

    test("rows landed less than settleSeconds ago wait for a later run", async () => {
      landedAt = Date.now() - 30_000;
      await land([withData('S', {})]);
      assert.equal((await run({ settings: { ...options().settings, settleSeconds: 600 } })).rows, 0);
      assert.equal((await run()).rows, 1);
    });

    test('a second run over the same rows, and a run that failed before its commit, record nothing twice', async () => {
      const before = await drift();
      assert.deepEqual(await run().then((r) => [r.rows, r.found]), [0, {}]);
      assert.deepEqual(await drift(), before, 'nothing changed');

      await land([withData('S', {}), withData('S', {}), withData('S', { late: 1 })]);
      // The run fails at its last write (the watermark): its transaction rolls back.
      const failing = new Proxy(wh, {
        get(target, prop) {
          if (prop === 'transaction') {
            return <T>(fn: (tx: Queryable) => Promise<T>) =>
              target.transaction((tx) => fn({ run: (s, p) => tx.run(s, p), all: (s, p) => tx.all(s, p), writeRows: (t, rows, o) => (t.name === '_schema_drift_watermarks' ? Promise.reject(new Error('killed')) : tx.writeRows(t, rows, o)) }));
          }
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      await assert.rejects(run({ warehouse: failing }), /killed/);
      assert.deepEqual(await drift('path_added').then((rows) => rows.filter((r) => r.event_type === 'S')), [], 'nothing of the failed run was kept');
      assert.deepEqual((await run()).found, { path_added: 1 });
      assert.deepEqual(await run().then((r) => [r.rows, r.found]), [0, {}]);
      assert.deepEqual(brief((await drift('path_added')).filter((r) => r.event_type === 'S')), ['S path_added $.data.late ×1']);
    });

    test('with sampleRate below 1, only the events whose body digest falls in that share are read', async () => {
      await land(Array.from({ length: 6 }, () => withData('Q', {})), (i) => (i % 3 === 0 ? 'f' : '0').repeat(64));
      const sampled = await run({ settings: { ...options().settings, sampleRate: 0.5 } });
      assert.deepEqual([sampled.rows, sampled.learned], [4, 4], 'the digests starting 0000 (below 8000), not those starting ffff');
      assert.equal((await run()).rows, 0, 'the others are behind the watermark: sampling skips them for good');
    });

    test('what the syncs recorded about destination fields is destination_field drift, per sync and field', async () => {
      // Recorded now, as the syncer records them (after the last run's watermark).
      const finished = new Date();
      await wh.writeRows(syncs.runs, [
        { run_id: 'r1', sync_name: 'calls_to_sf', destination: 'salesforce', dry_run: false, status: 'failed', planned: 3, sent: 0, rejected: 0, retrying: 0, skipped: 0, error: "SB_SYNC_SALESFORCE_REQUEST_REFUSED: sync calls_to_sf: Salesforce answered HTTP 400 INVALID_FIELD: No such column 'Bogus__c' on entity 'Task'. Check the sync's object and mapping", started_at: finished, finished_at: finished, error_code: 'SB_SYNC_SALESFORCE_REQUEST_REFUSED' },
        { run_id: 'r2', sync_name: 'calls_to_sf', destination: 'salesforce', dry_run: false, status: 'failed', planned: 3, sent: 0, rejected: 0, retrying: 0, skipped: 0, error: 'SB_SYNC_SALESFORCE_AUTH_FAILED: refused', started_at: finished, finished_at: finished, error_code: 'SB_SYNC_SALESFORCE_AUTH_FAILED' },
      ]);
      const outcome = (key: string, code: string, reason: string) => ({ sync_name: 'calls_to_sf', run_id: 'r3', key, attempt: 1, action: 'update', status: 'rejected', row_hash: 'h', external_ref: null, code, reason, recorded_at: finished });
      await wh.writeRows(syncs.outcomes, [
        outcome('c1', 'INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: TaskSubtype. Please check the security settings of this field (TaskSubtype)'),
        outcome('c2', 'INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: TaskSubtype. Please check the security settings of this field (TaskSubtype)'),
        outcome('c3', 'STRING_TOO_LONG', 'Subject: data value too large: +14155550100 (Subject)'),
      ]);
      assert.deepEqual((await run()).found, { destination_field: 2 });
      const rows = await drift('destination_field');
      assert.deepEqual(
        rows.map((r) => [r.family, r.event_type, r.path, r.destination, r.sample, r.count]).sort(),
        [
          ['salesforce', 'Task', 'Bogus__c', 'calls_to_sf', 'INVALID_FIELD', 1],
          ['salesforce', 'Task', 'TaskSubtype', 'calls_to_sf', 'INVALID_FIELD_FOR_INSERT_UPDATE', 2],
        ],
      );
      assert.deepEqual((await run()).found, {}, 'read once');
      const later = new Date();
      await wh.writeRows(syncs.runs, [{ run_id: 'r4', sync_name: 'calls_to_sf', destination: 'salesforce', dry_run: false, status: 'failed', planned: 3, sent: 0, rejected: 0, retrying: 0, skipped: 0, error: "INVALID_FIELD: No such column 'Bogus__c' on entity 'Task'", started_at: later, finished_at: later, error_code: 'SB_SYNC_SALESFORCE_REQUEST_REFUSED' }]);
      await run();
      assert.deepEqual((await drift('destination_field')).map((r) => [r.path, r.count]).sort(), [['Bogus__c', 2], ['TaskSubtype', 2]], 'the same field refused again counts on the same row');
    });
  });
}
