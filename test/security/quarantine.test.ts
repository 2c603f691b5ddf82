/**
 * No single record can block the others: when the warehouse refuses one record (here a CHECK
 * constraint stands in for any refusal the warehouse may have), the batch is landed in halves,
 * the record at fault is quarantined (a file in spool.dir and a row in _quarantine), every
 * other record lands, `replay --list` shows it, and a replay lands it once the cause is gone.
 * A drain that stops moving is visible: /readyz, a metric, an error in the log.
 * Through the real server, on DuckDB and Postgres.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { waitFor } from '../helpers/wait-for.js';
import { mockClock } from '../helpers/clock.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { captureLogger } from '../helpers/logs.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { PostgresDialect } from '../../sql/warehouses/postgres/dialect.js';
import { DuckDbDialect } from '../../sql/warehouses/duckdb/dialect.js';
import { rawEventTable } from '../../ingest/raw-tables.js';

function meetingsBody(key: string, name: string): string {
  const event = JSON.parse(MEETINGS_SAMPLES['participant-joined']) as { idempotencyKey: string; data: { name: string } };
  event.idempotencyKey = key;
  event.data.name = name;
  return JSON.stringify(event);
}

/** Creates raw.meetings_events ahead of the server, with a CHECK the warehouse enforces: no body may say "poison". */
async function poisonCheck(warehouse: 'duckdb' | 'postgres', dir: string, rawSchema: string): Promise<void> {
  const dialect = warehouse === 'duckdb' ? new DuckDbDialect() : new PostgresDialect();
  const create = dialect.createTable(rawEventTable(rawSchema, 'meetings_events')).replace(/\n\)$/, `,\n  CHECK (body NOT LIKE '%poison%')\n)`);
  if (warehouse === 'duckdb') {
    const instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'));
    const connection = await instance.connect();
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${dialect.schemaName(rawSchema)}`);
    await connection.run(create);
    connection.closeSync();
    instance.closeSync();
  } else {
    const client = new pg.Client(TEST_POSTGRES_URL);
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${dialect.schemaName(rawSchema)}`);
    await client.query(create);
    await client.end();
  }
}

/** What an operator does once the cause is known: lift the refusal (DuckDB cannot drop a CHECK, so the table is rebuilt without it). */
async function liftPoisonCheck(h: Harness, warehouse: 'duckdb' | 'postgres', rawSchema: string): Promise<void> {
  const wh = h.server.warehouse;
  const d = wh.dialect;
  const table = d.tableName(rawSchema, 'meetings_events');
  if (warehouse === 'postgres') {
    await wh.run(`ALTER TABLE ${table} DROP CONSTRAINT meetings_events_body_check`);
    return;
  }
  await wh.transaction(async (tx) => {
    await tx.run(`CREATE TABLE ${d.tableName(rawSchema, 'meetings_old')} AS SELECT * FROM ${table}`);
    await tx.run(`DROP TABLE ${table}`);
    await tx.run(d.createTable(rawEventTable(rawSchema, 'meetings_events')));
    await tx.run(`INSERT INTO ${table} SELECT * FROM ${d.tableName(rawSchema, 'meetings_old')}`);
    await tx.run(`DROP TABLE ${d.tableName(rawSchema, 'meetings_old')}`);
  });
}


