/**
 * Conformance: readOnlyQuery() answers one SELECT with the same normalised values as all(),
 * its columns also when there are no rows, at most maxRows rows (truncated says more
 * existed), and refuses writes, several statements and queries past their timeout, with the
 * same codes on every warehouse.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwitchboardError } from '../../../core/errors.js';
import { createTable, NEVER_ENDS, params, SCHEMA, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

const limits = { maxRows: 100, timeoutMs: 30_000, schemas: [SCHEMA] };

const code = (expected: string) => (error: unknown) => error instanceof SwitchboardError && error.code === expected;

export function readOnlyTests(open: OpenWarehouse): void {
  test('readOnlyQuery returns columns and rows as all() does, with a row cap', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('ro_rows', { id: 'text!', n: 'bigint', seen_at: 'timestamp' }, ['id']));
      for (const id of ['a', 'b', 'c']) {
        await wh.run(`INSERT INTO ${name} (id, n, seen_at) VALUES (${params(wh, 3)})`, [id, 7, new Date('2025-03-04T09:15:27.412Z')]);
      }
      const query = `SELECT id, n, seen_at FROM ${name} ORDER BY id`;
      const all = await wh.readOnlyQuery(query, limits);
      assert.deepEqual(all, { columns: ['id', 'n', 'seen_at'], rows: await wh.all(query), truncated: false });
      const capped = await wh.readOnlyQuery(query, { ...limits, maxRows: 2 });
      assert.deepEqual([capped.rows.map((r) => r.id), capped.truncated], [['a', 'b'], true]);
      const none = await wh.readOnlyQuery(`SELECT id FROM ${name} WHERE id = 'zzz'`, limits);
      assert.deepEqual(none, { columns: ['id'], rows: [], truncated: false });
    });
  });

  test('readOnlyQuery refuses writes and several statements with SB_SQL_NOT_READ_ONLY, and nothing changes', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('ro_writes', { id: 'text!' }, ['id']));
      await wh.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['kept']);
      for (const query of [`DELETE FROM ${name}`, `SELECT 1; DELETE FROM ${name}`, `COMMIT; DELETE FROM ${name}; COMMIT`, `DROP TABLE ${name}`, `INSERT INTO ${name} (id) VALUES ('x')`]) {
        await assert.rejects(wh.readOnlyQuery(query, limits), code('SB_SQL_NOT_READ_ONLY'), query);
      }
      assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), [{ id: 'kept' }]);
    });
  });

  test('readOnlyQuery cancels a query past its timeout with SB_SQL_QUERY_TIMEOUT, and the next one answers', async () => {
    await withWarehouse(open, async (wh) => {
      await assert.rejects(
        wh.readOnlyQuery(NEVER_ENDS, { ...limits, timeoutMs: 200 }),
        code('SB_SQL_QUERY_TIMEOUT'),
      );
      assert.deepEqual((await wh.readOnlyQuery('SELECT 1 AS one', limits)).rows, [{ one: 1 }]);
    });
  });
}
