/**
 * Snapshots without building them: both file forms load as models (and nowhere else), their
 * config is checked as dbt's is, and their plans compile for all four warehouses with the
 * atomicity execute.ts needs where DDL is not transactional.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOrder } from '../../sql/engine/dag.js';
import type { Model } from '../../sql/engine/model.js';
import { loadProject } from '../../sql/engine/project.js';
import { buildSnapshot, planSnapshot, planSnapshotStage, snapshotKeyCheck, snapshotProblem } from '../../sql/engine/snapshot-build.js';
import { parseSnapshotConfig, snapshotsIn } from '../../sql/engine/snapshots.js';
import { DuckDbDialect } from '../../sql/warehouses/duckdb/dialect.js';
import { dialectFor, openWarehouse } from '../../sql/warehouses/index.js';
import type { Queryable, SqlParam, SqlRow, Warehouse } from '../../sql/warehouse.js';
import { folder } from '../helpers/scratch-warehouse.js';

const duckdb = dialectFor('duckdb');

describe('loading snapshots', () => {
  test('a plain file is one snapshot named after it; a file of blocks is one per block, with its line numbers', () => {
    assert.deepEqual(snapshotsIn('select 1 as id', 'snapshots/a/people.sql'), [{ name: 'people', template: 'select 1 as id' }]);
    const text = "{# two #}\n{% snapshot one %}\nselect 1 as id\n{% endsnapshot %}\n{%- snapshot two -%}select 2 as id{%- endsnapshot -%}";
    assert.deepEqual(snapshotsIn(text, 'snapshots/x.sql'), [
      { name: 'one', template: '\n\nselect 1 as id\n' },
      { name: 'two', template: '\n\n\n\nselect 2 as id' },
    ]);
    assert.throws(() => snapshotsIn('{% snapshot one %} select 1 {% snapshot two %} select 2 {% endsnapshot %}', 'snapshots/x.sql'), {
      code: 'SB_MODEL_TEMPLATE',
      message: 'snapshots/x.sql: {% snapshot one %} has no {% endsnapshot %} after it; end the block before the next one.',
    });
    assert.throws(() => snapshotsIn('{% snapshot %} select 1 {% endsnapshot %}', 'snapshots/x.sql'), /needs a name: \{% snapshot people_history %\}/);
  });

  test('snapshots are models: ref() reaches them, the DAG orders them, a layer overrides one by name; only snapshots/ holds them', async () => {
    const config = "{{ config(unique_key='id', strategy='check', check_cols='all') }}";
    const pkg = folder({ 'people.sql': 'select 1 as id', 'snapshots/people_history.sql': `${config} select id from {{ ref('people') }}` });
    const user = folder({
      'snapshots/mine.sql': `{% snapshot people_history %}${config} select id, 2 as v from {{ ref('people') }}{% endsnapshot %}`,
      'report.sql': "select count(*) as n from {{ ref('people_history') }}",
    });
    const project = await loadProject([pkg, user], duckdb);
    const history = project.models.get('people_history') as Model;
    assert.equal(history.config.materialized, 'snapshot');
    assert.equal(history.path, 'snapshots/mine.sql');
    assert.equal(history.overrides, 'project:snapshots/people_history.sql');
    assert.deepEqual(buildOrder(project).map((m) => m.name), ['people', 'people_history', 'report']);

    await assert.rejects(loadProject([folder({ 'x.sql': "{{ config(materialized='snapshot') }} select 1" })], duckdb), {
      code: 'SB_MODEL_CONFIG',
      message: "x.sql: config(materialized='snapshot'): a snapshot is a file in a snapshots/ folder (README › Your own models › Snapshots))",
    });
    await assert.rejects(loadProject([folder({ 'snapshots/x.sql': "{{ config(materialized='table') }} select 1" })], duckdb), /config\(materialized='table'\): a file in snapshots\/ is a snapshot; move it out/);
    await assert.rejects(loadProject([folder({ 'x.sql': 'select 1 as id', 'snapshots/x.sql': `${config} select 1 as id` })], duckdb), { code: 'SB_MODEL_DUPLICATE' });
    await assert.rejects(loadProject([folder({ 'snapshots/x.sql': `{% snapshot x %}\n${config}\nselect {{ nope }}\n{% endsnapshot %}` })], duckdb), /snapshots\/x\.sql: .*\[Line 3, Column \d+\]/);
  });

  test("config: dbt's keys and spellings, each mistake named with what it takes", () => {
    const ok = parseSnapshotConfig({ unique_key: ['id', 'field'], strategy: 'check', check_cols: ['phone'], invalidate_hard_deletes: true, target_schema: 'snapshots', tags: 'crm' }, 'p.sql');
    assert.deepEqual(ok, {
      materialized: 'snapshot', incrementalStrategy: 'delete+insert', onSchemaChange: 'rebuild', enabled: true, uniqueKey: ['id', 'field'], tags: ['crm'], schema: 'snapshots', mergeWindowColumn: undefined, updatedAt: undefined,
      snapshot: { strategy: 'check', updatedAt: undefined, checkCols: ['phone'], hardDeletes: 'invalidate' },
    });
    assert.equal(parseSnapshotConfig({ unique_key: 'id', strategy: 'timestamp', updated_at: 'at' }, 'p.sql').snapshot?.hardDeletes, 'ignore');
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ strategy: 'check', check_cols: 'all' }, /unique_key=…\): a snapshot needs the column/],
      [{ unique_key: "id || '-' || f", strategy: 'check', check_cols: 'all' }, /unique_key=…\): a column name of the select \(an expression must become a column/],
      [{ unique_key: 'id' }, /strategy=…\): 'timestamp' \(with updated_at='col'\) or 'check'/],
      [{ unique_key: 'id', strategy: 'timestamp' }, /strategy='timestamp'\): also give updated_at=/],
      [{ unique_key: 'id', strategy: 'check' }, /strategy='check'\): also give check_cols=/],
      [{ unique_key: 'id', strategy: 'timestamp', updated_at: 'at', check_cols: ['a'] }, /check_cols=…\): only strategy='check' compares columns/],
      [{ unique_key: 'id', strategy: 'check', check_cols: 'all', hard_deletes: 'new_record' }, /hard_deletes='new_record'\): not supported; use 'invalidate'/],
      [{ unique_key: 'id', strategy: 'check', check_cols: 'all', hard_deletes: 'invalidate', invalidate_hard_deletes: false }, /contradicts hard_deletes='invalidate'/],
      [{ unique_key: 'id', strategy: 'check', check_cols: 'all', schema: 'a', target_schema: 'b' }, /target_schema=…\): it contradicts schema='a'/],
      [{ unique_key: 'id', strategy: 'check', check_cols: 'all', target_database: 'x' }, /target_database=…\): not a snapshot setting; use materialized, unique_key/],
    ];
    for (const [values, message] of refusals) assert.throws(() => parseSnapshotConfig(values, 'p.sql'), (e: Error & { code?: string }) => e.code === 'SB_MODEL_CONFIG' && message.test(e.message), JSON.stringify(values));
  });
});

describe('snapshot plans', () => {
  const model = (values: Record<string, unknown>): Model => ({
    name: 'people', path: 'snapshots/people.sql', package: 'project', layer: 0, template: '', refs: [], sources: [],
    config: parseSnapshotConfig({ unique_key: ['id', 'field'], ...values }, 'snapshots/people.sql'),
  });
  const check = model({ strategy: 'check', check_cols: ['phone', 'name'], hard_deletes: 'invalidate' });
  const now = new Date('2025-03-04T10:00:00Z');
  const source = [{ name: 'id', dataType: 'VARCHAR' }, { name: 'field', dataType: 'VARCHAR' }, { name: 'phone', dataType: 'VARCHAR' }, { name: 'name', dataType: 'VARCHAR' }, { name: 'tier', dataType: 'INTEGER' }];
  const existing = ['id', 'field', 'phone', 'name', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'];
  const expected = {
    duckdb: { t: '"analytics"."people"', hash: 'sha256(', ts: "CAST('2025-03-04T10:00:00.000Z' AS TIMESTAMPTZ)", update: 'UPDATE "analytics"."people" SET "dbt_valid_to" = c."dbt_valid_to"\nFROM "analytics"."people__sb_changes" AS c\nWHERE "analytics"."people"."dbt_scd_id" = c."dbt_scd_id"' },
    postgres: { t: '"analytics"."people"', hash: 'ENCODE(SHA256(CONVERT_TO(', ts: "CAST('2025-03-04T10:00:00.000Z' AS timestamptz)", update: 'UPDATE "analytics"."people" SET "dbt_valid_to" = c."dbt_valid_to"\nFROM "analytics"."people__sb_changes" AS c\nWHERE "analytics"."people"."dbt_scd_id" = c."dbt_scd_id"' },
    bigquery: { t: '`analytics`.`people`', hash: 'TO_HEX(SHA256(', ts: "CAST('2025-03-04T10:00:00.000Z' AS TIMESTAMP)", update: 'UPDATE `analytics`.`people` AS t SET `dbt_valid_to` = c.`dbt_valid_to`\nFROM `analytics`.`people__sb_changes` AS c\nWHERE t.`dbt_scd_id` = c.`dbt_scd_id`' },
    snowflake: { t: '"analytics"."people"', hash: 'SHA2(', ts: "CAST('2025-03-04T10:00:00.000Z' AS TIMESTAMP_TZ)", update: 'UPDATE "analytics"."people" SET "dbt_valid_to" = c."dbt_valid_to"\nFROM "analytics"."people__sb_changes" AS c\nWHERE "analytics"."people"."dbt_scd_id" = c."dbt_scd_id"' },
  } as const;

  for (const name of ['duckdb', 'postgres', 'bigquery', 'snowflake'] as const) {
    test(`${name}: stage, first run and merge`, () => {
      const d = dialectFor(name);
      const e = expected[name];
      const q = (c: string) => d.quoteIdent(c);
      const stage = planSnapshotStage(check, { dialect: d, schema: 'analytics', select: 'select 1' });
      assert.deepEqual(stage.map((s) => s.sql), [d.createSchema('analytics'), d.dropTable(`${e.t.slice(0, -1)}__sb_source${e.t.at(-1)}`), `CREATE TABLE ${e.t.slice(0, -1)}__sb_source${e.t.at(-1)} AS\nselect 1`]);
      assert.ok(stage.every((s) => s.ddl === true && s.atomicGroup === undefined));

      const [create, ...dropsFirst] = planSnapshot(check, { dialect: d, schema: 'analytics', now, source, target: null });
      assert.ok(create?.sql.startsWith(`CREATE TABLE ${e.t} AS\nSELECT s.${q('id')}, s.${q('field')}, s.${q('phone')}, s.${q('name')}, s.${q('tier')}, ${e.hash}`), create?.sql);
      assert.ok(create?.sql.includes(`${e.ts} AS ${q('dbt_valid_from')}, NULLIF(${e.ts}, ${e.ts}) AS ${q('dbt_valid_to')}`));
      assert.equal(create?.rowsQuery, `SELECT COUNT(*) AS n FROM ${e.t}`);
      assert.equal(dropsFirst.length, 2);

      const plan = planSnapshot(check, { dialect: d, schema: 'analytics', now, source, target: existing });
      const changes = plan[1]?.sql ?? '';
      assert.ok(changes.includes(`(${d.isDistinctFrom(`t.${q('phone')}`, `s.${q('phone')}`)} OR ${d.isDistinctFrom(`t.${q('name')}`, `s.${q('name')}`)})`), 'check: NULL-safe on each check column');
      assert.ok(changes.includes('IS DISTINCT FROM'));
      assert.ok(changes.includes(`WHERE s.${q('id')} IS NULL AND EXISTS (SELECT 1 FROM ${e.t.slice(0, -1)}__sb_source${e.t.at(-1)})`), 'hard deletes, not on an empty select');
      assert.ok(changes.includes(`${e.ts} AS ${q('dbt_valid_to')}`));
      assert.equal(plan[1]?.rowsQuery, `SELECT COUNT(*) AS n FROM ${e.t.slice(0, -1)}__sb_changes${e.t.at(-1)}`);
      assert.equal(plan[2]?.sql, `ALTER TABLE ${e.t} ADD COLUMN ${q('tier')} INTEGER`, 'the column new to the select');
      const apply = plan.filter((s) => s.atomicGroup !== undefined);
      assert.deepEqual(apply.map((s) => [s.atomicGroup, s.ddl]), [['apply', undefined], ['apply', undefined]], 'one group, no DDL in it (execute.ts)');
      assert.ok(apply[0]?.sql.startsWith(e.update), apply[0]?.sql);
      assert.ok(apply[0]?.sql.endsWith(`AND c.${q('dbt_change_type')} IN ('update', 'delete') AND ${name === 'bigquery' ? 't.' : `${e.t}.`}${q('dbt_valid_to')} IS NULL`));
      assert.ok(apply[1]?.sql.startsWith(`INSERT INTO ${e.t} (${['id', 'field', 'phone', 'name', 'tier', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'].map(q).join(', ')})`));
      assert.ok(apply[1]?.sql.includes(`NOT EXISTS (SELECT 1 FROM ${e.t} AS t WHERE t.${q('dbt_scd_id')} = c.${q('dbt_scd_id')})`));
      assert.equal(plan.indexOf(apply[1]!), plan.indexOf(apply[0]!) + 1);
      assert.deepEqual(plan.slice(-2).map((s) => s.sql), [d.dropTable(`${e.t.slice(0, -1)}__sb_changes${e.t.at(-1)}`), d.dropTable(`${e.t.slice(0, -1)}__sb_source${e.t.at(-1)}`)]);
      assert.equal(snapshotKeyCheck(check, d, 'analytics'), `SELECT ${q('id')}, ${q('field')}, COUNT(*) AS n FROM ${e.t.slice(0, -1)}__sb_source${e.t.at(-1)} GROUP BY ${q('id')}, ${q('field')} HAVING COUNT(*) > 1 OR ${q('id')} IS NULL OR ${q('field')} IS NULL ORDER BY n DESC LIMIT 3`);

      const timestamp = planSnapshot(model({ strategy: 'timestamp', updated_at: 'phone' }), { dialect: d, schema: 'analytics', now, source, target: [...existing, 'tier'] });
      assert.ok(timestamp[1]?.sql.includes(`WHERE t.${q('id')} IS NULL OR (t.${q('dbt_valid_from')} < s.${q('phone')})`), 'timestamp: later than the current version');
      assert.ok(!timestamp[1]?.sql.includes('deletes AS'), 'hard deletes ignored by default');
      assert.ok(!timestamp.some((s) => s.sql.startsWith('ALTER')));
    });
  }

  test("check_cols='all' compares every column the table has; a check column new to it changes every row (dbt's column_added)", () => {
    const all = model({ strategy: 'check', check_cols: 'all' });
    const sql = planSnapshot(all, { dialect: duckdb, schema: 'a', now, source: source.slice(0, 4), target: existing })[1]?.sql ?? '';
    assert.ok(sql.includes('((t."id" IS DISTINCT FROM s."id") OR (t."field" IS DISTINCT FROM s."field") OR (t."phone" IS DISTINCT FROM s."phone") OR (t."name" IS DISTINCT FROM s."name"))'), sql);
    const added = planSnapshot(all, { dialect: duckdb, schema: 'a', now, source, target: existing })[1]?.sql ?? '';
    assert.ok(added.includes('WHERE t."id" IS NULL OR TRUE') && added.includes('WHERE TRUE'));
  });

  test('snapshotProblem names a missing check column, a reserved column, and a table that is no snapshot', () => {
    const names = source.map((c) => c.name);
    assert.equal(snapshotProblem(check, 'a', names, existing), null);
    assert.match(snapshotProblem(model({ strategy: 'check', check_cols: ['phon'] }), 'a', names, null)?.message ?? '', /^config\(check_cols=…\) names phon, which the select does not return \(it returns id, field, phone, name, tier\)/);
    assert.equal(snapshotProblem(check, 'a', [...names, 'dbt_scd_id'], null)?.code, 'SB_MODEL_SNAPSHOT_COLUMNS');
    assert.match(snapshotProblem(check, 'a', names, ['id'])?.message ?? '', /^a\.people exists but is no snapshot/);
  });
});

/** DuckDB's SQL with BigQuery's capabilities: DML transactions, no transactional DDL. */
class NoDdlTransactions extends DuckDbDialect {
  protected override readonly declaredCapabilities = { ...new DuckDbDialect().capabilities, supportsTransactionalDdl: false };
}

