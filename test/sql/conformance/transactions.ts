/**
 * Conformance: transaction() commits together, rolls back completely, rethrows, and never
 * lets two transactions (or an outside statement) interleave; close() is idempotent.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createTable, params, signal, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

export function transactionTests(open: OpenWarehouse): void {
  test('a transaction commits all its statements together and returns fn’s result', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('tx_commit', { id: 'text' }, ['id']));
      const result = await wh.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['a']);
        await tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['b']);
        return (await tx.all(`SELECT count(*) AS n FROM ${name}`))[0];
      });
      assert.deepEqual(result, { n: 2 }, 'fn sees its own writes');
      assert.deepEqual(await wh.all(`SELECT id FROM ${name} ORDER BY id`), [{ id: 'a' }, { id: 'b' }]);
    });
  });

  test('a transaction whose fn throws rolls back everything and rethrows the same error', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('tx_rollback', { id: 'text' }, ['id']));
      await wh.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['before']);
      const boom = new Error('boom');
      await assert.rejects(
        wh.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['a']);
          await tx.run(`DELETE FROM ${name} WHERE id = ${params(wh, 1)}`, ['before']);
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), [{ id: 'before' }]);
    });
  });

  test('a failing statement inside a transaction rolls it back and surfaces the driver error', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('tx_sql_error', { id: 'text' }, ['id']));
      await assert.rejects(
        wh.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['a']);
          await tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['a']); // duplicate key
        }),
        (error: Error) => !('code' in error && String(error.code).startsWith('SB_')),
      );
      assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), []);
      await wh.transaction((tx) => tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['b']));
      assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), [{ id: 'b' }], 'the warehouse is usable afterwards');
    });
  });

  test('concurrent transactions are serialised: read-modify-write loses no update', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('tx_counter', { id: 'text', n: 'bigint!' }, ['id']));
      await wh.run(`INSERT INTO ${name} (id, n) VALUES (${params(wh, 2)})`, ['c', 0]);
      let inside = 0;
      let overlaps = 0;
      const increment = (): Promise<void> =>
        wh.transaction(async (tx) => {
          overlaps += inside++ > 0 ? 1 : 0;
          const [row] = await tx.all<{ n: number }>(`SELECT n FROM ${name} WHERE id = 'c'`);
          await sleep(2); // give another transaction every chance to interleave
          await tx.run(`UPDATE ${name} SET n = ${params(wh, 1)} WHERE id = 'c'`, [row!.n + 1]);
          inside--;
        });
      await Promise.all(Array.from({ length: 12 }, increment));
      assert.equal(overlaps, 0);
      assert.deepEqual(await wh.all(`SELECT n FROM ${name}`), [{ n: 12 }]);
    });
  });

  test('a statement run outside an open transaction is not part of it', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('tx_outside', { id: 'text' }, ['id']));
      const started = signal();
      const failing = wh.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['inside']);
        started.resolve();
        await sleep(30);
        throw new Error('roll back');
      });
      await started.promise;
      const outside = wh.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['outside']);
      await assert.rejects(failing, /roll back/);
      await outside;
      assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), [{ id: 'outside' }]);
    });
  });

  test('a transaction started inside another fails fast instead of deadlocking', async () => {
    await withWarehouse(open, async (wh) => {
      await assert.rejects(
        wh.transaction(() => wh.transaction(async () => 'never')),
        { code: 'SB_SQL_REENTRANT_CALL' },
      );
      await wh.ping();
    });
  });

  test('tx cannot be used after its transaction has ended', async () => {
    await withWarehouse(open, async (wh) => {
      const leaked = await wh.transaction(async (tx) => tx);
      await assert.rejects(leaked.all('SELECT 1 AS one'), { code: 'SB_SQL_TRANSACTION_FINISHED' });
    });
  });

  test('close is safe to call twice and later use is rejected', async () => {
    const wh = await open();
    await wh.ping();
    await Promise.all([wh.close(), wh.close()]);
    await wh.close();
    await assert.rejects(wh.all('SELECT 1 AS one'), { code: 'SB_SQL_CLOSED' });
    await assert.rejects(wh.transaction(async () => undefined), { code: 'SB_SQL_CLOSED' });
  });
}
