/**
 * Conformance: `dialect.upsert` executed for real — inserts, every MergeRule on a key
 * match, NULL handling, composite keys, and a batch of the size the drainer writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MergeRule, SqlDialect, TableSpec } from '../../../sql/dialect.js';
import type { SqlParam, SqlRow, Warehouse } from '../../../sql/warehouse.js';
import { createTable, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

/** Runs one upsert of `rows` (each listing `columns` in order), compiled by `dialect`. */
async function upsert(
  wh: Warehouse,
  spec: TableSpec,
  columns: string[],
  rows: SqlParam[][],
  onMatch: Record<string, MergeRule>,
  key?: string[],
  dialect: SqlDialect = wh.dialect,
): Promise<void> {
  const sql = dialect.upsert({ table: spec, columns, rowCount: rows.length, onMatch, ...(key ? { key } : {}) });
  await wh.run(sql, rows.flat());
}

/**
 * The warehouse's dialect with ON CONFLICT switched off, so upsert() compiles the MERGE
 * form that BigQuery and Snowflake use — run here on an engine that can execute it.
 */
function mergeOnly(dialect: SqlDialect): SqlDialect {
  const capabilities = { ...dialect.capabilities, supportsOnConflict: false };
  return Object.create(dialect, { capabilities: { value: capabilities } }) as SqlDialect;
}

/** Upserts twice into `name` with every rule and NULLs on both sides; checks the result. */
async function everyRuleScenario(wh: Warehouse, name: string, dialect: SqlDialect): Promise<void> {
  const spec = table(name, { id: 'text', r: 'text', k: 'text', a: 'bigint', g: 'timestamp', l: 'double' }, ['id']);
  await createTable(wh, spec);
  const columns = ['id', 'r', 'k', 'a', 'g', 'l'];
  const rules: Record<string, MergeRule> = { r: 'replace', k: 'keep', a: 'add', g: 'greatest', l: 'least' };
  const jan = new Date('2025-01-01T00:00:00.000Z');
  const jun = new Date('2025-06-01T00:00:00.000Z');
  await upsert(wh, spec, columns, [['x', 'first', 'first', 1, jan, 5], ['nulls', 'was', null, null, null, null]], rules, undefined, dialect);
  await upsert(wh, spec, columns, [['x', 'second', 'second', 2, jun, 7], ['nulls', null, 'k', 3, jan, 4]], rules, undefined, dialect);
  await upsert(wh, spec, columns, [['x', 'third', 'third', 4, jan, 2], ['new', 'n', 'n', 1, jun, 1]], rules, undefined, dialect);
  assert.deepEqual(await rowsOf(wh, spec), [
    { id: 'new', r: 'n', k: 'n', a: 1, g: jun.toISOString(), l: 1 },
    { id: 'nulls', r: null, k: null, a: 3, g: jan.toISOString(), l: 4 },
    { id: 'x', r: 'third', k: 'first', a: 7, g: jun.toISOString(), l: 2 },
  ]);
}

/** Every row of `spec`, ordered by its first column. */
async function rowsOf(wh: Warehouse, spec: TableSpec): Promise<SqlRow[]> {
  const name = wh.dialect.tableName(spec.schema, spec.name);
  const first = wh.dialect.quoteIdent(spec.columns[0]!.name);
  return wh.all(`SELECT * FROM ${name} ORDER BY ${first}`);
}

