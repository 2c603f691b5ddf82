/**
 * Seeds, loaded: RFC 4180 CSV with the line each record starts on, values checked against
 * their YAML column types, errors that name the file, line, column and the YAML key to
 * change, user seeds over bundled ones, and the SELECT each warehouse gets. No warehouse
 * here; seeds-build.test.ts builds them.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseCsv } from '../../sql/engine/seed-csv.js';
import { seedValue } from '../../sql/engine/seed-values.js';
import { loadProject } from '../../sql/engine/project.js';
import { loadDataTests } from '../../sql/engine/data-tests.js';
import { compileModel } from '../../sql/engine/compile.js';
import { selectModels } from '../../sql/engine/select.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import type { Model } from '../../sql/engine/model.js';
import { tempFolder } from '../helpers/project-files.js';

const folder = (files: Record<string, string>): string => tempFolder(files, 'switchboard-seeds-');

const duckdb = dialectFor('duckdb');
const settings = { targetSchema: 'analytics', sources: { raw: 'raw' } };

/** Rejects with SB_MODEL_SEED and a message matching `pattern`. */
async function seedError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, 'SB_MODEL_SEED', error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('CSV parsing (RFC 4180)', () => {
  test('quotes, commas and line breaks inside quotes, doubled quotes, CRLF and LF mixed, a BOM, blank lines', () => {
    const text = '\uFEFFid,note\r\n1,"a, b"\r\n2,"two\r\nlines"\n\n3,"say ""hi"""\n4,\n5,""\r\n';
    assert.deepEqual(parseCsv(text), [
      { fields: ['id', 'note'], line: 1 },
      { fields: ['1', 'a, b'], line: 2 },
      { fields: ['2', 'two\r\nlines'], line: 3 },
      { fields: ['3', 'say "hi"'], line: 6 },
      { fields: ['4', ''], line: 7 },
      { fields: ['5', ''], line: 8 },
    ]);
    assert.deepEqual(parseCsv('a,b'), [{ fields: ['a', 'b'], line: 1 }], 'no newline at the end');
    assert.deepEqual(parseCsv(''), []);
    assert.deepEqual(parseCsv('a\r\rb\r'), [{ fields: ['a'], line: 1 }, { fields: ['b'], line: 3 }], 'a lone CR ends a line too');
  });

  test('malformed quoting is an error naming its line', () => {
    assert.throws(() => parseCsv('a,b\n1,"open\n\n'), /^CsvSyntaxError: line 2: a quoted field is never closed/);
    assert.throws(() => parseCsv('a,b\n1,"x\ny"z\n'), /line 3: text after a closing quote \("z\\n"\)/);
    assert.throws(() => parseCsv('a,b\n1,x"y\n'), /line 2: a quote inside an unquoted field/);
  });
});

describe('seed values', () => {
  test('each type in its canonical text; an empty field is NULL', () => {
    const cases: Array<[string, Parameters<typeof seedValue>[1], string | null | undefined]> = [
      ['', 'text', null], [' x ', 'text', ' x '], ['', 'bigint', null], ['  ', 'integer', null],
      ['42', 'bigint', '42'], [' +007 ', 'bigint', '7'], ['-9223372036854775808', 'bigint', '-9223372036854775808'],
      ['9223372036854775808', 'bigint', undefined], ['1.0', 'bigint', undefined], ['1e3', 'bigint', undefined],
      ['2147483647', 'integer', '2147483647'], ['2147483648', 'integer', undefined],
      ['1.50', 'double', '1.5'], ['-.5', 'double', '-0.5'], ['2e-3', 'double', '0.002'], ['1e999', 'double', undefined], ['NaN', 'double', undefined], ['1,5', 'double', undefined],
      ['TRUE', 'boolean', 'true'], ['false', 'boolean', 'false'], ['yes', 'boolean', undefined], ['1', 'boolean', undefined],
      ['2025-03-04', 'timestamp', '2025-03-04 00:00:00+00:00'],
      ['2025-03-04 10:02', 'timestamp', '2025-03-04 10:02:00+00:00'],
      ['2025-03-04T17:02:11.1234567+07:00', 'timestamp', '2025-03-04 10:02:11.123456+00:00'],
      ['2025-03-04T01:00:00-0500', 'timestamp', '2025-03-04 06:00:00+00:00'],
      ['2025-03-04T01:00:00Z', 'timestamp', '2025-03-04 01:00:00+00:00'],
      ['2025-03-04 23:30:00+03', 'timestamp', '2025-03-04 20:30:00+00:00'],
      ['2024-02-29', 'timestamp', '2024-02-29 00:00:00+00:00'], ['2025-02-29', 'timestamp', undefined], ['2025-03-04 24:00', 'timestamp', undefined],
      ['04/03/2025', 'timestamp', undefined], ['2025-03-04T10:00:00+16:00', 'timestamp', undefined],
    ];
    for (const [raw, type, expected] of cases) assert.equal(seedValue(raw, type), expected, `${JSON.stringify(raw)} as ${type}`);
  });
});

