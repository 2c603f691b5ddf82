/**
 * Snapshots built for real on DuckDB and Postgres, with exact rows: the first run, a changed
 * key closed and opened again, unchanged keys untouched, new keys, hard deletes when enabled
 * (and not when the select is empty), the timestamp strategy beside the check strategy on the
 * same changes, NULL-safe comparison, and a run with nothing changed that changes nothing.
 * The snapshot time is the mocked clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProject } from '../../sql/engine/project.js';
import { build, type RunResults } from '../../sql/engine/run.js';
import type { Warehouse } from '../../sql/warehouse.js';
import { folder, scratchWarehouse } from '../helpers/scratch-warehouse.js';

const T = (day: number) => `2025-03-0${day}T00:00:00.000Z`;

/** The project: three snapshots of raw.people, in both file forms. */
function people(schema: string): string {
  return folder({
    // Plain form: the file names the snapshot.
    'snapshots/people_check.sql':
      "{{ config(unique_key='id', strategy='check', check_cols=['phone'], hard_deletes='invalidate') }}\nselect id, name, phone, updated_at from {{ source('raw', 'people') }}",
    // Legacy block form, two blocks in one file.
    'snapshots/history.sql': [
      '{% snapshot people_ts %}',
      `{{ config(target_schema='${schema}', unique_key='id', strategy='timestamp', updated_at='updated_at') }}`,
      "select id, name, phone, updated_at from {{ source('raw', 'people') }}",
      '{% endsnapshot %}',
      '',
      '{% snapshot people_all %}',
      "{{ config(unique_key='id', strategy='check', check_cols='all') }}",
      "select id, name, phone from {{ source('raw', 'people') }}",
      '{% endsnapshot %}',
    ].join('\n'),
  });
}

/** A snapshot's rows as `id phone from→to` lines, sorted, with their scd ids. */
async function versions(wh: Warehouse, schema: string, table: string): Promise<{ lines: string[]; ids: Map<string, string> }> {
  const rows = await wh.all<{ id: string; phone: string | null; dbt_valid_from: string; dbt_valid_to: string | null; dbt_updated_at: string; dbt_scd_id: string }>(
    `SELECT id, phone, dbt_valid_from, dbt_valid_to, dbt_updated_at, dbt_scd_id FROM ${wh.dialect.tableName(schema, table)}`,
  );
  const ids = new Map<string, string>();
  const lines = rows.map((r) => {
    assert.equal(r.dbt_updated_at, r.dbt_valid_from, 'dbt_updated_at is the version start');
    assert.match(r.dbt_scd_id, /^[0-9a-f]{64}$/);
    const line = `${r.id} ${r.phone ?? 'NULL'} ${r.dbt_valid_from.slice(0, 10)}→${r.dbt_valid_to?.slice(0, 10) ?? 'current'}`;
    ids.set(line, r.dbt_scd_id);
    return line;
  });
  assert.equal(new Set(ids.values()).size, rows.length, 'dbt_scd_id is unique');
  return { lines: lines.sort(), ids };
}

function built(results: RunResults): Record<string, string> {
  assert.deepEqual(results.results.filter((r) => r.status !== 'success').map((r) => `${r.node}: ${r.message}`), []);
  return Object.fromEntries(results.results.map((r) => [r.node.replace('model.', ''), `${r.materialized} ${r.rows}`]));
}

