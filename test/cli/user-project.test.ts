/**
 * Issue 16's acceptance, end to end as an analytics team lives it: `switchboard init-models`
 * scaffolds a project (a model that refs the bundled `calls`, a seed it joins, a snapshot of
 * it, a singular test, a macro); the team adds a model named like a bundled one
 * (`meetings_daily`), which overrides it. Then:
 *
 * 1. the real `switchboard serve` (on DuckDB, then on Postgres) lands signed voice webhooks and its scheduled
 *    build (every 2 s here; every 5 min by default) builds the project on top of the bundled
 *    models: the seed, the model, the snapshot, the override and every test;
 * 2. a second call on the same day changes the model's row, and a later scheduled build
 *    closes the snapshot's first version and opens a second (type-2 history through serve);
 * 3. `switchboard build` through the CLI, first forwarded to the running server, then, with
 *    the server stopped, on the warehouse directly, builds the same project.
 *
 * Waits are bounded polls (test/helpers/wait-for.ts); no duration is asserted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { buildTestRequest } from '../../ingest/test-events.js';
import { VOICE_SAMPLES } from '../../ingest/families/voice/samples.js';
import { newTokenValue } from '../../server/admin-tokens.js';
import { runCli } from '../helpers/cli-process.js';
import { withTestSecrets } from '../helpers/harness.js';
import { writeFiles } from '../helpers/project-files.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { openWarehouse } from '../../sql/warehouses/index.js';

/** Nothing listens on the discard port: the CLI then opens the warehouse itself. */
const NO_SERVER = ['--admin-url', 'http://127.0.0.1:9'];

/** The team's own meetings_daily, in place of the bundled one, with its own test. */
const OVERRIDE = {
  'analytics/marts/meetings_daily.sql': `{# Our meetings_daily: the bundled one, cut down to what our capacity sheet reads. #}
{{ config(materialized='table', tags=['marts']) }}
select
  {{ utc_date('started_at') }} as day,
  count(*) as meetings,
  count(case when dial_in_count > 0 then 1 end) as phone_meetings
from {{ ref('meetings') }}
where started_at is not null
group by 1
`,
  'analytics/marts/meetings_daily.yml': `models:
  - name: meetings_daily
    columns:
      - name: phone_meetings
        tests: [not_null]
`,
};

