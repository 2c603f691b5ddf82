/**
 * `switchboard init-models` through the real CLI: it scaffolds a project that builds on top
 * of the bundled models as it stands, and refuses to write into a folder that has files.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-process.js';
import { SCAFFOLD } from '../../cli/commands/init-models.js';

test('init-models scaffolds a project whose model builds on the bundled calls, with its seed, snapshot and tests, and never overwrites', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-init-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const init = await runCli(['init-models', './analytics'], dir);
  assert.equal(init.code, 0, init.stderr);
  for (const path of Object.keys(SCAFFOLD)) assert.equal(readFileSync(join(dir, 'analytics', path), 'utf8'), SCAFFOLD[path]);
  assert.match(init.stdout, /models\.paths: \[\.\/analytics\]/);

  writeFileSync(join(dir, 'switchboard.yaml'), 'warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nmodels:\n  paths: [./analytics]\n  targetDir: ./target\n');
  const build = await runCli(['build', '--select', '+calls_by_day+'], dir);
  assert.equal(build.code, 0, build.stdout + build.stderr);
  assert.match(build.stdout, /OK seed model analytics\.daily_call_targets \.+ \[2 rows in/);
  assert.match(build.stdout, /table model analytics\.calls_by_day/);
  assert.match(build.stdout, /OK snapshot model analytics\.calls_by_day_history /);
  assert.match(build.stdout, /PASS test unique_daily_call_targets_direction /, "the seed's YAML test");
  assert.match(build.stdout, /test unique_combination_of_columns_calls_by_day_day__direction/);
  assert.match(build.stdout, /PASS test calls_by_day_adds_up \.+ \[PASS/, 'the singular test runs after its model');
  assert.match(build.stdout, /ERROR=0/);

  const again = await runCli(['init-models', './analytics'], dir);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /SB_CLI_BAD_OPTION: \.\/analytics is not empty .*Pick another folder/);
  assert.equal(existsSync(join(dir, 'analytics', 'calls_by_day.sql')), true);
});
