/**
 * The model macros of sql/dialect.ts evaluated on real DuckDB and real Postgres: the same
 * tricky inputs through the same macro on both engines, checked against the TypeScript
 * references (core/normalize/time.ts, core/normalize/duration.ts) where there is one. Inputs
 * sit in table columns, not literals, so no engine can fold a branch away at plan time.
 * The exact SQL for all four warehouses is in test/models/compile.test.ts.
 */
// A far-off, half-hour zone: nothing may depend on the host's time zone.
process.env.TZ = 'Pacific/Chatham';

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { durationHhmmss, toUtcIso } from '../../core/normalize/time.js';
import type { LogicalType } from '../../sql/dialect.js';
import type { SqlParam, SqlValue, Warehouse } from '../../sql/warehouse.js';
import { openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const ENGINES = {
  duckdb: () => openWarehouse({ type: 'duckdb', path: ':memory:' }),
  postgres: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }),
} as const;

/** [input, expected UTC ISO or null]: every input here, text or number, means the same to 8x8. */
type TimeCase = readonly [SqlParam, string | null];

const ISO_CASES: readonly TimeCase[] = [
  ['2025-03-04T10:02:11Z', '2025-03-04T10:02:11.000Z'],
  ['2025-03-04T10:02:11.6Z', '2025-03-04T10:02:11.600Z'],
  ['2025-03-04T10:02:11.61Z', '2025-03-04T10:02:11.610Z'],
  ['2025-03-04T10:02:11.612Z', '2025-03-04T10:02:11.612Z'],
  ['2025-03-04T10:02:11.612345Z', '2025-03-04T10:02:11.612Z'],
  ['2025-03-04T10:02:11.6030893Z', '2025-03-04T10:02:11.603Z'],
  // 7 digits whose microsecond would round up: truncated, as the reference does.
  ['2025-03-04T10:02:11.1239996Z', '2025-03-04T10:02:11.123Z'],
  ['2025-03-04 10:02:11Z', '2025-03-04T10:02:11.000Z'],
  ['2025-03-04T17:02:11+07:00', '2025-03-04T10:02:11.000Z'],
  ['2025-03-04T07:06:52.345-0500', '2025-03-04T12:06:52.345Z'],
  ['2025-03-04T13:02:11+03', '2025-03-04T10:02:11.000Z'],
  ['2017-04-19T02:31:19.4297387+00:00', '2017-04-19T02:31:19.429Z'],
  ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
];

const EPOCH_TEXT_CASES: readonly TimeCase[] = [
  ['1741087911', '2025-03-04T11:31:51.000Z'],
  ['1741087911.5', '2025-03-04T11:31:51.500Z'],
  ['1741087911.123', '2025-03-04T11:31:51.123Z'],
  ['1741087911000', '2025-03-04T11:31:51.000Z'],
  ['1741087911123', '2025-03-04T11:31:51.123Z'],
  ['1741087911123456', '2025-03-04T11:31:51.123Z'],
  ['1741087911123456789', '2025-03-04T11:31:51.123Z'],
];

const NOT_A_TIME: readonly TimeCase[] = [
  ['0', null],
  ['', null],
  ['garbage', null],
  ['-5', null],
  ['2025-13-45T99:99:99Z', null],
  ['2025-02-30T10:00:00Z', null],
  ['2025-02-29T10:00:00Z', null],
  ['1900-02-29T10:00:00Z', null],
  ['2025-03-04T25:00:00', null],
  ['9'.repeat(250), null],
  [null, null],
];

