/**
 * npm run bench:sync: the sync engine (sync/engine.ts) and the Salesforce destination at
 * scale, on DuckDB, against the local Salesforce (fakes/salesforce/) limited to
 * BENCH_RPS calls per second. See bench/README.md.
 *
 * 1. Builds a BENCH_ROWS-row (default 1 000 000) model shaped like salesforce_call_tasks, and
 *    the state a confirmed first sync of it leaves: every row in `switchboard_sync.snapshots`
 *    with the engine's own hash and a record Id (sync-data.ts). Changes BENCH_CHANGED_SHARE
 *    (1 %) of the rows; those records exist in the fake org.
 * 2. The diff: `runSync` with `dryRun` (what `switchboard sync --dry-run` runs), BENCH_REPS
 *    times, alternating with hashing every row alone. Target < 5 s.
 * 3. The changes through sObject Collections (bulkThreshold above the change count): the
 *    engine's records/s against the ceiling BENCH_RPS × 200, and API calls per record;
 *    then the same calls from plain jsforce paced by the client, as the rate's baseline.
 * 4. The rows change again and go through Bulk API 2.0: API calls per record.
 *
 * Exit code: 0 when the run completed, whatever the speed targets say; 1 when a sync did not
 * send every change (rejected, still retrying, failed) or the fake did not end up with the
 * changes; 2 when the run broke.
 */
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { benchTempDir } from './temp-dir.js';
import { parseConfig } from '../server/config.js';
import { createSalesforceDestination, type SalesforceDestination } from '../sync/destinations/salesforce/index.js';
import { DEFAULT_RETRY, runSync, type RetryPolicy, type SyncProgress } from '../sync/engine.js';
import type { Warehouse } from '../sql/warehouse.js';
import { openWarehouse } from '../sql/warehouses/index.js';
import { outcomesTable, SYNC_SCHEMA } from '../sync/state.js';
import { startSalesforceServer, type SalesforceServer } from '../fakes/salesforce/index.js';
import { applyChanges, BENCH_SYNC, changedRows, createModel, hashEveryRowSql, MODEL, MODELS_SCHEMA, seedFirstSync } from './sync-data.js';
import { sendPaced, type PacedResult } from './sync-paced.js';
import { emptyBuckets, probeDestination, probeSleep, probeWarehouse } from './sync-probe.js';
import { formatSyncReport, type SendMeasurement } from './sync-report.js';
import { intEnv, say } from './env.js';

const EXTERNAL_ID = 'Switchboard_Call_Id__c';
const API_VERSION = '62.0';

function shareEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1) throw new Error(`${name} must be a share above 0 and at most 1 (e.g. 0.01), not "${raw}"`);
  return value;
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (s: number): string => `${s.toFixed(2)} s`;

/** Runs `fn`, printing `label` and then its time; resolves with the seconds. */
async function step(label: string, fn: () => Promise<unknown>): Promise<number> {
  say(`${label} …`);
  const seconds = await timeIt(fn);
  say(`  done in ${secs(seconds)}`);
  return seconds;
}

/** The engine failed where the benchmark needs it to work: exit 1, not 2. */
class BenchFailure extends Error {}

interface Bench {
  /** DuckDB's memory_limit as DuckDB reports it. */
  memory: string;
  wh: Warehouse;
  sf: SalesforceServer;
  rows: number;
  changed: number;
  rps: number;
  retry: RetryPolicy;
}

