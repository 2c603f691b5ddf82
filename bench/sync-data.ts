/**
 * bench:sync's warehouse: a model shaped like `models/outbound/salesforce_call_tasks.sql`, the
 * state a confirmed first sync of it leaves, and the change sets. All of it is written in
 * SQL inside DuckDB (a million rows take seconds); nothing here is timed.
 *
 * - `analytics.bench_call_tasks`: BENCH_ROWS calls with the model's columns (`subject`,
 *   `call_type`, …, `who_id`, `customer_e164`), plus `seq`, the row's number, which picks
 *   the changed rows and the record Id.
 * - The first sync's state: the engine's own diff (`diffSql`) over the model with no
 *   snapshots, written into `switchboard_sync.snapshots` and `outcomes` as a run that sent
 *   every row would have written them. The hashes are therefore exactly the engine's.
 * - A change set: the same `changed` rows each time, spread over the table by a fixed
 *   permutation (`seq × p mod rows < changed`, p prime and larger than the table), so the
 *   count is exact at any size. Change `k` revises their description and duration, as a
 *   later event on a call (a callback, a corrected talk time) would.
 */
import type { SyncDefinition } from '../sync/engine.js';
import { pino } from 'pino';
import { diffSql } from '../sync/engine.js';
import { migrateWarehouse } from '../server/migrations.js';
import { outcomesTable, runsTable, snapshotsTable, SYNC_SCHEMA } from '../sync/state.js';
import type { SqlRow, Warehouse } from '../sql/warehouse.js';

export const MODELS_SCHEMA = 'analytics';
export const MODEL = 'bench_call_tasks';

/** The sync the benchmark runs: the mapping of the issue's Task (as in salesforce_call_tasks.sql). */
export const BENCH_SYNC: SyncDefinition = {
  name: 'bench_calls_to_salesforce',
  model: MODEL,
  key: 'call_id',
  destination: 'salesforce',
  object: 'Task',
  mapping: {
    Subject: 'subject',
    CallType: 'call_type',
    CallDurationInSeconds: 'call_duration_seconds',
    CallObject: 'call_object',
    ActivityDate: 'activity_date',
    Status: 'status',
    Description: 'description',
    WhoId: 'who_id',
  },
  mode: 'upsert',
  schedule: 'off',
  priority: 'bulk',
};

/** A prime above any table the benchmark builds: multiplying by it permutes 0 … rows − 1. */
const PERMUTE = 2_147_483_647n;

/** The record Id a row got from Salesforce in the first sync (18 characters, Task prefix 00T). */
export function recordIdSql(seq: string): string {
  return `'00Tb' || lpad(CAST(${seq} AS VARCHAR), 11, '0') || 'BNC'`;
}

function changedWhere(rows: number, changed: number): string {
  return `(seq * ${PERMUTE}) % ${rows} < ${changed}`;
}

const model = `${MODELS_SCHEMA}.${MODEL}`;

/**
 * Creates the model: `rows` calls over 30 days, 60 % inbound, 30 % outbound, 10 % internal;
 * 70 % answered; about 60 % of external calls matched to one of `people` (Contact Ids).
 */
export async function createModel(wh: Warehouse, rows: number, people: readonly string[]): Promise<void> {
  await wh.run(`CREATE SCHEMA IF NOT EXISTS ${MODELS_SCHEMA}`);
  await wh.run(`CREATE OR REPLACE TABLE ${MODELS_SCHEMA}.bench_people (idx INTEGER, id VARCHAR)`);
  for (let i = 0; i < people.length; i += 1000) {
    const chunk = people.slice(i, i + 1000);
    await wh.run(`INSERT INTO ${MODELS_SCHEMA}.bench_people VALUES ${chunk.map((_, j) => `(${i + j}, ${wh.dialect.param(j + 1)})`).join(', ')}`, chunk);
  }
  const seconds = Math.max(1, Math.floor((30 * 86_400) / rows));
  await wh.run(`
    CREATE OR REPLACE TABLE ${model} AS
    WITH base AS (
      SELECT range AS seq, hash(range) AS h, md5(CAST(range AS VARCHAR)) AS call_id,
             TIMESTAMP '2025-03-01 00:00:00' + to_seconds(range * ${seconds}) AS started_at
      FROM range(${rows})
    ), calls AS (
      SELECT *,
        CASE WHEN h % 10 < 6 THEN 'inbound' WHEN h % 10 < 9 THEN 'outbound' ELSE 'internal' END AS direction,
        CASE WHEN (h >> 8) % 10 < 7 THEN 'answered' WHEN (h >> 8) % 10 < 9 THEN 'missed' ELSE 'voicemail' END AS outcome,
        '+4420' || lpad(CAST((h >> 16) % 100000000 AS VARCHAR), 8, '0') AS customer_e164,
        '+4420' || lpad(CAST((h >> 24) % 100 AS VARCHAR), 8, '0') AS agent_e164,
        CAST((h >> 32) % 1800 + 5 AS INTEGER) AS talk_seconds
      FROM base
    )
    SELECT
      c.seq,
      c.call_id,
      CASE
        WHEN c.direction = 'internal' THEN 'Internal call'
        WHEN c.direction = 'outbound' AND c.outcome = 'answered' THEN 'Outbound call to ' || c.customer_e164
        WHEN c.direction = 'outbound' THEN 'Unanswered call to ' || c.customer_e164
        WHEN c.outcome = 'voicemail' THEN 'Voicemail from ' || c.customer_e164
        WHEN c.outcome = 'missed' THEN 'Missed call from ' || c.customer_e164
        ELSE 'Inbound call from ' || c.customer_e164
      END AS subject,
      CASE c.direction WHEN 'outbound' THEN 'Outbound' WHEN 'internal' THEN 'Internal' ELSE 'Inbound' END AS call_type,
      CASE WHEN c.outcome = 'answered' THEN c.talk_seconds + 12 ELSE 25 END AS call_duration_seconds,
      c.call_id AS call_object,
      CAST(CAST(c.started_at AS DATE) AS VARCHAR) AS activity_date,
      'Completed' AS status,
      'Outcome: ' || c.outcome || '; from ' || CASE WHEN c.direction = 'inbound' THEN c.customer_e164 ELSE c.agent_e164 END
        || '; to ' || CASE WHEN c.direction = 'inbound' THEN c.agent_e164 ELSE c.customer_e164 END
        || '; started ' || CAST(c.started_at AS VARCHAR)
        || CASE WHEN c.outcome = 'answered' THEN '; talk time ' || CAST(to_seconds(c.talk_seconds) AS VARCHAR) ELSE '' END
        || '; 8x8 call id ' || c.call_id AS description,
      CASE WHEN c.direction <> 'internal' AND (h >> 40) % 10 < 6 THEN p.id END AS who_id,
      CASE WHEN c.direction <> 'internal' THEN c.customer_e164 END AS customer_e164
    FROM calls AS c
    LEFT JOIN ${MODELS_SCHEMA}.bench_people AS p ON p.idx = (c.h >> 44) % ${Math.max(1, people.length)}`);
}