/** Zone-less local text with the zone it is read in. */
const LOCAL_CASES: readonly (readonly [string, string | undefined, string | null])[] = [
  ['2025-03-04T10:02:11', undefined, '2025-03-04T10:02:11.000Z'],
  ['2025-03-04 10:02', undefined, '2025-03-04T10:02:00.000Z'],
  ['2025-03-04', undefined, '2025-03-04T00:00:00.000Z'],
  ['2025-03-04 07:06:52', 'America/New_York', '2025-03-04T12:06:52.000Z'],
  ['2025-03-04T07:06:52.1239996', 'America/New_York', '2025-03-04T12:06:52.123Z'],
  ['2025-03-04', 'America/New_York', '2025-03-04T05:00:00.000Z'],
  // Spring forward: 02:00 EST → 03:00 EDT, so 02:30 does not exist; it moves forward by the gap.
  ['2025-03-09T01:59:59', 'America/New_York', '2025-03-09T06:59:59.000Z'],
  ['2025-03-09T02:30:00', 'America/New_York', '2025-03-09T07:30:00.000Z'],
  ['2025-03-09T03:00:00', 'America/New_York', '2025-03-09T07:00:00.000Z'],
  // Fall back: 02:00 EDT → 01:00 EST, so 01:30 happens twice; the earlier (EDT) one wins.
  ['2025-11-02T00:30:00', 'America/New_York', '2025-11-02T04:30:00.000Z'],
  ['2025-11-02T01:30:00', 'America/New_York', '2025-11-02T05:30:00.000Z'],
  ['2025-11-02T02:30:00', 'America/New_York', '2025-11-02T07:30:00.000Z'],
  ['2025-11-03T01:30:00', 'America/New_York', '2025-11-03T06:30:00.000Z'],
  ['2025-03-30T02:30:00', 'Europe/Berlin', '2025-03-30T01:30:00.000Z'],
  ['2025-10-26T02:30:00', 'Europe/Berlin', '2025-10-26T00:30:00.000Z'],
  // Lord Howe shifts by 30 minutes: +11 → +10:30 at 02:00 on 6 April (01:30–02:00 twice),
  // +10:30 → +11 at 02:00 on 5 October (02:00–02:30 never).
  ['2025-04-06T01:15:00', 'Australia/Lord_Howe', '2025-04-05T14:15:00.000Z'],
  ['2025-04-06T01:45:00', 'Australia/Lord_Howe', '2025-04-05T14:45:00.000Z'],
  ['2025-04-06T02:15:00', 'Australia/Lord_Howe', '2025-04-05T15:45:00.000Z'],
  ['2025-10-05T02:15:00', 'Australia/Lord_Howe', '2025-10-04T15:45:00.000Z'],
  ['2025-10-05T02:45:00', 'Australia/Lord_Howe', '2025-10-04T15:45:00.000Z'],
  ['2025-02-30T10:00:00', 'America/New_York', null],
  ['garbage', 'America/New_York', null],
  ['0', 'America/New_York', null],
];