async function main(dir: string, state: { sf?: SalesforceServer; wh?: Warehouse }): Promise<boolean> {
  const rows = intEnv('BENCH_ROWS', 1_000_000, 1_000, 100_000_000);
  const share = shareEnv('BENCH_CHANGED_SHARE', 0.01);
  const rps = intEnv('BENCH_RPS', 10, 1, 10_000);
  const reps = intEnv('BENCH_REPS', 3, 1);
  const changed = Math.round(rows * share);
  if (changed < 2) throw new Error(`BENCH_ROWS × BENCH_CHANGED_SHARE must be at least 2 changed rows (Bulk API 2.0 takes more than bulkThreshold ≥ 1), not ${changed}`);
  const config = parseConfig({});
  const duck = config.warehouse.type === 'duckdb' ? config.warehouse : undefined;
  const threads = process.env.BENCH_THREADS === undefined ? duck?.threads : intEnv('BENCH_THREADS', 1, 1);
  const memoryLimit = process.env.BENCH_MEMORY ?? duck?.memoryLimit;
  say(`bench:sync: ${num(rows)} rows (BENCH_ROWS), ${num(changed)} changed (BENCH_CHANGED_SHARE ${share}), Salesforce limited to ${rps} calls/s (BENCH_RPS), in ${dir}`);

  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'bench.duckdb'), threads, memoryLimit, checkpointThreshold: duck?.checkpointThreshold });
  state.wh = wh;
  // Salesforce has no per-second limit (fakes/salesforce/); the sync paces itself to BENCH_RPS.
  const sf = await startSalesforceServer({ dailyApiRequests: 10_000_000, externalIdFields: [EXTERNAL_ID] });
  state.sf = sf;
  const [setting] = await wh.all<{ memory: string }>(`SELECT current_setting('memory_limit') AS memory`);
  const bench: Bench = { memory: setting?.memory ?? '?', wh, sf, rows, changed, rps, retry: DEFAULT_RETRY };

  // People for WhoId: Contacts in the fake org, matched to about 60 % of external calls.
  const people = Array.from({ length: Math.min(2000, Math.max(10, Math.floor(rows / 500))) }, (_, i) =>
    sf.org.addContact({ FirstName: 'Bench', LastName: `Person ${i}`, Phone: `+44207${String(i).padStart(7, '0')}` }),
  );
  const modelSeconds = await step(`building ${MODELS_SCHEMA}.${MODEL} (${num(rows)} rows)`, () => createModel(wh, rows, people));
  const seedSeconds = await step(`writing the state of a confirmed first sync (${num(rows)} snapshots and outcomes, hashed by the engine's diff)`, () =>
    seedFirstSync(wh, BENCH_SYNC),
  );
  // The records the first sync made for the rows that will change; the others are never sent.
  const before = await changedRows(wh, BENCH_SYNC, rows, changed);
  for (const row of before) {
    const fields = Object.fromEntries(Object.entries(BENCH_SYNC.mapping).map(([field, column]) => [field, row[column] ?? null]));
    sf.org.records.Task.set(row.record_id, { Priority: 'Normal', ...fields, [EXTERNAL_ID]: row.call_id, IsDeleted: false, Id: row.record_id });
  }
  await applyChanges(wh, rows, changed, 1);
  const environment = await describeEnvironment(wh, process.env.BENCH_THREADS !== undefined || process.env.BENCH_MEMORY !== undefined, rps);
  const data = [
    `data: ${MODELS_SCHEMA}.${MODEL}, ${num(rows)} rows shaped like models/outbound/salesforce_call_tasks (a table here, not the view), ` +
      `${Object.keys(BENCH_SYNC.mapping).length} mapped fields; built in ${secs(modelSeconds)}`,
    `      the state of a confirmed first sync: ${num(rows)} snapshots (the engine's hashes, a record Id each) and outcomes, written in ${secs(seedSeconds)}`,
    `      changed: ${num(changed)} rows (${(100 * share).toFixed(2)} %), spread over the table; their Tasks exist in the fake org (${num(people.length)} Contacts for WhoId)`,
  ];

  const diff = await measureDiff(bench, reps);
  const problems: string[] = [];
  const collections = await measureSend(bench, 'sObject Collections', changed + 1, problems);
  const after = await changedRows(wh, BENCH_SYNC, rows, changed);
  const revised = after.filter((row) => sf.org.records.Task.get(row.record_id)?.Description === row.description).length;
  if (revised !== changed) problems.push(`after the Collections sync, ${num(revised)} of ${num(changed)} Tasks in the fake carry the change`);
  const paced = await measurePaced(bench, after);

  await applyChanges(wh, rows, changed, 2);
  const bulk = await measureSend(bench, 'Bulk API 2.0', Math.max(1, Math.min(2000, changed - 1)), problems);
  const last = await changedRows(wh, BENCH_SYNC, rows, changed);
  const revisedAgain = last.filter((row) => sf.org.records.Task.get(row.record_id)?.Description === row.description).length;
  if (revisedAgain !== changed) problems.push(`after the Bulk API 2.0 sync, ${num(revisedAgain)} of ${num(changed)} Tasks in the fake carry the second change`);

  const report = formatSyncReport({ data, environment, reps, rps, changed, diff, collections, paced, bulk, problems });
  process.stdout.write(`${report.lines.join('\n')}\n`);
  return report.correct;
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
}