for (const kind of ['duckdb', 'postgres'] as const) {
  test(`${kind}: check and timestamp snapshots through first run, changes, NULLs, a hard delete, a run with no change and an empty select`, async (t) => {
    const { wh, raw, schema } = await scratchWarehouse(t, kind);
    const d = wh.dialect;
    const table = d.tableName(raw, 'people');
    await wh.run(`CREATE TABLE ${table} (id ${d.typeName('text')}, name ${d.typeName('text')}, phone ${d.typeName('text')}, updated_at ${d.typeName('timestamp')})`);
    const put = async (rows: Array<[string, string, string | null, string]>) => {
      await wh.run(`DELETE FROM ${table}`);
      for (const row of rows) await wh.run(`INSERT INTO ${table} VALUES ($1, $2, $3, CAST($4 AS ${d.typeName('timestamp')}))`, row);
    };
    const project = await loadProject([people(schema)], d);
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse(T(1)) });
    const run = async (day: number) => {
      t.mock.timers.setTime(Date.parse(T(day)));
      return built(await build(wh, project, { settings: { targetSchema: schema, sources: { raw } } }));
    };
    const all = async () => ({
      check: (await versions(wh, schema, 'people_check')).lines,
      ts: (await versions(wh, schema, 'people_ts')).lines,
      all: (await versions(wh, schema, 'people_all')).lines,
    });

    // First run: every row current; check versions start at the snapshot time, timestamp ones at updated_at.
    await put([['a', 'Ann', '+1', T(1)], ['b', 'Bob', null, T(1)], ['c', 'Cy', '+3', T(1)]]);
    assert.deepEqual(await run(2), { people_all: 'snapshot (first) 3', people_check: 'snapshot (first) 3', people_ts: 'snapshot (first) 3' });
    const first = await all();
    assert.deepEqual(first.check, ['a +1 2025-03-02→current', 'b NULL 2025-03-02→current', 'c +3 2025-03-02→current']);
    assert.deepEqual(first.ts, ['a +1 2025-03-01→current', 'b NULL 2025-03-01→current', 'c +3 2025-03-01→current']);
    const firstIds = (await versions(wh, schema, 'people_check')).ids;

    // a's phone changes (with updated_at); b's goes NULL → +2 without updated_at moving; c's
    // name changes (not a check column of people_check); d is new.
    await put([['a', 'Ann', '+11', T(3)], ['b', 'Bob', '+2', T(1)], ['c', 'Cyrus', '+3', T(3)], ['d', 'Dee', '+4', T(2)]]);
    assert.deepEqual(await run(4), { people_all: 'snapshot (merge) 7', people_check: 'snapshot (merge) 5', people_ts: 'snapshot (merge) 5' });
    const second = await all();
    assert.deepEqual(second.check, [
      'a +1 2025-03-02→2025-03-04', 'a +11 2025-03-04→current',
      'b +2 2025-03-04→current', 'b NULL 2025-03-02→2025-03-04',
      'c +3 2025-03-02→current', 'd +4 2025-03-04→current',
    ]);
    assert.equal((await versions(wh, schema, 'people_check')).ids.get('c +3 2025-03-02→current'), firstIds.get('c +3 2025-03-02→current'), 'an unchanged key keeps its row');
    // Timestamp: versions move at updated_at; b's change went unseen (its updated_at did not move).
    assert.deepEqual(second.ts, [
      'a +1 2025-03-01→2025-03-03', 'a +11 2025-03-03→current',
      'b NULL 2025-03-01→current',
      'c +3 2025-03-01→2025-03-03', 'c +3 2025-03-03→current', 'd +4 2025-03-02→current',
    ]);
    // check_cols='all': the name counts too.
    assert.deepEqual(second.all, [
      'a +1 2025-03-02→2025-03-04', 'a +11 2025-03-04→current', 'b +2 2025-03-04→current', 'b NULL 2025-03-02→2025-03-04',
      'c +3 2025-03-02→2025-03-04', 'c +3 2025-03-04→current', 'd +4 2025-03-04→current',
    ]);

    // c is deleted; b's phone goes back to NULL (a value → NULL is a change too).
    await put([['a', 'Ann', '+11', T(3)], ['b', 'Bob', null, T(1)], ['d', 'Dee', '+4', T(2)]]);
    assert.deepEqual(await run(5), { people_all: 'snapshot (merge) 2', people_check: 'snapshot (merge) 3', people_ts: 'snapshot (merge) 0' });
    const third = await all();
    assert.deepEqual(third.check, [
      'a +1 2025-03-02→2025-03-04', 'a +11 2025-03-04→current',
      'b +2 2025-03-04→2025-03-05', 'b NULL 2025-03-02→2025-03-04', 'b NULL 2025-03-05→current',
      'c +3 2025-03-02→2025-03-05', 'd +4 2025-03-04→current',
    ]);
    assert.deepEqual(third.ts, second.ts, 'hard deletes are ignored unless enabled');

    // Nothing changed: nothing is written.
    assert.deepEqual(await run(6), { people_all: 'snapshot (merge) 0', people_check: 'snapshot (merge) 0', people_ts: 'snapshot (merge) 0' });
    assert.deepEqual(await all(), third);

    // c comes back: a new version. Then an empty select closes nothing.
    await put([['a', 'Ann', '+11', T(3)], ['b', 'Bob', null, T(1)], ['c', 'Cy', '+3', T(1)], ['d', 'Dee', '+4', T(2)]]);
    assert.equal((await run(7)).people_check, 'snapshot (merge) 1');
    await put([]);
    assert.equal((await run(8)).people_check, 'snapshot (merge) 0');
    const last = await all();
    assert.deepEqual(last.check, [...third.check, 'c +3 2025-03-07→current'].sort());
    assert.deepEqual((await wh.introspector.relations([schema])).map((r) => r.name).sort(), ['people_all', 'people_check', 'people_ts'], 'no stage is left behind');
  });
}
