/**
 * Conformance: dryRun() checks one statement against the catalog and runs none of it. A
 * valid SELECT resolves (these engines give no byte estimate); an unknown column or table
 * rejects with the engine's own error; writes, several statements and EXPLAIN ANALYZE
 * tricks change nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTable, params, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

export function dryRunTests(open: OpenWarehouse): void {
  test('dryRun resolves for a valid SELECT, with no byte estimate, and rejects an unknown column or table', async () => {
    await withWarehouse(open, async (wh) => {
      assert.ok(wh.dryRun !== undefined, 'this warehouse dry-runs');
      const name = await createTable(wh, table('dry_select', { id: 'text!', n: 'bigint' }, ['id']));
      const estimate = await wh.dryRun(`SELECT id, n FROM ${name} WHERE n > ${params(wh, 1)}`, [3]);
      assert.equal(estimate.bytesProcessed, null);
      assert.equal(estimate.bytesLimit, undefined, 'no per-statement cap');
      await assert.rejects(wh.dryRun(`SELECT no_such_column FROM ${name}`), /no_such_column/);
      await assert.rejects(wh.dryRun(`SELECT id FROM ${wh.dialect.tableName('conformance', 'dry_no_such_table')}`), /dry_no_such_table/);
    });
  });

  test('dryRun runs nothing: a DELETE, an INSERT, a second statement and ANALYZE spellings leave the table as it was', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('dry_writes', { id: 'text!' }, ['id']));
      await wh.run(`INSERT INTO ${name} (id) VALUES (${params(wh, 1)})`, ['kept']);
      for (const sql of [`DELETE FROM ${name}`, `INSERT INTO ${name} (id) VALUES ('added')`, `ANALYZE DELETE FROM ${name}`, `(ANALYZE) DELETE FROM ${name}`]) {
        await wh.dryRun!(sql).catch(() => undefined);
        assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), [{ id: 'kept' }], sql);
      }
      await assert.rejects(wh.dryRun!(`SELECT 1; DELETE FROM ${name}`), 'two statements are refused, not run');
      assert.deepEqual(await wh.all(`SELECT id FROM ${name}`), [{ id: 'kept' }]);
    });
  });
}