/** The documented SESSION_SUMMARY sample as another call of the same day (new session and call ids). */
function anotherCall(n: number): string {
  return VOICE_SAMPLES['session-summary']!.replaceAll('9f7e2c1', `${n}f7e2c1`).replaceAll('a3c5d7e9', `${n}3c5d7e9`);
}

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`a user project on top of the bundled models, through serve and through the CLI, on ${kind}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-user-project-'));
    /** The models' schema, and on Postgres the raw one: fresh names there, dropped after. */
    const A = kind === 'duckdb' ? 'analytics' : uniqueSchema('analytics');
    const raw = kind === 'duckdb' ? 'raw' : uniqueSchema('raw');
    const warehouse = kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL, rawSchema: raw };
    const adminToken = newTokenValue();
    const env = { ...withTestSecrets({}), SWITCHBOARD_ADMIN_TOKEN: adminToken };
    let serve: ServerProcess | undefined;

    const said = (): string => `\nthe server said:\n${serve?.output() ?? ''}`;
    const sql = async (query: string): Promise<Array<Record<string, unknown>>> => {
      const response = await fetch(`${serve?.adminUrl}/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      return (JSON.parse(text) as { rows: Array<Record<string, unknown>> }).rows;
    };
    const send = async (body: string): Promise<void> => {
      const config = loadConfig({ path: join(dir, 'switchboard.json'), env, cwd: dir });
      const request = await buildTestRequest('voice', config, { body, cwd: dir });
      const response = await fetch(new URL(request.path, serve?.url), { method: 'POST', headers: request.headers, body: request.body });
      assert.equal(response.status, 200, await response.text());
    };
    /** The nodes of the newest build that got as far as `node`, as node → status. */
    const latestBuild = async (node: string): Promise<Record<string, string>> => {
      const rows = await sql(
        `SELECT node, status FROM ${A}.sb_run_results WHERE run_id = (SELECT run_id FROM ${A}.sb_run_results WHERE node = '${node}' ORDER BY run_finished_at DESC LIMIT 1)`,
      );
      return Object.fromEntries(rows.map((r) => [String(r.node), String(r.status)]));
    };
    const history = () => sql(`SELECT CAST(calls AS INTEGER) AS calls, dbt_valid_to IS NULL AS current FROM ${A}.calls_by_day_history WHERE direction = 'inbound' ORDER BY dbt_valid_from`);

    before(async () => {
      const init = await runCli(['init-models', './analytics'], dir);
      assert.equal(init.code, 0, init.stderr);
      writeFiles(dir, OVERRIDE);
      writeFileSync(
        join(dir, 'switchboard.json'),
        JSON.stringify({
          warehouse,
          spool: { dir: join(dir, 'data', 'spool') },
          models: { paths: ['./analytics'], schema: A, schedule: '*/2 * * * * *', targetDir: join(dir, 'target') },
          log: { level: 'info' },
        }),
      );
      serve = await startServerProcess(join(dir, 'switchboard.json'), env, dir);
    });
    after(async () => {
      await serve?.kill('SIGTERM');
      if (kind === 'postgres') await dropSchemas([A, raw]);
      rmSync(dir, { recursive: true, force: true });
    });

    test("serve's scheduled build builds the seed, the model on calls, its snapshot, the override and every test", async () => {
      await send(VOICE_SAMPLES['session-summary']!);
      // The run results are saved when a build has finished: then every table is as it left them.
      await waitFor(async () => Object.keys(await latestBuild('model.calls_by_day_history').catch(() => ({}))).length > 0, `a scheduled build that snapshots calls_by_day${said()}`, 60_000);

      assert.deepEqual(
        await sql(`SELECT CAST(day AS VARCHAR(10)) AS day, direction, CAST(calls AS INTEGER) AS calls, CAST(missed_calls AS INTEGER) AS missed_calls, target_calls FROM ${A}.calls_by_day ORDER BY direction`),
        [{ day: '2025-03-04', direction: 'inbound', calls: 1, missed_calls: 0, target_calls: 200 }],
      );
      assert.deepEqual(await sql(`SELECT direction, target_calls FROM ${A}.daily_call_targets ORDER BY direction`), [
        { direction: 'inbound', target_calls: 200 },
        { direction: 'outbound', target_calls: 80 },
      ]);
      assert.deepEqual(await history(), [{ calls: 1, current: true }]);
      assert.deepEqual(
        (await sql(`SELECT column_name FROM information_schema.columns WHERE table_schema = '${A}' AND table_name = 'meetings_daily' ORDER BY ordinal_position`)).map((r) => r.column_name),
        ['day', 'meetings', 'phone_meetings'],
        'the override is built in place of the bundled meetings_daily',
      );

      const nodes = await latestBuild('model.calls_by_day_history');
      for (const node of ['model.daily_call_targets', 'model.calls_by_day', 'model.calls_by_day_history', 'model.meetings_daily', 'model.calls']) assert.equal(nodes[node], 'success', `${node} in ${JSON.stringify(nodes)}`);
      assert.equal(nodes['test.calls_by_day_adds_up'], 'pass', 'the singular test ran');
      assert.equal(nodes['test.unique_daily_call_targets_direction'], 'pass', "the seed's YAML test ran");
      assert.equal(nodes['test.not_null_meetings_daily_phone_meetings'], 'pass', "the override's own test ran");
      assert.equal(nodes['test.unique_meetings_daily_day'], undefined, "the bundled model's tests went with it");
      assert.deepEqual(Object.entries(nodes).filter(([, status]) => !['success', 'pass'].includes(status)), [], 'nothing failed, warned or was skipped');
    });

    test('a later call on the same day: the next scheduled build updates the model and the snapshot keeps both versions', async () => {
      await send(anotherCall(7));
      await waitFor(async () => (await history()).length === 2, `a second snapshot version${said()}`, 60_000);
      assert.deepEqual(await history(), [
        { calls: 1, current: false },
        { calls: 2, current: true },
      ]);
      assert.deepEqual(await sql(`SELECT CAST(calls AS INTEGER) AS calls FROM ${A}.calls_by_day WHERE direction = 'inbound'`), [{ calls: 2 }]);
    });

    test('switchboard build through the CLI: forwarded to the running server, then on the file with the server stopped', async () => {
      // A scheduled build runs every 2 s here and one build runs at a time: the CLI is refused
      // with SB_MODEL_BUILD_RUNNING while one is running, and an operator retries.
      let forwarded = await runCli(['build', '--config', 'switchboard.json', '--admin-url', serve?.adminUrl ?? ''], dir, env);
      await waitFor(async () => {
        if (forwarded.code === 0 || !forwarded.stderr.includes('SB_MODEL_BUILD_RUNNING')) return true;
        forwarded = await runCli(['build', '--config', 'switchboard.json', '--admin-url', serve?.adminUrl ?? ''], dir, env);
        return false;
      }, `a turn between scheduled builds${said()}`);
      assert.equal(forwarded.code, 0, forwarded.stdout + forwarded.stderr);
      assertBuiltTheProject(forwarded.stdout, A);

      await serve?.kill('SIGTERM');
      serve = undefined;
      const direct = await runCli(['build', '--config', 'switchboard.json', ...NO_SERVER], dir, env);
      assert.equal(direct.code, 0, direct.stdout + direct.stderr);
      assertBuiltTheProject(direct.stdout, A);
      const versions = await runCli(['sql', `SELECT CAST(calls AS INTEGER) AS calls, dbt_valid_to IS NULL AS current FROM ${A}.calls_by_day_history ORDER BY dbt_valid_from`, '--format', 'csv', '--config', 'switchboard.json', ...NO_SERVER], dir, env);
      assert.equal(versions.stdout, 'calls,current\n1,false\n2,true\n', `nothing changed, so no new version${versions.stderr}`);
    });
  });
}

async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const wh = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
  try {
    for (const schema of schemas) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.quoteIdent(schema)} CASCADE`);
  } finally {
    await wh.close();
  }
}

/** What a `switchboard build` of the scaffolded project with the override prints, models in schema `a`. */
function assertBuiltTheProject(stdout: string, a: string): void {
  assert.match(stdout, new RegExp(`OK seed model ${a}\\.daily_call_targets \\.+ \\[2 rows in`));
  assert.match(stdout, new RegExp(`OK table model ${a}\\.calls_by_day \\.+ \\[`));
  assert.match(stdout, new RegExp(`OK snapshot model ${a}\\.calls_by_day_history \\.+ \\[`));
  assert.match(stdout, new RegExp(`OK table model ${a}\\.meetings_daily \\.+ \\[`));
  assert.match(stdout, /PASS test calls_by_day_adds_up \.+ \[PASS/);
  assert.match(stdout, /PASS test not_null_meetings_daily_phone_meetings \.+ \[PASS/);
  assert.doesNotMatch(stdout, /unique_meetings_daily_day/);
  assert.match(stdout, /^Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0 TOTAL=\d+$/m);
}
