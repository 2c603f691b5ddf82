/**
 * Snapshots in a layered project, built for real on DuckDB and Postgres: the bundled
 * salesforce_people_snapshot over pulls of the Salesforce people (a new pull_at alone is no
 * change; a --full-refresh that empties the people closes nothing), a user snapshot that
 * refs the bundled model, and the refusals that leave a snapshot as it was: a unique_key
 * repeated in the select, and a table of the same name that is no snapshot. A column new to
 * the select is added, and under check_cols='all' makes a new version of every row; a column
 * the select drops stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_MODELS_DIR } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { build } from '../../sql/engine/run.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { folder, scratchWarehouse } from '../helpers/scratch-warehouse.js';

const T = (day: number) => `2025-03-0${day}T00:00:00.000Z`;

/** `rows` of `select` as `a b c` lines, sorted; timestamps as their day. */
async function lines(wh: Warehouse, select: string): Promise<string[]> {
  const rows = await wh.all(select);
  return rows.map((r) => Object.values(r).map((v) => (v === null ? 'NULL' : /^\d{4}-\d\d-\d\dT/.test(String(v)) ? String(v).slice(0, 10) : String(v))).join(' ')).sort();
}

for (const kind of ['duckdb', 'postgres'] as const) {
  test(`${kind}: the bundled Salesforce people snapshot and a user snapshot that refs salesforce_people follow the pulls`, async (t) => {
    const { wh, raw, schema } = await scratchWarehouse(t, kind);
    const d = wh.dialect;
    const user = folder({
      'snapshots/numbers.sql': [
        '{#- who had each number -#}',
        '{% snapshot number_owners %}',
        "{{ config(unique_key='phone_e164', strategy='check', check_cols=['id'], invalidate_hard_deletes=true) }}",
        "select phone_e164, id from {{ ref('salesforce_people') }} where phone_e164 is not null",
        '{% endsnapshot %}',
      ].join('\n'),
    });
    const project = await loadProject([BUNDLED_MODELS_DIR, user], d);
    assert.equal(project.models.get('number_owners')?.package, 'project');
    assert.equal(project.models.get('salesforce_people_snapshot')?.package, 'switchboard');
    const select = ['salesforce_people', 'salesforce_people_snapshot', 'number_owners'];
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse(T(1)) });
    const run = async (day: number, fullRefresh = false) => {
      t.mock.timers.setTime(Date.parse(T(day)));
      const results = await build(wh, project, { settings: { targetSchema: schema, sources: { raw } }, select, ...(fullRefresh ? { fullRefresh } : {}) });
      return Object.fromEntries(results.results.map((r) => [r.node, r.status === 'success' || r.status === 'pass' ? `${r.status} ${r.rows}` : `${r.status}: ${r.message}`]));
    };
    const people = d.tableName(schema, 'salesforce_people');
    const pull = async (day: number, rows: Array<[string, string, string, string, string | null]>) => {
      await wh.run(`DELETE FROM ${people}`);
      for (const row of rows) await wh.run(`INSERT INTO ${people} (id, object, phone_field, phone_raw, phone_e164, pulled_at) VALUES ($1, $2, $3, $4, $5, CAST($6 AS ${d.typeName('timestamp')}))`, [...row, T(day)]);
    };
    const history = () => lines(wh, `SELECT id, phone_field, phone_e164, pulled_at, dbt_valid_from, dbt_valid_to FROM ${d.tableName(schema, 'salesforce_people_snapshot')}`);
    const owners = () => lines(wh, `SELECT phone_e164, id, dbt_valid_from, dbt_valid_to FROM ${d.tableName(schema, 'number_owners')}`);

    // Before any pull: the snapshots exist, empty, and their bundled data tests pass.
    const first = await run(1);
    assert.equal(first['model.salesforce_people_snapshot'], 'success 0');
    assert.equal(first['model.number_owners'], 'success 0');
    assert.equal(first['test.unique_salesforce_people_snapshot_dbt_scd_id'], 'pass 0');

    await pull(2, [['003A', 'Contact', 'Phone', '(415) 555-0101', '+14155550101'], ['00QB', 'Lead', 'MobilePhone', '415 555 0102', '+14155550102'], ['00QB', 'Lead', 'Phone', 'ext 7', null]]);
    assert.equal((await run(2))['model.salesforce_people_snapshot'], 'success 3');
    // The next pull: the same people, pulled again (a new pulled_at is no change); 003A's number changed.
    await pull(3, [['003A', 'Contact', 'Phone', '(415) 555-0199', '+14155550199'], ['00QB', 'Lead', 'MobilePhone', '415 555 0102', '+14155550102'], ['00QB', 'Lead', 'Phone', 'ext 7', null]]);
    const third = await run(4);
    assert.equal(third['model.salesforce_people_snapshot'], 'success 2');
    assert.equal(third['model.number_owners'], 'success 2', 'the old number closed, the new one opened');
    const expected = [
      '003A Phone +14155550101 2025-03-02 2025-03-02 2025-03-04',
      '003A Phone +14155550199 2025-03-03 2025-03-04 NULL',
      '00QB MobilePhone +14155550102 2025-03-02 2025-03-02 NULL',
      '00QB Phone NULL 2025-03-02 2025-03-02 NULL',
    ];
    assert.deepEqual(await history(), expected);
    assert.deepEqual(await owners(), ['+14155550101 003A 2025-03-02 2025-03-04', '+14155550102 00QB 2025-03-02 NULL', '+14155550199 003A 2025-03-04 NULL']);

    // A full refresh empties salesforce_people until the next pull: the snapshots close nothing, and are not rebuilt.
    const refreshed = await run(5, true);
    assert.equal(refreshed['model.salesforce_people'], 'success 0');
    assert.equal(refreshed['model.salesforce_people_snapshot'], 'success 0');
    assert.deepEqual(await history(), expected);

    // Two people with one number: number_owners refuses (its key is the number) and keeps its rows; the bundled snapshot goes on.
    const before = await owners();
    await pull(6, [['003A', 'Contact', 'Phone', '(415) 555-0199', '+14155550199'], ['003C', 'Contact', 'Phone', '415-555-0199', '+14155550199']]);
    const clash = await run(6);
    assert.match(clash['model.number_owners'] ?? '', /^error: snapshots\/numbers\.sql: SB_MODEL_SNAPSHOT_KEY: config\(unique_key=…\) must name one row of the select and never be NULL, but these keys are repeated or NULL: \(\+14155550199\) ×2\. .*nothing was written\.$/);
    assert.equal(clash['model.salesforce_people_snapshot'], 'success 3', '00QB closed twice (hard deletes), 003C opened');
    assert.deepEqual(await owners(), before);
    assert.deepEqual((await wh.introspector.relations([schema])).map((r) => r.name).filter((n) => n.includes('__sb_')), [], 'the stages are dropped after a refusal');
  });

  test(`${kind}: a table that is no snapshot is never replaced; a column new to the select is added, a new version of every row under check_cols='all'`, async (t) => {
    const { wh, raw, schema } = await scratchWarehouse(t, kind);
    const d = wh.dialect;
    const items = d.tableName(raw, 'items');
    await wh.run(`CREATE TABLE ${items} AS SELECT 'x' AS sku, 1 AS qty UNION ALL SELECT 'y', 2`);
    await wh.run(d.createSchema(schema));
    await wh.run(`CREATE TABLE ${d.tableName(schema, 'clash')} AS SELECT 'kept' AS note`);
    const project = await loadProject([
      folder({
        'snapshots/items_all.sql': "{{ config(unique_key='sku', strategy='check', check_cols='all') }} select * from {{ source('raw', 'items') }}",
        'snapshots/items_qty.sql': "{{ config(unique_key='sku', strategy='check', check_cols=['qty']) }} select * from {{ source('raw', 'items') }}",
        'snapshots/clash.sql': "{{ config(unique_key='sku', strategy='check', check_cols='all') }} select * from {{ source('raw', 'items') }}",
        'snapshots/reserved.sql': "{{ config(unique_key='sku', strategy='check', check_cols='all') }} select sku, qty as dbt_valid_to from {{ source('raw', 'items') }}",
      }),
    ], d);
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse(T(1)) });
    const run = async (day: number) => {
      t.mock.timers.setTime(Date.parse(T(day)));
      const results = await build(wh, project, { settings: { targetSchema: schema, sources: { raw } } });
      return Object.fromEntries(results.results.map((r) => [r.node.replace('model.', ''), r.status === 'success' ? `${r.materialized} ${r.rows}` : r.message]));
    };
    const first = await run(1);
    assert.match(first.clash ?? '', /^snapshots\/clash\.sql: SB_MODEL_SNAPSHOT_COLUMNS: [a-z0-9_]+\.clash exists but is no snapshot \(it has no dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to\), and a snapshot never replaces a table/);
    assert.deepEqual(await wh.all(`SELECT note FROM ${d.tableName(schema, 'clash')}`), [{ note: 'kept' }]);
    assert.match(first.reserved ?? '', /^snapshots\/reserved\.sql: SB_MODEL_SNAPSHOT_COLUMNS: the select returns dbt_valid_to, which the snapshot adds itself; rename it in the select\.$/);
    assert.equal(first.items_all, 'snapshot (first) 2');

    await wh.run(`ALTER TABLE ${items} ADD COLUMN color ${d.typeName('text')}`);
    await wh.run(`UPDATE ${items} SET color = 'red' WHERE sku = 'x'`);
    const second = await run(2);
    assert.equal(second.items_all, 'snapshot (merge) 4', 'a column new to the table is a change of every row (dbt)');
    assert.equal(second.items_qty, 'snapshot (merge) 0', 'but not when it is no check column');
    const all = await lines(wh, `SELECT sku, color, dbt_valid_from, dbt_valid_to FROM ${d.tableName(schema, 'items_all')}`);
    const day = (n: number) => T(n).slice(0, 10);
    assert.deepEqual(all, [`x NULL ${day(1)} ${day(2)}`, `x red ${day(2)} NULL`, `y NULL ${day(1)} ${day(2)}`, `y NULL ${day(2)} NULL`]);
    const qty = await lines(wh, `SELECT sku, color, dbt_valid_from, dbt_valid_to FROM ${d.tableName(schema, 'items_qty')}`);
    assert.deepEqual(qty, [`x NULL ${day(1)} NULL`, `y NULL ${day(1)} NULL`], 'the column is there, NULL in versions before it');
    assert.equal((await run(3)).items_all, 'snapshot (merge) 0');

    // A column the select dropped stays in the table, NULL in the versions after.
    await wh.run(`ALTER TABLE ${items} DROP COLUMN color`);
    await wh.run(`UPDATE ${items} SET qty = 3 WHERE sku = 'y'`);
    assert.equal((await run(4)).items_all, 'snapshot (merge) 2');
    const dropped = await lines(wh, `SELECT sku, qty, color, dbt_valid_from, dbt_valid_to FROM ${d.tableName(schema, 'items_all')} WHERE dbt_valid_to IS NULL`);
    assert.deepEqual(dropped, [`x 1 red ${day(2)} NULL`, `y 3 NULL ${day(4)} NULL`]);
  });
}