export function upsertTests(open: OpenWarehouse): void {
  test('upsert inserts new rows and applies every MergeRule to a matching row', async () => {
    await withWarehouse(open, (wh) => everyRuleScenario(wh, 'upsert_rules', wh.dialect));
  });

  test('the MERGE form of an upsert (BigQuery, Snowflake) applies the same rules', async (t) => {
    await withWarehouse(open, async (wh) => {
      if (!wh.dialect.capabilities.supportsMerge) return t.diagnostic('this warehouse has no MERGE');
      await everyRuleScenario(wh, 'upsert_rules_merge', mergeOnly(wh.dialect));
    });
  });

  test('greatest, least and add ignore a NULL on either side; replace writes the NULL', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('upsert_nulls', { id: 'text', g: 'bigint', l: 'timestamp', a: 'bigint', r: 'text' }, ['id']);
      await createTable(wh, spec);
      const columns = ['id', 'g', 'l', 'a', 'r'];
      const rules: Record<string, MergeRule> = { g: 'greatest', l: 'least', a: 'add', r: 'replace' };
      const t = '2025-01-01T00:00:00.000Z';
      await upsert(wh, spec, columns, [
        ['existing-null', null, null, null, 'was'],
        ['incoming-null', 5, t, 5, 'was'],
        ['both-null', null, null, null, null],
      ], rules);
      await upsert(wh, spec, columns, [
        ['existing-null', 3, t, 3, null],
        ['incoming-null', null, null, null, 'now'],
        ['both-null', null, null, null, null],
      ], rules);
      assert.deepEqual(await rowsOf(wh, spec), [
        { id: 'both-null', g: null, l: null, a: null, r: null },
        { id: 'existing-null', g: 3, l: t, a: 3, r: null },
        { id: 'incoming-null', g: 5, l: t, a: 5, r: 'now' },
      ]);
    });
  });

  test('an upsert whose columns are all keep inserts new keys and changes nothing else', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('upsert_keep', { id: 'text', v: 'text', payload: 'json' }, ['id']);
      await createTable(wh, spec);
      await upsert(wh, spec, ['id', 'v', 'payload'], [['a', 'first', '{"n":1}']], {});
      await upsert(wh, spec, ['id', 'v', 'payload'], [['a', 'second', '{"n":2}'], ['b', 'new', '{"n":3}']], { v: 'keep' });
      const rows = await rowsOf(wh, spec);
      assert.deepEqual(rows.map(({ id, v }) => ({ id, v })), [{ id: 'a', v: 'first' }, { id: 'b', v: 'new' }]);
      assert.deepEqual(rows.map((row) => JSON.parse(String(row.payload))), [{ n: 1 }, { n: 3 }]);
    });
  });

  test('an upsert may supply only some columns and match on a composite key', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('upsert_composite', { tenant: 'text', id: 'integer', hits: 'integer', note: 'text' }, ['tenant', 'id']);
      await createTable(wh, spec);
      await upsert(wh, spec, ['tenant', 'id', 'hits', 'note'], [['t1', 1, 1, 'n'], ['t2', 1, 1, 'n']], {});
      await upsert(wh, spec, ['tenant', 'id', 'hits'], [['t1', 1, 5], ['t1', 2, 1]], { hits: 'add' }, ['tenant', 'id']);
      assert.deepEqual(await rowsOf(wh, spec).then((rows) => rows.map((r) => [r.tenant, r.id, r.hits, r.note])), [
        ['t1', 1, 6, 'n'],
        ['t1', 2, 1, null],
        ['t2', 1, 1, 'n'],
      ]);
    });
  });

  test('a batch of 500 rows × 10 columns upserts in one statement', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('upsert_batch', {
        id: 'text', n: 'bigint', s: 'text', at: 'timestamp', f: 'double', ok: 'boolean', doc: 'json', i: 'integer', s2: 'text', seen: 'bigint',
      }, ['id']);
      await createTable(wh, spec);
      const columns = spec.columns.map((c) => c.name);
      const rows = (round: number): SqlParam[][] =>
        Array.from({ length: 500 }, (_, r) => [
          `k${String(r).padStart(3, '0')}`, r, `text ${r} ✓`, new Date(Date.UTC(2025, 0, 1) + r), r / 4, r % 2 === 0,
          JSON.stringify({ r }), r, null, round,
        ]);
      const rules: Record<string, MergeRule> = { n: 'add', seen: 'greatest', s: 'replace' };
      await upsert(wh, spec, columns, rows(1), rules);
      await upsert(wh, spec, columns, rows(2), rules);
      const all = await rowsOf(wh, spec);
      assert.equal(all.length, 500);
      assert.deepEqual({ ...all[499], doc: JSON.parse(String(all[499]?.doc)) }, {
        id: 'k499', n: 998, s: 'text 499 ✓', at: '2025-01-01T00:00:00.499Z', f: 124.75, ok: false,
        doc: { r: 499 }, i: 499, s2: null, seen: 2,
      });
    });
  });
}
