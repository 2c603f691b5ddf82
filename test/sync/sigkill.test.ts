/**
 * Nothing acknowledged is lost and nothing is delivered twice: the real `switchboard sync`
 * process, killed with SIGKILL at random moments while it sends tickets to a local Zendesk,
 * restarted until a run completes. Then rows change and it happens again. Every row ends as
 * exactly one ticket with its latest content, each change is applied once, and a last run
 * has nothing left to send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { startFakeZendesk, type FakeZendesk } from '../../fakes/zendesk/index.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const ROWS = 120;

interface Attempt {
  killed: boolean;
  code: number | null;
  output: string;
}

/** One `switchboard sync` process: SIGKILLed after `killAfterMs`, unless it finished first. */
async function attempt(dir: string, fake: FakeZendesk, killAfterMs: number, extra: string[] = []): Promise<Attempt> {
  const child = spawn(process.execPath, [CLI, 'sync', 'tickets', '--config', join(dir, 'switchboard.json'), '--admin-url', 'http://127.0.0.1:9', ...extra], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', SWITCHBOARD_ZENDESK_API_TOKEN: fake.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const [code, signal] = await exited;
  clearTimeout(timer);
  return { killed: signal === 'SIGKILL', code, output };
}

/** Kills runs at random moments until one completes; returns how many were killed. */
async function syncThroughCrashes(dir: string, fake: FakeZendesk): Promise<number> {
  let kills = 0;
  for (let round = 0; round < 60; round++) {
    // Early rounds die young (mid-diff, mid-batch); later ones get time to finish, and from
    // round 40 on none is killed, so that a slow (loaded) machine still ends with a whole run.
    const result = await attempt(dir, fake, round < 40 ? 150 + Math.floor(Math.random() * (400 + round * 150)) : 120_000);
    if (result.killed) {
      kills += 1;
      continue;
    }
    assert.equal(result.code, 0, `a run that was not killed succeeds:\n${result.output}`);
    return kills;
  }
  throw new Error('no run completed in 60 rounds');
}

async function withWarehouse<T>(dir: string, fn: (wh: Awaited<ReturnType<typeof openWarehouse>>) => Promise<T>): Promise<T> {
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, 'wh.duckdb') });
  try {
    return await fn(wh);
  } finally {
    await wh.close();
  }
}

test('SIGKILL at any point of a sync, then a restart: every change arrives, once', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sync-sigkill-'));
  // Slow enough that kills land mid-run: each bulk job needs a few polls.
  // Generous budgets: this test is about crashes, not limits (test/sync/zendesk-errors.test.ts has those).
  const fake = await startFakeZendesk({ jobPolls: 2, requestsPerMinute: 100_000, ticketsIndexPerMinute: 100_000 });
  try {
    await withWarehouse(dir, async (wh) => {
      await wh.run('CREATE SCHEMA analytics');
      await wh.run(`CREATE TABLE analytics.items AS SELECT CAST(i AS VARCHAR) AS id, 'Missed call ' || i AS subject, 'First note for ' || i AS body FROM range(${ROWS}) t(i)`);
    });
    writeFileSync(
      join(dir, 'switchboard.json'),
      JSON.stringify({
        warehouse: { type: 'duckdb', path: join(dir, 'wh.duckdb') },
        log: { level: 'silent' },
        destinations: { zendesk: { url: fake.url, email: fake.email } },
        syncs: [{ name: 'tickets', sql: 'SELECT * FROM analytics.items', key: 'id', destination: 'zendesk', object: 'tickets', mapping: { subject: 'subject', comment_body: 'body' }, schedule: 'off' }],
      }),
    );

    const firstKills = await syncThroughCrashes(dir, fake);
    assert.ok(firstKills > 0, 'at least one run was killed mid-way');
    for (let i = 0; i < ROWS; i++) {
      const tickets = fake.byExternalId(String(i));
      assert.equal(tickets.length, 1, `row ${i}: exactly one ticket (got ${tickets.length})`);
      assert.equal(tickets[0]?.subject, `Missed call ${i}`);
    }

    // Change every fourth row, then crash through the updates too.
    await withWarehouse(dir, (wh) => wh.run("UPDATE analytics.items SET subject = subject || ' (called back)', body = 'Called back ' || id WHERE CAST(id AS INTEGER) % 4 = 0"));
    await syncThroughCrashes(dir, fake);
    assert.equal(fake.tickets.size, ROWS, 'updates created nothing');
    for (let i = 0; i < ROWS; i++) {
      const [ticket] = fake.byExternalId(String(i));
      const changed = i % 4 === 0;
      assert.equal(ticket?.subject, changed ? `Missed call ${i} (called back)` : `Missed call ${i}`);
      const callbacks = ticket?.comments.filter((c) => c.body === `Called back ${i}`).length;
      assert.equal(callbacks, changed ? 1 : 0, `row ${i}: the change's comment was added once`);
    }

    const last = await attempt(dir, fake, 60_000, ['--dry-run']);
    assert.equal(last.code, 0, last.output);
    assert.match(last.output, /tickets: 0 changes/, 'nothing is left to send');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