/**
 * Writes the state a first sync that sent every row leaves: one snapshot per key with the
 * engine's hash and the record's Id, one `sent` outcome per key, and the run.
 */
export async function seedFirstSync(wh: Warehouse, sync: SyncDefinition): Promise<void> {
  await migrateWarehouse(wh, { rawSchema: 'raw', modelsSchema: MODELS_SCHEMA }, pino({ level: 'silent' }));
  const first = `${SYNC_SCHEMA}.bench_first_sync`;
  await wh.run(`CREATE OR REPLACE TABLE ${first} AS\n${diffSql(wh.dialect, sync, MODELS_SCHEMA)}`);
  const runId = '00000000-0000-4000-8000-000000000001';
  const sentAt = `TIMESTAMP '2025-04-01 00:00:00'`;
  const refOf = recordIdSql('m.seq');
  await wh.run(
    `INSERT INTO ${SYNC_SCHEMA}.${snapshotsTable.name} SELECT '${sync.name}', f.sb_key, f.sb_hash, ${refOf}, ${sentAt} ` +
      `FROM ${first} AS f JOIN ${model} AS m ON m.call_id = f.sb_key`,
  );
  await wh.run(
    `INSERT INTO ${SYNC_SCHEMA}.${outcomesTable.name} SELECT '${sync.name}', '${runId}', f.sb_key, 1, 'create', 'sent', f.sb_hash, ${refOf}, NULL, NULL, ${sentAt} ` +
      `FROM ${first} AS f JOIN ${model} AS m ON m.call_id = f.sb_key`,
  );
  const [row] = await wh.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${first}`);
  const n = Number(row?.n ?? 0);
  await wh.run(
    `INSERT INTO ${SYNC_SCHEMA}.${runsTable.name} (run_id, sync_name, destination, dry_run, status, planned, sent, rejected, retrying, skipped, error, started_at, finished_at) VALUES ('${runId}', '${sync.name}', 'salesforce', false, 'success', ${n}, ${n}, 0, 0, 0, NULL, ${sentAt}, ${sentAt})`,
  );
  await wh.run(`DROP TABLE ${first}`);
  await wh.run('CHECKPOINT');
}

/** The changed rows as the first sync sent them: key, record Id and mapped columns. */
export async function changedRows(wh: Warehouse, sync: SyncDefinition, rows: number, changed: number): Promise<Array<SqlRow & { call_id: string; record_id: string }>> {
  const columns = [...new Set(Object.values(sync.mapping))].join(', ');
  return wh.all(`SELECT call_id, ${recordIdSql('seq')} AS record_id, ${columns} FROM ${model} WHERE ${changedWhere(rows, changed)} ORDER BY call_id`);
}

/** Change set `k` (1, 2, …): the same rows, revised again. */
export async function applyChanges(wh: Warehouse, rows: number, changed: number, k: number): Promise<void> {
  await wh.run(
    `UPDATE ${model} SET call_duration_seconds = call_duration_seconds + 1, description = description || '; revised ${k}' WHERE ${changedWhere(rows, changed)}`,
  );
}

/**
 * Hashing every row of the model alone, with the same content expression as the engine's
 * diff (every mapped column as text, NULL spelled out, in a fixed order: see diffSql), with
 * no join, no dedupe and nothing written: the floor of any hash-based diff.
 */
export function hashEveryRowSql(wh: Warehouse, sync: SyncDefinition): string {
  const d = wh.dialect;
  const text = d.typeName('text');
  const content = [...new Set(Object.values(sync.mapping))]
    .sort()
    .map((c) => `COALESCE(CAST(m.${d.quoteIdent(c)} AS ${text}), '␀')`)
    .join(` || '␟' || `);
  return `SELECT max(${d.sha256Hex(content)}) AS h, COUNT(*) AS n FROM ${model} AS m WHERE m.${d.quoteIdent(sync.key)} IS NOT NULL`;
}