for (const [kind, open] of Object.entries(ENGINES)) {
  describe(`model macros evaluated on ${kind}`, () => {
    let wh: Warehouse;
    const schema = uniqueSchema('macros');
    let tables = 0;

    before(async () => {
      wh = await open();
      await wh.run(wh.dialect.createSchema(schema));
    });
    after(async () => {
      await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.schemaName(schema)} CASCADE`);
      await wh.close();
    });

    /**
     * A fresh table with `columns` (plus `id`) holding `rows`, and the value of `select` per
     * row in row order, e.g. rowsOf({ v: 'text' }, [['a'], ['b']], 'UPPER(v)') → ['A', 'B'].
     */
    async function valuesOf(columns: Record<string, LogicalType>, rows: readonly (readonly SqlParam[])[], select: string): Promise<SqlValue[]> {
      const d = wh.dialect;
      const table = d.tableName(schema, `t${++tables}`);
      const names = Object.keys(columns);
      await wh.run(`CREATE TABLE ${table} (id ${d.typeName('integer')}, ${names.map((n) => `${n} ${d.typeName(columns[n] as LogicalType)}`).join(', ')})`);
      for (const [i, row] of rows.entries()) {
        await wh.run(`INSERT INTO ${table} VALUES (${[i, ...row].map((_, p) => d.param(p + 1)).join(', ')})`, [i, ...row]);
      }
      const result = await wh.all<{ r: SqlValue }>(`SELECT ${select} AS r FROM ${table} ORDER BY id`);
      return result.map((row) => row.r);
    }
    const textValues = (values: readonly SqlParam[], select: (column: string) => string): Promise<SqlValue[]> =>
      valuesOf({ v: 'text' }, values.map((v) => [v]), select('v'));

    /** to_utc over `cases` as text, checked against the expectation and against core/normalize/time.ts. */
    async function assertToUtc(cases: readonly TimeCase[], type: LogicalType = 'text', zone?: string): Promise<void> {
      const got = await valuesOf({ v: type }, cases.map(([input]) => [input]), wh.dialect.toUtc('v', zone));
      const expected = cases.map(([, utc]) => utc);
      assert.deepEqual(cases.map(([input]) => toUtcIso(input, zone === undefined ? {} : { zone })), expected, 'the TypeScript reference agrees');
      assert.deepEqual(
        cases.map(([input], i) => [input, got[i]]),
        cases.map(([input], i) => [input, expected[i]]),
      );
    }

    test('to_utc reads ISO-8601 with 0–9 fraction digits and any offset spelling, truncating to the millisecond', async () => {
      await assertToUtc(ISO_CASES);
    });

    test('to_utc tells epoch seconds, ms, µs and ns apart by magnitude, as text', async () => {
      await assertToUtc(EPOCH_TEXT_CASES);
    });

    test('to_utc reads epochs held in BIGINT and DOUBLE columns, nanoseconds included', async () => {
      await assertToUtc(
        [
          [1741087911n, '2025-03-04T11:31:51.000Z'],
          [1741087911123n, '2025-03-04T11:31:51.123Z'],
          [1741087911123456n, '2025-03-04T11:31:51.123Z'],
          [1741087911123456789n, '2025-03-04T11:31:51.123Z'],
          [0n, null],
          [-1741087911n, null],
        ],
        'bigint',
      );
      // A DOUBLE prints µs and ns with an exponent (1.741087911123456e+15).
      await assertToUtc(
        [
          [1741087911, '2025-03-04T11:31:51.000Z'],
          [1741087911.5, '2025-03-04T11:31:51.500Z'],
          [1741087911123, '2025-03-04T11:31:51.123Z'],
          [1741087911123456, '2025-03-04T11:31:51.123Z'],
          [1741087911123456789, '2025-03-04T11:31:51.123Z'],
          [0, null],
          [-5, null],
        ],
        'double',
      );
    });

    test('to_utc gives NULL, never an error, for 0, garbage, negatives and impossible dates', async () => {
      await assertToUtc(NOT_A_TIME);
      await assertToUtc(NOT_A_TIME, 'text', 'America/New_York');
    });

    test('to_utc gives NULL where core/normalize/time.ts is more lenient than the warehouses', async () => {
      // No 8x8 source sends these; Postgres cannot hold year 0 or a ±99:00 offset, and DuckDB
      // cannot read a zone after minutes without seconds, so NULL on all four is the contract.
      const lenient = ['2025-03-04T10:02Z', '2025-03-04T10:02:11+99:00', '0000-01-01T00:00:00Z', '12:30'];
      assert.ok(lenient.every((input) => toUtcIso(input) !== null));
      assert.deepEqual(await textValues(lenient, (v) => wh.dialect.toUtc(v)), [null, null, null, null]);
    });

    test('to_utc reads zone-less text in the given zone through both DST changes, 30-minute ones included', async () => {
      const zones = [...new Set(LOCAL_CASES.map(([, zone]) => zone))];
      for (const zone of zones) {
        await assertToUtc(
          LOCAL_CASES.filter(([, z]) => z === zone).map(([input, , utc]) => [input, utc] as const),
          'text',
          zone,
        );
      }
    });

    test('to_utc with a zone leaves texts that carry their own zone alone', async () => {
      await assertToUtc([...ISO_CASES, ...EPOCH_TEXT_CASES], 'text', 'America/New_York');
    });

    test('safe_cast gives the value for good text and NULL for anything else, the same on every engine', async () => {
      const inputs = ['42', '-7', '+5', ' 42', '1.5', '1e3', '2147483647', '123456789012345678', '9223372036854775807', 'abc', '', '0x1F', '-1.5e-3', '.5', '5.', '1e999', 'NaN', 'Infinity', 'true', 'FALSE', 't', '1', 'yes', '9'.repeat(250), null];
      const expected: Record<'bigint' | 'integer' | 'double' | 'boolean', SqlValue[]> = {
        // Integers: sign and digits only, 9 (integer) or 18 (bigint) of them at most.
        bigint: [42, -7, 5, null, null, null, 2147483647, '123456789012345678', null, null, null, null, null, null, null, null, null, null, null, null, null, 1, null, null, null],
        integer: [42, -7, 5, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 1, null, null, null],
        double: [42, -7, 5, null, 1.5, 1000, 2147483647, 123456789012345680, 9223372036854775807, null, null, null, -0.0015, 0.5, 5, null, null, null, null, null, null, 1, null, null, null],
        boolean: [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, true, false, null, null, null, null, null],
      };
      for (const [type, values] of Object.entries(expected)) {
        const got = await textValues(inputs, (v) => wh.dialect.safeCast(v, type as LogicalType));
        assert.deepEqual(inputs.map((input, i) => [input, got[i]]), inputs.map((input, i) => [input, values[i]]), type);
      }
    });

    test('safe_cast to timestamp takes real calendar dates only', async () => {
      const inputs = ['2025-03-04T10:02:11Z', '2025-03-04 10:02:11.1239996+03:00', '2025-03-04', '2024-02-29T00:00:00Z', '2025-02-29', '2025-03-04T10:02:11 Z', 'soon'];
      const got = await textValues(inputs, (v) => wh.dialect.safeCast(v, 'timestamp'));
      assert.deepEqual(got, ['2025-03-04T10:02:11.000Z', '2025-03-04T07:02:11.123Z', '2025-03-04T00:00:00.000Z', '2024-02-29T00:00:00.000Z', null, null, null]);
    });

    test('seconds_between and add_seconds do timestamp arithmetic with fractions and NULLs', async () => {
      const d = wh.dialect;
      const rows = [
        [new Date('2025-03-04T10:00:00Z'), new Date('2025-03-04T10:01:30.500Z')],
        [new Date('2025-03-04T10:01:30.500Z'), new Date('2025-03-04T10:00:00Z')],
        [new Date('2025-11-02T05:30:00Z'), new Date('2025-11-02T06:30:00Z')],
        [new Date('2025-03-04T10:00:00Z'), null],
      ];
      const columns = { a: 'timestamp', b: 'timestamp' } as const;
      assert.deepEqual(await valuesOf(columns, rows, d.secondsBetween('a', 'b')), [90.5, -90.5, 3600, null]);
      assert.deepEqual(await valuesOf(columns, rows, d.addSeconds('a', 86_400)), ['2025-03-05T10:00:00.000Z', '2025-03-05T10:01:30.500Z', '2025-11-03T05:30:00.000Z', '2025-03-05T10:00:00.000Z']);
      assert.deepEqual(await valuesOf(columns, rows, d.addSeconds('b', -3600)), ['2025-03-04T09:01:30.500Z', '2025-03-04T09:00:00.000Z', '2025-11-02T05:30:00.000Z', null]);
      assert.throws(() => d.addSeconds('a', 1.5), /whole seconds/);
    });

    test('add_milliseconds adds a column of milliseconds, past 2^31 (25 days) too, and NULL gives NULL', async () => {
      const rows = [[new Date('2025-03-04T10:00:00Z'), 1_500], [new Date('1970-01-01T00:00:00Z'), 1_741_082_400_000], [new Date('2025-03-04T10:00:00Z'), -3_000_000_000], [new Date('2025-03-04T10:00:00Z'), null]];
      assert.deepEqual(await valuesOf({ a: 'timestamp', ms: 'bigint' }, rows, wh.dialect.addMilliseconds('a', 'ms')), [
        '2025-03-04T10:00:01.500Z', '2025-03-04T10:00:00.000Z', '2025-01-28T16:40:00.000Z', null,
      ]);
    });

    test('hhmmss writes HH:MM:SS as core/normalize/duration.ts does, past 99 hours too', async () => {
      const whole = [0, 59, 3600, 3725, 90061, 360000, null];
      const got = await valuesOf({ v: 'bigint' }, whole.map((v) => [v]), wh.dialect.hhmmss('v'));
      assert.deepEqual(got, ['00:00:00', '00:00:59', '01:00:00', '01:02:05', '25:01:01', '100:00:00', null]);
      assert.deepEqual(got, whole.map((v) => durationHhmmss(v)));
      const fractional = [59.9, 3725.999, -5, 0.4];
      assert.deepEqual(await valuesOf({ v: 'double' }, fractional.map((v) => [v]), wh.dialect.hhmmss('v')), fractional.map((v) => durationHhmmss(v)));
    });

    test('json_entries adds one row per key of an object, and nothing for a missing path, a string, an array or {}', async () => {
      const d = wh.dialect;
      const bodies = [
        { payload: { details: { callB: { callId: 'b-1', n: 2 }, CallA: { callId: 'a-1' } } } },
        { payload: {} },
        { payload: { details: 'callA' } },
        { payload: { details: {} } },
        { payload: { details: [{ callId: 'x' }] } },
        { payload: { details: { 'leg.with "quotes"': { callId: 'q-1' } } } },
      ];
      const table = d.tableName(schema, `t${++tables}`);
      await wh.run(`CREATE TABLE ${table} (id ${d.typeName('integer')}, body ${d.typeName('text')})`);
      for (const [i, body] of bodies.entries()) await wh.run(`INSERT INTO ${table} VALUES (${d.param(1)}, ${d.param(2)})`, [i, JSON.stringify(body)]);
      const rows = await wh.all<{ id: number; entry_key: string; entry_value: string; call_id: string }>(
        `SELECT e.id AS id, leg.entry_key AS entry_key, leg.entry_value AS entry_value, ${d.jsonText('leg.entry_value', ['callId'])} AS call_id ` +
          `FROM ${table} AS e ${d.jsonEntries('e.body', ['payload', 'details'], 'leg')}`,
      );
      const entries = rows
        .map((r) => [r.id, r.entry_key, JSON.parse(r.entry_value) as unknown, r.call_id] as const)
        .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
      assert.deepEqual(entries, [
        [0, 'CallA', { callId: 'a-1' }, 'a-1'],
        [0, 'callB', { callId: 'b-1', n: 2 }, 'b-1'],
        [5, 'leg.with "quotes"', { callId: 'q-1' }, 'q-1'],
      ]);
    });

    test('sha256 is lower-case hex of the UTF-8 bytes', async () => {
      const inputs = ['abc', '', 'é☎', null];
      const got = await textValues(inputs, (v) => wh.dialect.sha256Hex(v));
      assert.equal(got[0], 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      assert.deepEqual(got, inputs.map((v) => (v === null ? null : createHash('sha256').update(v, 'utf8').digest('hex'))));
    });

    test('split_part takes the n-th piece, empty past the end', async () => {
      const inputs = ['tenant/room-1/extra', 'room-only', '', null];
      assert.deepEqual(await textValues(inputs, (v) => wh.dialect.splitPart(v, '/', 2)), ['room-1', '', '', null]);
      assert.deepEqual(await textValues(inputs, (v) => wh.dialect.splitPart(v, '/', 1)), ['tenant', 'room-only', '', null]);
    });

    test('regex_matches matches the whole text, alternatives included', async () => {
      const inputs = ['123', '12a', 'a', 'ab', '', null];
      assert.deepEqual(await textValues(inputs, (v) => wh.dialect.regexMatches(v, '[0-9]+')), [true, false, false, false, false, null]);
      assert.deepEqual(await textValues(inputs, (v) => wh.dialect.regexMatches(v, 'a|b')), [false, false, true, false, false, null]);
    });

    test('first_row_per keeps one row per group in the given order, NULLs last', async () => {
      const d = wh.dialect;
      const table = d.tableName(schema, `t${++tables}`);
      await wh.run(`CREATE TABLE ${table} (g ${d.typeName('text')}, event_type ${d.typeName('text')}, seen_at ${d.typeName('timestamp')}, label ${d.typeName('text')})`);
      const rows: SqlParam[][] = [
        ['a', 'CALL_STATUS', new Date('2025-03-04T10:00:00Z'), 'a-early'],
        ['a', 'CALL_STATUS', new Date('2025-03-04T10:05:00Z'), 'a-late'],
        ['a', 'CALL_STATUS', null, 'a-undated'],
        ['b', 'CALL_STATUS', new Date('2025-03-04T10:09:00Z'), 'b-status'],
        ['b', 'SESSION_SUMMARY', new Date('2025-03-04T10:01:00Z'), 'b-summary'],
        ['c', 'CALL_STATUS', null, 'c-only'],
      ];
      for (const row of rows) await wh.run(`INSERT INTO ${table} VALUES (${row.map((_, i) => d.param(i + 1)).join(', ')})`, row);
      const first = async (orderBy: string): Promise<string[]> =>
        (await wh.all<{ label: string }>(`SELECT label FROM (${d.firstRowPer(`select g, event_type, seen_at, label from ${table}`, 'g', orderBy)}) AS f ORDER BY g`)).map((r) => r.label);
      assert.deepEqual(await first("case when event_type = 'SESSION_SUMMARY' then 0 else 1 end, seen_at desc"), ['a-late', 'b-summary', 'c-only']);
      assert.deepEqual(await first('seen_at'), ['a-early', 'b-summary', 'c-only']);
      assert.deepEqual(await first('seen_at desc nulls first'), ['a-undated', 'b-status', 'c-only']);
    });
  });
}
