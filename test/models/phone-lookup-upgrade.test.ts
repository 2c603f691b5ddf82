/**
 * The phone lookup made by an older version (no `valid` column, and rows normalised by the
 * rules before +E.164 numbers were kept) is upgraded by the next build, on real DuckDB and
 * real Postgres: the column is added through the dialect, the old rows are normalised again in
 * place, new pairs are added as usual, and a later build finds nothing left to upgrade. A
 * process checks once (serve builds every few minutes); the next process checks again. The
 * ALTER it sends is compiled for BigQuery and Snowflake.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPhoneLookup, phoneLookupTable, upgradePhoneLookup } from '../../sql/engine/phone-lookup.js';
import { withoutColumns } from '../../sql/migrations/steps.js';
import { listColumns } from '../../sql/introspect.js';
import type { SqlRow, Warehouse } from '../../sql/warehouse.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import { TEST_POSTGRES_URL, uniqueSchema } from '../helpers/postgres.js';

const OLD_LANDED = new Date('2025-03-04T10:00:00Z');

/** Rows as the lookup held them before 0.3: a +E.164 number the metadata rejects was 'invalid', with no e164. */
const OLD_ROWS = [
  { raw: '+15555551220', region_hint: '', e164: null, extension: null, kind: 'invalid', landed_at: OLD_LANDED },
  { raw: '+6581968289', region_hint: 'SG', e164: '+6581968289', extension: null, kind: 'e164', landed_at: OLD_LANDED },
  { raw: '1042', region_hint: 'US', e164: null, extension: '1042', kind: 'extension', landed_at: OLD_LANDED },
];

/** What the build's SELECT yields: the old pairs again, and one new pair. */
const SELECT = [
  `SELECT '+15555551220' AS raw, '' AS region_hint, CAST('2025-03-04 10:00:00' AS TIMESTAMP) AS landed_at`,
  `SELECT '+656833033', 'SG', CAST('2025-03-05 10:00:00' AS TIMESTAMP)`,
].join(' UNION ALL ');

/** The DuckDB file (reopened as a new process would), removed when this file's tests are done. */
const duckdbDir = mkdtempSync(join(tmpdir(), 'phone-lookup-upgrade-'));
after(() => rmSync(duckdbDir, { recursive: true, force: true }));

const targets = [
  { name: 'duckdb', open: () => openWarehouse({ type: 'duckdb', path: join(duckdbDir, 'wh.duckdb') }), schema: 'analytics', drop: false },
  { name: 'postgres', open: () => openWarehouse({ type: 'postgres', url: TEST_POSTGRES_URL }), schema: uniqueSchema('analytics'), drop: true },
] as const;

