/**
 * No single record can block the others: when the warehouse refuses one record (here a CHECK
 * constraint stands in for any refusal the warehouse may have), the batch is landed in halves,
 * the record at fault is quarantined (a file in spool.dir and a row in _quarantine), every
 * other record lands, `replay --list` shows it, and a replay lands it once the cause is gone.
 * A drain that stops moving is visible: /readyz, a metric, an error in the log.
 * Through the real server, on DuckDB and Postgres.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait-for.js';
import { liftPoisonCheck, meetingsBody, poisonCheck } from '../helpers/poison.js';
import { mockClock } from '../helpers/clock.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { captureLogger } from '../helpers/logs.js';
import { uniqueSchema } from '../helpers/postgres.js';

for (const warehouse of ['duckdb', 'postgres'] as const) {
  describe(`[${warehouse}] the quarantine`, () => {
    test('a record the warehouse refuses is quarantined, everything around it lands, replay --list shows it, and a replay lands it once fixed', async () => {
      const rawSchema = warehouse === 'postgres' ? uniqueSchema() : 'raw';
      const h = await startHarness({ warehouse, rawSchema, beforeStart: (dir) => poisonCheck(warehouse, dir, rawSchema) });
      try {
        for (const [key, name] of [['q-1', 'Ann'], ['q-2', 'poison'], ['q-3', 'Bob'], ['q-4', 'Cy']] as const) {
          assert.equal((await h.send('meetings', { body: meetingsBody(key, name) })).statusCode, 200);
        }
        await h.drain();
        const landed = await h.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM ${h.raw('meetings_events')} ORDER BY 1`);
        assert.deepEqual(landed.map((r) => r.dedupe_key), ['jaas:q-1', 'jaas:q-3', 'jaas:q-4']);

        const [row] = await h.query<{ quarantine_id: string; kind: string; record_key: string; file: string; error: string }>(
          `SELECT quarantine_id, kind, record_key, file, error FROM ${h.raw('_quarantine')}`,
        );
        assert.ok(row !== undefined, 'one _quarantine row');
        assert.equal(row.kind, 'event');
        assert.equal(row.record_key, 'jaas:q-2');
        assert.match(row.error, /check|constraint/i);
        const file = join(h.dir, 'data', 'spool', row.file);
        assert.ok(existsSync(file), 'the record is kept in the spool directory');
        assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { body: string }).body, meetingsBody('q-2', 'poison'), 'byte for byte');

        const list = await h.admin({ method: 'GET', url: '/rejections' });
        assert.equal(list.statusCode, 200);
        const { quarantined } = list.json() as { quarantined: Array<{ quarantine_id: string; record_key: string }> };
        assert.deepEqual(quarantined.map((q) => q.record_key), ['jaas:q-2']);

        await liftPoisonCheck(h, warehouse, rawSchema);
        const replay = await h.admin({ method: 'POST', url: '/rejections/replay', payload: { ids: [row.quarantine_id] } });
        assert.equal(replay.statusCode, 200);
        assert.deepEqual((replay.json() as { outcomes: Array<{ outcome: string }> }).outcomes.map((o) => o.outcome), ['landed']);
        await h.drain();
        const after = await h.query<{ dedupe_key: string; body: string }>(`SELECT dedupe_key, body FROM ${h.raw('meetings_events')} WHERE dedupe_key = 'jaas:q-2'`);
        assert.equal(after[0]?.body, meetingsBody('q-2', 'poison'));
        const [marked] = await h.query<{ replayed_at: string | null }>(`SELECT replayed_at FROM ${h.raw('_quarantine')}`);
        assert.notEqual(marked?.replayed_at, null);
      } finally {
        await h.close();
      }
    });

    test('a backlog that stops moving turns /readyz not ready, sets switchboard_drain_stalled and logs an error, until it moves again', async (t) => {
      const { logger, lines } = captureLogger('info');
      const clock = mockClock(t, ['setInterval', 'Date']); // the stall watch; the drain itself runs in real time
      const h = await startHarness({ warehouse, logger, config: { drain: { stallAfterSeconds: 1 }, models: { schedule: 'off' } } });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      try {
        assert.equal((await h.server.app.inject({ url: '/readyz' })).statusCode, 200);
        // Hold the warehouse: the drainer's transactions wait behind this one, as behind a hung warehouse.
        const held = h.server.warehouse.transaction(() => gate);
        assert.equal((await h.send('meetings', { body: meetingsBody('stall-1', 'Dee') })).statusCode, 200, 'accepted into the spool meanwhile');
        clock.tick(1000); // drain.stallAfterSeconds
        await waitFor(async () => (await h.server.app.inject({ url: '/readyz' })).statusCode === 503, '/readyz to report the stall');
        const metrics = await h.admin({ method: 'GET', url: '/metrics' });
        assert.match(metrics.body, /^switchboard_drain_stalled 1$/m);
        await waitFor(async () => lines.some((l) => l.level === 50 && /no progress/.test(l.msg ?? '')), 'an error in the log');
        release();
        await held;
        await waitFor(async () => (await h.server.app.inject({ url: '/readyz' })).statusCode === 200, '/readyz to recover');
        assert.match((await h.admin({ method: 'GET', url: '/metrics' })).body, /^switchboard_drain_stalled 0$/m);
      } finally {
        release();
        await h.close();
      }
    });
  });
}
