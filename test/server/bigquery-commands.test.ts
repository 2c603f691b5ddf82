/**
 * `build`, `pull`, `sync --dry-run`, `sync` and `sql` on BigQuery: the real CLI, through the real
 * @google-cloud/bigquery client, against the protocol fake (fakes/bigquery/).
 *
 * The fake runs no SQL. The test keeps what BigQuery would hold from what the driver sent and
 * committed (test/helpers/bigquery-state.ts: control tables, the catalog of tables and
 * views, every committed writeRows MERGE), and answers the few reads whose answer matters:
 * the pull cursor, and the sync's pending changes, which it computes as BigQuery would from
 * the model rows it set up and the snapshots the syncer committed. Every other read (a data
 * test's failure count, a model's row count) answers no rows.
 *
 * What this proves: every bundled model builds with statements BigQuery accepts in that
 * order (no DDL inside a transaction, an incremental model's delete+insert in one
 * transaction, every job capped by maximumBytesBilled); a pulled page and its cursor commit
 * together; a sync sends each change once and a second sync sends nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeBigQuery, type FakeBigQuery, type QueryJob, type QueryResult } from '../../fakes/bigquery/index.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/index.js';
import { BigQueryControlState } from '../helpers/bigquery-state.js';
import { RESERVED_FOLDERS } from '../../sql/engine/model.js';
import { runCli, type CliResult } from '../helpers/cli-process.js';

const MODELS_DIR = fileURLToPath(new URL('../../../models', import.meta.url));
const PENDING = '`switchboard_sync`.`escalations_to_slack__pending`';

/** The escalations model's rows, as the test says BigQuery holds them. */
const ESCALATIONS = [
  { call_id: 'call-1', text: 'Missed call from +15550100', hash: 'h1' },
  { call_id: 'call-2', text: 'Missed call from +15550101', hash: 'h2' },
];

/** The control state, plus the sync's diff computed from the model rows and committed snapshots. */
class WarehouseState extends BigQueryControlState {
  override respond(job: QueryJob): QueryResult | undefined {
    const control = super.respond(job);
    if (control !== undefined) return control;
    if (job.query === 'SELECT call_id, duration_seconds FROM analytics.calls ORDER BY call_id') {
      return { statementType: 'SELECT', schema: [{ name: 'call_id', type: 'STRING' }, { name: 'duration_seconds', type: 'INT64' }], rows: [{ call_id: 'call-1', duration_seconds: 215 }, { call_id: 'call-2', duration_seconds: 0 }] };
    }
    if (job.query === 'SELECT * FROM analytics.nope') return { error: { reason: 'notFound', message: 'Not found: Table switchboard-test:analytics.nope was not found in location US' } };
    if (!job.query.includes(PENDING)) return undefined;
    const pending = this.pending();
    if (/^SELECT sb_action, COUNT\(\*\) AS n FROM/.test(job.query)) {
      return { schema: [{ name: 'sb_action', type: 'STRING' }, { name: 'n', type: 'INT64' }], rows: pending.length === 0 ? [] : [{ sb_action: 'create', n: pending.length }] };
    }
    const page = /^SELECT \* FROM \S+ (?:WHERE sb_key > @p1 )?ORDER BY sb_key LIMIT (\d+)$/.exec(job.query);
    const sample = /^SELECT \* FROM \S+ WHERE sb_action = '(\w+)' ORDER BY sb_key LIMIT (\d+)$/.exec(job.query);
    if (page === null && sample === null) return undefined;
    const after = (job.params as Record<string, unknown>).p1;
    const rows = pending.filter((r) => (sample === null || r.sb_action === sample[1]) && (after === undefined || r.sb_key > String(after)));
    return { schema: ['sb_key', 'sb_action', 'sb_hash', 'sb_external_ref', 'text'].map((name) => ({ name, type: 'STRING' })), rows: rows.slice(0, Number((page ?? sample)![page ? 1 : 2])) };
  }