for (const target of targets) {
  describe(`phone lookup upgrade on ${target.name}`, () => {
    let wh: Warehouse;
    const lookup = () => wh.dialect.tableName(target.schema, 'phone_numbers');
    const rows = (): Promise<SqlRow[]> => wh.all(`SELECT raw, region_hint, e164, extension, kind, valid, landed_at FROM ${lookup()} ORDER BY raw, region_hint`);

    before(async () => {
      wh = await target.open();
      const old = withoutColumns(phoneLookupTable(target.schema, 'phone_numbers'), ['valid']);
      await wh.run(wh.dialect.createSchema(target.schema));
      await wh.run(wh.dialect.createTable(old));
      await wh.writeRows(old, OLD_ROWS);
    });
    after(async () => {
      if (target.drop) await wh.run(`DROP SCHEMA IF EXISTS ${wh.dialect.schemaName(target.schema)} CASCADE`);
      await wh.close();
    });

    test('an incremental build adds `valid`, normalises the old rows again and adds the new pairs', async () => {
      const added = await buildPhoneLookup(wh, target.schema, 'phone_numbers', SELECT, false);
      assert.equal(added, 1, 'one new pair');
      const columns = (await listColumns(wh, wh.dialect, target.schema, 'phone_numbers')).map((c) => c.name);
      assert.deepEqual(columns, phoneLookupTable(target.schema, 'phone_numbers').columns.map((c) => c.name), 'the same columns, in the same order, as a new table');
      assert.deepEqual(await rows(), [
        // kept as sent now, not valid by the metadata; landed_at untouched
        { raw: '+15555551220', region_hint: '', e164: '+15555551220', extension: null, kind: 'e164', valid: false, landed_at: OLD_LANDED.toISOString() },
        { raw: '+656833033', region_hint: 'SG', e164: '+656833033', extension: null, kind: 'e164', valid: false, landed_at: '2025-03-05T10:00:00.000Z' },
        { raw: '+6581968289', region_hint: 'SG', e164: '+6581968289', extension: null, kind: 'e164', valid: true, landed_at: OLD_LANDED.toISOString() },
        { raw: '1042', region_hint: 'US', e164: null, extension: '1042', kind: 'extension', valid: false, landed_at: OLD_LANDED.toISOString() },
      ]);
    });

    test('a later build finds nothing to upgrade', async () => {
      assert.equal(await upgradePhoneLookup(wh, wh.dialect, target.schema, 'phone_numbers'), 0);
      assert.equal(await buildPhoneLookup(wh, target.schema, 'phone_numbers', SELECT, false), 0);
    });

    test('a process checks once: a later build of the same process skips the check, a new process makes it', async () => {
      await wh.run(`UPDATE ${lookup()} SET valid = NULL WHERE raw = '1042'`);
      await buildPhoneLookup(wh, target.schema, 'phone_numbers', SELECT, false);
      const [skipped] = await wh.all(`SELECT valid FROM ${lookup()} WHERE raw = '1042'`);
      assert.deepEqual(skipped, { valid: null }, 'checked at this process\'s first build already');
      await wh.close();
      wh = await target.open();
      await buildPhoneLookup(wh, target.schema, 'phone_numbers', SELECT, false);
      const [checked] = await wh.all(`SELECT valid FROM ${lookup()} WHERE raw = '1042'`);
      assert.deepEqual(checked, { valid: false });
    });

    test('rows left without `valid` (a build stopped between the ALTER and the refill) are finished by the next one', async () => {
      await wh.run(`UPDATE ${lookup()} SET valid = NULL, kind = 'invalid', e164 = NULL WHERE raw = '+15555551220'`);
      assert.equal(await upgradePhoneLookup(wh, wh.dialect, target.schema, 'phone_numbers'), 1);
      const [row] = await wh.all(`SELECT e164, kind, valid FROM ${lookup()} WHERE raw = '+15555551220'`);
      assert.deepEqual(row, { e164: '+15555551220', kind: 'e164', valid: false });
    });

    test('a full refresh builds the lookup whole with `valid` on every row', async () => {
      assert.equal(await buildPhoneLookup(wh, target.schema, 'phone_numbers', SELECT, true), 2);
      const [nulls] = await wh.all(`SELECT COUNT(*) AS n FROM ${lookup()} WHERE valid IS NULL`);
      assert.equal(Number(nulls?.n), 0);
    });
  });
}

describe('phone lookup upgrade DDL on the warehouses that cannot run here', () => {
  test('BigQuery and Snowflake add the column with ADD COLUMN IF NOT EXISTS and their boolean type', () => {
    const table = phoneLookupTable('analytics', 'phone_numbers');
    const valid = table.columns.find((c) => c.name === 'valid')!;
    assert.equal(dialectFor('bigquery').addColumn(table, valid), 'ALTER TABLE `analytics`.`phone_numbers` ADD COLUMN IF NOT EXISTS `valid` BOOL');
    assert.equal(dialectFor('snowflake').addColumn(table, valid), 'ALTER TABLE "analytics"."phone_numbers" ADD COLUMN IF NOT EXISTS "valid" BOOLEAN');
  });
});