for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`[${warehouse}] the quarantine`, () => {
    test('a record the warehouse refuses is quarantined, everything around it lands, replay --list shows it, and a replay lands it once fixed', async () => {
      const rawSchema = warehouse === 'postgres' ? uniqueSchema() : 'raw';
      const h = await startHarness({ warehouse, rawSchema, beforeStart: (dir) => poisonCheck(warehouse, dir, rawSchema) });
      try {
        for (const [key, name] of [['q-1', 'Ann'], ['q-2', 'poison'], ['q-3', 'Bob'], ['q-4', 'Cy']] as const) {
          assert.equal((await h.send('meetings', { body: meetingsBody(key, name) })).statusCode, 200);
        }
        await h.drain();
        const landed = await h.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${h.raw('meetings_events')} ORDER BY 1`);
        assert.deepEqual(landed.map((r) => r.dedupe_key), ['jaas:q-1', 'jaas:q-3', 'jaas:q-4']);

        const [row] = await h.query<{ quarantine_id: string; kind: string; record_key: string; file: string; error: string }>(
          `SELECT quarantine_id, kind, record_key, file, error FROM ${h.raw('_quarantine')}`,
        );
        assert.ok(row !== undefined, 'one _quarantine row');
        assert.equal(row.kind, 'event');
        assert.equal(row.record_key, 'jaas:q-2');
        assert.match(row.error, /check|constraint/i);
        const file = join(h.dir, 'data', 'spool', row.file);
        assert.ok(existsSync(file), 'the record is kept in the spool directory');
        assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { body: string }).body, meetingsBody('q-2', 'poison'), 'byte for byte');

        const list = await h.admin({ method: 'GET', url: '/rejections' });
        assert.equal(list.statusCode, 200);
        const { quarantined } = list.json() as { quarantined: Array<{ quarantine_id: string; record_key: string }> };
        assert.deepEqual(quarantined.map((q) => q.record_key), ['jaas:q-2']);

        await liftPoisonCheck(h, warehouse, rawSchema);
        const replay = await h.admin({ method: 'POST', url: '/rejections/replay', payload: { ids: [row.quarantine_id] } });
        assert.equal(replay.statusCode, 200);
        assert.deepEqual((replay.json() as { outcomes: Array<{ outcome: string }> }).outcomes.map((o) => o.outcome), ['landed']);
        await h.drain();
        const after = await h.query<{ dedupe_key: string; body: string }>(`SELECT dedupe_key, body FROM ${h.raw('meetings_events')} WHERE dedupe_key = 'jaas:q-2'`);
        assert.equal(after[0]?.body, meetingsBody('q-2', 'poison'));
        const [marked] = await h.query<{ replayed_at: string | null }>(`SELECT replayed_at FROM ${h.raw('_quarantine')}`);
        assert.notEqual(marked?.replayed_at, null);
      } finally {
        await h.close();
      }
    });

    test('a backlog that stops moving turns /readyz not ready, sets switchboard_drain_stalled and logs an error, until it moves again', async (t) => {
      const { logger, lines } = captureLogger('info');
      const clock = mockClock(t, ['setInterval', 'Date']); // the stall watch; the drain itself runs in real time
      const h = await startHarness({ warehouse, logger, config: { drain: { stallAfterSeconds: 1 }, models: { schedule: 'off' } } });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      try {
        assert.equal((await h.server.app.inject({ url: '/readyz' })).statusCode, 200);
        // Hold the warehouse: the drainer's transactions wait behind this one, as behind a hung warehouse.
        const held = h.server.warehouse.transaction(() => gate);
        assert.equal((await h.send('meetings', { body: meetingsBody('stall-1', 'Dee') })).statusCode, 200, 'accepted into the spool meanwhile');
        clock.tick(1000); // drain.stallAfterSeconds
        await waitFor(async () => (await h.server.app.inject({ url: '/readyz' })).statusCode === 503, '/readyz to report the stall');
        const metrics = await h.admin({ method: 'GET', url: '/metrics' });
        assert.match(metrics.body, /^switchboard_drain_stalled 1$/m);
        await waitFor(async () => lines.some((l) => l.level === 50 && /no progress/.test(l.msg ?? '')), 'an error in the log');
        release();
        await held;
        await waitFor(async () => (await h.server.app.inject({ url: '/readyz' })).statusCode === 200, '/readyz to recover');
        assert.match((await h.admin({ method: 'GET', url: '/metrics' })).body, /^switchboard_drain_stalled 0$/m);
      } finally {
        release();
        await h.close();
      }
    });
  });
}