  /** Model rows whose key has no committed snapshot at the same hash: all creates here. */
  private pending(): Array<{ sb_key: string; sb_action: string; sb_hash: string; sb_external_ref: null; text: string }> {
    const sent = new Set(this.merged('switchboard_sync.snapshots').map((s) => `${String(s.key)}#${String(s.row_hash)}`));
    return ESCALATIONS.filter((r) => !sent.has(`${r.call_id}#${r.hash}`)).map((r) => ({ sb_key: r.call_id, sb_action: 'create', sb_hash: r.hash, sb_external_ref: null, text: r.text }));
  }
}

/** A DDL statement: BigQuery refuses these on permanent tables inside a transaction. */
const DDL = /^(CREATE|DROP|ALTER|TRUNCATE)\b/;

describe('build, pull and sync on BigQuery (protocol fake)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bq-commands-'));
  const state = new WarehouseState();
  let fake: FakeBigQuery;
  let work: FakeWorkAnalytics;
  let slack: FakeSlack;
  let env: Record<string, string>;
  const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--config', join(dir, 'switchboard.json')], dir, env);

  before(async () => {
    fake = await startFakeBigQuery();
    fake.respond((job) => state.respond(job));
    const day = new Date('2025-03-04T00:00:00Z');
    const seeded = seedWorkCalls({ count: 12, start: new Date(day.getTime() + 3_600_000), timeZone: 'UTC', spacingMs: 30 * 60_000 });
    work = await startFakeWorkAnalytics({ records: seeded.records, legs: seeded.legs });
    slack = await startFakeSlack();
    env = {
      SWITCHBOARD_SLACK_BOT_TOKEN: slack.token,
      SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
      SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
      SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
    };
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'bigquery', projectId: fake.projectId, location: 'US', keyFile: await fake.writeCredentials(dir), apiEndpoint: fake.url, maximumBytesBilled: 5 * 2 ** 30 },
        spool: { dir: join(dir, 'spool') },
        log: { level: 'warn' },
        models: { schedule: 'off', regions: { work: 'US' } },
        pulls: { workAnalytics: { baseUrl: work.baseUrl, timeZone: 'UTC', pageSize: 5, schedule: 'off' } },
        destinations: { slack: { apiUrl: slack.url } },
        syncs: [{ name: 'escalations_to_slack', model: 'slack_escalations', key: 'call_id', destination: 'slack', object: 'C0ALERTS', schedule: 'off', priority: 'alert', mapping: { text: 'text' } }],
      }),
    );
  });

  after(async () => {
    await fake?.close();
    await work?.close();
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The jobs a command sent, from the mark on. */
  const since = (mark: number): QueryJob[] => fake.jobs.slice(mark).filter((j) => !j.dryRun);

  // salesforce_people_snapshot reads back its stage's columns (those of salesforce_people) and,
  // once built, its own (the same plus dbt's four).
  const PEOPLE = ['id', 'object', 'phone_field', 'phone_raw', 'phone_e164', 'pulled_at', 'account_id'];
  before(() => {
    state.knownColumns.set('analytics.salesforce_people_snapshot__sb_source', PEOPLE);
    state.knownColumns.set('analytics.salesforce_people_snapshot', [...PEOPLE, 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to']);
  });

  test('build runs every bundled model; a second build runs the incremental models incrementally, each in one transaction', async () => {
    // Models are the .sql files outside macros/, seeds/, snapshots/ and tests/; seeds are seeds/**/*.csv.
    const files = readdirSync(MODELS_DIR, { recursive: true, encoding: 'utf8' }).map((f) => f.split(sep).join('/'));
    const bundled = [
      ...files.filter((f) => f.endsWith('.sql') && !RESERVED_FOLDERS.includes(f.split('/')[0] as string)).map((f) => basename(f, '.sql')),
      ...files.filter((f) => f.startsWith('seeds/') && f.endsWith('.csv')).map((f) => basename(f, '.csv')),
      ...files.filter((f) => f.startsWith('snapshots/') && f.endsWith('.sql')).map((f) => basename(f, '.sql')),
    ];
    const first = fake.jobs.length;
    const res = await cli('build');
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const built = [...res.stdout.matchAll(/\d+ of \d+ OK (?:\w+ )+model analytics\.(\w+)/g)].map((m) => m[1]);
    assert.deepEqual([...built].sort(), [...bundled].sort(), 'every model under models/ builds');
    const jobs = since(first);
    for (const name of bundled) {
      // phone_numbers is the lookup Switchboard fills itself (libphonenumber), into a table it creates once.
      // A snapshot's table is created once (its history exists nowhere else), never replaced.
      const create = name === 'phone_numbers' ? 'CREATE TABLE IF NOT EXISTS' : name.endsWith('_snapshot') ? 'CREATE TABLE' : 'CREATE OR REPLACE (?:TABLE|VIEW)';
      assert.ok(jobs.some((j) => new RegExp(`^${create} \`analytics\`\\.\`${name}\``).test(j.query)), `${name} was created (${create})`);
    }
    assert.deepEqual(jobs.filter((j) => j.sessionId !== undefined && DDL.test(j.query)).map((j) => j.query.slice(0, 80)), [], 'no DDL inside a transaction');
    assert.ok(jobs.every((j) => j.maximumBytesBilled === String(5 * 2 ** 30)), 'every job carries warehouse.maximumBytesBilled');
    assert.ok(jobs.every((j) => j.labels.switchboard === 'true'), 'every job is labelled');
    assert.ok(state.commits.some((tables) => tables.includes('analytics.sb_run_results')), 'the run results were committed');
    const staging = jobs.find((j) => j.query.startsWith('CREATE OR REPLACE TABLE `analytics`.`stg_voice_legs`'));
    assert.match(staging?.query ?? '', /^CREATE OR REPLACE TABLE \S+\nPARTITION BY DATE\(`landed_at`\)\nCLUSTER BY `dedupe_key`, `leg_name` AS\n/, 'an incremental model is partitioned by its window column and clustered by its key');

    const second = fake.jobs.length;
    const again = await cli('build');
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const rerun = since(second);
    const incremental = [...again.stdout.matchAll(/\d+ of \d+ OK incremental model analytics\.(\w+)/g)].map((m) => m[1]!);
    const declared = readdirSync(MODELS_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.sql') && readFileSync(join(MODELS_DIR, f), 'utf8').includes("materialized='incremental'"))
      .map((f) => basename(f, '.sql'));
    assert.deepEqual([...incremental].sort(), declared.sort(), 'every incremental model ran incrementally');
    for (const name of incremental) {
      const table = `\`analytics\`.\`${name}\``;
      const del = rerun.find((j) => j.query.startsWith(`DELETE FROM ${table}`));
      const ins = rerun.find((j) => j.query.startsWith(`INSERT INTO ${table}`));
      assert.ok(del !== undefined && ins !== undefined, `${name}: delete+insert on the second build`);
      assert.ok(del.sessionId !== undefined && del.sessionId === ins.sessionId, `${name}: the delete and the insert share one session`);
      const session = rerun.filter((j) => j.sessionId === del.sessionId).map((j) => j.query);
      assert.deepEqual([session[0], session.at(-2)], ['BEGIN TRANSACTION', 'COMMIT TRANSACTION'], `${name}: one transaction`);
      assert.ok(!rerun.some((j) => new RegExp(`^CREATE OR REPLACE TABLE ${table.replace(/[.`]/g, '\\$&')} AS`).test(j.query)), `${name} was not rebuilt in full`);
    }
  });

  test('build --full-refresh rebuilds incremental models whole and refills the phone lookup without dropping it', async () => {
    const mark = fake.jobs.length;
    const res = await cli('build', '--full-refresh');
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const jobs = since(mark);
    assert.ok(jobs.some((j) => j.query.startsWith('CREATE OR REPLACE TABLE `analytics`.`stg_voice_legs`')), 'an incremental model is replaced whole');
    assert.ok(!jobs.some((j) => /^DROP TABLE (IF EXISTS )?`analytics`\.`phone_numbers`/.test(j.query)), 'readers never find the lookup missing');
    const emptied = jobs.find((j) => j.query === 'DELETE FROM `analytics`.`phone_numbers` WHERE TRUE');
    assert.ok(emptied?.sessionId !== undefined, 'the lookup is emptied inside the transaction that refills it');
    assert.ok(jobs.some((j) => j.sessionId === emptied.sessionId && j.query === 'COMMIT TRANSACTION'));
  });

  test('pull lands each page with its cursor, in one transaction, and a second pull of the range resumes from the committed cursor', async () => {
    const res = await cli('pull', 'work-analytics', '--from', '2025-03-04', '--to', '2025-03-05');
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const pages = state.commits.filter((tables) => tables.includes('raw.work_events'));
    assert.ok(pages.length >= 2, `several pages, got ${pages.length}`);
    assert.ok(pages.every((tables) => tables.includes('raw._pull_cursors')), 'every page commits with its cursor');
    const keys = new Set(state.merged('raw.work_events').map((r) => String(r.dedupe_key)));
    assert.equal(keys.size, work.records.length + work.legs.length, 'every record and leg landed once');
    assert.match(res.stdout, new RegExp(`OK: ${keys.size} records in \\d+ pages`));

    const requests = work.requests.length;
    const again = await cli('pull', 'work-analytics', '--from', '2025-03-04', '--to', '2025-03-05');
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.equal(new Set(state.merged('raw.work_events').map((r) => String(r.dedupe_key))).size, keys.size, 'nothing new landed');
    assert.ok(work.requests.length - requests < requests, 'the second pull resumed from its cursor instead of fetching the range again');
  });

  test('sync --dry-run sends nothing; sync sends each change once; a second sync has nothing to send', async () => {
    const dry = await cli('sync', 'escalations_to_slack', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr + dry.stdout);
    assert.match(dry.stdout, /escalations_to_slack: 2 changes: 2 to create, 0 to update, 0 to delete/);
    assert.equal(slack.messages('C0ALERTS').length, 0, 'a dry run sends nothing');
    assert.equal(state.merged('switchboard_sync.runs').at(-1)?.dry_run, true, 'the dry run is recorded');

    const mark = fake.jobs.length;
    const res = await cli('sync', 'escalations_to_slack');
    assert.equal(res.code, 0, res.stderr + res.stdout);
    assert.deepEqual(slack.messages('C0ALERTS').map((m) => m.text).sort(), ESCALATIONS.map((r) => r.text).sort());
    assert.ok(state.commits.some((tables) => tables.includes('switchboard_sync.snapshots') && tables.includes('switchboard_sync.outcomes')), 'snapshots commit with their outcomes');
    assert.ok(since(mark).some((j) => /^CREATE TABLE `switchboard_sync`\.`escalations_to_slack__pending` AS/.test(j.query) && j.sessionId === undefined), 'the diff runs in the warehouse, outside a transaction');

    const again = await cli('sync', 'escalations_to_slack');
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /escalations_to_slack: 0 changes/);
    assert.equal(slack.messages('C0ALERTS').length, ESCALATIONS.length, 'nothing delivered twice');
  });

  test('sql answers from BigQuery after a dry run, and a BigQuery error says what to do', async () => {
    const mark = fake.jobs.length;
    const res = await cli('sql', 'SELECT call_id, duration_seconds FROM analytics.calls ORDER BY call_id', '--format', 'csv');
    assert.equal(res.code, 0, res.stderr + res.stdout);
    assert.equal(res.stdout, 'call_id,duration_seconds\ncall-1,215\ncall-2,0\n');
    const jobs = fake.jobs.slice(mark).filter((j) => j.query.startsWith('SELECT call_id'));
    assert.deepEqual(jobs.map((j) => j.dryRun), [true, false], 'a dry run checks it is a SELECT before it runs');

    const missing = await cli('sql', 'SELECT * FROM analytics.nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /notFound/);
    assert.match(missing.stderr, /Check warehouse\.projectId, warehouse\.location and warehouse\.datasetPrefix/);
  });
});
