/**
 * `switchboard compile --dry-run` as an operator runs it: the real CLI in a child process,
 * talking to BigQuery through the real @google-cloud/bigquery client and the protocol fake
 * (fakes/bigquery/). The fake never reads SQL: each test says what BigQuery answers to the
 * dry-run job, and asserts what the CLI printed and what job it sent.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeBigQuery, type FakeBigQuery, type QueryJob } from '../../fakes/bigquery/index.js';
import { runCli } from '../helpers/cli-process.js';

const GIB = 2 ** 30;
/** What the fake says the model would scan: 1.2 GiB. */
const ESTIMATE = 1_288_490_188;

describe('switchboard compile --dry-run on BigQuery', () => {
  let fake: FakeBigQuery;
  let dir: string;
  /** The jobs the CLI sent, without the ping that opening the warehouse sends. */
  const dryRuns = (): QueryJob[] => fake.jobs.filter((j) => j.query !== 'SELECT 1 AS ok');
  const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';
  /** The SQL printed: every line but the first (the model's strategy comment) and the last (the estimate). */
  const sqlOf = (stdout: string): string => stdout.trimEnd().split('\n').slice(1, -1).join('\n');

  before(async () => {
    fake = await startFakeBigQuery();
    dir = mkdtempSync(join(tmpdir(), 'switchboard-compile-dry-run-'));
    const keyFile = await fake.writeCredentials(dir);
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'bigquery', projectId: fake.projectId, location: 'US', keyFile, apiEndpoint: fake.url, datasetPrefix: 'sb_', maximumBytesBilled: 5 * GIB },
        log: { level: 'warn' },
      }),
    );
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.jobs.length = 0;
    fake.respond((job) => (job.dryRun ? { totalBytesProcessed: ESTIMATE, statementType: 'SELECT' } : undefined));
  });

  const compile = (...args: string[]) => runCli(['compile', ...args, '--config', 'switchboard.json'], dir);

  test("prints the model's SQL, then the bytes BigQuery estimates against warehouse.maximumBytesBilled", async () => {
    const res = await compile('calls', '--dry-run');
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      lastLine(res.stdout),
      `-- BigQuery ${fake.projectId} (US), dataset prefix sb_ estimates this query scans 1.2 GiB (${ESTIMATE} bytes); builds are capped at warehouse.maximumBytesBilled = 5.0 GiB`,
    );
    assert.match(sqlOf(res.stdout), /from `sb_analytics`\.`stg_voice_legs`/, 'compiled with the warehouse\'s dataset prefix');
    assert.equal(res.stdout.split('\n')[0], "-- incremental_strategy='delete+insert', unique_key='call_id'", 'first, how builds apply the rows');
  });

  test('the job sent is a dry run of exactly the printed SQL, with the label and the cost guard', async () => {
    const res = await compile('calls', '--dry-run');
    assert.equal(res.code, 0, res.stderr);
    const [job, ...more] = dryRuns();
    assert.equal(more.length, 0, 'one job besides the ping');
    assert.equal(job?.dryRun, true);
    assert.equal(job?.query, sqlOf(res.stdout));
    assert.deepEqual(job?.labels, { switchboard: 'true' });
    assert.equal(job?.maximumBytesBilled, String(5 * GIB));
    assert.equal(job?.location, 'US');
  });

  test('--incremental dry-runs the incremental branch, which reads the model\'s own table for its watermark', async () => {
    const full = await compile('calls', '--dry-run');
    const incremental = await compile('calls', '--dry-run', '--incremental');
    assert.equal(incremental.code, 0, incremental.stderr);
    const [fullJob, incrementalJob] = dryRuns();
    assert.equal(incrementalJob?.query, sqlOf(incremental.stdout));
    assert.doesNotMatch(fullJob?.query ?? '', /`sb_analytics`\.`calls`/);
    assert.match(incrementalJob?.query ?? '', /`sb_analytics`\.`calls`/);
    assert.match(incrementalJob?.query ?? '', /landed_at > /);
    assert.notEqual(sqlOf(full.stdout), sqlOf(incremental.stdout));
  });

  test('--json prints the SQL and the estimate for scripts', async () => {
    const res = await compile('calls', '--dry-run', '--json');
    assert.equal(res.code, 0, res.stderr);
    const body = JSON.parse(res.stdout) as Record<string, unknown>;
    assert.deepEqual({ ...body, sql: undefined }, {
      model: 'calls',
      incremental: false,
      incrementalStrategy: 'delete+insert',
      warehouse: `BigQuery ${fake.projectId} (US), dataset prefix sb_`,
      sql: undefined,
      bytesProcessed: ESTIMATE,
      statementType: 'SELECT',
      bytesLimit: { bytes: 5 * GIB, configKey: 'warehouse.maximumBytesBilled' },
      overLimit: false,
    });
    assert.equal(body.sql, dryRuns()[0]?.query);
  });

  test("SQL BigQuery refuses prints BigQuery's message and exits 1", async () => {
    const message = 'Unrecognized name: caller_number; Did you mean callee_number? at [12:5]';
    fake.respond((job) => (job.dryRun ? { error: { reason: 'invalidQuery', message } } : undefined));
    const res = await compile('calls', '--dry-run');
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '', 'no estimate for SQL that does not compile');
    assert.match(res.stderr, /^error SB_MODEL_DRY_RUN_FAILED: .*calls\.sql: the warehouse refused the model's SQL in a dry run \(nothing ran\): /m);
    assert.ok(res.stderr.includes(`(invalidQuery): ${message}`), res.stderr);
  });

  test('an estimate over warehouse.maximumBytesBilled is printed, then refused with exit 1', async () => {
    fake.respond((job) => (job.dryRun ? { totalBytesProcessed: 6 * GIB } : undefined));
    const res = await compile('calls', '--dry-run');
    assert.equal(res.code, 1);
    assert.match(lastLine(res.stdout), /scans 6\.0 GiB \(6442450944 bytes\); builds are capped at warehouse\.maximumBytesBilled = 5\.0 GiB: over the cap, so a build would fail$/);
    assert.match(res.stderr, /^error SB_MODEL_DRY_RUN_OVER_LIMIT: .*calls\.sql: .*6\.0 GiB \(6442450944 bytes\), more than warehouse\.maximumBytesBilled = 5\.0 GiB .*raise warehouse\.maximumBytesBilled/m);
  });

  test('--target other than warehouse.type is refused before anything is sent', async () => {
    const res = await compile('calls', '--dry-run', '--target', 'duckdb');
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^error SB_CLI_BAD_OPTION: --dry-run asks the configured warehouse, which is bigquery \(warehouse\.type\), not duckdb\. Drop --target, or set warehouse\.type: duckdb/m);
    assert.deepEqual(fake.jobs, [], 'BigQuery was not contacted');
    const same = await compile('calls', '--dry-run', '--target', 'bigquery');
    assert.equal(same.code, 0, same.stderr);
  });

  test('without --dry-run, compile still connects to nothing', async () => {
    const res = await compile('calls');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /from `analytics`\.`stg_voice_legs`/);
    assert.deepEqual(fake.jobs, []);
    const json = await compile('calls', '--json');
    assert.match(json.stderr, /SB_CLI_BAD_OPTION: --json goes with --dry-run/);
  });
});

describe('switchboard compile --dry-run on DuckDB', () => {
  test('DuckDB checks the SQL against its catalog: on a database without the raw tables, it names the missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-compile-dry-run-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'switchboard.yaml'), 'warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nlog:\n  level: warn\n');
    const res = await runCli(['compile', 'stg_voice_legs', '--dry-run'], dir);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^error SB_MODEL_DRY_RUN_FAILED: .*stg_voice_legs\.sql: the warehouse refused the model's SQL in a dry run \(nothing ran\): Catalog Error: Table with name "raw\.voice_events" does not exist/m);
  });
});
