/**
 * Conformance: `dialect.upsertJson`, the batch path the drainer uses where the dialect
 * declares `supportsJsonRows`: every row in one JSON parameter, parsed by the warehouse.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MergeRule, SqlDialect } from '../../../sql/dialect.js';
import { createTable, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

const TRICKY = [
  '\ufeff{"eventType":"X"}',
  'quotes " and \\ backslashes \\u00e9 stay escaped text',
  'Zoë 日本 🎉 \u2028 tab\tnewline\n',
  '',
];

function mergeOnly(dialect: SqlDialect): SqlDialect {
  const capabilities = { ...dialect.capabilities, supportsOnConflict: false };
  return Object.create(dialect, { capabilities: { value: capabilities } }) as SqlDialect;
}

export function jsonRowsTests(open: OpenWarehouse): void {
  for (const form of ['ON CONFLICT', 'MERGE'] as const) {
    test(`rows as one JSON parameter (${form}): exact text, json values, timestamps, every rule`, async (t) => {
      await withWarehouse(open, async (wh) => {
        if (!wh.dialect.capabilities.supportsJsonRows) return t.diagnostic('this warehouse takes no JSON rows');
        const dialect = form === 'MERGE' ? mergeOnly(wh.dialect) : wh.dialect;
        const spec = table(`json_rows_${form === 'MERGE' ? 'merge' : 'conflict'}`, {
          id: 'text', body: 'text', doc: 'json', n: 'bigint', first: 'timestamp', last: 'timestamp', ok: 'boolean',
        }, ['id']);
        await createTable(wh, spec);
        const columns = spec.columns.map((c) => c.name);
        const rules: Record<string, MergeRule> = { n: 'add', first: 'least', last: 'greatest' };
        const sql = dialect.upsertJson({ table: spec, columns, onMatch: rules });
        const jan = new Date('2025-01-01T00:00:00.123Z');
        const jun = new Date('2025-06-01T00:00:00.456Z');
        const rows = TRICKY.map((body, i) => ({ id: `k${i}`, body, doc: { i, s: body }, n: 1, first: jun, last: jan, ok: i % 2 === 0 }));
        await wh.run(sql, [JSON.stringify(rows)]);
        await wh.run(sql, [JSON.stringify([{ ...rows[0], body: 'ignored', n: 2, first: jan, last: jun }])]);
        const name = wh.dialect.tableName(spec.schema, spec.name);
        const back = await wh.all<{ id: string; body: string; doc: string; n: number; first: string; last: string; ok: boolean }>(
          `SELECT * FROM ${name} ORDER BY id`,
        );
        assert.deepEqual(back.map((r) => r.body), TRICKY, 'text comes back byte for byte');
        assert.deepEqual(back.map((r) => JSON.parse(r.doc) as unknown), TRICKY.map((s, i) => ({ i, s })));
        assert.deepEqual(back[0], { ...back[0], n: 3, first: jan.toISOString(), last: jun.toISOString(), ok: true });
        assert.equal(back[1]?.ok, false);
      });
    });
  }

  test('rows as one JSON parameter: 5,000 rows in one statement', async (t) => {
    await withWarehouse(open, async (wh) => {
      if (!wh.dialect.capabilities.supportsJsonRows) return t.diagnostic('this warehouse takes no JSON rows');
      const spec = table('json_rows_bulk', { id: 'text', body: 'text', n: 'bigint' }, ['id']);
      await createTable(wh, spec);
      const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `r${i}`, body: 'x'.repeat(i % 700), n: i }));
      await wh.run(wh.dialect.upsertJson({ table: spec, columns: ['id', 'body', 'n'], onMatch: {} }), [JSON.stringify(rows)]);
      const [row] = await wh.all<{ c: number; s: number }>(`SELECT count(*) AS c, sum(n) AS s FROM ${wh.dialect.tableName(spec.schema, spec.name)}`);
      assert.deepEqual(row, { c: 5000, s: (4999 * 5000) / 2 });
    });
  });
}
