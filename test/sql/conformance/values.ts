/**
 * Conformance: DDL, parameters and the values read back (the SqlValue contract in
 * sql/warehouse.ts). Both engines must return exactly the same JS values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogicalType } from '../../../sql/dialect.js';
import type { SqlParam } from '../../../sql/warehouse.js';
import { createTable, params, table, withWarehouse, type OpenWarehouse } from './fixtures.js';

/** Text that drivers and encodings like to damage. */
const HARD_TEXT: Record<string, string> = {
  empty: '',
  spaces: '  leading and trailing  ',
  unicode: 'Zürich – 東京 – مرحبا – ß – Ω – \u00e9 vs e\u0301',
  emoji: '👩🏽‍💻 🏳️‍🌈 🇯🇵 1️⃣ \u{1F600}',
  control: 'tab\tcr\rlf\nbell\u0007unit\u001fdel\u007fnbsp\u00a0zwsp\u200bline\u2028bom\ufeff',
  quotes: `it's "quoted" \\ back\\slash $1 ? :1 @p1`,
  json_text: '{ "a" :\t1 ,\n  "b":[ 1,2 ,3 ],"c" : { } ,"d":"\\u00e9"}  ',
  megabyte: 'abcdefghij€😀'.repeat(80_000), // ≈1.2 MB of UTF-8 with 3- and 4-byte characters
};

