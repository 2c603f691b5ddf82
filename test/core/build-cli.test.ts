/**
 * `switchboard build`, `test` and `compile` as an operator runs them: real processes, real
 * DuckDB, directly and through a running server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../../sql/engine/run.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { startHarness } from '../helpers/harness.js';
import { serveInTempHome } from '../helpers/server-process.js';
import { runCli } from '../helpers/cli-process.js';

/** Nothing listens on the discard port: `build` and `test` then open the warehouse themselves. */
const NO_SERVER = ['--admin-url', 'http://127.0.0.1:9'];

const cli = runCli;

async function queryDuckDb<T>(path: string, sql: string): Promise<T[]> {
  const warehouse = await openWarehouse({ type: 'duckdb', path });
  try {
    return (await warehouse.all(sql)) as T[];
  } finally {
    await warehouse.close();
  }
}

function readResults(targetDir: string): RunResults {
  return JSON.parse(readFileSync(join(targetDir, 'run_results.json'), 'utf8')) as RunResults;
}

describe('switchboard build, test and compile', () => {
  test('each has --help with examples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-build-cli-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const top = await cli(['--help'], dir);
    for (const command of ['build', 'test', 'snapshot', 'compile']) {
      assert.match(top.stdout, new RegExp(`\\n  ${command} `), `${command} is listed`);
      const help = await cli([command, '--help'], dir);
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`Examples:\\n  switchboard ${command}`));
    }
    assert.match((await cli(['build', '--help'], dir)).stdout, /--full-refresh/);
    assert.match((await cli(['serve', '--help'], dir)).stdout, /POST \/build/);
  });

  test('build, with no server running, builds every model and its tests over landed events, prints dbt-style lines and saves run results', async () => {
    const h = await startHarness({ config: { models: { schedule: 'off' } } });
    for (const [family, sample] of [['voice', 'session-summary'], ['voice', 'call-status'], ['messaging', undefined], ['meetings', undefined]] as const) {
      assert.equal((await h.send(family, sample === undefined ? {} : { sample })).statusCode, 200);
    }
    await h.drain();
    await h.stop(); // the CLI opens the DuckDB file itself
    after(() => h.close());

    const res = await cli(['build', '--config', join(h.dir, 'switchboard.json'), ...NO_SERVER], h.dir);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const done = /^Done\. PASS=(\d+) WARN=0 ERROR=0 SKIP=0 TOTAL=(\d+)$/m.exec(res.stdout);
    assert.ok(done !== null, res.stdout);
    const total = Number(done[2]);
    assert.equal(Number(done[1]), total);
    // The first node reads nothing built: a seed or a staging model.
    assert.match(res.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d  1 of ${total} START (?:seed model analytics\\.\\w+|\\S+ model analytics\\.stg_\\w+) \\.{3,} \\[RUN\\]$`, 'm'));
    assert.match(res.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d  \\d+ of ${total} OK incremental model analytics\\.calls \\.{3,} \\[\\d+ rows? in \\d+\\.\\d\\ds\\]$`, 'm'));
    assert.match(res.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d  \\d+ of ${total} PASS test not_null_calls_call_id \\.{3,} \\[PASS in \\d+\\.\\d\\ds\\]$`, 'm'));
    assert.equal(res.stdout.match(/ START /g)?.length, total, 'one START line per node');
    assert.match(res.stdout, /^Completed successfully\.$/m);

    const results = readResults(join(h.dir, 'data', 'target'));
    assert.equal(results.command, 'build');
    assert.equal(results.success, true);
    assert.equal(results.results.length, total);
    const calls = results.results.find((r) => r.node === 'model.calls');
    assert.deepEqual({ status: calls?.status, materialized: calls?.materialized }, { status: 'success', materialized: 'incremental (full)' });

    const rows = await queryDuckDb<{ status: string; n: number }>(
      join(h.dir, 'warehouse.duckdb'),
      `SELECT status, count(*) AS n FROM analytics.sb_run_results WHERE run_id = '${results.runId}' GROUP BY status ORDER BY status`,
    );
    const models = results.results.filter((r) => r.kind === 'model').length;
    assert.deepEqual(rows, [
      { status: 'pass', n: total - models },
      { status: 'success', n: models },
    ]);
    const built = await queryDuckDb<{ n: number }>(join(h.dir, 'warehouse.duckdb'), 'SELECT count(*) AS n FROM analytics.calls');
    assert.ok((built[0]?.n ?? 0) > 0, 'the landed call is in analytics.calls');
    assert.equal(calls?.rows, built[0]?.n, 'a first build writes every call');
  });

  describe('on a project with a failing data test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-build-cli-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    before(() => {
      mkdirSync(join(dir, 'project'));
      writeFileSync(join(dir, 'project', 'people.sql'), "{{ config(materialized='table') }}\nselect 1 as id, 'Ada' as name union all select 2, null");
      writeFileSync(join(dir, 'project', 'greetings.sql'), "{{ config(materialized='table') }}\nselect id, 'hello ' || name as greeting from {{ ref('people') }}");
      writeFileSync(
        join(dir, 'project', 'schema.yml'),
        'models:\n  - name: people\n    columns:\n      - name: id\n        tests: [unique, not_null]\n      - name: name\n        tests: [not_null]\n',
      );
      writeFileSync(
        join(dir, 'switchboard.yaml'),
        'warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nmodels:\n  dir: ./project\n  schema: marts\n  targetDir: ./target\n  schedule: "off"\nlog:\n  level: warn\n',
      );
    });

    test('build skips what is downstream of the failure and exits 1; test alone exits 1 too, naming the failing rows', async () => {
      const built = await cli(['build', ...NO_SERVER], dir);
      assert.equal(built.code, 1, built.stdout + built.stderr);
      assert.match(built.stdout, / 1 of 5 OK table model marts\.people \.+ \[2 rows in /);
      assert.match(built.stdout, / FAIL 1 test not_null_people_name \.+ \[FAIL 1 in \d+\.\d\ds\]/);
      assert.match(built.stdout, / 5 of 5 SKIP table model marts\.greetings \.+ \[SKIP\]/);
      assert.match(built.stdout, /Failure in test\.not_null_people_name\n {4}1 failing row \(schema\.yml\); see them with: switchboard sql/);
      assert.match(built.stdout, /^Done\. PASS=3 WARN=0 ERROR=1 SKIP=1 TOTAL=5$/m);
      assert.match(built.stderr, /^error SB_MODEL_BUILD_FAILED: /m);

      const tested = await cli(['test', '--select', 'people', ...NO_SERVER], dir);
      assert.equal(tested.code, 1, tested.stdout + tested.stderr);
      assert.doesNotMatch(tested.stdout, /model marts\./, 'test builds nothing');
      assert.match(tested.stdout, /^Done\. PASS=2 WARN=0 ERROR=1 SKIP=0 TOTAL=3$/m);
      const results = readResults(join(dir, 'target'));
      assert.equal(results.command, 'test');
      assert.deepEqual(
        results.results.map((r) => [r.node, r.status]),
        [
          ['test.unique_people_id', 'pass'],
          ['test.not_null_people_id', 'pass'],
          ['test.not_null_people_name', 'fail'],
        ],
      );
      const saved = await queryDuckDb<{ command: string; n: number }>(join(dir, 'wh.duckdb'), 'SELECT command, count(*) AS n FROM marts.sb_run_results GROUP BY 1 ORDER BY 1');
      assert.deepEqual(saved, [
        { command: 'build', n: 5 },
        { command: 'test', n: 3 },
      ]);
    });

    test('a selector that matches nothing is refused before anything runs, with a suggestion', async () => {
      const res = await cli(['build', '--select', 'peeple', ...NO_SERVER], dir);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /SB_MODEL_SELECTOR: No model is named "peeple" \(did you mean "people"\?\)/);
      assert.equal(res.stdout, '');
    });

    test('a --select that --exclude empties says that nothing was selected and exits 1, running nothing', async () => {
      const lastRun = (): string | null => (existsSync(join(dir, 'target', 'run_results.json')) ? readResults(join(dir, 'target')).runId : null);
      const before = lastRun();
      const res = await cli(['build', '--exclude', 'people', '--select', 'people', ...NO_SERVER], dir);
      assert.equal(res.code, 1);
      assert.match(
        res.stderr,
        /^error SB_MODEL_NOTHING_SELECTED: Nothing to build: --select people selects 1 model \(people\), and --exclude people leaves out all of them\. Nothing ran/,
      );
      assert.equal(res.stdout, '', 'no progress lines, no "Completed successfully"');
      assert.equal(lastRun(), before, 'no run results written');
      const tested = await cli(['test', '--select', 'people+', '--exclude', 'people', 'greetings', ...NO_SERVER], dir);
      assert.equal(tested.code, 1);
      assert.match(tested.stderr, /SB_MODEL_NOTHING_SELECTED: Nothing to test: --select people\+ selects 2 models \(people, greetings\)/);
    });
  });

  test('compile prints the SQL of one model for the target warehouse, connecting to nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-build-cli-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const bigquery = await cli(['compile', 'calls', '--target', 'bigquery'], dir);
    assert.equal(bigquery.code, 0, bigquery.stderr);
    assert.match(bigquery.stdout, /from `analytics`\.`stg_voice_legs`/);
    assert.doesNotMatch(bigquery.stdout, /\{\{|\{%/, 'no template left');
    const duckdb = await cli(['compile', 'calls'], dir);
    assert.match(duckdb.stdout, /from "analytics"\."stg_voice_legs"/, 'default: the configured warehouse (DuckDB)');
    assert.match(duckdb.stdout, /^-- incremental_strategy='delete\+insert', unique_key='call_id'\n/, 'an incremental model names its strategy first');
    const legs = await cli(['compile', 'stg_voice_legs', '--incremental'], dir);
    assert.match(legs.stdout, /^-- incremental_strategy='delete\+insert', unique_key=\['dedupe_key', 'leg_name'\]\n/);
    const view = await cli(['compile', 'slack_escalations'], dir);
    assert.doesNotMatch(view.stdout, /incremental_strategy/, 'other materializations print the SQL alone');
    assert.equal(existsSync(join(dir, 'data')), false, 'no warehouse file was created');

    const unknown = await cli(['compile', 'cals'], dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /SB_MODEL_SELECTOR: No model is named "cals" \(did you mean "calls"\?\)/);
    const target = await cli(['compile', 'calls', '--target', 'oracle'], dir);
    assert.match(target.stderr, /SB_CLI_BAD_OPTION: --target must be duckdb, postgres, bigquery, snowflake/);
  });

  test('an invalid models.schedule stops serve and build with exit 2, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-build-cli-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'bad.yaml'), 'models:\n  schedule: every five minutes\n');
    for (const command of ['serve', 'build']) {
      const res = await cli([command, '--config', 'bad.yaml'], dir);
      assert.equal(res.code, 2, `${command}: ${res.stderr}`);
      assert.match(res.stderr, /SB_CONFIG_INVALID/);
      assert.match(res.stderr, /models\.schedule: "every five minutes" is not a cron expression \(expected 5 or 6 fields but got 3\)/);
    }
    writeFileSync(join(dir, 'minute.yaml'), 'models:\n  schedule: "61 * * * *"\n');
    assert.match((await cli(['serve', '--config', 'minute.yaml'], dir)).stderr, /models\.schedule: .*minute/);
  });

  describe('with a server running', () => {
    const served = serveInTempHome('switchboard-build-cli-serve-', 'log:\n  level: warn\nmodels:\n  schedule: "off"\n');
    const { home } = served;

    test('build runs inside the server, which holds the DuckDB file, and prints the same lines', async () => {
      const sent = await cli(['send-test-event', 'voice', '--url', served.server.url], home);
      assert.equal(sent.code, 0, sent.stdout + sent.stderr);
      const res = await cli(['build', '--select', '+calls', '--admin-url', served.server.adminUrl], home);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stderr, new RegExp(`Running in the server at ${served.server.adminUrl.replaceAll('.', '\\.')}`));
      assert.match(res.stdout, /^\d\d:\d\d:\d\d  \d+ of \d+ OK incremental model analytics\.calls \.+ \[\d+ rows? in /m);
      assert.match(res.stdout, /^Done\. PASS=(\d+) WARN=0 ERROR=0 SKIP=0 TOTAL=\1$/m);
      // Saved by the server, relative to its working directory.
      const results = readResults(join(home, 'data', 'target'));
      assert.equal(results.success, true);
      assert.ok(results.results.some((r) => r.node === 'model.calls'));

      const saved = await cli(['sql', `SELECT count(*) AS n FROM analytics.sb_run_results WHERE run_id = '${results.runId}'`, '--admin-url', served.server.adminUrl, '--format', 'csv'], home);
      assert.equal(saved.stdout, `n\n${results.results.length}\n`, saved.stderr);
    });

    test('test runs inside the server too, and compile needs no warehouse while the server holds it', async () => {
      const tested = await cli(['test', '--select', 'calls', '--admin-url', served.server.adminUrl], home);
      assert.equal(tested.code, 0, tested.stdout + tested.stderr);
      assert.match(tested.stdout, /PASS test unique_calls_call_id/);
      const nothing = await cli(['build', '--select', 'calls', '--exclude', 'calls', '--admin-url', served.server.adminUrl], home);
      assert.equal(nothing.code, 1);
      assert.match(nothing.stderr, /SB_MODEL_NOTHING_SELECTED: Nothing to build: --select calls selects 1 model \(calls\)/);
      const compiled = await cli(['compile', 'calls', '--target', 'snowflake'], home);
      assert.equal(compiled.code, 0, compiled.stderr);
      assert.match(compiled.stdout, /from "analytics"\."stg_voice_legs"/);
    });
  });
});
