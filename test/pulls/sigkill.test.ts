/**
 * Kill-and-resume, for real: the `switchboard pull` process is SIGKILLed mid-backfill (once
 * right after some pages landed, then at random moments) and started again with the same
 * command until a run completes. Every call in the range ends in the raw table exactly
 * once, as sent (no page lost, no row doubled), and running the command again has nothing
 * to do. It caught a real loss: 8x8's scroll moves on with each request, so resuming from
 * a stored scrollId skipped the page that was fetched but not yet landed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { seedWorkCalls, startFakeWorkAnalytics, type FakeWorkAnalytics } from '../../fakes/work-analytics/index.js';
import { seedSmsRows, startFakeConnectExports } from '../../fakes/connect-exports/index.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const NY = 'America/New_York';

interface Attempt {
  killed: boolean;
  code: number | null;
  output: string;
}

const WORK_ENV = {
  SWITCHBOARD_WORK_ANALYTICS_API_KEY: 'test-api-key',
  SWITCHBOARD_WORK_ANALYTICS_USERNAME: 'analyst@example.com',
  SWITCHBOARD_WORK_ANALYTICS_PASSWORD: 'correct horse',
};

/** One `switchboard pull <args>` process on the config in `dir`, without a server. */
function start(dir: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'pull', ...args, '--config', join(dir, 'switchboard.json'), '--admin-url', 'http://127.0.0.1:9'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    kill: () => child.kill('SIGKILL'),
    result: async (): Promise<Attempt> => {
      const [code, signal] = await exited;
      return { killed: signal === 'SIGKILL', code, output };
    },
  };
}

const dataPages = (fake: FakeWorkAnalytics): number => fake.requests.filter((r) => r.path.startsWith('/v2/call-') && r.status === 200).length;

/**
 * Kills the pull once when `midway()` says some pages are in, then at random moments, and
 * starts it again until a run completes; returns that run and how many were killed.
 */
async function pullThroughKills(dir: string, args: string[], env: Record<string, string>, midway: () => boolean): Promise<{ finished: Attempt; kills: number }> {
  const first = start(dir, args, env);
  while (!midway()) await delay(5);
  first.kill();
  assert.equal((await first.result()).killed, true);
  let kills = 1;
  for (let round = 0; round < 60; round++) {
    const run = start(dir, args, env);
    // Early rounds die young; later ones get time to finish (a whole run took 10 s on a loaded 2-core machine).
    const timer = setTimeout(run.kill, 150 + Math.floor(Math.random() * (300 + round * 500)));
    const result = await run.result();
    clearTimeout(timer);
    if (!result.killed) return { finished: result, kills };
    kills += 1;
  }
  throw new Error('no run completed in 60 rounds');
}

