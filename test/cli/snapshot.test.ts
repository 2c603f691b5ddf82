/**
 * `switchboard snapshot` through the real CLI (no server, DuckDB): it runs only the selected
 * snapshots, after `build` made what they read, and refuses a selection without a snapshot.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-process.js';

test('snapshot runs the selected snapshots alone and records a change; a selection without one is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-snapshot-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'analytics', 'snapshots'), { recursive: true });
  writeFileSync(join(dir, 'analytics', 'tiers.sql'), "{{ config(materialized='table') }} select 'acme' as account, '{{ var(\"tier\") }}' as tier");
  writeFileSync(
    join(dir, 'analytics', 'snapshots', 'tier_history.sql'),
    "{% snapshot tier_history %}{{ config(unique_key='account', strategy='check', check_cols=['tier']) }} select * from {{ ref('tiers') }}{% endsnapshot %}",
  );
  const config = (tier: string) =>
    writeFileSync(join(dir, 'switchboard.yaml'), `warehouse:\n  type: duckdb\n  path: ./wh.duckdb\nmodels:\n  paths: [./analytics]\n  targetDir: ./target\n  vars: { tier: ${tier} }\n`);

  config('gold');
  const first = await runCli(['build', '--select', 'tiers+'], dir);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /OK snapshot model analytics\.tier_history \.+ \[1 row in/);

  config('platinum');
  assert.equal((await runCli(['build', '--select', 'tiers'], dir)).code, 0);
  const snap = await runCli(['snapshot', '--select', 'tiers+'], dir);
  assert.equal(snap.code, 0, snap.stdout + snap.stderr);
  assert.match(snap.stdout, /OK snapshot model analytics\.tier_history \.+ \[2 rows in/, 'the old version closed, the new one opened');
  assert.doesNotMatch(snap.stdout, /model analytics\.tiers /, 'only snapshots run');
  const rows = await runCli(['sql', 'SELECT tier, dbt_valid_to IS NULL AS current FROM analytics.tier_history ORDER BY dbt_valid_from', '--format', 'csv'], dir);
  assert.equal(rows.stdout.trim(), 'tier,current\ngold,false\nplatinum,true');

  const none = await runCli(['snapshot', '--select', 'tiers'], dir);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /SB_MODEL_NOTHING_SELECTED: Nothing to snapshot: --select tiers selects no snapshot\. Nothing ran\./);
});
