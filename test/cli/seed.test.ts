/**
 * `switchboard seed` through the real CLI (no server running, so directly on DuckDB): it loads
 * the seeds of the bundled package and of models.paths, a user seed replacing the bundled one
 * of its name; a selection without a seed and a broken CSV are errors that say what to fix.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-process.js';

test('seed loads every seed, a user seed over the bundled one, and reports what it cannot load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-seed-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'analytics', 'seeds'), { recursive: true });
  writeFileSync(join(dir, 'switchboard.yaml'), 'warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nmodels:\n  paths: [./analytics]\n  targetDir: ./target\n');
  writeFileSync(join(dir, 'analytics', 'seeds', 'vip_callers.csv'), 'phone,name\n+6591234567,"Tan, Mei"\n+12015550199,\n');
  writeFileSync(join(dir, 'analytics', 'seeds', 'holidays.csv'), 'day,name\n2025-12-25,Christmas\n');
  writeFileSync(join(dir, 'analytics', 'seeds.yml'), 'seeds:\n  - name: holidays\n    config: { column_types: { day: timestamp } }\n');

  const seeded = await runCli(['seed'], dir);
  assert.equal(seeded.code, 0, seeded.stdout + seeded.stderr);
  assert.match(seeded.stdout, /START seed model analytics\.vip_callers /);
  assert.match(seeded.stdout, /OK seed model analytics\.vip_callers \.+ \[2 rows in /);
  assert.match(seeded.stdout, /OK seed model analytics\.holidays \.+ \[1 row in /);
  assert.match(seeded.stdout, /OK seed model analytics\.account_tiers \.+ \[4 rows in /);
  assert.doesNotMatch(seeded.stdout, / test /, 'seed runs no tests');
  assert.match(seeded.stdout, /OK seed model analytics\.queue_sla_targets \.+ \[1 row in /);
  assert.match(seeded.stdout, /Finished running 4 seeds in /, 'three bundled seeds and the user\'s own');
  assert.match(seeded.stdout, /Done\. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4/);

  const vips = await runCli(['sql', "SELECT phone || ' ' || COALESCE(name, '-') AS vip FROM analytics.vip_callers ORDER BY phone"], dir);
  assert.equal(vips.code, 0, vips.stderr);
  assert.match(vips.stdout, /\+12015550199 -[\s\S]*\+6591234567 Tan, Mei/);

  const one = await runCli(['seed', '--select', 'holidays'], dir);
  assert.equal(one.code, 0, one.stdout + one.stderr);
  assert.match(one.stdout, /1 of 1 START seed model analytics\.holidays/);

  const none = await runCli(['seed', '--select', 'calls'], dir);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^error SB_MODEL_NOTHING_SELECTED: Nothing to seed: --select calls selects no seed\./);

  writeFileSync(join(dir, 'analytics', 'seeds', 'holidays.csv'), 'day,name\n2025-12-25,Christmas\n"2025-13-01",Nonsense\n');
  const broken = await runCli(['seed'], dir);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^error SB_MODEL_SEED: seeds\/holidays\.csv line 3, column day: "2025-13-01" is not a timestamp\. Fix the value, or change the column's type \(seeds: holidays → config\.column_types\.day in seeds\.yml\)\.\n$/);
});
