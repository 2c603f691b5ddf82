/**
 * Conformance: stream() yields the rows all() returns, normalised the same, in batches of
 * batchRows; breaking out early or abandoning a stream leaves the warehouse working.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwitchboardError } from '../../../core/errors.js';
import type { SqlRow, Warehouse } from '../../../sql/warehouse.js';
import { createTable, numbers, params, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

async function collect(batches: AsyncIterable<SqlRow[]>): Promise<SqlRow[][]> {
  const all: SqlRow[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

/** The warehouse still answers, writes and runs transactions. */
async function stillWorks(wh: Warehouse, name: string): Promise<void> {
  await wh.run(`INSERT INTO ${name} (id, n) VALUES (${params(wh, 2)})`, ['after', 1]);
  await wh.transaction((tx) => tx.run(`UPDATE ${name} SET n = 2 WHERE id = ${wh.dialect.param(1)}`, ['after']));
  assert.deepEqual(await wh.all(`SELECT n FROM ${name} WHERE id = ${wh.dialect.param(1)}`, ['after']), [{ n: 2 }]);
}

const code = (expected: string) => (error: unknown) => error instanceof SwitchboardError && error.code === expected;

export function streamTests(open: OpenWarehouse): void {
  test('stream yields the rows all() returns, normalised the same, in batches of batchRows', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('st_values', { id: 'text!', n: 'bigint', seen_at: 'timestamp', ok: 'boolean', doc: 'json' }, ['id']));
      for (let i = 0; i < 25; i++) {
        await wh.run(`INSERT INTO ${name} (id, n, seen_at, ok, doc) VALUES (${params(wh, 4)}, ${wh.dialect.typedParam(5, 'json')})`, [
          `id-${String(i).padStart(2, '0')}`,
          i % 5 === 0 ? null : 2n ** 60n + BigInt(i),
          new Date(Date.UTC(2025, 2, 4, 9, 15, 27, i)),
          i % 2 === 0,
          JSON.stringify({ i }),
        ]);
      }
      const query = `SELECT id, n, seen_at, ok, doc FROM ${name} WHERE id >= ${wh.dialect.param(1)} ORDER BY id`;
      const batches = await collect(wh.stream(query, ['id-00'], { batchRows: 10 }));
      assert.deepEqual(batches.map((b) => b.length), [10, 10, 5]);
      assert.deepEqual(batches.flat(), await wh.all(query, ['id-00']));
      assert.deepEqual(await collect(wh.stream(`SELECT id FROM ${name} WHERE id = 'none'`)), [], 'no rows, no batch');
    });
  });

  test('stream batches 1000 rows by default and reads a result larger than one engine chunk', async () => {
    await withWarehouse(open, async (wh) => {
      const batches = await collect(wh.stream(`SELECT n FROM (${numbers(4)}) AS s ORDER BY n`));
      assert.deepEqual(batches.map((b) => b.length), Array.from({ length: 10 }, () => 1000));
      assert.deepEqual(batches.flat().map((r) => r.n), Array.from({ length: 10_000 }, (_, i) => i));
    });
  });

  test('breaking out of a stream early releases it: the warehouse keeps working, and new streams run', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('st_break', { id: 'text!', n: 'bigint' }, ['id']));
      for (let round = 0; round < 3; round++) {
        let seen = 0;
        for await (const batch of wh.stream(`SELECT n FROM (${numbers(4)}) AS s`, [], { batchRows: 100 })) {
          seen += batch.length;
          break;
        }
        assert.equal(seen, 100);
      }
      await stillWorks(wh, name);
      assert.deepEqual(await collect(wh.stream('SELECT 1 AS one')), [[{ one: 1 }]]);
    });
  });

  test('a stream abandoned without return() blocks nothing, and close() still completes', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('st_abandoned', { id: 'text!', n: 'bigint' }, ['id']));
      const abandoned = wh.stream(`SELECT n FROM (${numbers(4)}) AS s`, [], { batchRows: 10 })[Symbol.asyncIterator]();
      assert.equal((await abandoned.next()).value?.length, 10);
      await stillWorks(wh, name);
      // withWarehouse closes it: that must end the abandoned stream rather than wait for it.
    });
  });

  test('stream refuses a batchRows that is not a positive integer', async () => {
    await withWarehouse(open, async (wh) => {
      for (const batchRows of [0, -1, 1.5]) await assert.rejects(collect(wh.stream('SELECT 1 AS one', [], { batchRows })), code('SB_SQL_INVALID_PARAM'));
    });
  });
}
