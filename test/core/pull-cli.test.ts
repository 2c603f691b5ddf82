/**
 * `switchboard pull`'s own parts: how --from/--to are read (and refused, with how to fix it),
 * the progress view on a terminal and in a log, and `--list`/`--help` from the real binary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgressView, rangeOf } from '../../cli/commands/pull.js';
import type { PullRunResult } from '../../ingest/pulls/runner.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const NOW = new Date('2026-11-27T12:00:00Z');

test('--from/--to: dates are midnight UTC, times keep their offset, --to defaults to now', () => {
  assert.equal(rangeOf({}, NOW), undefined, 'neither: the scheduled (incremental) pull');
  assert.deepEqual(rangeOf({ from: '2026-01-01', to: '2026-02-01' }, NOW), { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') });
  assert.deepEqual(rangeOf({ from: '2026-11-01T09:00:00-05:00' }, NOW), { from: new Date('2026-11-01T14:00:00Z'), to: NOW });
  assert.throws(() => rangeOf({ to: '2026-02-01' }, NOW), (e: { code?: string; message: string }) => e.code === 'SB_PULL_RANGE' && /--to needs --from/.test(e.message));
  assert.throws(() => rangeOf({ from: 'last tuesday' }, NOW), /--from "last tuesday" is not a date or time: use 2026-01-01/);
  assert.throws(() => rangeOf({ from: '2026-02-01', to: '2026-01-01' }, NOW), /must be before --to/);
});

const result = (extra: Partial<PullRunResult> = {}): PullRunResult => ({
  runId: 'run-1', source: 'work-analytics', mode: 'backfill', from: '2026-01-01T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z', status: 'success',
  pages: 4, landed: 2500, resumed: false, skipped: [], notes: [], error: null, startedAt: '', finishedAt: '', seconds: 1.5, ...extra,
});

test('the progress view: a bar that redraws on a terminal, one line per step in a log', () => {
  const written: string[] = [];
  const page = (step: string, stepIndex: number, landed: number) => ({ phase: 'page' as const, source: 'work-analytics', progress: { step, stepIndex, steps: 2, landed } });
  const tty = new ProgressView({ write: (t: string) => written.push(t), isTTY: true });
  tty.event({ phase: 'start', source: 'work-analytics', mode: 'backfill', from: '2026-01-01T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z', resumed: true });
  tty.event(page('2026-01-01', 1, 1000));
  tty.event(page('2026-01-02', 2, 2500));
  tty.done(result());
  const screen = written.join('');
  assert.match(screen, /backfill 2026-01-01T00:00:00.000Z … 2026-01-03T00:00:00.000Z \(resuming where the last run stopped\)/);
  assert.match(screen, /\r\[#{12}-{12}\] 1\/2 2026-01-01 {2}1,000 landed/);
  assert.match(screen, /\r\[#{24}\] 2\/2 2026-01-02 {2}2,500 landed/);
  assert.match(screen, /\n\d\d:\d\d:\d\d {2}work-analytics: OK: 2,500 records in 4 pages/, 'the summary starts on a line of its own');
  assert.match(screen, /Next: switchboard build merges them into the curated tables\./);

  const log: string[] = [];
  const plain = new ProgressView({ write: (t: string) => log.push(t) });
  plain.event(page('2026-01-01', 1, 500));
  plain.event(page('2026-01-01', 1, 1000)); // same step: no second line
  plain.event({ phase: 'skipped', source: 'work-analytics', skipped: { from: NOW, to: NOW, reason: 'before-retention', message: '2023-01-01 … 2024-11-27 (UTC) skipped: 8x8 Work Analytics keeps only the last 2 years' } });
  plain.done(result({ status: 'nothing-to-do', pages: 0, landed: 0 }));
  assert.equal(log.length, 3);
  assert.ok(log.every((l) => !l.includes('\r')), 'no carriage returns in a log');
  assert.match(log[1] ?? '', /work-analytics: SKIPPED 2023-01-01 … 2024-11-27 \(UTC\) skipped: 8x8 Work Analytics keeps only the last 2 years/);
  assert.match(log[2] ?? '', /nothing to do: .* was pulled before \(--restart reads it again\)/);
});

test('the summary says each note of the run once, with its code', () => {
  const log: string[] = [];
  const view = new ProgressView({ write: (t: string) => log.push(t) });
  const note = { code: 'SB_PULL_CONNECT_ROW_DIGEST_KEY', message: '3 Chat Apps export row(s) had no umid (header: id,body).' };
  view.done(result({ source: 'connect-chatapps', landed: 12, notes: [note] }));
  const notes = log.filter((l) => l.includes('NOTE'));
  assert.equal(notes.length, 1);
  assert.match(notes[0] ?? '', /connect-chatapps: NOTE SB_PULL_CONNECT_ROW_DIGEST_KEY: 3 Chat Apps export row\(s\) had no umid/);
});

test('the binary: --list names the configured sources, an unknown one is refused with the list, --help has examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pull-cli-'));
  writeFileSync(join(dir, 'switchboard.json'), JSON.stringify({ pulls: { connect: { subAccountId: 'acme', products: ['sms'] } } }));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'pull', ...args, '--config', join(dir, 'switchboard.json')], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const list = run('--list');
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^connect-sms +8x8 Connect SMS log exports .*schedule="17 \* \* \* \*" \(pulls\.connect\)\n$/);
  const unknown = run('work-analytics');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /error SB_PULL_UNKNOWN: No pull source "work-analytics" is configured \(configured: connect-sms\)\. Sources come from the config keys pulls\.workAnalytics/);
  const help = spawnSync(process.execPath, [CLI, 'pull', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /switchboard pull work-analytics --from 2025-01-01 --to 2026-01-01|switchboard pull work-analytics --from 2026-01-01 --to 2026-02-01/);
  assert.match(help.stdout, /resumes where it stopped/);
  rmSync(dir, { recursive: true, force: true });
});