/**
 * The diff, `reps` times: runSync with dryRun (the diff into the pending table, the counts,
 * the samples, the run record) and, alternating with it, hashing every row alone.
 */
async function measureDiff(bench: Bench, reps: number): Promise<{ dryRun: number[]; create: number[]; hash: number[] }> {
  const out = { dryRun: [] as number[], create: [] as number[], hash: [] as number[] };
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? (['diff', 'hash'] as const) : (['hash', 'diff'] as const);
    for (const side of order) {
      if (side === 'hash') {
        const seconds = await timeIt(() => bench.wh.all(hashEveryRowSql(bench.wh, BENCH_SYNC)));
        out.hash.push(seconds);
        say(`diff ${i + 1}/${reps}: hashing every row alone: ${secs(seconds)}`);
        continue;
      }
      let create = 0;
      const probed = probeWarehouse(bench.wh, emptyBuckets(), (sql, seconds) => {
        if (sql.startsWith('CREATE TABLE') && sql.includes('__pending')) create += seconds;
      });
      const result = await runSync(probed, BENCH_SYNC, null, { modelsSchema: MODELS_SCHEMA, dryRun: true });
      if (result.status !== 'success') {
        const memory = /out of memory/i.test(result.error?.message ?? '')
          ? `\nDuckDB ran out of memory at memory_limit ${bench.memory}. BENCH_MEMORY=2GB raises it for this run (then the figures are not those of the default config).`
          : '';
        throw new BenchFailure(`the diff (dry run) failed: ${result.error?.code}: ${result.error?.message}${memory}`);
      }
      const planned = result.planned.update + result.planned.create;
      if (planned !== bench.changed) throw new Error(`the dry run planned ${planned} changes, not ${bench.changed}: the seeded state is wrong`);
      out.dryRun.push(result.seconds);
      out.create.push(create);
      say(`diff ${i + 1}/${reps}: dry run ${secs(result.seconds)} (CREATE TABLE AS the diff ${secs(create)}), ${num(planned)} updates planned`);
    }
  }
  return out;
}

/** One real sync of the pending changes, through Collections or Bulk depending on `bulkThreshold`. */
async function measureSend(bench: Bench, label: string, bulkThreshold: number, problems: string[]): Promise<SendMeasurement> {
  const { sf } = bench;
  const destination: SalesforceDestination = createSalesforceDestination(
    // The operator tells Switchboard its allowance (destinations.salesforce.requestsPerSecond), as the README says to.
    { loginUrl: sf.url, apiVersion: API_VERSION, auth: 'client_credentials', clientId: sf.clientId, externalIdField: EXTERNAL_ID, bulkThreshold, requestsPerSecond: bench.rps },
    { SWITCHBOARD_SALESFORCE_CLIENT_SECRET: sf.clientSecret },
    { fetchPeople: false },
  );
  const buckets = emptyBuckets();
  sf.resetStats();
  let planned = 0;
  const started = performance.now();
  const ticker = setInterval(() => {
    say(`  ${label}: ${secs((performance.now() - started) / 1000)}, ${sf.stats.apiCalls} API calls (${sf.stats.limited} refused), ${buckets.backoff.count} backoff wait(s)`);
  }, 2000);
  let result;
  try {
    say(`sync through ${label} (bulkThreshold ${num(bulkThreshold)}) …`);
    result = await runSync(probeWarehouse(bench.wh, buckets), BENCH_SYNC, probeDestination(destination, buckets), {
      modelsSchema: MODELS_SCHEMA,
      retry: bench.retry,
      sleep: probeSleep(buckets),
      onProgress: (event: SyncProgress) => {
        if (event.phase === 'planned') {
          planned = performance.now();
          say(`  ${label}: diff done, ${num(event.total)} changes to send`);
        } else if (event.phase === 'retry') {
          say(`  ${label}: attempt ${event.attempt} refused in part, retrying in ${secs(event.delayMs / 1000)}: ${event.reason.slice(0, 120)}`);
        } else {
          say(`  ${label}: ${num(event.done)} / ${num(event.total)} done: ${num(event.sent)} sent, ${num(event.rejected)} rejected, ${num(event.retrying)} retrying`);
        }
      },
    });
  } finally {
    clearInterval(ticker);
  }
  const ended = performance.now();
  say(`  ${label}: ${result.status}, ${num(result.sent)} sent in ${secs(result.seconds)}, ${sf.stats.apiCalls} API calls`);
  if (result.status !== 'success' || result.sent !== bench.changed) {
    problems.push(`${label}: status ${result.status}, ${result.sent} of ${bench.changed} sent, ${result.rejected} rejected, ${result.retrying} retrying${result.error === null ? '' : `; ${result.error.code}: ${result.error.message}`}`);
  }
  const outcomeRows = await bench.wh.all<{ status: string; n: number }>(
    `SELECT status, COUNT(*) AS n FROM ${SYNC_SCHEMA}.${outcomesTable.name} WHERE run_id = $1 GROUP BY status`,
    [result.runId],
  );
  return {
    label,
    result,
    outcomeRows: Object.fromEntries(outcomeRows.map((r) => [r.status, Number(r.n)])),
    sendSeconds: (ended - (planned === 0 ? started : planned)) / 1000,
    buckets,
    apiCalls: sf.stats.apiCalls,
    limited: sf.stats.limited,
    byKind: { ...sf.stats.byKind },
    bulkThreshold,
    batchSize: destination.batchSize,
  };
}

