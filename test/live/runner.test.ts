/**
 * The live runner (`npm run test:live -- <warehouse>`, test/live/run.ts) without a live
 * warehouse: it says plainly that nothing was tested and exits non-zero, so no CI can count
 * it as a pass; a warehouse without live suites is a usage error. (What it does with
 * credentials needs a real project: README › Testing › Live suites.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('./run.js', import.meta.url));

/** Runs the runner with only PATH and TMPDIR set: no project, no credentials. */
function runner(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [RUNNER, ...args], {
    env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('without a project or credentials, live BigQuery is reported NOT TESTED and the run exits 3', () => {
  assert.equal(runner(['bigquery', 'landing']).status, 3, 'naming a suite changes nothing');
  const { status, output } = runner(['bigquery']);
  assert.equal(status, 3, output);
  assert.match(output, /live BigQuery: NOT TESTED/);
  assert.match(output, /SWITCHBOARD_TEST_BIGQUERY_PROJECT is not set/);
  assert.match(output, /neither GOOGLE_APPLICATION_CREDENTIALS nor SWITCHBOARD_TEST_BIGQUERY_KEY_FILE is set/);
  assert.match(output, /Nothing was run; this is not a pass/);
  assert.doesNotMatch(output, /PASSED|# pass/);
});

test('a project without credentials, or credentials in a file that does not exist, is still not tested', () => {
  const project = { SWITCHBOARD_TEST_BIGQUERY_PROJECT: 'acme-analytics' };
  const noKey = runner(['bigquery'], project);
  assert.equal(noKey.status, 3, noKey.output);
  assert.doesNotMatch(noKey.output, /PROJECT is not set/);
  assert.match(noKey.output, /neither GOOGLE_APPLICATION_CREDENTIALS nor SWITCHBOARD_TEST_BIGQUERY_KEY_FILE is set/);

  const missingFile = runner(['bigquery'], { ...project, GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/switchboard-live-key.json' });
  assert.equal(missingFile.status, 3, missingFile.output);
  assert.match(missingFile.output, /GOOGLE_APPLICATION_CREDENTIALS names \/nonexistent\/switchboard-live-key\.json, which does not exist/);
});

test('a warehouse without live suites, or none, is a usage error (exit 2) that lists the supported ones', () => {
  for (const args of [['snowflake'], [], ['--test-name-pattern=x']]) {
    const { status, output } = runner(args);
    assert.equal(status, 2, `${args.join(' ')}: ${output}`);
    assert.match(output, /usage: npm run test:live -- <warehouse>/);
    assert.match(output, /Warehouses with live suites: bigquery\./);
  }
  assert.match(runner(['snowflake']).output, /no live suites for "snowflake"/);
  const suite = runner(['bigquery', 'landing', 'nope']);
  assert.equal(suite.status, 2, suite.output);
  assert.match(suite.output, /bigquery has no live suite "nope"; it has: conformance, landing, models, sync\./);
});

test('--help says how to run, what each warehouse needs, and the exit codes', () => {
  const { status, output } = runner(['--help']);
  assert.equal(status, 0, output);
  assert.match(output, /bigquery: needs SWITCHBOARD_TEST_BIGQUERY_PROJECT and GOOGLE_APPLICATION_CREDENTIALS/);
  assert.match(output, /suites: conformance, landing, models, sync/);
  assert.match(output, /Exit codes: 0 passed; 1 .*; 2 usage; 3 not tested/);
});

test('a live file run on its own without the environment fails, rather than passing by testing nothing', () => {
  const file = fileURLToPath(new URL('./bigquery-sync.live.js', import.meta.url));
  const result = spawnSync(process.execPath, ['--test', file], { env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp' }, encoding: 'utf8', timeout: 60_000 });
  const output = `${result.stdout}${result.stderr}`;
  assert.notEqual(result.status, 0, output);
  assert.match(output, /live BigQuery tests cannot run: SWITCHBOARD_TEST_BIGQUERY_PROJECT is not set/);
});