test('where DDL is not transactional, a snapshot merge closes and inserts in one transaction, and stages outside it', async (t) => {
  const wh = await openWarehouse({ type: 'duckdb', path: ':memory:' });
  t.after(() => wh.close());
  await wh.run('CREATE SCHEMA raw');
  await wh.run("CREATE TABLE raw.p AS SELECT 'a' AS id, 'f' AS field, '+1' AS phone, 'Ann' AS name");
  const log: string[] = [];
  const note = (where: string) => (sql: string) => log.push(`${where}: ${sql.split('\n')[0]}`);
  const recording: Warehouse = Object.assign(Object.create(wh) as Warehouse, {
    dialect: new NoDdlTransactions(),
    run: async (sql: string, params?: readonly SqlParam[]) => (note('direct')(sql), wh.run(sql, params)),
    all: async <T extends SqlRow>(sql: string, params?: readonly SqlParam[]) => wh.all<T>(sql, params),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => wh.transaction((tx) => fn({ ...tx, run: async (sql, params) => (note('tx')(sql), tx.run(sql, params)) })),
  });
  const model: Model = { name: 'people', path: 'snapshots/people.sql', package: 'project', layer: 0, template: '', refs: [], sources: [], config: parseSnapshotConfig({ unique_key: 'id', strategy: 'check', check_cols: ['phone'] }, 'snapshots/people.sql') };
  const select = 'SELECT * FROM raw.p';
  assert.deepEqual(await buildSnapshot(recording, model, { schema: 'analytics', select, existing: null, now: new Date('2025-03-01T00:00:00Z') }), { rows: 1, how: 'snapshot (first)' });
  log.length = 0;
  await wh.run("UPDATE raw.p SET phone = '+2'");
  assert.deepEqual(await buildSnapshot(recording, model, { schema: 'analytics', select, existing: 'table', now: new Date('2025-03-02T00:00:00Z') }), { rows: 2, how: 'snapshot (merge)' });
  assert.deepEqual(log, [
    'direct: CREATE SCHEMA IF NOT EXISTS "analytics"',
    'direct: DROP TABLE IF EXISTS "analytics"."people__sb_source"',
    'direct: CREATE TABLE "analytics"."people__sb_source" AS',
    'direct: DROP TABLE IF EXISTS "analytics"."people__sb_changes"',
    'direct: CREATE TABLE "analytics"."people__sb_changes" AS',
    'tx: UPDATE "analytics"."people" SET "dbt_valid_to" = c."dbt_valid_to"',
    'tx: INSERT INTO "analytics"."people" ("id", "field", "phone", "name", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")',
    'direct: DROP TABLE IF EXISTS "analytics"."people__sb_changes"',
    'direct: DROP TABLE IF EXISTS "analytics"."people__sb_source"',
  ]);
  assert.deepEqual(await wh.all('SELECT phone, dbt_valid_to IS NULL AS current FROM analytics.people ORDER BY dbt_valid_from'), [{ phone: '+1', current: false }, { phone: '+2', current: true }]);
});