export function valueTests(open: OpenWarehouse): void {
  test('ping resolves on an open warehouse', async () => {
    await withWarehouse(open, (wh) => wh.ping());
  });

  test('creating a schema and a table twice is a no-op that keeps the rows', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('idempotent_ddl', { id: 'text', n: 'bigint!' }, ['id']);
      const name = await createTable(wh, spec);
      await wh.run(`INSERT INTO ${name} (id, n) VALUES (${params(wh, 2)})`, ['a', 1]);
      await createTable(wh, spec);
      assert.deepEqual(await wh.all(`SELECT id, n FROM ${name}`), [{ id: 'a', n: 1 }]);
    });
  });

  test('primary-key and NOT NULL columns reject NULLs', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('not_nulls', { id: 'text', n: 'bigint!' }, ['id']));
      await assert.rejects(wh.run(`INSERT INTO ${name} (id, n) VALUES (${params(wh, 2)})`, [null, 1]));
      await assert.rejects(wh.run(`INSERT INTO ${name} (id, n) VALUES (${params(wh, 2)})`, ['a', null]));
    });
  });

  test('every SqlParam type binds and reads back through a typed parameter', async () => {
    await withWarehouse(open, async (wh) => {
      const d = wh.dialect;
      const cases: [string, SqlParam, LogicalType, unknown][] = [
        ['text', 'héllo', 'text', 'héllo'],
        ['int', 42, 'integer', 42],
        ['negative_int', -7, 'bigint', -7],
        ['double', 1.5, 'double', 1.5],
        ['huge_double', 1e20, 'double', 1e20],
        ['small_bigint', 5n, 'bigint', 5],
        ['big_bigint', 2n ** 62n, 'bigint', '4611686018427387904'],
        ['yes', true, 'boolean', true],
        ['no', false, 'boolean', false],
        ['nothing', null, 'text', null],
        ['date', new Date('2025-03-04T09:15:27.412Z'), 'timestamp', '2025-03-04T09:15:27.412Z'],
      ];
      const select = cases.map(([alias, , type], i) => `${d.typedParam(i + 1, type)} AS ${alias}`).join(', ');
      const [row] = await wh.all(`SELECT ${select}`, cases.map(([, value]) => value));
      assert.deepEqual(row, Object.fromEntries(cases.map(([alias, , , expected]) => [alias, expected])));
    });
  });

  test('a column of every logical type stores and returns the contract value', async () => {
    await withWarehouse(open, async (wh) => {
      const spec = table('every_type', {
        t: 'text', j: 'json', ts: 'timestamp', b: 'bigint', i: 'integer', f: 'double', ok: 'boolean',
      });
      const name = await createTable(wh, spec);
      const insert = `INSERT INTO ${name} (t, j, ts, b, i, f, ok) VALUES (${params(wh, 7)})`;
      await wh.run(insert, ['x', '{"k":[1,2]}', new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 5)), 2n ** 53n + 1n, -2_147_483_648, 0.1, true]);
      await wh.run(insert, [null, null, null, null, null, null, null]);
      const rows = await wh.all(`SELECT t, j, ts, b, i, f, ok FROM ${name} ORDER BY t NULLS LAST`);
      // jsonb re-formats JSON text, so the json column is compared as a parsed document.
      const [{ j, ...first } = {}, second] = rows;
      assert.deepEqual(first, { t: 'x', ts: '2024-02-29T23:59:59.005Z', b: '9007199254740993', i: -2147483648, f: 0.1, ok: true });
      assert.deepEqual(JSON.parse(String(j)), { k: [1, 2] });
      assert.deepEqual(second, { t: null, j: null, ts: null, b: null, i: null, f: null, ok: null });
    });
  });

  test('text round-trips byte for byte, including 1 MB and JSON-looking text', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('exact_text', { id: 'text', body: 'text' }, ['id']));
      for (const [id, body] of Object.entries(HARD_TEXT)) {
        await wh.run(`INSERT INTO ${name} (id, body) VALUES (${params(wh, 2)})`, [id, body]);
      }
      const rows = await wh.all<{ id: string; body: string }>(`SELECT id, body FROM ${name}`);
      assert.equal(rows.length, Object.keys(HARD_TEXT).length);
      for (const { id, body } of rows) {
        assert.ok(body === HARD_TEXT[id], `text "${id}" came back changed`);
        assert.equal(Buffer.compare(Buffer.from(body, 'utf8'), Buffer.from(HARD_TEXT[id]!, 'utf8')), 0);
      }
      const [empty] = await wh.all(`SELECT count(*) AS n FROM ${name} WHERE body = ${wh.dialect.param(1)}`, ['']);
      assert.deepEqual(empty, { n: 1 }, 'the empty string is a value, not NULL');
    });
  });

  test('json columns return text that parses to the document stored', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('json_docs', { id: 'text', doc: 'json' }, ['id']));
      const doc = { emoji: '😀', nested: { list: [1, 2.5, null, true], empty: {} }, big: 12345678901234 };
      await wh.run(`INSERT INTO ${name} (id, doc) VALUES (${params(wh, 2)})`, ['a', JSON.stringify(doc, null, 3)]);
      const [row] = await wh.all(`SELECT doc FROM ${name}`);
      assert.equal(typeof row?.doc, 'string', 'JSON is returned as text, never parsed');
      assert.deepEqual(JSON.parse(String(row?.doc)), doc);
      await assert.rejects(wh.run(`INSERT INTO ${name} (id, doc) VALUES (${params(wh, 2)})`, ['b', '{not json']));
    });
  });

  test('timestamps go in as Date or ISO text and come out as ISO UTC with milliseconds', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('instants', { id: 'integer', occurred_at: 'timestamp' }, ['id']));
      const cases: [SqlParam, string][] = [
        [new Date('2025-03-04T09:15:27.412Z'), '2025-03-04T09:15:27.412Z'],
        ['2025-03-04T09:15:27.412Z', '2025-03-04T09:15:27.412Z'],
        ['2025-03-04T11:15:27.412+02:00', '2025-03-04T09:15:27.412Z'],
        ['2025-03-04 09:15:27', '2025-03-04T09:15:27.000Z'], // no offset: read as UTC whatever the host's zone
        ['2025-03-04T09:15:27.412999Z', '2025-03-04T09:15:27.412Z'], // microseconds are dropped, not rounded
        [new Date('1969-12-31T23:59:59.999Z'), '1969-12-31T23:59:59.999Z'],
        ['1969-12-31T23:59:59.999999Z', '1969-12-31T23:59:59.999Z'],
        [new Date('2038-01-19T03:14:08.000Z'), '2038-01-19T03:14:08.000Z'],
      ];
      for (const [i, [value]] of cases.entries()) {
        await wh.run(`INSERT INTO ${name} (id, occurred_at) VALUES (${params(wh, 2)})`, [i, value]);
      }
      const rows = await wh.all<{ id: number; occurred_at: string }>(`SELECT id, occurred_at FROM ${name} ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.occurred_at), cases.map(([, expected]) => expected));
      const [{ n } = { n: 0 }] = await wh.all(
        `SELECT count(*) AS n FROM ${name} WHERE occurred_at = ${wh.dialect.param(1)}`,
        [new Date('2025-03-04T09:15:27.412Z')],
      );
      assert.equal(n, 3, 'a Date parameter compares equal to the instant stored');
    });
  });

  test('bigints beyond 2^53 come back as decimal strings, smaller ones as numbers', async () => {
    await withWarehouse(open, async (wh) => {
      const name = await createTable(wh, table('big_numbers', { id: 'integer', n: 'bigint' }, ['id']));
      const cases: [bigint | number, number | string][] = [
        [2n ** 53n - 1n, Number.MAX_SAFE_INTEGER],
        [2n ** 53n + 1n, '9007199254740993'],
        [-(2n ** 63n), '-9223372036854775808'],
        [2n ** 63n - 1n, '9223372036854775807'],
        [-(2n ** 53n) + 1n, Number.MIN_SAFE_INTEGER],
        [0, 0],
      ];
      for (const [i, [value]] of cases.entries()) {
        await wh.run(`INSERT INTO ${name} (id, n) VALUES (${params(wh, 2)})`, [i, value]);
      }
      const rows = await wh.all<{ n: number | string }>(`SELECT n FROM ${name} ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.n), cases.map(([, expected]) => expected));
      assert.deepEqual(await wh.all(`SELECT count(*) AS c FROM ${name}`), [{ c: 6 }], 'count(*) is a number');
      const [sum] = await wh.all(`SELECT sum(n) AS s FROM ${name} WHERE id IN (0, 4, 5)`);
      assert.deepEqual(sum, { s: 0 }, 'sum() of bigints is an integer, not a decimal string');
    });
  });
}
