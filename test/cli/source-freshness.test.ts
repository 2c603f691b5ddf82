/**
 * `switchboard source freshness` as an operator runs it: the real CLI in a child process, on a
 * real DuckDB file, directly (no server) and through a running `serve` (which holds the file),
 * then `switchboard status` showing the latest freshness. Ages are hours or days from the
 * thresholds, so the real clock cannot tip a result.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { ensureRawEventTable, rawEventTable } from '../../ingest/raw-tables.js';
import { ensureSchema } from '../../sql/ensure-table.js';
import { runCli } from '../helpers/cli-process.js';
import { serveInTempHome } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

/** Nothing listens on the discard port: the CLI then opens the warehouse itself. */
const NO_SERVER = ['--admin-url', 'http://127.0.0.1:9'];
const DAY = 86_400_000;

describe('switchboard source freshness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-freshness-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    writeFileSync(join(dir, 'switchboard.yaml'), 'warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nmodels:\n  targetDir: ./target\n  schedule: "off"\nlog:\n  level: warn\n');
    const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
    try {
      await ensureSchema(wh, wh.dialect, 'raw');
      let n = 0;
      // voice: 10 minutes old (pass); messaging: 2 days (warn after 1 day); meetings: 5 days (error after 3);
      // contact_center_events: no table at all (runtime error); work_events: not checked (bundled freshness: null).
      for (const [table, age] of [['voice_events', 600_000], ['messaging_events', 2 * DAY], ['meetings_events', 5 * DAY]] as const) {
        await ensureRawEventTable(wh, wh.dialect, 'raw', table);
        const at = new Date(Date.now() - age);
        n += 1;
        await wh.writeRows(rawEventTable('raw', table), [
          {
            dedupe_key: `k${n}`, family: 'f', event_type: 'e', body: '{}', headers: {}, source_ip: '127.0.0.1', verified_by: 'test', first_delivery_id: `d${n}`,
            first_received_at: at, last_received_at: at, delivery_count: 1, landed_at: at,
          },
        ]);
      }
    } finally {
      await wh.close();
    }
  });

  test('is listed, with --help and examples', async () => {
    assert.match((await runCli(['--help'], dir)).stdout, /\n {2}source /);
    const help = await runCli(['source', 'freshness', '--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n {2}switchboard source freshness\n {2}switchboard source freshness --select source:raw\.voice_events/);
  });

  test('with no server running: one dbt-style line per table with its age and thresholds, exit 1 on an error, sources.json and sb_source_freshness written', async () => {
    const res = await runCli(['source', 'freshness', ...NO_SERVER], dir);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const line = (i: number, label: string, table: string, age: string) =>
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${i} of 4 ${label} freshness of raw\\.${table}: ${age} \\(warn after 1 day, error after 3 days\\) \\.{3,} \\[${label} in \\d+\\.\\d\\ds\\]$`, 'm');
    assert.match(res.stdout, line(1, 'PASS', 'voice_events', '10 min old'));
    assert.match(res.stdout, line(2, 'WARN', 'messaging_events', '2 days old'));
    assert.match(res.stdout, line(3, 'ERROR', 'contact_center_events', 'could not be checked'));
    assert.match(res.stdout, line(4, 'ERROR STALE', 'meetings_events', '5 days old'));
    assert.doesNotMatch(res.stdout, /work_events/, 'not checked');
    assert.match(res.stdout, /^Completed with 2 errors:$/m);
    assert.match(res.stdout, /^ {2}Stale source\.switchboard\.raw\.meetings_events\n {4}5 days since the last row was loaded \(error after 3 days\)$/m);
    assert.match(res.stdout, /^ {2}Error in source\.switchboard\.raw\.contact_center_events\n {4}could not be checked: .*contact_center_events/m);
    assert.match(res.stdout, /^Results: target\/sources\.json and analytics\.sb_source_freshness$/m);
    assert.match(res.stdout, /^Done\. PASS=1 WARN=1 ERROR=2 SKIP=0 TOTAL=4$/m);
    assert.match(res.stderr, /^error SB_MODEL_FRESHNESS_FAILED: 2 of 4 source tables are past their error_after or could not be checked; see above\.$/m);

    const artifact = JSON.parse(readFileSync(join(dir, 'target', 'sources.json'), 'utf8')) as { results: Array<{ unique_id: string; status: string }> };
    assert.deepEqual(
      artifact.results.map((r) => [r.unique_id, r.status]),
      [
        ['source.switchboard.raw.voice_events', 'pass'],
        ['source.switchboard.raw.messaging_events', 'warn'],
        ['source.switchboard.raw.contact_center_events', 'runtime error'],
        ['source.switchboard.raw.meetings_events', 'error'],
      ],
    );
    const saved = await runCli(['sql', 'SELECT table_name, status FROM analytics.sb_source_freshness ORDER BY table_name', '--format', 'csv', ...NO_SERVER], dir);
    assert.equal(saved.stdout, 'table_name,status\ncontact_center_events,runtime error\nmeetings_events,error\nmessaging_events,warn\nvoice_events,pass\n', saved.stderr);
  });

  test('--select checks only what it names; a warning alone exits 0; a selector or declaration that is wrong says how to fix it', async () => {
    const warned = await runCli(['source', 'freshness', '--select', 'source:raw.voice_events', 'source:raw.messaging_events', ...NO_SERVER], dir);
    assert.equal(warned.code, 0, warned.stdout + warned.stderr);
    assert.match(warned.stdout, /^Completed with 1 warning:$/m);
    assert.match(warned.stdout, /^Done\. PASS=1 WARN=1 ERROR=0 SKIP=0 TOTAL=2$/m);

    const typo = await runCli(['source', 'freshness', '--select', 'source:raw.voice_event', ...NO_SERVER], dir);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /^error SB_MODEL_SELECTOR: No declared source table matches "source:raw\.voice_event" \(did you mean "source:raw\.voice_events"\?\)/m);

    mkdirSync(join(dir, 'analytics'), { recursive: true });
    writeFileSync(join(dir, 'analytics', 'sources.yml'), 'sources:\n  - name: raw\n    freshness: { warn_after: { count: 1, period: fortnight } }\n');
    writeFileSync(join(dir, 'layered.yaml'), `${readFileSync(join(dir, 'switchboard.yaml'), 'utf8')}`.replace('models:\n', 'models:\n  paths: [./analytics]\n'));
    const broken = await runCli(['source', 'freshness', '--config', 'layered.yaml', ...NO_SERVER], dir);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^error SB_MODEL_SOURCES: project:sources\.yml: source raw: freshness\.warn_after\.period must be minute, hour or day \(got "fortnight"\)\.$/m);

    writeFileSync(join(dir, 'analytics', 'sources.yml'), 'sources:\n  - name: raw\n    tables:\n      - name: meetings_events\n        freshness: { warn_after: { count: 7, period: day } }\n');
    writeFileSync(join(dir, 'layered.yaml'), readFileSync(join(dir, 'layered.yaml'), 'utf8').replace('models:\n', 'models:\n  freshness:\n    "raw.contact_center_events": "off"\n'));
    const overridden = await runCli(['source', 'freshness', '--config', 'layered.yaml', ...NO_SERVER], dir);
    assert.equal(overridden.code, 0, overridden.stdout + overridden.stderr);
    assert.match(overridden.stdout, / 3 of 3 PASS freshness of raw\.meetings_events: 5 days old \(warn after 7 days\) /, "the user's table block replaces the bundled one");
    assert.match(overridden.stdout, /^Done\. PASS=2 WARN=1 ERROR=0 SKIP=0 TOTAL=3$/m, 'contact_center_events switched off in the config');
  });

  describe('with a server running', () => {
    const served = serveInTempHome('switchboard-freshness-serve-', 'log:\n  level: warn\nmodels:\n  schedule: "off"\n  freshnessSchedule: "off"\n');
    const { home } = served;

    test('the check runs inside the server, which holds the DuckDB file, and status shows the latest per table, worst first', async () => {
      const before = await runCli(['status', '--admin-url', served.server.adminUrl, '--url', served.server.url], home);
      assert.match(before.stdout, /^Source freshness\n {2}not checked yet \(switchboard source freshness; serve checks on models\.freshnessSchedule\)$/m);

      const sent = await runCli(['send-test-event', 'voice', '--url', served.server.url], home);
      assert.equal(sent.code, 0, sent.stdout + sent.stderr);
      const landed = async () => (await runCli(['sql', 'SELECT count(*) AS n FROM raw.voice_events', '--format', 'csv', '--admin-url', served.server.adminUrl], home)).stdout === 'n\n1\n';
      await waitFor(landed, 'the test event in raw.voice_events');
      const res = await runCli(['source', 'freshness', '--admin-url', served.server.adminUrl], home);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stderr, new RegExp(`Running in the server at ${served.server.adminUrl.replaceAll('.', '\\.')}`));
      assert.match(res.stdout, / PASS freshness of raw\.voice_events: \d+ s old \(warn after 1 day, error after 3 days\) /);
      assert.match(res.stdout, / WARN freshness of raw\.meetings_events: no rows yet /);
      assert.match(res.stdout, /^Done\. PASS=1 WARN=3 ERROR=0 SKIP=0 TOTAL=4$/m);
      assert.ok(existsSync(join(home, 'data', 'target', 'sources.json')), "saved by the server, in its models.targetDir");

      const status = await runCli(['status', '--admin-url', served.server.adminUrl, '--url', served.server.url], home);
      const section = /^Source freshness +status +last loaded +thresholds\n((?: {2}.*\n)+)/m.exec(status.stdout);
      assert.ok(section !== null, status.stdout);
      const rows = (section[1] ?? '').trimEnd().split('\n');
      assert.deepEqual(
        rows.slice(0, 4).map((r) => r.trim().split(/\s{2,}/).slice(0, 2)),
        [
          ['raw.contact_center_events', 'WARN'],
          ['raw.meetings_events', 'WARN'],
          ['raw.messaging_events', 'WARN'],
          ['raw.voice_events', 'PASS'],
        ],
      );
      assert.match(rows[0] ?? '', /WARN +no rows yet +warn after 1 day, error after 3 days$/);
      assert.match(rows[4] ?? '', /^ {2}checked \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+ s ago\)$/);
      const json = JSON.parse((await runCli(['status', '--json', '--admin-url', served.server.adminUrl], home)).stdout) as { sourceFreshness: Array<{ name: string; status: string }>; jobs: Array<{ job: string; schedule: string }> };
      assert.deepEqual(json.sourceFreshness.at(-1)?.name, 'raw.voice_events');
      assert.deepEqual(json.jobs.find((j) => j.job === 'freshness')?.schedule, 'off');
    });
  });
});