/** The baseline: the same Collections calls the engine made, from jsforce paced by the client. */
async function measurePaced(bench: Bench, rows: Awaited<ReturnType<typeof changedRows>>): Promise<PacedResult> {
  const { sf } = bench;
  // Send what the engine sent: an update by Id, unless it upserted by external ID.
  const operation = (sf.log.some((l) => l.kind === 'collections:upsert') ? 'upsert' : 'update') as 'update' | 'upsert';
  const records = rows.map((row) => ({
    ...Object.fromEntries(Object.entries(BENCH_SYNC.mapping).map(([field, column]) => [field, row[column] ?? null])),
    ...(operation === 'update' ? { Id: row.record_id } : { [EXTERNAL_ID]: row.call_id }),
  }));
  const chunks: Array<typeof records> = [];
  for (let i = 0; i < records.length; i += 200) chunks.push(records.slice(i, i + 200));
  sf.resetStats();
  // Let the window of the engine's last calls pass.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  say(`baseline: ${chunks.length} Collections ${operation} calls from plain jsforce, paced to ${bench.rps} per second …`);
  const result = await sendPaced({
    url: sf.url, clientId: sf.clientId, clientSecret: sf.clientSecret, apiVersion: API_VERSION, requestsPerSecond: bench.rps,
    chunks, object: BENCH_SYNC.object, operation, externalIdField: EXTERNAL_ID,
    onCall: (done) => {
      if (done % Math.max(1, bench.rps * 2) === 0) say(`  baseline: ${done} / ${chunks.length} calls`);
    },
  });
  say(`  done in ${secs(result.seconds)}`);
  return result;
}

async function describeEnvironment(wh: Warehouse, tuned: boolean, rps: number): Promise<string> {
  const [row] = await wh.all<{ version: string; threads: string; memory: string }>(
    `SELECT version() AS version, current_setting('threads') AS threads, current_setting('memory_limit') AS memory`,
  );
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return (
    `environment: ${availableParallelism()} cores (${cpu}), node ${process.version}, DuckDB ${row?.version ?? '?'} with threads=${row?.threads ?? '?'}, ` +
    `memory_limit=${row?.memory ?? '?'}${tuned ? ' (BENCH_THREADS/BENCH_MEMORY)' : ' (the config defaults)'}; ` +
    `the fake Salesforce runs in this process, ${rps} REST calls in any 1 s window; jsforce API ${API_VERSION}`
  );
}

const { dir, cleanUp } = benchTempDir('sync', say);
const state: { sf?: SalesforceServer; wh?: Warehouse } = {};

try {
  if (!(await main(dir, state))) {
    say('FAILED: a sync did not send every change, or the fake did not get them (see PROBLEMS above)');
    process.exitCode = 1;
  }
} catch (error) {
  if (error instanceof BenchFailure) {
    say(`FAILED: ${error.message}`);
    process.exitCode = 1;
  } else {
    say(`bench:sync broke: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 2;
  }
} finally {
  await state.sf?.close().catch(() => undefined);
  await state.wh?.close().catch(() => undefined);
  cleanUp();
}
