/**
 * A record the warehouse refuses on its own, for quarantine tests: a CHECK constraint on
 * raw.meetings_events (no body may say "poison") stands in for any refusal the warehouse may
 * have, and is lifted the way an operator would fix the cause.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { MEETINGS_SAMPLES } from '../../ingest/families/meetings/samples.js';
import { rawEventTable } from '../../ingest/raw-tables.js';
import { DuckDbDialect } from '../../sql/warehouses/duckdb/dialect.js';
import { PostgresDialect } from '../../sql/warehouses/postgres/dialect.js';
import type { Harness } from './harness.js';
import { TEST_POSTGRES_URL } from './postgres.js';

/** A JaaS participant-joined event with its own idempotency key and participant name (`poison` is refused). */
export function meetingsBody(key: string, name: string): string {
  const event = JSON.parse(MEETINGS_SAMPLES['participant-joined']) as { idempotencyKey: string; data: { name: string } };
  event.idempotencyKey = key;
  event.data.name = name;
  return JSON.stringify(event);
}

/** Creates raw.meetings_events ahead of the server, with a CHECK the warehouse enforces: no body may say "poison". */
export async function poisonCheck(warehouse: 'duckdb' | 'postgres', dir: string, rawSchema: string): Promise<void> {
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
export async function liftPoisonCheck(h: Harness, warehouse: 'duckdb' | 'postgres', rawSchema: string): Promise<void> {
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
