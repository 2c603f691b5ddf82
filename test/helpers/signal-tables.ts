/**
 * The signal tables of issue 15's design (part A: analytics.sb_signal_throughput, _latency,
 * _backlog) made and filled on DuckDB with regular, known values, for the console's tests and
 * bench/console.ts, in builds where the signals job does not exist yet (CREATE TABLE IF NOT
 * EXISTS: where it does, its own tables are used).
 *
 * Per minute of [now − days, now): for every pipeline below, throughput rows of 10 events,
 * 1 retry, 0 dead letters and 0 failures; latency rows with p95 = 250 ms; one backlog row
 * with 3 sync changes pending and 2 dead letters.
 */
import type { Warehouse } from '../../sql/warehouse.js';

/** (stage, pipeline, event_type) of the seeded throughput rows. */
export const SEEDED_PIPELINES: ReadonlyArray<readonly [string, string, string]> = [
  ['landing', 'voice', 'SESSION_SUMMARY'],
  ['landing', 'voice', 'CALL_STATUS'],
  ['landing', 'messaging', 'outbound_message_status_changed'],
  ['landing', 'meetings', 'PARTICIPANT_JOINED'],
  ['landing', 'contact-center', 'interaction'],
  ['build', 'calls', ''],
  ['build', 'messages', ''],
  ['build', 'meetings', ''],
  ['sync', 'calls_to_salesforce', ''],
  ['sync', 'missed_calls_to_zendesk', ''],
  ['pull', 'workAnalytics', ''],
];

/** (stage, pipeline) of the seeded latency rows. */
export const SEEDED_LATENCY: ReadonlyArray<readonly [string, string]> = [
  ['event_to_received', 'voice'],
  ['received_to_landed', 'voice'],
  ['landed_to_curated', 'calls'],
  ['curated_to_destination', 'calls_to_salesforce'],
];

export async function createSignalTables(warehouse: Warehouse, schema: string): Promise<void> {
  const d = warehouse.dialect;
  const s = d.quoteIdent(schema);
  // The project's logical types, as a migration would make them (a DuckDB `timestamp` is TIMESTAMPTZ).
  const [ts, text, big, dbl] = [d.typeName('timestamp'), d.typeName('text'), d.typeName('bigint'), d.typeName('double')];
  await warehouse.run(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await warehouse.run(
    `CREATE TABLE IF NOT EXISTS ${s}.sb_signal_throughput (minute ${ts} NOT NULL, stage ${text} NOT NULL, pipeline ${text} NOT NULL, event_type ${text} NOT NULL, ` +
      `events ${big} NOT NULL, retries ${big} NOT NULL, dead_letters ${big} NOT NULL, failures ${big} NOT NULL, PRIMARY KEY (minute, stage, pipeline, event_type))`,
  );
  await warehouse.run(
    `CREATE TABLE IF NOT EXISTS ${s}.sb_signal_latency (minute ${ts} NOT NULL, stage ${text} NOT NULL, pipeline ${text} NOT NULL, samples ${big} NOT NULL, ` +
      `p50_ms ${dbl}, p95_ms ${dbl}, p99_ms ${dbl}, max_ms ${dbl}, PRIMARY KEY (minute, stage, pipeline))`,
  );
  await warehouse.run(
    `CREATE TABLE IF NOT EXISTS ${s}.sb_signal_backlog (minute ${ts} NOT NULL PRIMARY KEY, spool_bytes ${big} NOT NULL, spool_events ${big} NOT NULL, ` +
      `sync_pending ${big} NOT NULL, pull_lag_seconds ${dbl}, dead_letters ${big} NOT NULL)`,
  );
}

/** Fills every minute of [now − days, now) (DuckDB SQL: generate_series). Returns the minutes seeded. */
export async function seedSignals(warehouse: Warehouse, schema: string, options: { days: number; now: Date }): Promise<number> {
  await createSignalTables(warehouse, schema);
  const s = warehouse.dialect.quoteIdent(schema);
  const end = new Date(Math.floor(options.now.getTime() / 60_000) * 60_000);
  const start = new Date(end.getTime() - options.days * 86_400_000);
  const minutes = `(SELECT unnest(generate_series(TIMESTAMPTZ '${sqlTime(start)}+00', TIMESTAMPTZ '${sqlTime(end)}+00' - INTERVAL 1 MINUTE, INTERVAL 1 MINUTE)) AS minute)`;
  const values = (rows: ReadonlyArray<readonly string[]>): string => rows.map((r) => `(${r.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`).join(', ');
  await warehouse.run(
    `INSERT INTO ${s}.sb_signal_throughput SELECT m.minute, p.stage, p.pipeline, p.event_type, 10, 1, 0, 0 FROM ${minutes} m CROSS JOIN (VALUES ${values(SEEDED_PIPELINES)}) p(stage, pipeline, event_type)`,
  );
  await warehouse.run(
    `INSERT INTO ${s}.sb_signal_latency SELECT m.minute, p.stage, p.pipeline, 10, 120, 250, 400, 900 FROM ${minutes} m CROSS JOIN (VALUES ${values(SEEDED_LATENCY)}) p(stage, pipeline)`,
  );
  await warehouse.run(`INSERT INTO ${s}.sb_signal_backlog SELECT m.minute, 0, 0, 3, 60, 2 FROM ${minutes} m`);
  return Math.round((end.getTime() - start.getTime()) / 60_000);
}

function sqlTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