// The docs' scrollIds read as a stateless cursor; a scroll kept on 8x8's side is not ruled out. Both must lose nothing.
for (const scroll of ['stateless', 'server'] as const) test(`SIGKILL mid-backfill, then the same command again: every call lands exactly once (${scroll} scrollIds)`, { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pull-sigkill-'));
  // Three days of calls, a page per 20 calls, each page a little slow: kills land mid-range.
  const now = Date.now();
  const from = new Date(Math.floor(now / 86_400_000) * 86_400_000 - 5 * 86_400_000);
  const to = new Date(from.getTime() + 3 * 86_400_000);
  const seed = seedWorkCalls({ count: 400, start: new Date(from.getTime() - 3_600_000), timeZone: NY, spacingMs: 13 * 60_000 });
  const inRange = (ms: unknown): boolean => (ms as number) >= from.getTime() && (ms as number) < to.getTime();
  // Records are listed by start time, legs by disconnect time (8x8.md §4.2).
  const want = [
    ...seed.records.filter((r) => inRange(r['startTimeUTC'])).map((r) => ({ dedupe_key: `work:call:${String(r['callId'])}`, body: r })),
    ...seed.legs.filter((l) => inRange(l['disconnectedTimeUTC'])).map((l) => ({ dedupe_key: `work:leg:${String(l['callId'])}:${String(l['legId'])}`, body: l })),
  ].sort((a, b) => (a.dedupe_key < b.dedupe_key ? -1 : 1));
  const expected = want.length;
  const fake = await startFakeWorkAnalytics({ records: seed.records, legs: seed.legs, scroll });
  fake.pageDelayMs = 40;
  const range = ['--from', from.toISOString(), '--to', to.toISOString()];
  try {
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'duckdb', path: join(dir, 'wh.duckdb') },
        pulls: { workAnalytics: { baseUrl: fake.baseUrl, timeZone: NY, pageSize: 20, schedule: 'off' } },
        log: { level: 'warn' },
      }),
    );

    // First killed right after a few pages came back (so some have landed, some not).
    const { finished, kills } = await pullThroughKills(dir, ['work-analytics', ...range], WORK_ENV, () => dataPages(fake) >= 3);
    assert.equal(finished.code, 0, `the run that was not killed succeeds:\n${finished.output}`);
    // A run killed after it marked the range done leaves the next one nothing to do.
    assert.match(finished.output, /work-analytics: (OK: \d+ records|nothing to do)/);

    const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
    try {
      const rows = await wh.all<{ dedupe_key: string; body: string }>('SELECT dedupe_key, CAST(body AS VARCHAR) AS body FROM raw.work_events ORDER BY dedupe_key');
      assert.equal(rows.length, expected, `every call record and leg in the range landed once (after ${kills} kills)`);
      const landed = rows.map((r) => ({ dedupe_key: r.dedupe_key.replace(/#[0-9a-f]{16}$/, ''), body: JSON.parse(r.body) as unknown })).sort((a, b) => (a.dedupe_key < b.dedupe_key ? -1 : 1));
      assert.deepEqual(landed, want, 'each exactly as 8x8 sent it');
      // Runs killed before they wrote their row leave none; the others were marked by the next run.
      const runs = new Map((await wh.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM raw._pull_runs GROUP BY status')).map((r) => [r.status, Number(r.n)]));
      assert.equal(runs.get('success'), 1);
      assert.equal(runs.get('running'), undefined, 'no run is left looking as if it still ran');
      const interrupted = runs.get('interrupted') ?? 0;
      assert.ok(interrupted >= 1 && interrupted <= kills, `${interrupted} interrupted of ${kills} killed`);
    } finally {
      await wh.close();
    }

    const again = await start(dir, ['work-analytics', ...range], WORK_ENV).result();
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /nothing to do/, 'the finished range is not read again');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL mid-export (jobs started, files half landed), then the same command again: every exported SMS lands once', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pull-sigkill-connect-'));
  const from = new Date('2026-03-07T00:00:00Z');
  const to = new Date('2026-03-10T00:00:00Z');
  const rows = seedSmsRows({ count: 540, start: new Date(from.getTime() - 3_600_000), spacingMs: 8 * 60_000 });
  const fake = await startFakeConnectExports({ sms: rows, rowsPerFile: 30, polls: 1 });
  fake.delayMs = 25;
  const served = fake.rows.sms.filter((r) => Date.parse(r['createdat'] as string) >= from.getTime() && Date.parse(r['createdat'] as string) < to.getTime());
  assert.ok(served.length > 0, 'the range holds exported SMS');
  const env = { SWITCHBOARD_CONNECT_API_KEY: 'test-connect-key' };
  const range = ['--from', from.toISOString(), '--to', to.toISOString()];
  try {
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'duckdb', path: join(dir, 'wh.duckdb') },
        pulls: { connect: { subAccountId: 'acme_sub', products: ['sms'], smsUrl: fake.baseUrl('sms'), pollIntervalMs: 10, schedule: 'off' } },
        log: { level: 'warn' },
      }),
    );
    const downloads = (): number => fake.requests.filter((r) => r.path.includes('/download/') && r.status === 200).length;
    const { finished, kills } = await pullThroughKills(dir, ['connect-sms', ...range], env, () => downloads() >= 3);
    assert.equal(finished.code, 0, `the run that was not killed succeeds:\n${finished.output}`);
    assert.match(finished.output, /connect-sms: (OK: \d+ records|nothing to do)/);

    const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
    try {
      const landed = await wh.all<{ dedupe_key: string; body: string }>("SELECT dedupe_key, CAST(body AS VARCHAR) AS body FROM raw.messaging_events WHERE event_type = 'SMS_LOG_EXPORT'");
      assert.equal(landed.length, served.length, `every exported SMS landed once (after ${kills} kills)`);
      const byKey = new Map(landed.map((r) => [r.dedupe_key.replace(/#[0-9a-f]{16}$/, ''), JSON.parse(r.body) as Record<string, string>]));
      for (const row of served) assert.equal(byKey.get(`pull:sms:${String(row['umid'])}`)?.['createdat'], row['createdat']);
    } finally {
      await wh.close();
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
