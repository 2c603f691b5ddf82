/**
 * The spool is bound to the warehouse it accepted events for. A data directory pointed at
 * another warehouse (here: DuckDB file A, then file B) must not replay A's events into B:
 * with events still waiting for A it refuses to start, saying how to drain or move them;
 * once A has them all, it starts on B with none of them. Real server, real spool, real DuckDB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import type { FamilyName } from '../../ingest/families/family.js';
import { buildTestRequest } from '../../ingest/test-events.js';
import { createSwitchboardServer, type SwitchboardServer } from '../../server/switchboard-server.js';
import { openWarehouse, warehouseIdentity } from '../../sql/warehouses/index.js';
import { TEST_SECRETS } from '../helpers/harness.js';

const silent = pino({ level: 'silent' });

interface Running {
  server: SwitchboardServer;
  config: Config;
}

/** A server on `dir`'s spool with its DuckDB warehouse at `dir/<file>`. */
async function serverOn(dir: string, file: string): Promise<Running> {
  const path = join(dir, `switchboard-${file}.json`);
  writeFileSync(path, JSON.stringify({ warehouse: { type: 'duckdb', path: join(dir, file) }, spool: { dir: join(dir, 'data', 'spool') }, log: { level: 'silent' } }));
  const config = loadConfig({ path, cwd: dir, env: { ...TEST_SECRETS } });
  return { server: await createSwitchboardServer(config, silent, dir), config };
}

/** Posts a signed sample, and waits until it is in the spool. */
async function send({ server, config }: Running, dir: string, family: FamilyName, sample?: string): Promise<void> {
  const request = await buildTestRequest(family, config, { cwd: dir, sample });
  const response = await server.app.inject({ method: 'POST', url: request.path, headers: request.headers, payload: request.body, remoteAddress: '127.0.0.1' });
  assert.equal(response.statusCode, 200, response.body);
  await server.landing.settled();
}

/** Raw events in the DuckDB file `dir/<file>`, per table (no raw schema: none). */
async function landedIn(dir: string, file: string): Promise<Record<string, number>> {
  const wh = await openWarehouse({ type: 'duckdb', path: join(dir, file) });
  try {
    const tables = await wh.all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'raw' AND table_name IN ('meetings_events', 'voice_events') ORDER BY 1`);
    const counts: Record<string, number> = {};
    for (const { name } of tables) counts[name] = Number((await wh.all<{ n: number }>(`SELECT count(*) AS n FROM raw.${name}`))[0]?.n);
    return counts;
  } finally {
    await wh.close();
  }
}

test('a spool with events for another warehouse refuses to start; drained, it rebinds and replays none of them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const spoolDir = join(dir, 'data', 'spool');
  const bound = (): string => readFileSync(join(spoolDir, 'warehouse'), 'utf8');
  try {
    // Warehouse A: one event lands, one waits in the spool (its drainer stopped first).
    let a = await serverOn(dir, 'a.duckdb');
    await send(a, dir, 'meetings');
    await a.server.drainer.drainAll();
    await a.server.drainer.stop();
    await send(a, dir, 'voice');
    assert.ok(a.server.drainer.backlogBytes() > 0, 'the voice event waits in the spool');
    await a.server.close();
    const identityA = warehouseIdentity({ type: 'duckdb', path: join(dir, 'a.duckdb') }, 'raw');
    assert.equal(bound(), `${identityA}\n`);

    // Pointed at B, the server refuses: B would get A's events.
    const identityB = warehouseIdentity({ type: 'duckdb', path: join(dir, 'b.duckdb') }, 'raw');
    await assert.rejects(serverOn(dir, 'b.duckdb'), (error: SwitchboardError) => {
      assert.equal(error.code, 'SB_SPOOL_WAREHOUSE_MISMATCH');
      assert.equal(error.configKey, 'spool.dir');
      assert.match(error.message, /holds \d+ bytes of events accepted for another warehouse/);
      for (const part of [identityA, identityB, '`switchboard status` shows a spool backlog of 0', `mv ${spoolDir} ${spoolDir}.old`]) {
        assert.ok(error.message.includes(part), `the message names ${part}: ${error.message}`);
      }
      return true;
    });
    assert.deepEqual(await landedIn(dir, 'b.duckdb'), {}, 'B got nothing');
    assert.equal(bound(), `${identityA}\n`, 'still bound to A');

    // Drained with A's config, as the message says…
    a = await serverOn(dir, 'a.duckdb');
    await a.server.drainer.drainAll();
    assert.equal(a.server.drainer.backlogBytes(), 0);
    await a.server.close();
    assert.deepEqual(await landedIn(dir, 'a.duckdb'), { meetings_events: 1, voice_events: 1 });

    // …it starts on B, which gets none of A's events, only its own.
    const b = await serverOn(dir, 'b.duckdb');
    try {
      assert.equal(bound(), `${identityB}\n`);
      await b.server.drainer.drainAll();
      await send(b, dir, 'meetings', 'recording-uploaded');
      await b.server.drainer.drainAll();
      assert.equal(b.server.drainer.backlogBytes(), 0);
    } finally {
      await b.server.close();
    }
    assert.deepEqual(await landedIn(dir, 'b.duckdb'), { meetings_events: 1, voice_events: 0 });
    assert.deepEqual(await landedIn(dir, 'a.duckdb'), { meetings_events: 1, voice_events: 1 }, 'A is untouched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the binding names host, port, database and raw schema, never the user or password', () => {
  const identity = warehouseIdentity({ type: 'postgres', url: 'postgres://switchboard:s3cret-pw@db.internal:6432/switchboard?sslmode=require' }, 'raw');
  assert.equal(identity, 'postgres db.internal:6432/switchboard (raw schema raw)');
  assert.equal(warehouseIdentity({ type: 'postgres', url: 'postgres://sb@db.internal/analytics' }, 'landing'), 'postgres db.internal:5432/analytics (raw schema landing)');
});
