/**
 * `switchboard sync` with no syncs configured says so, and shows the config to add, instead of
 * asking for the --all that was given.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('switchboard sync with no syncs configured', () => {
  test('--all --dry-run says that no syncs are configured, where, and shows a sync to add that the config accepts', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sync-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));

    const defaults = await cli(['sync', '--all', '--dry-run'], dir);
    assert.equal(defaults.code, 1);
    assert.match(defaults.stderr, /^error SB_SYNC_NONE_CONFIGURED: No syncs are configured in the built-in defaults \(no config file\)/);
    assert.doesNotMatch(defaults.stderr, /give --all/);

    writeFileSync(join(dir, 'switchboard.yaml'), 'log:\n  level: warn\n');
    const res = await cli(['sync', '--all', '--dry-run'], dir);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /SB_SYNC_NONE_CONFIGURED: No syncs are configured in \S*switchboard\.yaml: the config key syncs is empty/);
    const example = /for example:\n\n([\s\S]+?)\n\nthen/.exec(res.stderr)?.[1];
    assert.ok(example !== undefined, res.stderr);

    // The example is a config the loader accepts, and its sync is then listed.
    writeFileSync(join(dir, 'switchboard.yaml'), `log:\n  level: warn\n${example}\n`);
    const listed = await cli(['sync', '--list'], dir);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^escalations_to_slack {2}slack_escalations → slack C0123456789/);
  });

  test('a sync asked for by name gets the same answer', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sync-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const res = await cli(['sync', 'calls_to_salesforce'], dir);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /SB_SYNC_NONE_CONFIGURED: No syncs are configured/);
  });
});
