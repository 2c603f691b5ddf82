/**
 * The sync engine on one real warehouse with an in-process destination: diffs in the
 * warehouse, modes, checkpoints, rejections and replay, retries with backoff. Run on DuckDB
 * and Postgres by test/sync/engine.test.ts, and on a real BigQuery project by
 * test/live/bigquery-sync.live.ts (`npm run test:live -- bigquery`). Its SQL is the
 * dialect's (createTable, tableName), so the same statements run on each.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Warehouse } from '../../sql/warehouse.js';
import { runSync, type SyncDefinition } from '../../sync/engine.js';
import type { Destination } from '../../sync/destination.js';
import { SYNC_SCHEMA } from '../../sync/state.js';
import { MemoryDestination } from './memory-destination.js';
import { migrated } from '../helpers/migrate.js';

const runTag = Math.random().toString(36).slice(2, 8);

/** A warehouse to run the suite on. */
export interface SyncEngineTarget {
  /** Names the suite: `sync engine on <name>`, e.g. `postgres`. */
  name: string;
  /** Opens the warehouse; the suite migrates it and closes it at the end. */
  open(): Promise<Warehouse>;
  /** The schema of the model table `people` (dropped at the end), e.g. `analytics`. */
  schema: string;
}

/** Declares `sync engine on <target.name>`. */
export function syncEngineSuite(target: SyncEngineTarget): void {
  describe(`sync engine on ${target.name}`, () => {
    let wh: Warehouse;
    const schema = target.schema;
    const table = () => wh.dialect.tableName(schema, 'people');
    const state = (name: string) => wh.dialect.tableName(SYNC_SCHEMA, name);
    const definition = (name: string, mode: SyncDefinition['mode']): SyncDefinition => ({
      // Postgres keeps switchboard_sync between test runs: a fresh name per run.
      name: `${name}_${target.name.replace(/\W+/g, '_').replace(/_$/, '')}_${runTag}`,
      model: 'people',
      key: 'id',
      destination: 'salesforce',
      object: 'Contact',
      mapping: { Name: 'name', Score: 'score' },
      mode,
      schedule: 'off',
      priority: 'bulk',
    });
    const noSleep = { sleep: async () => undefined };
    const run = (sync: SyncDefinition, destination: Destination | null, extra: object = {}) =>
      runSync(wh, sync, destination, { modelsSchema: schema, ...noSleep, ...extra });

    before(async () => {
      wh = await target.open();
      await wh.run(wh.dialect.createSchema(schema));
      await migrated(wh, { rawSchema: schema });
      await wh.run(wh.dialect.createTable({ schema, name: 'people', columns: [{ name: 'id', type: 'integer' }, { name: 'name', type: 'text' }, { name: 'score', type: 'integer' }], primaryKey: [] }));
      await wh.run(`INSERT INTO ${table()} VALUES (1, 'Ana', 10), (2, 'Bo', 20), (3, 'Cy', NULL)`);
    });
    after(async () => {
      await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.schemaName(schema)} CASCADE`);
      for (const t of ['snapshots', 'rejections', 'outcomes', 'runs']) {
        await wh.run(`DELETE FROM ${state(t)} WHERE sync_name LIKE '%_${runTag}'`).catch(() => undefined);
      }
      await wh.close();
    });

    test('a first sync creates every row; a second sends nothing; one change sends exactly one update', async () => {
      const sync = definition('upsert', 'upsert');
      const dest = new MemoryDestination();
      const first = await run(sync, dest);
      assert.equal(first.status, 'success');
      assert.deepEqual(first.planned, { create: 3, update: 0, delete: 0, skip: 0 });
      assert.deepEqual([...dest.store.keys()].sort(), ['1', '2', '3']);
      assert.deepEqual(dest.store.get('3'), { Name: 'Cy', Score: null });
      assert.deepEqual(dest.calls.map((c) => c.length), [2, 1], 'batches of batchSize');

      const second = await run(sync, dest);
      assert.equal(second.sent, 0);
      assert.equal(dest.calls.length, 2, 'nothing sent');

      await wh.run(`UPDATE ${table()} SET score = 21 WHERE id = 2`);
      const third = await run(sync, dest);
      assert.deepEqual(third.planned, { create: 0, update: 1, delete: 0, skip: 0 });
      assert.deepEqual(dest.calls.at(-1)?.map((r) => [r.action, r.key, r.fields, r.externalRef]), [['update', '2', { Name: 'Bo', Score: 21 }, 'id-2']]);
      await wh.run(`UPDATE ${table()} SET score = 20 WHERE id = 2`);
    });

    test('a dry run plans and samples, sends nothing and moves nothing', async () => {
      const sync = definition('dry', 'upsert');
      const result = await run(sync, null, { dryRun: true });
      assert.equal(result.status, 'success');
      assert.deepEqual(result.planned, { create: 3, update: 0, delete: 0, skip: 0 });
      assert.deepEqual(result.samples[0], { action: 'create', key: '1', fields: { Name: 'Ana', Score: 10 } });
      const again = await run(sync, null, { dryRun: true });
      assert.deepEqual(again.planned, result.planned, 'the snapshot did not move');
    });

    test('update-only never creates; create-only never updates; mirror deletes what left the model', async () => {
      const updateOnly = new MemoryDestination();
      updateOnly.store.set('1', { Name: 'old', Score: 0 });
      const u = await run(definition('update', 'update'), updateOnly);
      assert.deepEqual(updateOnly.sentKeys().sort(), ['update:1', 'update:2', 'update:3'], 'every change goes as an update');
      assert.deepEqual([...updateOnly.store.keys()], ['1'], 'nothing was created');
      assert.equal(u.skipped, 2);

      const createOnly = new MemoryDestination();
      const sync = definition('create', 'create');
      await run(sync, createOnly);
      await wh.run(`UPDATE ${table()} SET name = 'Ana Maria' WHERE id = 1`);
      const c = await run(sync, createOnly);
      assert.deepEqual(c.planned, { create: 0, update: 0, delete: 0, skip: 1 });
      assert.deepEqual(createOnly.sentKeys(), ['create:1', 'create:2', 'create:3'], 'the change was not sent');
      assert.equal((await run(sync, createOnly)).planned.skip, 0, 'a skipped change is not planned again');
      await wh.run(`UPDATE ${table()} SET name = 'Ana' WHERE id = 1`);

      const mirror = new MemoryDestination();
      const m = definition('mirror', 'mirror');
      await run(m, mirror);
      await wh.run(`DELETE FROM ${table()} WHERE id = 3`);
      const removed = await run(m, mirror);
      assert.deepEqual(removed.planned, { create: 0, update: 0, delete: 1, skip: 0 });
      assert.deepEqual(mirror.calls.at(-1)?.map((r) => [r.action, r.key, r.externalRef]), [['delete', '3', 'id-3']]);
      assert.deepEqual([...mirror.store.keys()].sort(), ['1', '2']);
      assert.equal((await run(m, mirror)).planned.delete, 0, 'deleted once');
      await wh.run(`INSERT INTO ${table()} VALUES (3, 'Cy', NULL)`);
    });

    test('a rejected row waits, visible, until it changes or is replayed', async () => {
      const sync = definition('reject', 'upsert');
      const dest = new MemoryDestination();
      dest.reject.set('2', 'Score must be positive');
      const first = await run(sync, dest);
      assert.equal(first.status, 'partial');
      assert.equal(first.rejected, 1);
      const [rejection] = await wh.all(`SELECT key, code, reason FROM ${state('rejections')} WHERE sync_name = '${sync.name}'`);
      assert.deepEqual(rejection, { key: '2', code: 'INVALID', reason: 'Score must be positive' });
      const outcomes = await wh.all(`SELECT key, status FROM ${state('outcomes')} WHERE sync_name = '${sync.name}' ORDER BY key`);
      assert.deepEqual(outcomes.map((o) => `${o.key}:${o.status}`), ['1:sent', '2:rejected', '3:sent']);

      assert.equal((await run(sync, dest)).planned.create, 0, 'unchanged: not sent again');
      dest.reject.clear();
      const replayed = await run(sync, dest, { replayRejected: true });
      assert.deepEqual([replayed.planned.create, replayed.sent], [1, 1]);
      assert.equal((await wh.all(`SELECT * FROM ${state('rejections')} WHERE sync_name = '${sync.name}'`)).length, 0);
    });

    test('transient failures are retried with backoff no sooner than Retry-After; then the run reports what still waits', async () => {
      const sync = definition('retry', 'upsert');
      const dest = new MemoryDestination(10);
      dest.transientCalls = 2;
      const delays: number[] = [];
      const result = await run(sync, dest, { sleep: async (ms: number) => void delays.push(ms) });
      assert.equal(result.sent, 3);
      assert.equal(delays.length, 2);
      for (const ms of delays) assert.ok(ms >= 1500, `waited ${ms} ms, at least Retry-After`);
      const retried = await wh.all(`SELECT COUNT(*) AS n FROM ${state('outcomes')} WHERE sync_name = '${sync.name}' AND status = 'retried'`);
      assert.equal(Number(retried[0]?.n), 6, 'each retried record is recorded per attempt');

      const stubborn = definition('stubborn', 'upsert');
      const down = new MemoryDestination(10);
      down.transientCalls = 100;
      const gaveUp = await run(stubborn, down, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10 } });
      assert.deepEqual([gaveUp.status, gaveUp.retrying, down.calls.length], ['partial', 3, 3]);
      down.transientCalls = 0;
      assert.equal((await run(stubborn, down)).sent, 3, 'the next run sends what still waited');
    });

    test('an attempt that confirmed part of a batch does not use up the retry budget', async () => {
      const sync = definition('trickle', 'upsert');
      const dest = new MemoryDestination(10);
      // Like a rate-limited API: the first record of each call gets through, the rest wait.
      const send = dest.send.bind(dest);
      dest.send = async (records) => {
        const [first, ...rest] = await send(records.slice(0, 1));
        return [first, ...rest, ...records.slice(1).map((r) => ({ key: r.key, status: 'retry' as const, retryAfterMs: 10 }))].filter((o) => o !== undefined);
      };
      const result = await run(sync, dest, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 } });
      assert.deepEqual([result.status, result.sent, result.retrying], ['success', 3, 0]);
    });

    test('the idempotency key is stable for the same change and differs for another', async () => {
      const sync = definition('idem', 'upsert');
      const keysOf = async (): Promise<string[]> => {
        const dest = new MemoryDestination(10);
        await run(sync, dest, { dryRun: false });
        await wh.run(`DELETE FROM ${state('snapshots')} WHERE sync_name = '${sync.name}'`);
        return dest.calls.flat().map((r) => r.idempotencyKey);
      };
      const a = await keysOf();
      const b = await keysOf();
      assert.deepEqual(a, b);
      assert.equal(new Set(a).size, 3);
    });
  });
}
