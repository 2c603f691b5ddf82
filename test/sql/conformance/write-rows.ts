/**
 * Conformance: `writeRows`, the one bulk path into a warehouse (sql/write-rows.ts). The same
 * rows come back the same whichever way in the engine takes: JSON rows in one parameter or
 * in several, or bound VALUES under the parameter limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DialectCapabilities, MergeRule, SqlDialect } from '../../../sql/dialect.js';
import type { Warehouse } from '../../../sql/warehouse.js';
import { writeRowsAsSql } from '../../../sql/write-rows.js';
import { createTable, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

/** The warehouse's dialect with some capabilities changed, to force a way in. */
function withCapabilities(dialect: SqlDialect, change: Partial<DialectCapabilities>): SqlDialect {
  return Object.create(dialect, { capabilities: { value: { ...dialect.capabilities, ...change } } }) as SqlDialect;
}

const RULES: Record<string, MergeRule> = { n: 'add', first: 'least', last: 'greatest', body: 'replace' };
const JAN = new Date('2025-01-01T00:00:00.123Z');
const JUN = new Date('2025-06-01T00:00:00.456Z');

function rowsOf(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ id: `k${i}`, body: `Zoë ${'x'.repeat(i % 40)} "${i}"`, doc: { i, tags: ['a', i] }, n: 1, first: JUN, last: JAN, ok: i % 2 === 0 }));
}

async function readBack(wh: Warehouse, name: string): Promise<Record<string, unknown>[]> {
  const rows = await wh.all(`SELECT id, body, doc, n, first, last, ok FROM ${name} ORDER BY id`);
  return rows.map((r) => ({ ...r, doc: JSON.parse(String(r.doc)) as unknown }));
}

export function writeRowsTests(open: OpenWarehouse): void {
  const ways: [string, (d: SqlDialect) => SqlDialect][] = [
    ["the engine's own way", (d) => d],
    ['JSON rows cut into many statements', (d) => withCapabilities(d, { supportsJsonRows: true, maxJsonRowsBytes: 2_000 })],
    ['bound VALUES under a small parameter limit', (d) => withCapabilities(d, { supportsJsonRows: false, maxParams: 70 })],
  ];
  for (const [way, dialectOf] of ways) {
    test(`writeRows (${way}): upserts by the merge rules, json and timestamps intact`, async (t) => {
      await withWarehouse(open, async (wh) => {
        const dialect = dialectOf(wh.dialect);
        if (!dialect.capabilities.supportsJsonRows && way.startsWith('JSON')) return t.diagnostic('no JSON rows here');
        const spec = table(`write_rows_${ways.findIndex(([w]) => w === way)}`, { id: 'text', body: 'text', doc: 'json', n: 'bigint', first: 'timestamp', last: 'timestamp', ok: 'boolean' }, ['id']);
        const name = await createTable(wh, spec);
        const write = (rows: readonly Record<string, unknown>[]) =>
          wh.transaction((tx) => writeRowsAsSql((sql, params) => tx.run(sql, params), dialect, spec, rows as never, { onMatch: RULES }));
        await write(rowsOf(150));
        await write([{ id: 'k0', body: 'again', doc: { i: 0, tags: ['a', 0] }, n: 2, first: JAN, last: JUN, ok: true }]);
        const back = await readBack(wh, name);
        assert.equal(back.length, 150);
        assert.deepEqual(back.find((r) => r.id === 'k0'), { id: 'k0', body: 'again', doc: { i: 0, tags: ['a', 0] }, n: 3, first: JAN.toISOString(), last: JUN.toISOString(), ok: true });
        const k7 = rowsOf(150)[7]!;
        assert.deepEqual(back.find((r) => r.id === 'k7'), { ...k7, first: JUN.toISOString(), last: JAN.toISOString() });
      });
    });
  }

  test('writeRows: append mode inserts every row of a table without a key, also through bound VALUES', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('write_rows_append', { who: 'text', at: 'timestamp', doc: 'json' });
      const name = await createTable(wh, spec);
      const rows = [{ who: 'a', at: JAN, doc: { x: 1 } }, { who: 'a', at: JAN, doc: null }, { who: 'b', at: JUN }];
      await wh.writeRows(spec, rows, { mode: 'append' });
      const bound = withCapabilities(wh.dialect, { supportsJsonRows: false });
      await wh.transaction((tx) => writeRowsAsSql((sql, params) => tx.run(sql, params), bound, spec, rows, { mode: 'append' }));
      const back = await wh.all<{ who: string; n: number; docs: number }>(`SELECT who, COUNT(*) AS n, COUNT(doc) AS docs FROM ${name} GROUP BY who ORDER BY who`);
      assert.deepEqual(back, [{ who: 'a', n: 4, docs: 2 }, { who: 'b', n: 2, docs: 0 }]);
    });
  });

  test('writeRows: a key that is not a column is refused before anything is written', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('write_rows_unknown', { id: 'text', n: 'bigint' }, ['id']);
      const name = await createTable(wh, spec);
      await assert.rejects(wh.writeRows(spec, [{ id: 'a', n: 1 }, { id: 'b', count: 2 }]), { code: 'SB_SQL_INVALID_UPSERT', message: /"count" is not a column of the table/ });
      assert.deepEqual(await wh.all(`SELECT COUNT(*) AS n FROM ${name}`), [{ n: 0 }]);
    });
  });

  test('writeRows inside a transaction that fails leaves nothing behind', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('write_rows_rollback', { id: 'text', n: 'bigint' }, ['id']);
      const name = await createTable(wh, spec);
      await assert.rejects(
        wh.transaction(async (tx) => {
          await tx.writeRows(spec, rowsOf(10).map((r) => ({ id: r.id as string, n: 1 })));
          throw new Error('the destination said no');
        }),
        /the destination said no/,
      );
      assert.deepEqual(await wh.all(`SELECT COUNT(*) AS n FROM ${name}`), [{ n: 0 }]);
    });
  });
}
