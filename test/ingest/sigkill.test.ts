/**
 * Durability, proven by killing: a real server takes signed events from concurrent senders
 * (with retries of already-acknowledged events mixed in), is SIGKILLed at a random moment,
 * restarted, and so on. At the end every acknowledged event is in the raw table exactly
 * once, and no event nobody sent is there.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';
import { startServerProcess } from '../helpers/server-process.js';
import { withTestSecrets } from '../helpers/harness.js';
import { drainAndStop, sendUnderKills } from '../helpers/kill-load.js';

const SECRET = 'whsec_sigkilltest';
const ROUNDS = 4;
const SENDERS = 16;

for (const kind of ['duckdb', 'postgres'] as const) {
  describe(`SIGKILL durability on ${kind}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-kill-'));
    const rawSchema = kind === 'postgres' ? uniqueSchema() : 'raw';
    const warehouse =
      kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL, rawSchema };
    const configPath = join(dir, 'switchboard.json');
    writeFileSync(
      configPath,
      JSON.stringify({ warehouse, spool: { dir: join(dir, 'spool'), segmentBytes: 256 * 1024 }, drain: { batchSize: 50 }, log: { level: 'warn' } }),
    );
    const env = withTestSecrets({ SWITCHBOARD_MEETINGS_WEBHOOK_SECRET: SECRET });

    after(async () => {
      if (kind === 'postgres') {
        const wh = await openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL });
        await wh.run(`DROP SCHEMA IF EXISTS ${rawSchema} CASCADE`);
        await wh.close();
      }
      rmSync(dir, { recursive: true, force: true });
    });

    test('every acknowledged event is in the raw table exactly once after repeated kills', async () => {
      const { acked, attempts } = await sendUnderKills({ rounds: ROUNDS, senders: SENDERS, secret: SECRET, start: () => startServerProcess(configPath, env, dir) });
      assert.ok(acked.size > 50, `expected a real load, got ${acked.size} acknowledged events`);

      // Restart once more and let the spool drain, then stop cleanly and look.
      const { backlog, output: lastOutput } = await drainAndStop(await startServerProcess(configPath, env, dir), dir);
      assert.equal(backlog, 0, `the spool did not drain within 60 s; the server said:\n${lastOutput}`);

      const wh = await openWarehouse(kind === 'duckdb' ? { type: 'duckdb', path: join(dir, 'wh.duckdb') } : { type: 'postgres', url: TEST_POSTGRES_URL });
      try {
        const rows = await wh.all<{ dedupe_key: string; delivery_count: number }>(
          `SELECT dedupe_key, delivery_count FROM ${rawSchema}.meetings_events`,
        );
        const landed = new Map(rows.map((r) => [r.dedupe_key.replace(/^jaas:/, ''), r.delivery_count]));
        assert.equal(landed.size, rows.length, 'one row per dedupe key');
        const missing = [...acked.keys()].filter((key) => !landed.has(key));
        assert.deepEqual(missing, [], `acknowledged events missing from the raw table; the last server said:\n${lastOutput}`);
        const strangers = [...landed.keys()].filter((key) => !attempts.has(key));
        assert.deepEqual(strangers, [], 'events nobody sent');
        const undercounted = [...acked].filter(([key, n]) => (landed.get(key) ?? 0) < n);
        assert.deepEqual(undercounted, [], 'delivery_count below the acknowledged deliveries');
      } finally {
        await wh.close();
      }
    });
  });
}