const TIERS_CSV = 'account_id,tier,seats,active,renews_at\n001A,gold,40,true,2025-06-30\n001B,"silver, legacy",,FALSE,\n';
const TIERS_YML = 'seeds:\n  - name: tiers\n    config:\n      column_types: { seats: integer, active: boolean, renews_at: timestamp }\n      tags: [reference]\n    columns:\n      - name: account_id\n        tests: [unique, not_null]\n';

describe('seeds in a project', () => {
  test('a CSV under seeds/ is a model named after its file: typed columns, text by default, ref()ed, built before its readers', async () => {
    const dir = folder({
      'seeds/reference/tiers.csv': TIERS_CSV,
      'seeds/tiers.yml': TIERS_YML,
      'gold_accounts.sql': "select account_id from {{ ref('tiers') }} where tier = 'gold'",
    });
    const project = await loadProject(dir, duckdb);
    const seed = project.models.get('tiers') as Model;
    assert.equal(seed.path, 'seeds/reference/tiers.csv');
    assert.equal(seed.config.materialized, 'seed');
    assert.deepEqual(seed.config.tags, ['reference']);
    assert.deepEqual(seed.seed, {
      columns: [
        { name: 'account_id', type: 'text' },
        { name: 'tier', type: 'text' },
        { name: 'seats', type: 'integer' },
        { name: 'active', type: 'boolean' },
        { name: 'renews_at', type: 'timestamp' },
      ],
      rows: [
        ['001A', 'gold', '40', 'true', '2025-06-30 00:00:00+00:00'],
        ['001B', 'silver, legacy', null, 'false', null],
      ],
    });
    assert.deepEqual(selectModels(project, ['+gold_accounts']).map((m) => m.name), ['tiers', 'gold_accounts']);
    assert.deepEqual(selectModels(project, ['tag:reference']).map((m) => m.name), ['tiers']);
    assert.deepEqual((await loadDataTests(project)).map((t) => t.name), ['unique_tiers_account_id', 'not_null_tiers_account_id']);
    assert.match(compileModel(project, project.models.get('gold_accounts') as Model, { ...settings, dialect: duckdb }), /from "analytics"\."tiers"/);
  });

  test('compiles to typed literals: VALUES on DuckDB, Postgres and Snowflake, typed structs on BigQuery; an empty seed selects no rows', async () => {
    const project = await loadProject(folder({ 'seeds/tiers.csv': TIERS_CSV, 'seeds/tiers.yml': TIERS_YML, 'seeds/notes.csv': 'note\n"it\'s a \\ and a\nbreak"\n', 'seeds/empty.csv': 'a,b\r\n' }), duckdb);
    const compile = (name: string, dialect: string) => compileModel(project, project.models.get(name) as Model, { ...settings, dialect: dialectFor(dialect as 'duckdb') });
    assert.equal(
      compile('tiers', 'snowflake'),
      'SELECT CAST(seed_rows.c0 AS VARCHAR) AS "account_id", CAST(seed_rows.c1 AS VARCHAR) AS "tier", CAST(seed_rows.c2 AS NUMBER(38,0)) AS "seats", ' +
        'CAST(seed_rows.c3 AS BOOLEAN) AS "active", CAST(seed_rows.c4 AS TIMESTAMP_TZ) AS "renews_at"\n' +
        "FROM (VALUES\n  ('001A', 'gold', '40', 'true', '2025-06-30 00:00:00+00:00'),\n  ('001B', 'silver, legacy', NULL, 'false', NULL)\n) AS seed_rows(c0, c1, c2, c3, c4)",
    );
    assert.equal(
      compile('tiers', 'bigquery'),
      'SELECT CAST(seed_rows.c0 AS STRING) AS `account_id`, CAST(seed_rows.c1 AS STRING) AS `tier`, CAST(seed_rows.c2 AS INT64) AS `seats`, ' +
        'CAST(seed_rows.c3 AS BOOL) AS `active`, CAST(seed_rows.c4 AS TIMESTAMP) AS `renews_at`\n' +
        'FROM UNNEST([\n' +
        "  STRUCT<c0 STRING, c1 STRING, c2 STRING, c3 STRING, c4 STRING>('001A', 'gold', '40', 'true', '2025-06-30 00:00:00+00:00'),\n" +
        "  STRUCT<c0 STRING, c1 STRING, c2 STRING, c3 STRING, c4 STRING>('001B', 'silver, legacy', NULL, 'false', NULL)\n" +
        ']) AS seed_rows',
    );
    assert.equal(compile('notes', 'bigquery'), "SELECT CAST(seed_rows.c0 AS STRING) AS `note`\nFROM UNNEST([\n  STRUCT<c0 STRING>('it\\'s a \\\\ and a\\nbreak')\n]) AS seed_rows");
    assert.equal(compile('notes', 'snowflake'), "SELECT CAST(seed_rows.c0 AS VARCHAR) AS \"note\"\nFROM (VALUES\n  ('it''s a \\\\ and a\nbreak')\n) AS seed_rows(c0)");
    assert.equal(compile('empty', 'bigquery'), 'SELECT CAST(seed_rows.c0 AS STRING) AS `a`, CAST(seed_rows.c1 AS STRING) AS `b`\nFROM UNNEST([\n  STRUCT<c0 STRING, c1 STRING>(NULL, NULL)\n]) AS seed_rows\nWHERE 1 = 0');
    assert.equal(compile('empty', 'snowflake'), 'SELECT CAST(seed_rows.c0 AS VARCHAR) AS "a", CAST(seed_rows.c1 AS VARCHAR) AS "b"\nFROM (VALUES\n  (NULL, NULL)\n) AS seed_rows(c0, c1)\nWHERE 1 = 0');
  });

  test("a user seed overrides the package's; the package's YAML for it is left out, and a later layer's YAML may type an earlier layer's seed", async () => {
    const pkg = folder({ 'seeds/tiers.csv': 'account_id,seats\n001A,40\n', 'seeds/tiers.yml': 'seeds:\n  - name: tiers\n    config: { column_types: { seats: integer } }\n    columns: [{ name: seats, tests: [not_null] }]\n', 'seeds/codes.csv': 'code\n7\n' });
    const user = folder({ 'seeds/tiers.csv': 'account_id,seats\n001Z,"many"\n', 'codes.yml': 'seeds:\n  - name: codes\n    config: { column_types: { code: bigint } }\n' });
    const project = await loadProject([pkg, user], duckdb);
    const tiers = project.models.get('tiers') as Model;
    assert.equal(tiers.overrides, 'project:seeds/tiers.csv');
    assert.deepEqual(tiers.seed?.rows, [['001Z', 'many']], 'the user file; seats is text there: the package typed its own file');
    assert.deepEqual(project.models.get('codes')?.seed?.columns, [{ name: 'code', type: 'bigint' }]);
    assert.deepEqual((await loadDataTests(project)).map((t) => t.name), [], "the package's test of the seed it no longer builds is gone");
  });

  test('disabled as models are: seeds config enabled: false, or models.disabled', async () => {
    const dir = folder({ 'seeds/tiers.csv': TIERS_CSV, 'seeds/codes.csv': 'code\n1\n', 'props.yml': 'seeds:\n  - name: codes\n    config: { enabled: false }\n' });
    assert.deepEqual([...(await loadProject(dir, duckdb)).models.keys()], ['tiers']);
    assert.deepEqual([...(await loadProject(dir, duckdb, { disabled: ['tiers'] })).models.keys()], []);
  });

  test('a seed and a model of one name in one layer are SB_MODEL_DUPLICATE; a SQL model cannot be materialized as a seed', async () => {
    await assert.rejects(loadProject(folder({ 'tiers.sql': 'select 1 as n', 'seeds/tiers.csv': 'n\n1\n' }), duckdb), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SB_MODEL_DUPLICATE');
      assert.match(error.message, /Two models are named "tiers": tiers\.sql and seeds\/tiers\.csv/);
      return true;
    });
    await assert.rejects(loadProject(folder({ 'x.sql': "{{ config(materialized='seed') }} select 1 as n" }), duckdb), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SB_MODEL_CONFIG');
      assert.equal(error.message, "x.sql: config(materialized='seed'): use view, table, incremental, phone_lookup)");
      return true;
    });
  });

  test('a value that is not of its type names the file, line, column and the YAML key that typed it', async () => {
    const csv = 'account_id,tier,seats\n001A,gold,40\n001B,"two\nlines",4O\n';
    await seedError(
      loadProject(folder({ 'seeds/tiers.csv': csv, 'seeds/props.yml': 'seeds:\n  - name: tiers\n    config: { column_types: { seats: integer } }\n' }), duckdb),
      /^seeds\/tiers\.csv line 3, column seats: "4O" is not an integer\. Fix the value, or change the column's type \(seeds: tiers → config\.column_types\.seats in seeds\/props\.yml\)\.$/,
    );
  });

  test('broken files and properties are SB_MODEL_SEED errors that say what to change', async () => {
    const load = (files: Record<string, string>) => loadProject(folder(files), duckdb);
    await seedError(load({ 'seeds/t.csv': '' }), /^seeds\/t\.csv: the file is empty; a seed's first line names its columns/);
    await seedError(load({ 'seeds/t.csv': 'Account Id,tier\n' }), /^seeds\/t\.csv line 1: column name "Account Id" is not a lower-case identifier .* e\.g\. "account_id"/);
    await seedError(load({ 'seeds/t.csv': 'a,a\n' }), /line 1: two columns are named a/);
    await seedError(load({ 'seeds/t.csv': 'a,b\n1,2\n\n3,4,5\n' }), /^seeds\/t\.csv line 4: 3 values, but the header names 2 columns; quote a value that holds a comma/);
    await seedError(load({ 'seeds/t.csv': 'a,b\n1,"2\n' }), /^seeds\/t\.csv line 2: a quoted field is never closed/);
    await seedError(load({ 'seeds/t.csv': 'a\n1\n', 'p.yml': 'seeds:\n  - name: t\n    config: { column_types: { a: varchar(20) } }\n' }), /p\.yml: seeds: t: config\.column_types\.a: "varchar\(20\)" is no seed column type; use text, bigint, integer, double, boolean, timestamp/);
    await seedError(load({ 'seeds/t.csv': 'a\n1\n', 'p.yml': 'seeds:\n  - name: t\n    config: { column_types: { b: bigint } }\n' }), /p\.yml: seeds: t: config\.column_types\.b names no column of seeds\/t\.csv \(its header: a\)/);
    await seedError(load({ 'seeds/t.csv': 'a\n1\n', 'p.yml': 'seeds:\n  - name: t\n    config: { delimiter: ";" }\n' }), /config\.delimiter: unknown setting; a seed takes column_types, enabled, tags, schema/);
    await seedError(load({ 'seeds/t.csv': 'a\n1\n', 'p.yml': 'seeds:\n  - name: t\n    columns: [{ name: b, tests: [not_null] }]\n' }), /p\.yml: seeds: t lists column "b", which seeds\/t\.csv does not have/);
    await seedError(load({ 'seeds/tiers.csv': 'a\n1\n', 'p.yml': 'seeds:\n  - name: tier\n' }), /^p\.yml: seeds: no seeds\/tier\.csv is in the project \(did you mean "tiers"\?\)\.$/);
    await seedError(load({ 'm.sql': 'select 1 as n', 'p.yml': 'seeds:\n  - name: m\n' }), /"m" is a SQL model, not a seed; describe it under "models:"/);
    await seedError(load({ 'p.yml': 'seeds: { name: t }\n' }), /p\.yml: "seeds" must be a list/);
  });
});
