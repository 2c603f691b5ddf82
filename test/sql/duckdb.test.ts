/**
 * The conformance suite on real embedded DuckDB, one fresh database file per test, plus
 * what only a file-backed engine can show (durability across close and reopen).
 */
// A far-off, half-hour zone: nothing may depend on the host's time zone.
process.env.TZ = 'Pacific/Chatham';

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { runWarehouseConformance } from './conformance.js';

const root = await mkdtemp(join(tmpdir(), 'switchboard-duckdb-'));
let files = 0;
/** A path in a not-yet-existing directory, so openDuckDb must create it. */
const freshPath = (): string => join(root, `db-${++files}`, 'warehouse.duckdb');
after(() => rm(root, { recursive: true, force: true }));

runWarehouseConformance('duckdb', () => openWarehouse({ type: 'duckdb', path: freshPath(), detectReentrancy: true }));

describe('duckdb specifics', () => {
  test('committed data survives close and reopen, and close checkpoints the WAL', async () => {
    const path = freshPath();
    const wh = await openWarehouse({ type: 'duckdb', path });
    const d = wh.dialect;
    await wh.run(d.createSchema('durable'));
    await wh.run(d.createTable({ schema: 'durable', name: 't', columns: [{ name: 'id', type: 'text' }], primaryKey: ['id'] }));
    await wh.transaction((tx) => tx.run(`INSERT INTO ${d.tableName('durable', 't')} (id) VALUES ($1)`, ['kept']));
    await wh.close();
    assert.equal(existsSync(`${path}.wal`), false, 'no WAL left behind after close');
    const reopened = await openWarehouse({ type: 'duckdb', path });
    try {
      assert.deepEqual(await reopened.all(`SELECT id FROM ${d.tableName('durable', 't')}`), [{ id: 'kept' }]);
    } finally {
      await reopened.close();
    }
  });

  test(':memory: opens a private database', async () => {
    const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
    try {
      assert.deepEqual(await wh.all('SELECT 40 + 2 AS n'), [{ n: 42 }]);
    } finally {
      await wh.close();
    }
  });

  test('with detectReentrancy, the Warehouse called from inside its own transaction fails fast (one connection)', async () => {
    const wh = await openWarehouse({ type: 'duckdb', path: ':memory:', detectReentrancy: true });
    try {
      await assert.rejects(wh.transaction(() => wh.run('SELECT 1')), { code: 'SB_SQL_REENTRANT_CALL' });
    } finally {
      await wh.close();
    }
  });
});
